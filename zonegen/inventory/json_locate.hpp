// Finds in the raw text of a JSON document what a parsed value no longer knows: where a
// value or a member's key starts (line:column for messages), and keys repeated inside
// one object (RFC 8259 §4 leaves their meaning open; parsers silently keep one).
// Messages need this only when something is wrong, so it rescans the text on the error
// path instead of making the parser carry positions for every value.
//
// The scanner trusts that the text is well-formed JSON (it was parsed first); on text
// that is not, it never reads out of bounds and simply stops where it got lost.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zonegen {

// 1-based; the column counts characters (UTF-8 code points), tabs as one, and a UTF-8
// byte order mark at the start of the text is not counted.
struct TextPosition {
    int line = 0;
    int column = 0;
    friend bool operator==(const TextPosition&, const TextPosition&) = default;
};

// The position of a byte offset; an offset past the end is the end of the text.
TextPosition position_of(std::string_view text, std::size_t offset);
// The positions of many offsets (in any order) in a single pass over the text.
std::vector<TextPosition> positions_of(std::string_view text, const std::vector<std::size_t>& offsets);

struct ValueOffsets {
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    std::size_t key = npos;  // opening quote of the member's key; npos for the root and array elements
    std::size_t value = 0;   // first byte of the value
};

// Reads values of a well-formed JSON text in place, by byte offset: the inventory
// validator walks the text with it, so every value it looks at comes with its position.
class JsonScanner {
public:
    static constexpr std::size_t npos = ValueOffsets::npos;
    enum class Kind { null, boolean, number, string, array, object, none };

    explicit JsonScanner(std::string_view text) : t_(text) {}
    std::string_view text() const { return t_; }

    std::size_t root() const;  // first byte of the top-level value (npos if there is none)
    Kind kind(std::size_t at) const;
    std::size_t end_of(std::size_t at) const;  // just past the value at `at`

    // The text of a string (or key) value: a view of the raw text when it holds no
    // escapes, else the decoded text kept in scratch.
    std::string_view str(std::size_t at, std::string& scratch) const;
    std::string decoded(std::size_t at) const;
    // The token of a number or literal (true, false, null) as written.
    std::string_view token(std::size_t at) const;

    // Object members in document order:
    //   for (auto m = s.first_member(o); m.key != npos; m = s.next_member(m)) ...
    // member_after() takes the end of the previous value instead, when the caller knows
    // it, so the value is not scanned twice. After the last member, *end (if given) is
    // just past the closing brace.
    ValueOffsets first_member(std::size_t object, std::size_t* end = nullptr) const;
    ValueOffsets next_member(const ValueOffsets& member, std::size_t* end = nullptr) const;
    ValueOffsets member_after(std::size_t value_end, std::size_t* end = nullptr) const;
    // Array elements in document order (npos after the last), the same way; after the
    // last element, *end (if given) is just past the closing bracket.
    std::size_t first_element(std::size_t array, std::size_t* end = nullptr) const;
    std::size_t next_element(std::size_t element, std::size_t* end = nullptr) const {
        return element_after(end_of(element), end);
    }
    std::size_t element_after(std::size_t element_end, std::size_t* end = nullptr) const;
    std::size_t element_count(std::size_t array) const;

private:
    std::string_view t_;
};

// Where the value a JSON Pointer (RFC 6901) names starts, and its key if it is an object
// member; nullopt if the pointer is malformed or names nothing. With repeated keys the
// first member of that name is found.
std::optional<ValueOffsets> locate_json_pointer(std::string_view text, std::string_view pointer);

// One reference token escaped for a JSON Pointer: "~" -> "~0", "/" -> "~1" (RFC 6901 §3).
std::string json_pointer_escape(std::string_view token);

// A key that repeats an earlier key of the same object (compared after unescaping).
struct DuplicateKey {
    std::string pointer;  // the member, e.g. "/sites/0/name"
    std::size_t offset;   // opening quote of the repeated key
    std::size_t first;    // opening quote of the earlier key of that name
};
// Every repeated key, in document order.
std::vector<DuplicateKey> find_duplicate_keys(std::string_view text);

}  // namespace zonegen
