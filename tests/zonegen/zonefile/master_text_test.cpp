// Master-file text: TTL periods, plain numbers, absolute names, and the scanner's entries.
#include "zonegen/zonefile/master_text.hpp"

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
    EXPECT_FALSE(is_absolute("mail\\."));   // an escaped dot ends a label, not the name
    EXPECT_TRUE(is_absolute("mail\\\\."));  // an escaped backslash, then the final dot
}

std::vector<std::string> texts(const Entry& e) {
    std::vector<std::string> out;
    for (const Token& t : e.tokens) out.push_back(t.quoted ? "\"" + std::string(t.text) + "\"" : std::string(t.text));
    return out;
}

TEST(MasterText, ScannerJoinsParenthesesAndDropsComments) {
    Scanner s("; header\n\n@ IN SOA ns admin ( 1 ; serial\n 2 3 4 5 )\n  A 192.0.2.1 ; blank owner\n");
    Entry e;
    ASSERT_TRUE(s.next(e));
    EXPECT_EQ(e.line, 3);
    EXPECT_FALSE(e.blank_owner);
    EXPECT_EQ(e.text, "@ IN SOA ns admin ( 1 ; serial");
    EXPECT_EQ(texts(e), (std::vector<std::string>{"@", "IN", "SOA", "ns", "admin", "1", "2", "3", "4", "5"}));
    ASSERT_TRUE(s.next(e));
    EXPECT_EQ(e.line, 5);
    EXPECT_TRUE(e.blank_owner);
    EXPECT_EQ(texts(e), (std::vector<std::string>{"A", "192.0.2.1"}));
    EXPECT_FALSE(s.next(e));
}

TEST(MasterText, ScannerQuotesAndEscapes) {
    Scanner s("txt IN TXT \"a b;c\" x\\ y \"q\\\"uote\"\r\nnext A 1.2.3.4");
    Entry e;
    ASSERT_TRUE(s.next(e));
    EXPECT_EQ(texts(e), (std::vector<std::string>{"txt", "IN", "TXT", "\"a b;c\"", "x\\ y", "\"q\\\"uote\""}));
    EXPECT_TRUE(e.tokens[3].quoted);
    EXPECT_EQ(e.error, nullptr);
    ASSERT_TRUE(s.next(e));  // no final newline
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(texts(e), (std::vector<std::string>{"next", "A", "1.2.3.4"}));
}

TEST(MasterText, ScannerReportsUnbalancedParenthesesAndQuotes) {
    Entry e;
    Scanner open("a SOA ( 1 2\nb A 1.2.3.4\n");
    ASSERT_TRUE(open.next(e));
    EXPECT_EQ(e.line, 1);
    ASSERT_NE(e.error, nullptr);
    EXPECT_STREQ(e.error, "\"(\" without \")\"");
    Scanner close("a A 1.2.3.4 )\nb A 1.2.3.5\n");
    ASSERT_TRUE(close.next(e));
    ASSERT_NE(e.error, nullptr);
    ASSERT_TRUE(close.next(e));  // the next line is read on its own
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.error, nullptr);
    Scanner quote("t TXT \"never closed\n");
    ASSERT_TRUE(quote.next(e));
    ASSERT_NE(e.error, nullptr);
    EXPECT_FALSE(quote.next(e));
}
