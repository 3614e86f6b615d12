// The BIND master-file writer (RFC 1035 §5): a Zone as the canonical text zonegen commits
// to zones/. Canonical means byte-for-byte deterministic: records in canonical order
// (RFC 4034 §6), names relative to $ORIGIN, fixed columns, no timestamps, no locale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "zonegen/core/zone.hpp"

namespace zonegen {

// source: what the header comment names as the zone's source (e.g. "sites.json"). A large
// zone is rendered in parts on every CPU this process may use (parallel.hpp).
std::string render_bind(const Zone& zone, std::string_view source);

namespace bind_detail {
// The same text, rendered in exactly `parts` parts (the tests hold it to one part's).
std::string render_bind(const Zone& zone, std::string_view source, unsigned parts);
}  // namespace bind_detail

// The SOA serial of a file render_bind() wrote, read from its text without a full parse;
// nullopt if the text is not in that layout.
std::optional<std::uint32_t> rendered_serial(std::string_view text);

// One record's RDATA in presentation form, names relative to origin (or absolute when
// origin is the root).
std::string rdata_text(const Rdata& rd, const Name& origin);

}  // namespace zonegen
