// The zone image: every record of the zone but the apex SOA, as wire bytes in canonical
// order, read back as they went in; and equal exactly when the zones are.
#include "dnsd/answer/zone_image.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tests/dnsd/answer/respond_fixture.hpp"

namespace {

using dnsdtest::N;

struct Flat {
    std::string owner;
    std::uint16_t type;
    std::uint32_t ttl;
    std::string rdata;
    friend bool operator==(const Flat&, const Flat&) = default;
};

std::vector<Flat> from_zone(const zonegen::Zone& z) {
    std::vector<Flat> out;
    for (const zonegen::Node& node : z.nodes())
        for (const zonegen::RRset& set : node.rrsets) {
            if (set.type == zonegen::RRType::SOA) continue;
            for (const zonegen::Rdata& rd : set.rdata) {
                std::string rdata;
                zonegen::append_rdata_wire(rd, rdata);
                out.push_back({std::string(node.owner.wire()), static_cast<std::uint16_t>(set.type), set.ttl, rdata});
            }
        }
    return out;
}

std::vector<Flat> from_image(const dnsd::ZoneImage& image) {
    std::vector<Flat> out;
    dnsd::ZoneImage::Record r;
    for (std::size_t offset = 0; image.next(offset, r);)
        out.push_back({std::string(r.owner()), r.type(), r.ttl(), std::string(r.rdata())});
    return out;
}

zonegen::Zone small_zone(std::uint32_t a_ttl, const char* address) {
    zonegen::ZoneBuilder b(N("t"));
    b.add(N("t"), 60, zonegen::Soa{N("ns.t"), N("admin.t"), 7, 1, 2, 3, 4});
    b.add(N("t"), 60, zonegen::Ns{N("ns.t")});
    b.add(N("ns.t"), a_ttl, dnsdtest::v4(address));
    return std::move(b).finish().value();
}

}  // namespace

TEST(ZoneImage, HoldsEveryRecordButTheSoaInCanonicalOrder) {
    const zonegen::Zone zone = dnsdtest::smarthost_zone();
    const dnsd::ZoneImage image(zone);
    EXPECT_EQ(image.origin(), zone.origin());
    EXPECT_EQ(image.serial(), 2026112301u);
    EXPECT_TRUE(image.soa() == zone.soa());
    EXPECT_EQ(image.soa_ttl(), 3600u);
    EXPECT_EQ(image.record_count(), zone.record_count());
    const std::vector<Flat> want = from_zone(zone);
    ASSERT_EQ(want.size() + 1, zone.record_count());
    EXPECT_TRUE(from_image(image) == want);
}

TEST(ZoneImage, AnOwnerOfSeveralRecordsIsCarriedOver) {
    const dnsd::ZoneImage image(dnsdtest::smarthost_zone());
    dnsd::ZoneImage::Record r;
    std::size_t offset = 0;
    ASSERT_TRUE(image.next(offset, r));  // the apex NS records come first
    EXPECT_EQ(r.owner(), N("smarthost.local").wire());
    EXPECT_EQ(r.type(), dnsdtest::kNs);
    ASSERT_TRUE(image.next(offset, r));
    EXPECT_EQ(r.owner(), N("smarthost.local").wire());
    EXPECT_EQ(r.type(), dnsdtest::kNs);
}

TEST(ZoneImage, EqualExactlyWhenTheZonesAre) {
    EXPECT_TRUE(dnsd::ZoneImage(small_zone(60, "192.0.2.1")) == dnsd::ZoneImage(small_zone(60, "192.0.2.1")));
    EXPECT_FALSE(dnsd::ZoneImage(small_zone(60, "192.0.2.1")) == dnsd::ZoneImage(small_zone(61, "192.0.2.1")));
    EXPECT_FALSE(dnsd::ZoneImage(small_zone(60, "192.0.2.1")) == dnsd::ZoneImage(small_zone(60, "192.0.2.2")));
    EXPECT_FALSE(dnsd::ZoneImage(small_zone(60, "192.0.2.1")) ==
                 dnsd::ZoneImage(small_zone(60, "192.0.2.1").with_serial(8)));
}

TEST(ZoneImage, AZoneOfOnlyItsSoaHasAnEmptyBody) {
    zonegen::ZoneBuilder b(N("t"));
    b.add(N("t"), 60, zonegen::Soa{N("ns.t"), N("admin.t"), 7, 1, 2, 3, 4});
    const dnsd::ZoneImage image(std::move(b).finish().value());
    dnsd::ZoneImage::Record r;
    std::size_t offset = 0;
    EXPECT_FALSE(image.next(offset, r));
    EXPECT_EQ(image.record_count(), 1u);
}

