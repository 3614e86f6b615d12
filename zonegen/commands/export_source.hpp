// What every generated file other than the zone names in its header: the inventory it
// came from and the zone serial it matches. Shared by the PowerShell, Exchange and
// Postfix writers, so that each output can be traced back to one run of the inventory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace zonegen {

struct ExportSource {
    std::string inventory;                // base name, e.g. "sites.json"
    std::optional<std::uint32_t> serial;  // the zone's serial, when one is known

    // "sites.json, serial 2026112301" or "sites.json (no serial chosen yet)".
    std::string text() const {
        if (!serial) return inventory + " (no serial chosen yet)";
        return inventory + ", serial " + std::to_string(*serial);
    }
};

}  // namespace zonegen
