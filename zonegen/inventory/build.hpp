// From a validated Inventory to the Zone it describes (DESIGN "Inventory"): SOA and NS at
// the apex with in-zone glue, A/AAAA for every smarthost, and per site one MX tier to its
// own hosts followed by one tier per fallback site.
#pragma once

#include <cstdint>

#include "zonegen/core/zone.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace zonegen {

// serial: the SOA serial to write; the caller applies the serial policy (serial.hpp).
Result<Zone> build_zone(const Inventory& inv, std::uint32_t serial);

// The MX preference of tier k (0 = the site's own hosts).
inline std::uint32_t tier_preference(const Inventory& inv, std::size_t k) {
    return inv.mx_primary + static_cast<std::uint32_t>(k) * inv.mx_step;
}

}  // namespace zonegen
