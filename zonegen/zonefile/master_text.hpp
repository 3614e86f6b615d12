// Master-file text (RFC 1035 §5): the scanner that cuts a zone file into entries (one
// record or directive each, with the line it starts on), and the number and name forms
// the zone loader reads from their tokens. Nothing here knows record types.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace zonegen::master_text {

bool is_space(char c);
bool is_digit(char c);

// A time in seconds as BIND writes it: digits, optionally in runs with units s, m, h, d,
// w ("1h30m"); a final run without a unit is seconds. At most max.
std::optional<std::uint32_t> parse_period(std::string_view s, std::uint64_t max);

// Decimal digits only, at most max.
std::optional<std::uint32_t> parse_number(std::string_view s, std::uint64_t max);

// A presentation name is absolute if it ends in a dot that is not escaped (RFC 1035 §5.1).
bool is_absolute(std::string_view s);

struct Token {
    std::string_view text;  // as written; a quoted string without its quotes, escapes kept
    bool quoted = false;
};

// One record or directive: its tokens with comments dropped and parentheses joining
// lines (RFC 1035 §5.1).
struct Entry {
    int line = 0;              // where it starts, from 1
    bool blank_owner = false;  // it starts with a blank: the previous owner's record
    std::vector<Token> tokens;
    std::string_view text;        // its first line, for messages
    const char* error = nullptr;  // an unbalanced parenthesis or an unclosed quote
};

class Scanner {
public:
    explicit Scanner(std::string_view text) : text_(text) {}
    // The next entry into e (its token vector is reused); false at the end of the text.
    bool next(Entry& e);

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    int line_ = 1;
};

}  // namespace zonegen::master_text
