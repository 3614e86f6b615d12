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
    EXPECT_TRUE(serial_gt(0, 0xffffffffu));  // wrap-around counts as an increase
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
    EXPECT_EQ(bad.errors().front().message,
              "SOURCE_DATE_EPOCH=\"yesterday\" is not a number of seconds since 1970");
    ::unsetenv("SOURCE_DATE_EPOCH");
    EXPECT_TRUE(policy_clock());
}
