// Fuzz target: zonegen::load_zone_text(), the master-file loader (RFC 1035 §5) through
// which `zonegen check`, `explain --server` and dnsd read hand-written files. On
// arbitrary text it must return a zone or diagnostics (at least one, each with a message,
// no more than kMaxLoadErrors plus the one saying it stopped), never crash or hang. Inputs
// of odd length are loaded with a known origin, even ones without, so both ways of naming
// the zone are exercised.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "zonegen/core/name.hpp"
#include "zonegen/zonefile/zone_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static const std::optional<zonegen::Name> origin = zonegen::Name::parse("smarthost.local");
    if (!origin) std::abort();
    const auto r = zonegen::load_zone_text(text, "fuzz.zone", size % 2 == 1 ? origin : std::nullopt);
    if (r.ok()) return 0;
    if (r.errors().empty() || r.errors().size() > zonegen::kMaxLoadErrors + 1) std::abort();
    for (const zonegen::Diagnostic& d : r.errors())
        if (d.message.empty()) std::abort();
    return 0;
}
