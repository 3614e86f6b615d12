// The IXFR journal (dnsd/primary/journal.cpp): the difference of two zone images checked by
// applying it, the chain lookup, the bound and its eviction, and the journals with their
// files: 1,000 changes never take memory or file past the bound.
#include "dnsd/primary/journal.hpp"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "dnsd/primary/journal_file.hpp"
#include "tests/support/shell.hpp"

namespace {

using dnsd::Chain;
using dnsd::Difference;
using dnsd::Journal;
using dnsd::JournalRecord;
using dnsd::Journals;
using dnsd::ZoneImage;
using testsupport::TempDir;

zonegen::Name N(const std::string& s) { return *zonegen::Name::parse(s); }

zonegen::A v4(std::uint8_t last) { return zonegen::A{{192, 0, 2, last}}; }

// A small zone of sites. Variant 1 changes a few things: one host's address, one MX gone,
// one RRset's TTL, one new host; variants from 2 on add a TXT record of their own.
ZoneImage zone(std::uint32_t serial, int variant = 0, int sites = 12) {
    zonegen::ZoneBuilder b(N("j.test"));
    b.add(N("j.test"), 300, zonegen::Soa{N("ns1.j.test"), N("hostmaster.j.test"), serial, 3600, 600, 86400, 300});
    b.add(N("j.test"), 300, zonegen::Ns{N("ns1.j.test")});
    b.add(N("ns1.j.test"), 300, v4(53));
    for (int i = 0; i < sites; ++i) {
        const std::string site = "site" + std::to_string(i) + ".j.test";
        const std::uint32_t ttl = variant == 1 && i == 3 ? 60 : 300;  // an RRset has one TTL (RFC 2181 §5.2)
        b.add(N(site), ttl, zonegen::Mx{10, N("mail." + site)});
        if (!(variant == 1 && i == 5)) b.add(N(site), ttl, zonegen::Mx{20, N("mail.site0.j.test")});
        b.add(N("mail." + site), 300, v4(static_cast<std::uint8_t>(variant == 1 && i == 7 ? 200 : 10 + i)));
    }
    if (variant == 1) b.add(N("mail2.site1.j.test"), 300, v4(99));
    if (variant >= 2) b.add(N("v" + std::to_string(variant) + ".j.test"), 300, zonegen::Txt{{"version"}});
    auto z = std::move(b).finish();
    EXPECT_TRUE(z.ok());
    return ZoneImage(z.value());
}

using Rec = std::tuple<std::string, std::uint16_t, std::uint32_t, std::string>;

std::set<Rec> records_of(const ZoneImage& z) {
    std::set<Rec> out;
    ZoneImage::Record r;
    for (std::size_t offset = 0; z.next(offset, r);)
        out.emplace(std::string(r.owner()), r.type(), r.ttl(), std::string(r.rdata()));
    return out;
}

struct Parts {
    std::vector<Rec> soas, deleted, added;
};

Parts parts_of(const Difference& d) {
    Parts p;
    JournalRecord r;
    std::size_t offset = 0, n = 0;
    while (dnsd::read_record(d.records, offset, r)) {
        Rec rec(std::string(r.owner), r.type, r.ttl, std::string(r.rdata));
        if (n == 0 || n == d.deleted + 1u)
            p.soas.push_back(rec);
        else if (n <= d.deleted)
            p.deleted.push_back(rec);
        else
            p.added.push_back(rec);
        ++n;
    }
    EXPECT_EQ(offset, d.records.size());
    return p;
}

TEST(JournalDiff, ApplyingTheDifferenceToTheOldVersionGivesTheNew) {
    const ZoneImage a = zone(1), b = zone(2, 1);
    auto d = dnsd::diff(a, b);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->from, 1u);
    EXPECT_EQ(d->to, 2u);
    EXPECT_EQ(d->digest, b.digest());
    // The address of mail.site7 (delete + add), one MX gone, the TTL of site3's two MX
    // (delete + add each), one new host.
    EXPECT_EQ(d->deleted, 4u);
    EXPECT_EQ(d->added, 4u);
    Parts p = parts_of(*d);
    ASSERT_EQ(p.soas.size(), 2u);
    EXPECT_EQ(std::get<1>(p.soas[0]), 6);
    std::set<Rec> applied = records_of(a);
    for (const auto& r : p.deleted) EXPECT_EQ(applied.erase(r), 1u) << std::get<0>(r);
    for (const auto& r : p.added) EXPECT_TRUE(applied.insert(r).second) << std::get<0>(r);
    EXPECT_EQ(applied, records_of(b));
    // And back again.
    auto back = dnsd::diff(b, a);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->deleted, 4u);
    EXPECT_EQ(back->added, 4u);
}

TEST(JournalDiff, TheSameRecordsDifferOnlyInTheSoa) {
    auto d = dnsd::diff(zone(1), zone(2));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->deleted, 0u);
    EXPECT_EQ(d->added, 0u);
    EXPECT_EQ(parts_of(*d).soas.size(), 2u);
    // Different zones have no difference.
    zonegen::ZoneBuilder other(N("other.test"));
    other.add(N("other.test"), 300, zonegen::Soa{N("ns1.other.test"), N("h.other.test"), 1, 3600, 600, 86400, 300});
    other.add(N("other.test"), 300, zonegen::Ns{N("ns1.other.test")});
    auto z = std::move(other).finish();
    ASSERT_TRUE(z.ok());
    EXPECT_FALSE(dnsd::diff(zone(1), ZoneImage(z.value())));
}