// State directories keep digests across restarts and versions of dnsd (state_dir.hpp):
// however the image stores its records, the digest of a zone stays what it was. These
// values were taken with the first encoding (every record with its type, TTL and length).
TEST(ZoneImage, TheDigestOfAZoneStaysWhatStateDirectoriesKept) {
    EXPECT_EQ(dnsd::ZoneImage(dnsdtest::smarthost_zone()).digest(), 0x6088FAAF02EEE79Dull);
    zonegen::ZoneBuilder b(N("t"));
    b.add(N("t"), 60, zonegen::Soa{N("ns.t"), N("admin.t"), 7, 1, 2, 3, 4});
    b.add(N("t"), 60, zonegen::Ns{N("ns.t")});
    b.add(N("t"), 60, zonegen::Ns{N("ns.example")});  // outside the zone: stored whole
    b.add(N("t"), 70, zonegen::Mx{5, N("t")});
    b.add(N("s.t"), 300, zonegen::Mx{10, N("m.s.t")});  // one label below its owner
    b.add(N("s.t"), 300, zonegen::Mx{20, N("m.u.t")});
    b.add(N("s.t"), 300, zonegen::Mx{30, N("relay.example")});
    b.add(N("s.t"), 30, zonegen::Txt{{"x", "y z"}});
    b.add(N("m.s.t"), 300, dnsdtest::v4("192.0.2.1"));
    b.add(N("m.s.t"), 300, dnsdtest::v4("192.0.2.2"));
    b.add(N("m.s.t"), 60, dnsdtest::v6("2001:db8::1"));
    b.add(N("m.u.t"), 300, dnsdtest::v4("192.0.2.3"));
    const zonegen::Zone zone = std::move(b).finish().value();
    const dnsd::ZoneImage image(zone);
    EXPECT_TRUE(from_image(image) == from_zone(zone));  // each kind of stored name read back
    EXPECT_EQ(image.digest(), 0xDE3839D68B06C5ECull);
    // And an edit's, which writes its records anew.
    const dnsd::ZoneImage edited = image.edited(9, [](const dnsd::ZoneImage::Record& r, std::uint32_t& ttl) {
        ttl = r.type() == dnsdtest::kMx ? 15 : ttl;
        return r.owner() != N("m.u.t").wire();
    });
    EXPECT_EQ(edited.digest(), 0x5867FD1919E63BD1ull);
}

TEST(ZoneImage, AnEditUnderANewSerialIsTheEditMadeAtThatSerial) {
    const dnsd::ZoneImage loaded(dnsdtest::smarthost_zone());
    // An edit that drops a record and changes a TTL, as health edits do.
    const dnsd::ZoneImage::Keep keep = [](const dnsd::ZoneImage::Record& r, std::uint32_t& ttl) {
        if (r.type() == dnsdtest::kNs) ttl = 30;
        return r.type() != dnsdtest::kA || r.owner() != N("mail.oxford.smarthost.local").wire();
    };
    dnsd::ZoneImage edited = loaded.edited(loaded.serial(), keep);
    const std::uint64_t digest = edited.digest();
    const dnsd::ZoneImage image = std::move(edited).with_serial(loaded.serial() + 5);
    EXPECT_EQ(image.serial(), loaded.serial() + 5);
    EXPECT_TRUE(image == loaded.edited(loaded.serial() + 5, keep));
    EXPECT_EQ(image.digest(), digest);
    EXPECT_FALSE(image == loaded.edited(loaded.serial() + 4, keep));
    EXPECT_LT(image.record_count(), loaded.record_count());
}

