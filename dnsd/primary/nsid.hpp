// dnsd --nsid TEXT|hostname: the name server identifier (RFC 5001) that answers carry when a
// query asks for it, so that an operator with a hidden primary and several secondaries can
// tell which server answered.
#pragma once

#include <optional>
#include <string_view>

#include "dnsd/answer/respond.hpp"
#include "zonegen/core/diagnostic.hpp"

namespace dnsd {

// Sets options.nsid from the option's text. The word "hostname" stands for this machine's
// name (gethostname(2), as BIND's server-id hostname); any other text is the identifier,
// byte for byte (RFC 5001 §2.3 leaves the payload to the operator). Empty text, or more
// than AnswerOptions::kMaxNsid octets, is an error and leaves options as they were.
std::optional<zonegen::Diagnostic> set_nsid(AnswerOptions& options, std::string_view text);

}  // namespace dnsd