std::shared_ptr<const Difference> step(std::uint32_t from, std::uint32_t to, std::size_t payload = 100) {
    auto d = std::make_shared<Difference>();
    d->from = from;
    d->to = to;
    d->records.assign(payload, 'x');
    return d;
}

TEST(Journal, FindsTheChainFromAnySerialItHolds) {
    Journal j(1 << 20);
    for (std::uint32_t s = 1; s < 5; ++s) j.add(step(s, s + 1));
    auto all = j.chain(1, 5);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 4u);
    EXPECT_EQ(all->front()->from, 1u);
    EXPECT_EQ(all->back()->to, 5u);
    EXPECT_EQ(j.chain(3, 5)->size(), 2u);
    EXPECT_EQ(j.chain(5, 5)->size(), 0u);  // current: nothing to send but the SOA
    EXPECT_FALSE(j.chain(0, 5));           // older than the journal
    EXPECT_FALSE(j.chain(7, 5));           // unknown
    EXPECT_FALSE(j.chain(1, 9));           // the chain does not reach that version
    // A difference that does not continue the chain starts the journal over.
    EXPECT_TRUE(j.add(step(10, 11)));
    EXPECT_FALSE(j.chain(1, 5));
    EXPECT_EQ(j.chain(10, 11)->size(), 1u);
    EXPECT_EQ(j.entries().size(), 1u);
}

TEST(Journal, StaysWithinItsBoundDroppingTheOldestFirst) {
    const std::size_t one = step(0, 1)->bytes();
    Journal j(3 * one);
    for (std::uint32_t s = 1; s <= 10; ++s) {
        j.add(step(s, s + 1));
        EXPECT_LE(j.bytes(), j.bound());
    }
    ASSERT_EQ(j.entries().size(), 3u);
    EXPECT_EQ(j.entries().front()->from, 8u);
    EXPECT_TRUE(j.chain(8, 11));
    EXPECT_FALSE(j.chain(7, 11));  // dropped: a full transfer
    // A difference larger than the whole bound is not kept at all.
    EXPECT_TRUE(j.add(step(11, 12, 4 * one)));
    EXPECT_TRUE(j.entries().empty());
    EXPECT_EQ(j.bytes(), 0u);
    EXPECT_FALSE(j.chain(11, 12));
}

TEST(Journals, AThousandChangesNeverTakeMemoryOrFilePastTheBound) {
    TempDir dir;
    std::vector<std::string> said;
    const std::size_t bound = 4096;
    Journals journals(bound, dir.path(), [&](std::string_view m) { said.emplace_back(m); });
    ZoneImage previous = zone(1, 0, 2);
    journals.open(previous);
    const std::string file = dir / "j.test.journal";
    for (std::uint32_t s = 2; s <= 1001; ++s) {
        ZoneImage next = zone(s, static_cast<int>(s), 2);
        journals.changed(previous, next);
        ASSERT_LE(journals.bytes(N("j.test")), bound) << s;
        const std::size_t on_disk = testsupport::read_text(file).size();
        ASSERT_LE(on_disk, bound + dnsd::kJournalMagic.size()) << s;
        ASSERT_EQ(on_disk, journals.file_bytes(N("j.test"))) << s;
        ASSERT_TRUE(journals.chain(N("j.test"), s - 1, s)) << s;
        previous = std::move(next);
    }
    EXPECT_TRUE(said.empty()) << said.front();
    // A restart finds the file whole and ending at the version served.
    Journals again(bound, dir.path(), [&](std::string_view m) { said.emplace_back(m); });
    again.open(previous);
    auto chain = again.chain(N("j.test"), 995, 1001);
    ASSERT_TRUE(chain);
    EXPECT_EQ(chain->size(), 6u);
    EXPECT_FALSE(again.chain(N("j.test"), 2, 1001));
}

TEST(Journals, ARecordWithTheSameSerialOrALowerOneEmptiesTheJournal) {
    Journals journals(1 << 20, std::nullopt, [](std::string_view) {});
    const ZoneImage v1 = zone(1), v2 = zone(2, 1), v3 = zone(3, 3);
    journals.open(v1);
    journals.changed(v1, v2);
    ASSERT_TRUE(journals.chain(N("j.test"), 1, 2));
    // Other records under serial 2: nothing in the journal can lead there any more.
    journals.changed(v2, zone(2, 3));
    EXPECT_FALSE(journals.chain(N("j.test"), 1, 2));
    journals.changed(zone(2, 3), v3);
    EXPECT_TRUE(journals.chain(N("j.test"), 2, 3));
    journals.changed(v3, zone(1, 4));  // backwards
    EXPECT_FALSE(journals.chain(N("j.test"), 2, 3));
}

}  // namespace
