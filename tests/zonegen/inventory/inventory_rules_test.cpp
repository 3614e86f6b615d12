// Inventory value rules: host name labels, names, strict IPv4, IPv6, suggestions, quoting.
#include "zonegen/inventory/inventory_rules.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

namespace rules = zonegen::inventory_rules;

namespace {

TEST(InventoryRules, LabelProblems) {
    EXPECT_FALSE(rules::label_problem("mail-1"));
    EXPECT_FALSE(rules::label_problem("1x"));
    EXPECT_FALSE(rules::label_problem(std::string(63, 'a')));
    EXPECT_EQ(rules::label_problem(""), "is empty");
    EXPECT_EQ(rules::label_problem(std::string(64, 'a')), "is longer than 63 octets");
    EXPECT_EQ(rules::label_problem("-a"), "starts with a hyphen");
    EXPECT_EQ(rules::label_problem("a-"), "ends with a hyphen");
    EXPECT_EQ(rules::label_problem("a_b"), "contains \"_\"; use letters, digits and hyphens");
    EXPECT_EQ(rules::label_problem("caf\xC3\xA9"), "contains \"\xC3\xA9\"; use letters, digits and hyphens");
    EXPECT_EQ(rules::label_problem("a\tb"), "contains \"\\t\"; use letters, digits and hyphens");
}

TEST(InventoryRules, HostNameProblems) {
    EXPECT_FALSE(rules::hostname_problem("ns1"));
    EXPECT_FALSE(rules::hostname_problem("ns1.example.net."));
    EXPECT_EQ(rules::hostname_problem(""), "it is empty");
    EXPECT_EQ(rules::hostname_problem("."), "it is the root");
    EXPECT_EQ(rules::hostname_problem("a..b"), "it has an empty label");
    EXPECT_EQ(rules::hostname_problem(".a"), "it has an empty label");
    EXPECT_EQ(rules::hostname_problem("a.b.."), "it has an empty label");
    EXPECT_EQ(rules::hostname_problem("ok.b_d.net"), "label \"b_d\" contains \"_\"; use letters, digits and hyphens");
    EXPECT_EQ(rules::hostname_problem("a\\.b"), "label \"a\\\\\" contains \"\\\\\"; use letters, digits and hyphens");
}

TEST(InventoryRules, WireOctets) {
    EXPECT_EQ(rules::hostname_wire_octets("a.bc.", 0), 6u);  // \1a\2bc\0
    EXPECT_EQ(rules::hostname_wire_octets("a.bc", 0), 6u);
    EXPECT_EQ(rules::hostname_wire_octets("ns1", 7), 11u);  // \3ns1 + a 7-octet zone
}

TEST(InventoryRules, Ipv4IsStrictlyDottedQuad) {
    auto a = rules::parse_ipv4("192.0.2.255");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->addr, (std::array<std::uint8_t, 4>{192, 0, 2, 255}));
    EXPECT_TRUE(rules::parse_ipv4("0.0.0.0"));
    for (const char* bad : {"256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.4.", ".1.2.3", "0x1.2.3.4",
                            "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "1.2.3.1000", "", "1.2.3.a", "1,2,3,4", "16909060"})
        EXPECT_FALSE(rules::parse_ipv4(bad)) << bad;
    bool leading_zero = false;
    EXPECT_FALSE(rules::parse_ipv4("010.0.0.1", &leading_zero));
    EXPECT_TRUE(leading_zero);
    EXPECT_FALSE(rules::parse_ipv4("1.2.3.00", &leading_zero));
    EXPECT_TRUE(leading_zero);
    EXPECT_FALSE(rules::parse_ipv4("1.2.3.400", &leading_zero));
    EXPECT_FALSE(leading_zero);
}

TEST(InventoryRules, Ipv6) {
    auto a = rules::parse_ipv6("2001:DB8::1");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->addr[0], 0x20);
    EXPECT_EQ(a->addr[3], 0xb8);
    EXPECT_EQ(a->addr[15], 1);
    EXPECT_EQ(*rules::parse_ipv6("2001:db8:0:0:0:0:0:1"), *a);
    EXPECT_TRUE(rules::parse_ipv6("::"));
    EXPECT_TRUE(rules::parse_ipv6("::ffff:192.0.2.1"));
    for (const char* bad :
         {"", "2001:db8::g", "2001:db8:::1", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "192.0.2.1", "[::1]", " ::1"})
        EXPECT_FALSE(rules::parse_ipv6(bad)) << bad;
    EXPECT_FALSE(rules::parse_ipv6(std::string_view("::1\0", 4)));
    EXPECT_FALSE(rules::parse_ipv6(std::string(100, '1')));
}

TEST(InventoryRules, EditDistanceAndSuggestions) {
    EXPECT_EQ(rules::edit_distance("sites", "sites"), 0u);
    EXPECT_EQ(rules::edit_distance("sitse", "sites"), 1u);  // neighbours swapped
    EXPECT_EQ(rules::edit_distance("site", "sites"), 1u);
    EXPECT_EQ(rules::edit_distance("stepp", "step"), 1u);
    EXPECT_EQ(rules::edit_distance("", "mx"), 2u);
    EXPECT_EQ(rules::edit_distance("kitten", "sitting"), 3u);
    constexpr std::array<std::string_view, 4> keys = {"name", "smarthosts", "fallback", "mx"};
    EXPECT_EQ(rules::closest("smarthost", keys), "smarthosts");
    EXPECT_EQ(rules::closest("Name", keys), "name");  // case does not count as a typo
    EXPECT_EQ(rules::closest("fallbak", keys), "fallback");
    EXPECT_FALSE(rules::closest("colour", keys));
    EXPECT_FALSE(rules::closest("fallbackkkk", keys, 2));
    EXPECT_EQ(rules::closest("fallbackkkk", keys, 3), "fallback");
}

TEST(InventoryRules, Quote) {
    EXPECT_EQ(rules::quote("mail"), "\"mail\"");
    EXPECT_EQ(rules::quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
    EXPECT_EQ(rules::quote("\xC3\xA4"), "\"\xC3\xA4\"");
    EXPECT_EQ(rules::quote(std::string(60, 'x')), "\"" + std::string(60, 'x') + "\"");
    EXPECT_EQ(rules::quote(std::string(61, 'x')), "\"" + std::string(60, 'x') + "...\"");
    // Shortening counts characters and never splits one.
    std::string umlauts;
    for (int k = 0; k < 70; ++k) umlauts += "\xC3\xA4";
    EXPECT_EQ(rules::quote(umlauts), "\"" + umlauts.substr(0, 120) + "...\"");
}

TEST(InventoryRules, CaseHelpers) {
    EXPECT_EQ(rules::to_lower("MaIl-1\xC3\x84"), "mail-1\xC3\x84");  // ASCII only
    EXPECT_TRUE(rules::iequals("Oxford", "oXFORD"));
    EXPECT_FALSE(rules::iequals("oxford", "oxfords"));
}

}  // namespace
