// The zone image: every record of the zone but the apex SOA, as wire bytes in canonical
// order, read back as they went in; and equal exactly when the zones are.
#include "dnsd/answer/zone_image.hpp"

#include <gtest/gtest.h>

#include <string>
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
