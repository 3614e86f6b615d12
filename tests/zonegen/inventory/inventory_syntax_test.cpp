// json_well_formed() must accept exactly what nlohmann/json accepts: checked on a table of
// edge cases and on thousands of deterministic random mutations of a real inventory.
#include "zonegen/inventory/inventory_syntax.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "zonegen/inventory/inventory_reader.hpp"

namespace {

bool nlohmann_accepts(std::string_view text) { return !zonegen::inventory_detail::json_syntax_error(text, "t"); }

// nlohmann/json takes a NUL byte for the end of the input, so it judges only what comes
// before one; json_well_formed() rejects NUL like any other raw control byte.
std::string_view before_nul(std::string_view t) { return t.substr(0, t.find('\0')); }

TEST(JsonCheck, EdgeCases) {
    struct Case {
        std::string text;
        bool ok;
    };
    const Case cases[] = {
        {"{}", true},
        {"[]", true},
        {" \t\r\n[ ] \n", true},
        {"0", true},
        {"-0", true},
        {"\"\"", true},
        {"\xEF\xBB\xBF{}", true},
        {"[1.5e+10, -2E-3, 10, 0.0]", true},
        {"[true, false, null]", true},
        {R"({"a": {"b": [[], {}]}})", true},
        {R"(["\u0000", "\ud83d\ude00", "\/\\\"\b\f\n\r\t"])", true},
        {"[\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"]", true},
        {"123456789012345678901234567890", true},
        // Numbers are doubles once real or past 64 bits, and must not overflow one.
        {"[1e308, 1.7e308, -1e308, 1e-400, 0.0e999, 0.000001e300]", true},
        {"[1e309]", false},
        {"[-1.8e308]", false},
        {"[0.000001e400]", false},
        {"[1" + std::string(400, '0') + "]", false},
        {"[1" + std::string(300, '0') + "]", true},
        {"", false},
        {" ", false},
        {"{", false},
        {"[1,]", false},
        {"{\"a\":1,}", false},
        {"[01]", false},
        {"[1.]", false},
        {"[.5]", false},
        {"[1e]", false},
        {"[+1]", false},
        {"[-]", false},
        {"[tru]", false},
        {"[truex]", false},
        {"[nul]", false},
        {"{a:1}", false},
        {"{\"a\" 1}", false},
        {"[1 2]", false},
        {"{} {}", false},
        {"[\"\t\"]", false},
        {"[\"\\x\"]", false},
        {"[\"\\u12\"]", false},
        {R"(["\ud800"])", false},
        {R"(["\udc00"])", false},
        {R"(["\ud800\u0041"])", false},
        {"[\"\xC0\xAF\"]", false},
        {"[\"\xED\xA0\x80\"]", false},
        {"[\"\xF4\x90\x80\x80\"]", false},
        {"[\"\xE2\x82\"]", false},
        {"[\"\xFF\"]", false},
        {"\xEF\xBB{}", false},
        {" \xEF\xBB\xBF{}", false},
        {std::string("[\"a\0b\"]", 7), false},
        {std::string("[1]\0", 4), false},
        {std::string("[1,\0 2]", 7), false},
        {"[\"abc", false},
        {"{\"a\":}", false},
        {"[,1]", false},
        {"]", false},
        {"// c\n{}", false},
        {"[1]]", false},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(zonegen::json_well_formed(c.text), c.ok) << c.text;
        EXPECT_EQ(nlohmann_accepts(c.text), zonegen::json_well_formed(before_nul(c.text))) << c.text;
    }
}

