// json_locate: positions (UTF-8 columns), JSON Pointers (RFC 6901) to offsets, the in-place
// scanner, and duplicate keys.
#include "zonegen/inventory/json_locate.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using zonegen::find_duplicate_keys;
using zonegen::JsonScanner;
using zonegen::locate_json_pointer;
using zonegen::position_of;
using zonegen::positions_of;
using zonegen::TextPosition;

namespace {

// Line:column of the value a pointer names, or 0:0 if it names nothing.
TextPosition value_at(std::string_view text, std::string_view pointer) {
    auto at = locate_json_pointer(text, pointer);
    return at ? position_of(text, at->value) : TextPosition{};
}

TEST(Position, LinesAndColumns) {
    std::string t = "{\n  \"a\": 1,\n\t\"b\": 2\n}";
    EXPECT_EQ(position_of(t, 0), (TextPosition{1, 1}));
    EXPECT_EQ(position_of(t, t.find("\"a\"")), (TextPosition{2, 3}));
    EXPECT_EQ(position_of(t, t.find("\"b\"")), (TextPosition{3, 2}));  // a tab is one column
    EXPECT_EQ(position_of(t, t.size() - 1), (TextPosition{4, 1}));
    EXPECT_EQ(position_of(t, t.size() + 10), (TextPosition{4, 2}));  // past the end: the end
}

TEST(Position, ColumnsCountCodePointsNotBytes) {
    // 2-, 3- and 4-byte UTF-8 sequences each count as one column.
    std::string t = "{\"é\": \"日本\", \"x\": \"😀\", \"y\": 1}";
    EXPECT_EQ(position_of(t, t.find("\"x\"")).column, 13);
    EXPECT_EQ(position_of(t, t.find("\"y\"")).column, 23);
    EXPECT_EQ(value_at(t, "/y"), (TextPosition{1, 28}));
}

TEST(Position, ByteOrderMarkIsNotAColumn) {
    std::string t = "\xEF\xBB\xBF{\"a\": 1}";
    EXPECT_EQ(position_of(t, 3), (TextPosition{1, 1}));
    EXPECT_EQ(value_at(t, "/a"), (TextPosition{1, 7}));
}

TEST(Position, ManyOffsetsInOnePassMatchOneByOne) {
    std::string t = "[\n 1,\n 22,\n 333,\n \"ü\", 4\n]";
    std::vector<std::size_t> offsets = {t.find('4'), 0, t.find("22"), t.find("333"), t.find("22")};
    auto got = positions_of(t, offsets);
    ASSERT_EQ(got.size(), offsets.size());
    for (std::size_t k = 0; k < offsets.size(); ++k) EXPECT_EQ(got[k], position_of(t, offsets[k])) << k;
    EXPECT_EQ(got[0], (TextPosition{5, 7}));
    EXPECT_TRUE(positions_of(t, {}).empty());
}

TEST(Pointer, RootObjectsArraysAndNesting) {
    std::string t = R"({ "zone": "x", "sites": [ { "name": "a" }, { "name": "b", "hosts": [1, [2, 3]] } ] })";
    EXPECT_EQ(value_at(t, ""), (TextPosition{1, 1}));
    EXPECT_EQ(locate_json_pointer(t, "")->key, zonegen::ValueOffsets::npos);
    EXPECT_EQ(value_at(t, "/zone").column, static_cast<int>(t.find("\"x\"")) + 1);
    EXPECT_EQ(value_at(t, "/sites/1/name").column, static_cast<int>(t.find("\"b\"")) + 1);
    EXPECT_EQ(value_at(t, "/sites/1/hosts/1/1").column, static_cast<int>(t.find("3]")) + 1);
    auto member = locate_json_pointer(t, "/sites/0/name");
    ASSERT_TRUE(member);
    EXPECT_EQ(member->key, t.find("\"name\""));
    EXPECT_EQ(member->value, t.find("\"a\""));
}

TEST(Pointer, EscapesInPointerAndInKeys) {
    // RFC 6901 §3: "~1" is "/", "~0" is "~"; keys are compared after JSON unescaping.
    std::string t = R"({"a/b": 1, "m~n": 2, "\u0041": 3, "q\"uote": 4, "": 5})";
    auto column_of = [&](const char* value) { return static_cast<int>(t.find(value)) + 3; };  // after ": "
    EXPECT_EQ(value_at(t, "/a~1b").column, column_of(": 1"));
    EXPECT_EQ(value_at(t, "/m~0n").column, column_of(": 2"));
    EXPECT_EQ(value_at(t, "/A").column, column_of(": 3"));
    EXPECT_EQ(value_at(t, "/q\"uote").column, column_of(": 4"));
    EXPECT_EQ(value_at(t, "/").column, column_of(": 5"));  // the empty key
    EXPECT_FALSE(locate_json_pointer(t, "/a/b"));
}

TEST(Pointer, NamesNothingOrMalformed) {
    std::string t = R"({"a": [10, 11], "b": {"c": null}})";
    EXPECT_FALSE(locate_json_pointer(t, "/x"));
    EXPECT_FALSE(locate_json_pointer(t, "/a/2"));
    EXPECT_FALSE(locate_json_pointer(t, "/a/01"));  // leading zero: not an index
    EXPECT_FALSE(locate_json_pointer(t, "/a/-"));   // the element after the end
    EXPECT_FALSE(locate_json_pointer(t, "/a/x"));
    EXPECT_FALSE(locate_json_pointer(t, "/b/c/d"));  // into a scalar
    EXPECT_FALSE(locate_json_pointer(t, "/b~2"));    // "~2" is no escape
    EXPECT_FALSE(locate_json_pointer(t, "a"));       // no leading slash
    EXPECT_FALSE(locate_json_pointer("", ""));
    EXPECT_TRUE(locate_json_pointer(t, "/a/0"));
}

