// `zonegen generate --format powershell`: the zone's MX tiers as an idempotent script for
// the Windows DNS Server module (DnsServer), for Windows DNS servers, often Active
// Directory-integrated, that cannot load a BIND file as it is. Also the PowerShell string
// quoting the Exchange writer shares.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "zonegen/commands/export_source.hpp"
#include "zonegen/core/zone.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace zonegen {

// s as a PowerShell single-quoted string literal ('it''s'): inside single quotes nothing
// is expanded ($, `, ", ;, newlines are plain characters) and the only way out is a
// single quote, which is doubled (about_Quoting_Rules). PowerShell also ends such a
// string at the typographic quotes U+2018..U+201B, so anything outside printable ASCII
// is refused (nullopt) rather than quoted: the scripts stay plain ASCII too.
std::optional<std::string> ps_quote(std::string_view s);

// The script for zone, which build_zone() made from inv. Manages the A, AAAA and MX
// records of the inventory's site and smarthost names only.
std::string render_powershell(const Inventory& inv, const Zone& zone, const ExportSource& source);

}  // namespace zonegen
