// Master-file text helpers: TTL periods, plain numbers, absolute names, record tokens.
#include "zonegen/master_text.hpp"

#include <gtest/gtest.h>

using namespace zonegen::master_text;

TEST(MasterText, Periods) {
    EXPECT_EQ(parse_period("300", 0x7fffffff), 300u);
    EXPECT_EQ(parse_period("1h30m", 0x7fffffff), 5400u);
    EXPECT_EQ(parse_period("1W", 0x7fffffff), 604800u);
    EXPECT_EQ(parse_period("3OO", 0x7fffffff), std::nullopt);  // letter O, not zero
    EXPECT_EQ(parse_period("h", 0x7fffffff), std::nullopt);
    EXPECT_EQ(parse_period("2147483648", 0x7fffffff), std::nullopt);  // RFC 2181 §8
    EXPECT_EQ(parse_number("65535", 65535), 65535u);
    EXPECT_EQ(parse_number("70000", 65535), std::nullopt);
    EXPECT_EQ(parse_number("1h", 0xffffffff), std::nullopt);
}

TEST(MasterText, AbsoluteNames) {
    EXPECT_TRUE(is_absolute("mail.example."));
    EXPECT_FALSE(is_absolute("mail.example"));
    EXPECT_FALSE(is_absolute("mail\\."));    // an escaped dot ends a label, not the name
    EXPECT_TRUE(is_absolute("mail\\\\."));   // an escaped backslash, then the final dot
}

TEST(MasterText, Tokens) {
    std::vector<std::string_view> t;
    split_tokens("@ IN SOA ns admin ( 1 ; serial\n 2 3 4 5 )", t);
    EXPECT_EQ(t, (std::vector<std::string_view>{"@", "IN", "SOA", "ns", "admin", "1", "2", "3", "4", "5"}));
    split_tokens("txt IN TXT \"a b;c\" x\\ y", t);
    EXPECT_EQ(t, (std::vector<std::string_view>{"txt", "IN", "TXT", "\"a b;c\"", "x\\ y"}));
}
