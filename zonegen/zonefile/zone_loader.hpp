// The zone-file loader: a master file (RFC 1035 §5) read into a Zone, so that
// `zonegen check` (drift), `explain --server` and dnsd see a hand-written or generated
// file as the same hub type the inventory builder produces. Only what dnsd serves is
// accepted (class IN; A, AAAA, NS, SOA, MX, TXT): anything else is an error at its line,
// never silently dropped. Every problem is reported (up to kMaxLoadErrors), each with the
// file and the line where its record starts.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "zonegen/core/diagnostic.hpp"
#include "zonegen/core/name.hpp"
#include "zonegen/core/zone.hpp"

namespace zonegen {

// After this many errors the loader stops and says so in one more diagnostic.
inline constexpr std::size_t kMaxLoadErrors = 100;

// origin: the zone's name if the caller knows it (it is the initial $ORIGIN). Without it,
// the zone is named by its SOA owner, or failing that by the first $ORIGIN; relative names
// met before any origin is known are errors. A missing or unreadable file gives one
// diagnostic "path: cannot open: <reason>".
Result<Zone> load_zone_file(const std::string& path, const std::optional<Name>& origin = std::nullopt);

// The same from text in memory (tests, fuzzers); file only names the text in diagnostics.
Result<Zone> load_zone_text(std::string_view text, const std::string& file,
                            const std::optional<Name>& origin = std::nullopt);

}  // namespace zonegen
