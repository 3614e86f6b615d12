// Is a text well-formed JSON (RFC 8259)? A strict yes/no in one tight pass over the
// bytes, so that the common case, a good file, costs a fraction of what a full parser's
// lexer does. It accepts what nlohmann/json accepts (tested side by side): a UTF-8 byte
// order mark, then one value and whitespace; strings with well-formed UTF-8 (RFC 3629),
// no raw control characters, valid escapes and paired surrogates; numbers in RFC 8259
// §6 syntax that do not overflow a double. One difference: nlohmann takes a NUL byte
// for the end of the input, while here it is a raw control byte like any other. So a
// "no" is only ever a reason to ask the parser, which says what and where, and has the
// last word.
#pragma once

#include <cstddef>
#include <string_view>

namespace zonegen {

// Where a large array of the root object may be cut into parts, so that the parts can be
// read on several threads: the first element starting at or after byte `from`, then the
// first at or after from + every, from + 2 * every, ... (at most kMaxCuts), all in the
// array of the first. Found in the same pass, at the cost of a comparison per element.
struct JsonSplit {
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    static constexpr std::size_t kMaxCuts = 16;
    std::size_t from = npos;             // asked for: npos asks for nothing
    std::size_t every = npos;            // asked for: npos asks for one cut
    std::size_t array = npos;            // found: the array's opening bracket, or npos
    std::size_t cuts = 0;                // found: how many
    std::size_t element[kMaxCuts] = {};  // found: the first byte of the element of each cut
    std::size_t index[kMaxCuts] = {};    // found: its index in the array
    std::size_t count = 0;               // found: the array's length, so that its reader can reserve
};

bool json_well_formed(std::string_view text, JsonSplit* split = nullptr);

}  // namespace zonegen