namespace {

// A zone of hosts h0..h(count-1) under t with one A each (and a second for every fifth),
// edited by change before it is finished.
zonegen::Zone hosts_zone(int count, const std::function<void(zonegen::ZoneBuilder&)>& change = {}) {
    zonegen::ZoneBuilder b(N("t"));
    b.add(N("t"), 60, zonegen::Soa{N("ns.t"), N("admin.t"), 7, 1, 2, 3, 4});
    for (int i = 0; i < count; ++i) {
        const std::string host = "h" + std::to_string(i) + ".t";
        b.add(N(host.c_str()), 60,
              dnsdtest::v4(("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250)).c_str()));
        if (i % 5 == 0) b.add(N(host.c_str()), 60, dnsdtest::v4("192.0.2.1"));
    }
    if (change) change(b);
    return std::move(b).finish().value();
}

// Each record of the image with the offset it starts at, read from the start, and read
// again from that offset alone (as a walk that starts there would read it).
struct Placed {
    std::size_t offset;
    Flat record;
    Flat alone;
};
struct Walked {
    std::vector<Placed> records;
    std::size_t end = 0;  // the offset after the last record
};
Walked walk(const dnsd::ZoneImage& image) {
    Walked out;
    dnsd::ZoneImage::Record r;
    std::size_t offset = 0;
    for (std::size_t start = 0; image.next(offset, r); start = offset) {
        dnsd::ZoneImage::Record fresh;
        std::size_t at = start;
        Flat alone{};
        if (image.next(at, fresh))
            alone = {std::string(fresh.owner()), fresh.type(), fresh.ttl(), std::string(fresh.rdata())};
        out.records.push_back({start, {std::string(r.owner()), r.type(), r.ttl(), std::string(r.rdata())}, alone});
    }
    out.end = offset;
    return out;
}

// A walk may start at offset: the end, or a record that names its owner (read alone, it
// is the record read in order).
bool starts_walk(const Walked& w, std::size_t offset) {
    if (offset == w.end) return true;
    for (const Placed& x : w.records)
        if (x.offset == offset) return x.record == x.alone;
    return false;
}

// Checks what ZoneImage::differing promises; returns how many records of a and b lie in the
// differing ranges.
std::pair<std::size_t, std::size_t> check_differing(const dnsd::ZoneImage& a, const dnsd::ZoneImage& b) {
    const auto d = dnsd::ZoneImage::differing(a, b);
    const Walked wa = walk(a), wb = walk(b);
    EXPECT_TRUE(starts_walk(wa, d.begin));
    EXPECT_TRUE(starts_walk(wb, d.begin));
    EXPECT_TRUE(starts_walk(wa, d.a_end));
    EXPECT_TRUE(starts_walk(wb, d.b_end));
    EXPECT_LE(d.begin, d.a_end);
    EXPECT_LE(d.begin, d.b_end);
    std::vector<Flat> head_a, head_b, tail_a, tail_b;
    std::size_t in_a = 0, in_b = 0;
    for (const Placed& x : wa.records) {
        if (x.offset < d.begin)
            head_a.push_back(x.record);
        else if (x.offset >= d.a_end)
            tail_a.push_back(x.record);
        else
            ++in_a;
    }
    for (const Placed& x : wb.records) {
        if (x.offset < d.begin)
            head_b.push_back(x.record);
        else if (x.offset >= d.b_end)
            tail_b.push_back(x.record);
        else
            ++in_b;
    }
    EXPECT_TRUE(head_a == head_b);
    EXPECT_TRUE(tail_a == tail_b);
    return {in_a, in_b};
}

}  // namespace

TEST(ZoneImage, DifferingFindsTheFewRecordsTwoVersionsDoNotShare) {
    const dnsd::ZoneImage base(hosts_zone(1000));
    // The same records: nothing differs.
    EXPECT_EQ(check_differing(base, dnsd::ZoneImage(hosts_zone(1000))),
              std::make_pair(std::size_t{0}, std::size_t{0}));
    EXPECT_EQ(check_differing(base, base), std::make_pair(std::size_t{0}, std::size_t{0}));
    // One address more for a host, at the start, the middle and the end of the zone.
    for (const char* host : {"h0.t", "h500.t", "h999.t", "h17.t"}) {
        const dnsd::ZoneImage moved(
            hosts_zone(1000, [&](zonegen::ZoneBuilder& b) { b.add(N(host), 60, dnsdtest::v4("198.51.100.1")); }));
        const auto [a, b] = check_differing(base, moved);
        EXPECT_LE(a, 3u) << host;
        EXPECT_LE(b, 4u) << host;
        EXPECT_GE(b, 1u) << host;
        EXPECT_EQ(check_differing(moved, base), std::make_pair(b, a)) << host;
    }
    // Owners added and taken away, a TTL changed: whatever differs lies in the ranges.
    check_differing(base, dnsd::ZoneImage(hosts_zone(999)));
    check_differing(base, dnsd::ZoneImage(hosts_zone(1001)));
    check_differing(base, dnsd::ZoneImage(hosts_zone(1000, [](zonegen::ZoneBuilder& b) {
                        b.add(N("a.t"), 60, dnsdtest::v4("192.0.2.9"));
                        b.add(N("zz.t"), 60, dnsdtest::v4("192.0.2.9"));
                    })));
    check_differing(base, dnsd::ZoneImage(small_zone(60, "192.0.2.1")));
    check_differing(dnsd::ZoneImage(small_zone(60, "192.0.2.1")), dnsd::ZoneImage(small_zone(61, "192.0.2.1")));
}

// A record whose TTL is the SOA's stores none (zone_image.hpp): under another SOA TTL the
// same bytes are other records, so two such versions share none of them.
TEST(ZoneImage, DifferingSharesNothingUnderAnotherSoaTtl) {
    auto zone = [](std::uint32_t soa_ttl) {
        zonegen::ZoneBuilder b(N("t"));
        b.add(N("t"), soa_ttl, zonegen::Soa{N("ns.t"), N("admin.t"), 7, 1, 2, 3, 4});
        b.add(N("ns.t"), 60, dnsdtest::v4("192.0.2.1"));
        b.add(N("a.t"), 60, dnsdtest::v4("192.0.2.2"));
        return std::move(b).finish().value();
    };
    const dnsd::ZoneImage a(zone(60)), b(zone(61));
    EXPECT_FALSE(a == b);
    std::vector<Flat> records = from_image(a);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].ttl, 60u);
    EXPECT_EQ(from_image(b)[0].ttl, 60u);
    const dnsd::ZoneImage::Differing d = dnsd::ZoneImage::differing(a, b);
    EXPECT_EQ(d.begin, 0u);
    dnsd::ZoneImage::Record r;
    std::size_t offset = 0, count = 0;
    while (offset < d.a_end && a.next(offset, r)) ++count;
    EXPECT_EQ(count, 2u);
}
