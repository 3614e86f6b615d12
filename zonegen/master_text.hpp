// Master-file text helpers (RFC 1035 §5): the token rules and number forms the zone
// loader uses to check what ldns made of a record against the text it was given.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace zonegen::master_text {

bool is_space(char c);
bool is_digit(char c);

// A time in seconds as BIND and ldns write it: digits, optionally in runs with units
// s, m, h, d, w ("1h30m"); a final run without a unit is seconds. At most max.
std::optional<std::uint32_t> parse_period(std::string_view s, std::uint64_t max);

// Decimal digits only, at most max.
std::optional<std::uint32_t> parse_number(std::string_view s, std::uint64_t max);

// A presentation name is absolute if it ends in a dot that is not escaped (RFC 1035 §5.1).
bool is_absolute(std::string_view s);

// The tokens of one record as ldns sees them: comments dropped, parentheses as blanks,
// quoted strings whole, backslash escapes kept.
void split_tokens(std::string_view rec, std::vector<std::string_view>& out);

}  // namespace zonegen::master_text
