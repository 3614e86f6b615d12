// Serial arithmetic (RFC 1982) and the date-serial policy.
#include "zonegen/core/serial.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace zonegen;

constexpr std::time_t k2026_11_24 = 1795478400;  // 2026-11-24T00:00:00Z

TEST(Serial, Rfc1982Comparison) {
    EXPECT_TRUE(serial_gt(2, 1));
    EXPECT_FALSE(serial_gt(1, 2));
    EXPECT_FALSE(serial_gt(5, 5));
    EXPECT_TRUE(serial_gt(0, 0xffffffffu));   // wrap-around counts as an increase
    EXPECT_FALSE(serial_gt(0x80000000u, 0));  // exactly 2^31 apart: undefined, not greater
    EXPECT_TRUE(serial_gt(0x7fffffffu, 0));
}

TEST(Serial, NextDateSerialStartsTheDayAt01) {
    EXPECT_EQ(next_date_serial(k2026_11_24, std::nullopt), 2026112401u);
    EXPECT_EQ(next_date_serial(k2026_11_24 + 86399, std::nullopt), 2026112401u);
    EXPECT_EQ(next_date_serial(k2026_11_24, 2026112001u), 2026112401u);
}

TEST(Serial, NextDateSerialStaysAboveTheExistingOne) {
    EXPECT_EQ(next_date_serial(k2026_11_24, 2026112401u), 2026112402u);
    EXPECT_EQ(next_date_serial(k2026_11_24, 2026112499u), 2026112500u);  // past nn=99: keep going
    EXPECT_EQ(next_date_serial(k2026_11_24, 3000000000u), 3000000001u);  // a serial from the future
    EXPECT_EQ(next_date_serial(k2026_11_24, 0xffffffffu), 2026112401u);  // greater by RFC 1982
}

TEST(Serial, SourceDateEpochIsTheClock) {
    ::setenv("SOURCE_DATE_EPOCH", "1795478400", 1);
    auto c = policy_clock();
    ASSERT_TRUE(c);
    EXPECT_EQ(c.value(), k2026_11_24);
    ::setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
    auto bad = policy_clock();
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.errors().front().message, "SOURCE_DATE_EPOCH=\"yesterday\" is not a number of seconds since 1970");
    ::unsetenv("SOURCE_DATE_EPOCH");
    EXPECT_TRUE(policy_clock());
}

// The policy that zonegen and dnsd share, case by case (README "Serial").
TEST(SerialPolicy, AFixedSerialWinsWhateverChanged) {
    const SerialPolicy p{2026010101u, 2026112405u};
    EXPECT_EQ(p.first_try(), 2026010101u);
    EXPECT_EQ(p.decide(false).value(), 2026010101u);
    EXPECT_EQ(p.decide(true).value(), 2026010101u);
}

TEST(SerialPolicy, UnchangedRecordsKeepTheExistingSerial) {
    ::setenv("SOURCE_DATE_EPOCH", "1795478400", 1);  // 2026-11-24
    const SerialPolicy p{std::nullopt, 2026010107u};
    EXPECT_EQ(p.first_try(), 2026010107u);
    EXPECT_EQ(p.decide(true).value(), 2026010107u);
    ::unsetenv("SOURCE_DATE_EPOCH");
}

TEST(SerialPolicy, ChangedRecordsGetTheNextDateSerial) {
    ::setenv("SOURCE_DATE_EPOCH", "1795478400", 1);
    EXPECT_EQ((SerialPolicy{std::nullopt, 2026010107u}.decide(false).value()), 2026112401u);
    EXPECT_EQ((SerialPolicy{std::nullopt, 2026112401u}.decide(false).value()), 2026112402u);
    EXPECT_EQ((SerialPolicy{std::nullopt, 3000000000u}.decide(false).value()), 3000000001u);
    // Nothing out there yet: today's first serial, whatever "same" says.
    const SerialPolicy first{std::nullopt, std::nullopt};
    EXPECT_EQ(first.first_try(), 0u);
    EXPECT_EQ(first.decide(false).value(), 2026112401u);
    EXPECT_EQ(first.decide(true).value(), 2026112401u);
    ::unsetenv("SOURCE_DATE_EPOCH");
}

TEST(SerialPolicy, TheClockIsReadOnlyWhenItDecides) {
    ::setenv("SOURCE_DATE_EPOCH", "soon", 1);
    EXPECT_TRUE((SerialPolicy{5u, std::nullopt}.decide(false)));
    EXPECT_TRUE((SerialPolicy{std::nullopt, 7u}.decide(true)));
    auto bad = SerialPolicy{std::nullopt, 7u}.decide(false);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.errors().front().message, "SOURCE_DATE_EPOCH=\"soon\" is not a number of seconds since 1970");
    ::unsetenv("SOURCE_DATE_EPOCH");
}
