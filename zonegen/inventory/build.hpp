// From a validated Inventory to the Zone it describes (DESIGN "Inventory"): SOA and NS at
// the apex with in-zone glue, A/AAAA for every smarthost, and per site one MX tier to its
// own hosts followed by one tier per fallback site.
#pragma once

#include <cstdint>
#include <optional>

#include "zonegen/core/zone.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace zonegen {

// serial: the SOA serial to write; the caller applies the serial policy (serial.hpp).
// Made on every CPU this process may use (parallel.hpp) when the inventory is large.
Result<Zone> build_zone(const Inventory& inv, std::uint32_t serial);

namespace build_detail {
// The two ways build_zone() may take (build.cpp), for the tests that hold them equal:
// every record through a ZoneBuilder, or the sites' nodes made in place on `threads`
// threads (nullopt: the inventory is not of the shape that allows it).
Result<Zone> by_builder(const Inventory& inv, std::uint32_t serial);
std::optional<Result<Zone>> direct(const Inventory& inv, std::uint32_t serial, unsigned threads);
}  // namespace build_detail

// The MX preference of tier k (0 = the site's own hosts).
inline std::uint32_t tier_preference(const Inventory& inv, std::size_t k) {
    return inv.mx_primary + static_cast<std::uint32_t>(k) * inv.mx_step;
}

}  // namespace zonegen
