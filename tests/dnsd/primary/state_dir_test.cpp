// --state-dir (dnsd/primary/state_dir.cpp): the serial rule and the per-zone files.
#include "dnsd/primary/state_dir.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/support/shell.hpp"

namespace {

using dnsd::next_served_serial;
using dnsd::ServedVersion;
using dnsd::StateDir;
using testsupport::TempDir;

zonegen::Name N(const char* s) { return *zonegen::Name::parse(s); }

TEST(StateDir, TheSerialNeverGoesBackAndMovesOnEveryChange) {
    // Nothing served before: the zone's own serial.
    EXPECT_EQ(next_served_serial(std::nullopt, 7, 0xAB), 7u);
    // A loaded serial above the last one wins (the operator's numbering).
    EXPECT_EQ(next_served_serial(ServedVersion{7, 0xAB}, 9, 0xCD), 9u);
    // Not above it: the same records keep the last serial, other records get the next one.
    EXPECT_EQ(next_served_serial(ServedVersion{9, 0xCD}, 7, 0xCD), 9u);
    EXPECT_EQ(next_served_serial(ServedVersion{9, 0xCD}, 7, 0xEF), 10u);
    EXPECT_EQ(next_served_serial(ServedVersion{9, 0xCD}, 9, 0xEF), 10u);
    // RFC 1982: 1 is above 0xFFFFFFFF, and the last plus one wraps.
    EXPECT_EQ(next_served_serial(ServedVersion{0xFFFFFFFFu, 1}, 1, 2), 1u);
    EXPECT_EQ(next_served_serial(ServedVersion{0xFFFFFFFFu, 1}, 5000, 2), 5000u);
    EXPECT_EQ(next_served_serial(ServedVersion{0xFFFFFFFFu, 1}, 0xFFFFFFF0u, 2), 0u);
    EXPECT_EQ(next_served_serial(ServedVersion{0xFFFFFFFFu, 1}, 0x7FFFFFFF, 2), 0u);
}

TEST(StateDir, RecordsAndReadsBackEachZone) {
    TempDir dir;
    auto state = StateDir::open(dir.path() + "/");
    ASSERT_TRUE(state.ok());
    auto none = state.value().last(N("smarthost.local"));
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none.value());
    ASSERT_FALSE(state.value().record(N("smarthost.local"), {2026120601, 0x0123456789ABCDEFull}));
    ASSERT_FALSE(state.value().record(N("other.test"), {5, 1}));
    EXPECT_EQ(testsupport::read_text(dir / "smarthost.local.serial"), "serial 2026120601\ndigest 0123456789abcdef\n");
    auto back = state.value().last(N("smarthost.local"));
    ASSERT_TRUE(back.ok() && back.value());
    EXPECT_EQ(back.value()->serial, 2026120601u);
    EXPECT_EQ(back.value()->digest, 0x0123456789ABCDEFull);
    EXPECT_EQ(state.value().last(N("other.test")).value()->serial, 5u);
}

TEST(StateDir, ABrokenFileIsAnErrorNotAFreshStart) {
    TempDir dir;
    auto state = StateDir::open(dir.path());
    ASSERT_TRUE(state.ok());
    for (const char* text :
         {"", "serial 12\n", "serial x\ndigest 1\n", "serial 4294967296\ndigest 1\n", "serial 1\ndigest 1\nmore\n"}) {
        testsupport::write_text(dir / "smarthost.local.serial", text);
        auto last = state.value().last(N("smarthost.local"));
        ASSERT_FALSE(last.ok()) << text;
        EXPECT_NE(last.errors().front().message.find("not a dnsd state file"), std::string::npos);
    }
}

TEST(StateDir, ADirectoryThatCannotBeWrittenIsRefusedAtOpen) {
    auto missing = StateDir::open("/nonexistent/dnsd-state");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.errors().front().message.find("--state-dir: cannot write here"), std::string::npos);
}

}  // namespace