TEST(JsonCheck, AgreesWithNlohmannOnMutations) {
    const std::string seed = R"({
  "$schema": "x", "zone": "smarthost.local", "ttl": 300, "serial": -1.25e+3,
  "nameservers": [ { "name": "ns1", "ipv4": ["192.0.2.53"], "ipv6": [] } ],
  "sites": [ { "name": "caf\u00e9 \ud83d\ude00 \"q\" \\", "smarthosts": [ { "name": "m\u00e4il" } ],
               "fallback": [true, false, null, 0, {"site": "x", "hosts": ["a"]}] } ],
  "é": "日本 😀"
})";
    ASSERT_TRUE(zonegen::json_well_formed(seed));
    ASSERT_TRUE(nlohmann_accepts(seed));
    const std::string alphabet =
        std::string("{}[]\",:\\ntrufalse0123456789-+.eE /bfu\t\r\n") +
        std::string("\x00\x01\x1f\x7f\x80\x9f\xa0\xbf\xc0\xc1\xc2\xdf\xe0\xed\xef\xf0\xf4\xf5\xff", 19);
    std::mt19937 rng(20261124);
    int accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string t = seed;
        int edits = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < edits && !t.empty(); ++k) {
            std::size_t at = rng() % t.size();
            char c = alphabet[rng() % alphabet.size()];
            switch (rng() % 4) {
                case 0: t[at] = c; break;
                case 1: t.insert(t.begin() + static_cast<std::ptrdiff_t>(at), c); break;
                case 2: t.erase(at, 1 + rng() % 3); break;
                default: t.resize(at); break;
            }
        }
        bool ours = zonegen::json_well_formed(t);
        if (t.find('\0') != std::string::npos) {
            ASSERT_FALSE(ours) << "round " << round;
        }
        ASSERT_EQ(zonegen::json_well_formed(before_nul(t)), nlohmann_accepts(t)) << "round " << round << ": " << t;
        accepted += ours;
    }
    // Both verdicts occur often enough for the comparison to mean something.
    EXPECT_GT(accepted, 1000);
    EXPECT_LT(accepted, 19000);
}

// The cuts of a root member's array (JsonSplit): the first element at or after the offset
// asked for, then one at or after each step further, in that array only, with their
// indices and the array's length; elements of deeper arrays and texts that are not JSON
// give none.
TEST(JsonCheck, FindsWhereARootArrayMayBeCut) {
    const std::string text = R"({"a": [1, [2, 3], {"b": [4, 5]}], "sites": [ "x" , "yy",  "z", "w" ], "c": [6, 7]})";
    auto cut = [&](std::size_t from, std::size_t every = zonegen::JsonSplit::npos) {
        zonegen::JsonSplit split;
        split.from = from;
        split.every = every;
        EXPECT_TRUE(zonegen::json_well_formed(text, &split));
        return split;
    };
    zonegen::JsonSplit split = cut(text.find("\"x\"") + 1);
    EXPECT_EQ(split.array, text.find("[ \"x\""));
    ASSERT_EQ(split.cuts, 1u);
    EXPECT_EQ(split.element[0], text.find("\"yy\""));
    EXPECT_EQ(split.index[0], 1u);
    EXPECT_EQ(split.count, 4u);

    // Every byte: a cut at each element after the first; the array of the first cut only.
    split = cut(text.find("\"x\"") + 1, 1);
    ASSERT_EQ(split.cuts, 3u);
    EXPECT_EQ(split.element[1], text.find("\"z\""));
    EXPECT_EQ(split.element[2], text.find("\"w\""));
    EXPECT_EQ(split.index[2], 3u);
    EXPECT_EQ(split.count, 4u);
    // Cut k at or after from + k * every: a step longer than an element skips elements.
    split = cut(text.find("\"yy\""), text.find("\"w\"") - text.find("\"yy\""));
    ASSERT_EQ(split.cuts, 2u);
    EXPECT_EQ(split.element[0], text.find("\"yy\""));
    EXPECT_EQ(split.element[1], text.find("\"w\""));

    // Inside "a": 3 and 5 are elements of deeper arrays; [2, 3] is the next of "a"'s own.
    split = cut(text.find('1') + 1);
    ASSERT_EQ(split.cuts, 1u);
    EXPECT_EQ(split.element[0], text.find("[2"));
    EXPECT_EQ(split.index[0], 1u);
    EXPECT_EQ(split.count, 3u);

    // After the last element of every array: nothing to cut.
    EXPECT_EQ(cut(text.find('7') + 1).cuts, 0u);

    split = zonegen::JsonSplit{};
    split.from = text.find("\"x\"") + 1;
    EXPECT_FALSE(zonegen::json_well_formed(text.substr(0, text.size() - 1), &split));
    EXPECT_EQ(split.cuts, 0u);
    EXPECT_EQ(split.array, zonegen::JsonSplit::npos);
    EXPECT_EQ(split.count, 0u);
}

}  // namespace
