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

#include <string_view>

namespace zonegen {

bool json_well_formed(std::string_view text);

}  // namespace zonegen
