// The journal's file (dnsd/primary/journal_file.cpp): the round trip, and damaged files. A
// file cut at every length, or with any one of a set of bits flipped, is reported and
// leaves the zone with an empty journal (a full transfer), never a wrong chain or a crash.
#include "dnsd/primary/journal_file.hpp"

#include <gtest/gtest.h>

#include "tests/support/shell.hpp"

namespace {

using dnsd::Journal;
using dnsd::Journals;
using dnsd::ZoneImage;
using testsupport::TempDir;

zonegen::Name N(const std::string& s) { return *zonegen::Name::parse(s); }

ZoneImage version(std::uint32_t serial) {
    zonegen::ZoneBuilder b(N("f.test"));
    b.add(N("f.test"), 300, zonegen::Soa{N("ns1.f.test"), N("hostmaster.f.test"), serial, 3600, 600, 86400, 300});
    b.add(N("f.test"), 300, zonegen::Ns{N("ns1.f.test")});
    b.add(N("ns1.f.test"), 300, zonegen::A{{192, 0, 2, 53}});
    b.add(N("mail.f.test"), 300, zonegen::A{{192, 0, 2, static_cast<std::uint8_t>(serial)}});
    b.add(N("f.test"), 300, zonegen::Mx{10, N("mail.f.test")});
    auto z = std::move(b).finish();
    EXPECT_TRUE(z.ok());
    return ZoneImage(z.value());
}

// A journal of three differences, 1 -> 2 -> 3 -> 4, as a file.
struct Sample {
    Journal journal{1 << 20};
    std::string file;
    Sample() {
        for (std::uint32_t s = 1; s < 4; ++s) {
            auto d = dnsd::diff(version(s), version(s + 1));
            EXPECT_TRUE(d);
            journal.add(std::make_shared<const dnsd::Difference>(std::move(*d)));
        }
        file = dnsd::encode_journal(journal);
    }
};

TEST(JournalFile, Crc32IsTheStandardOne) {
    EXPECT_EQ(dnsd::crc32("123456789"), 0xCBF43926u);  // the check value of CRC-32/ISO-HDLC
    EXPECT_EQ(dnsd::crc32(""), 0u);
}

TEST(JournalFile, RoundTrip) {
    Sample s;
    auto parsed = dnsd::parse_journal(s.file);
    ASSERT_FALSE(parsed.problem) << *parsed.problem;
    ASSERT_EQ(parsed.entries.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& a = *s.journal.entries()[i];
        const auto& b = *parsed.entries[i];
        EXPECT_EQ(a.from, b.from);
        EXPECT_EQ(a.to, b.to);
        EXPECT_EQ(a.digest, b.digest);
        EXPECT_EQ(a.deleted, b.deleted);
        EXPECT_EQ(a.added, b.added);
        EXPECT_EQ(a.records, b.records);
        EXPECT_EQ(a.bytes(), dnsd::encode_entry(a).size());
    }
    EXPECT_FALSE(dnsd::parse_journal(dnsd::kJournalMagic).problem);  // empty is fine
}

// Opens a journal directory holding file for the zone served at serial 4: what the log
// says, and whether an IXFR from serial 1 would find its chain.
struct Opened {
    std::vector<std::string> said;
    bool chain_from_1 = false;
};

Opened open_with(const std::string& file) {
    TempDir dir;
    testsupport::write_text(dir / "f.test.journal", file);
    Opened o;
    Journals j(1 << 20, dir.path(), [&](std::string_view m) { o.said.emplace_back(m); });
    j.open(version(4));
    o.chain_from_1 = j.chain(N("f.test"), 1, 4).has_value();
    // Whatever was read, the chain that is kept must be the right one: 3 steps from 1.
    if (auto c = j.chain(N("f.test"), 1, 4)) {
        EXPECT_EQ(c->size(), 3u);
    }
    return o;
}

TEST(JournalFile, AWholeFileIsKeptAcrossARestart) {
    Sample s;
    Opened o = open_with(s.file);
    EXPECT_TRUE(o.chain_from_1);
    ASSERT_EQ(o.said.size(), 1u);
    EXPECT_NE(o.said[0].find("3 differences from serial 1"), std::string::npos) << o.said[0];
}

TEST(JournalFile, EveryCutIsReportedAndCostsAFullTransfer) {
    Sample s;
    for (std::size_t cut = 0; cut < s.file.size(); ++cut) {
        Opened o = open_with(s.file.substr(0, cut));
        EXPECT_FALSE(o.chain_from_1) << "cut at " << cut;
        // Cut right after the magic line: an empty journal, as written after a reset. Nothing
        // to believe, nothing to report.
        if (cut == dnsd::kJournalMagic.size()) {
            EXPECT_TRUE(o.said.empty());
            continue;
        }
        ASSERT_EQ(o.said.size(), 1u) << "cut at " << cut;
        EXPECT_NE(o.said[0].find("f.test.journal: "), std::string::npos) << o.said[0];
        EXPECT_NE(o.said[0].find("starting with an empty IXFR journal"), std::string::npos) << o.said[0];
    }
}

TEST(JournalFile, EveryBitFlipIsReportedAndCostsAFullTransfer) {
    Sample s;
    // Each byte once, a different bit each time, all 8 bits of the first entry's header.
    std::vector<std::pair<std::size_t, int>> flips;
    for (std::size_t i = 0; i < s.file.size(); ++i) flips.emplace_back(i, static_cast<int>(i % 8));
    for (int bit = 0; bit < 8; ++bit) flips.emplace_back(dnsd::kJournalMagic.size(), bit);
    for (const auto& [at, bit] : flips) {
        std::string damaged = s.file;
        damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
        Opened o = open_with(damaged);
        EXPECT_FALSE(o.chain_from_1) << "bit " << bit << " of byte " << at;
        ASSERT_EQ(o.said.size(), 1u) << "bit " << bit << " of byte " << at;
        EXPECT_NE(o.said[0].find("starting with an empty IXFR journal"), std::string::npos) << o.said[0];
    }
}

TEST(JournalFile, AChainThatDoesNotEndAtTheServedVersionIsDropped) {
    Sample s;
    TempDir dir;
    testsupport::write_text(dir / "f.test.journal", s.file);
    std::vector<std::string> said;
    Journals j(1 << 20, dir.path(), [&](std::string_view m) { said.emplace_back(m); });
    j.open(version(5));  // the journal ends at 4
    EXPECT_FALSE(j.chain(N("f.test"), 1, 4));
    EXPECT_FALSE(j.chain(N("f.test"), 1, 5));
    ASSERT_EQ(said.size(), 1u);
    EXPECT_NE(said[0].find("is not the one served now (serial 5)"), std::string::npos) << said[0];
    // The next change starts the file anew, and a restart then finds it whole.
    j.changed(version(5), version(6));
    Journals again(1 << 20, dir.path(), [&](std::string_view m) { said.emplace_back(m); });
    again.open(version(6));
    EXPECT_TRUE(again.chain(N("f.test"), 5, 6));
    EXPECT_EQ(said.size(), 2u);  // "1 differences from serial 5"
}

}  // namespace
