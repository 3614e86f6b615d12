// fall/rise as sequences of check results: which result changes the state, and that a
// result the other way starts the run again.
#include "dnsd/health/hysteresis.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

// Feeds "+" (success) and "-" (failure) and writes "D"/"U" where the state changed, "." elsewhere.
std::string run(const std::string& results, unsigned fall, unsigned rise) {
    dnsd::health::Hysteresis h;
    std::string out;
    for (char c : results) {
        const bool changed = h.record(c == '+', fall, rise);
        out += changed ? (h.up ? 'U' : 'D') : '.';
    }
    return out;
}

}  // namespace

TEST(Hysteresis, StartsUp) { EXPECT_TRUE(dnsd::health::Hysteresis{}.up); }

TEST(Hysteresis, FallFailuresInARowTakeItDownRiseSuccessesBringItUp) {
    EXPECT_EQ(run("---", 3, 2), "..D");
    EXPECT_EQ(run("---++", 3, 2), "..D.U");
    EXPECT_EQ(run("--+---", 3, 2), ".....D");
    EXPECT_EQ(run("---+-++", 3, 2), "..D...U");
    EXPECT_EQ(run("-+-+-+-+", 1, 1), "DUDUDUDU");
    EXPECT_EQ(run("+++---+---", 3, 2), ".....D....");
}

TEST(Hysteresis, FlappingFasterThanFallNeverGoesDown) {
    EXPECT_EQ(run("--++--++--++--++", 3, 2), std::string(16, '.'));
    EXPECT_EQ(run("---+---+---+", 3, 2), "..D.........");
}