TEST(Pointer, SkipsStringsThatLookLikeStructure) {
    std::string t = R"({"a": "]}\"{[,", "b": ["x,y", "\\"], "c": 7})";
    EXPECT_EQ(value_at(t, "/c").column, static_cast<int>(t.find('7')) + 1);
    EXPECT_EQ(value_at(t, "/b/1").column, static_cast<int>(t.find("\"\\\\\"")) + 1);
}

TEST(Scanner, KindsStringsAndTokens) {
    std::string t = R"([null, true, -1.5e3, "plain", "a\tb\u00e9\ud83d\ude00", {}, []])";
    JsonScanner s(t);
    std::vector<std::size_t> e;
    for (auto at = s.first_element(s.root()); at != JsonScanner::npos; at = s.next_element(at)) e.push_back(at);
    ASSERT_EQ(e.size(), 7u);
    EXPECT_EQ(s.element_count(s.root()), 7u);
    EXPECT_EQ(s.kind(e[0]), JsonScanner::Kind::null);
    EXPECT_EQ(s.kind(e[1]), JsonScanner::Kind::boolean);
    EXPECT_EQ(s.kind(e[2]), JsonScanner::Kind::number);
    EXPECT_EQ(s.token(e[2]), "-1.5e3");
    EXPECT_EQ(s.kind(e[5]), JsonScanner::Kind::object);
    EXPECT_EQ(s.kind(e[6]), JsonScanner::Kind::array);
    std::string scratch;
    std::string_view plain = s.str(e[3], scratch);
    EXPECT_EQ(plain, "plain");
    EXPECT_EQ(plain.data(), t.data() + e[3] + 1);  // no escapes: a view of the text itself
    EXPECT_EQ(s.str(e[4], scratch), "a\tb\xC3\xA9\xF0\x9F\x98\x80");
    EXPECT_EQ(s.first_member(e[5]).key, JsonScanner::npos);
    EXPECT_EQ(s.first_element(e[6]), JsonScanner::npos);
    EXPECT_EQ(s.element_count(e[6]), 0u);
}

TEST(Scanner, MembersInDocumentOrderAndTheirEnd) {
    std::string t = R"({ "b": [1, {"x": "}"}], "a" : 2 } ,)";
    JsonScanner s(t);
    std::vector<std::string> keys;
    std::size_t end = 0;
    std::string scratch;
    for (auto m = s.first_member(0, &end); m.key != JsonScanner::npos; m = s.next_member(m, &end))
        keys.emplace_back(s.str(m.key, scratch));
    EXPECT_EQ(keys, (std::vector<std::string>{"b", "a"}));
    EXPECT_EQ(end, t.find('}', t.find('2')) + 1);
    EXPECT_EQ(end, s.end_of(0));
    EXPECT_EQ(s.element_count(t.find('[')), 2u);
    EXPECT_EQ(s.element_after(s.end_of(t.find("1,"))), t.find("{\"x\""));
}

TEST(Duplicates, FoundWithPointersAndBothOffsets) {
    std::string t = R"({"a": 1, "b": [{"x": 1, "y": 2, "x": 3}], "a": 4, "c": {"a": 5}})";
    auto d = find_duplicate_keys(t);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].pointer, "/b/0/x");
    EXPECT_EQ(d[0].offset, t.find("\"x\": 3"));
    EXPECT_EQ(d[0].first, t.find("\"x\": 1"));
    EXPECT_EQ(d[1].pointer, "/a");
    EXPECT_EQ(d[1].offset, t.find("\"a\": 4"));
    EXPECT_EQ(d[1].first, t.find("\"a\": 1"));
}

TEST(Duplicates, ComparedAfterUnescapingAndEscapedInPointers) {
    std::string t = R"({"k/~": {"a": 1, "\u0061": 2}, "b\/c": 0, "b/c": 1})";
    auto d = find_duplicate_keys(t);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].pointer, "/k~1~0/a");
    EXPECT_EQ(d[1].pointer, "/b~1c");
}

TEST(Duplicates, ManyKeysAndTripleRepeats) {
    // Past the linear search's limit the scanner switches to a hash table.
    std::string t = "{";
    for (int k = 0; k < 40; ++k) t += "\"k" + std::to_string(k) + "\": " + std::to_string(k) + ", ";
    t += R"("k7": 0, "k39": 1, "k7": 2})";
    auto d = find_duplicate_keys(t);
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0].pointer, "/k7");
    EXPECT_EQ(d[1].pointer, "/k39");
    EXPECT_EQ(d[2].pointer, "/k7");
    EXPECT_EQ(d[2].first, t.find("\"k7\""));  // always the first of them
    EXPECT_TRUE(find_duplicate_keys(R"({"a": {"b": 1}, "c": {"b": 2}, "d": [{"b": 1}, {"b": 2}]})").empty());
}

TEST(Scanner, MalformedTextNeverReadsPastTheEnd) {
    // The scanner expects checked JSON; on anything else it must just stop.
    for (std::string t : {"", "{", "{\"a\"", "{\"a\":", "[1,", "{\"a\": \"unterminated", "\"\\", "{\"a\" 1}", "[}",
                          "{\"a\":1,\"a\"", "@", "[[[[["}) {
        EXPECT_NO_FATAL_FAILURE(find_duplicate_keys(t)) << t;
        EXPECT_FALSE(locate_json_pointer(t, "/a/0")) << t;
        JsonScanner s(t);
        if (s.root() != JsonScanner::npos) {
            EXPECT_LE(s.end_of(s.root()), t.size()) << t;
            (void)s.element_count(s.root());
        }
    }
}

}  // namespace
