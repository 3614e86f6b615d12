// Fuzz target: zonegen::parse_inventory(), the one door from JSON text into the program,
// on arbitrary bytes. It must come back with an inventory or with diagnostics (at least
// one, each with a message), never crash, throw or hang; ASan/UBSan watch the rest. An
// accepted inventory must hold what its contract promises the zone builder: a zone name
// and every fallback index pointing at a site and host that exist, and health values
// inside their bounds (dnsd takes them as they are).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "zonegen/inventory/inventory.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto r = zonegen::parse_inventory(text, "fuzz.json");
    if (!r.ok()) {
        if (r.errors().empty()) std::abort();
        for (const zonegen::Diagnostic& d : r.errors())
            if (d.message.empty()) std::abort();
        return 0;
    }
    const zonegen::Inventory& inv = r.value();
    const zonegen::HealthSettings& health = inv.health;
    auto within = [](const auto& v, std::uint64_t lo, std::uint64_t hi) { return !v || (*v >= lo && *v <= hi); };
    if (!within(health.port, 1, 65535) || !within(health.interval, 1, zonegen::kHealthMaxInterval) ||
        !within(health.timeout, 1, zonegen::kHealthMaxTimeout) || !within(health.fall, 1, zonegen::kHealthMaxCount) ||
        !within(health.rise, 1, zonegen::kHealthMaxCount) || !within(health.ttl, 0, 2147483647))
        std::abort();
    for (const zonegen::Site& site : inv.sites) {
        for (const zonegen::Smarthost& host : site.smarthosts)
            if (!within(host.health.port, 1, 65535)) std::abort();
        for (const zonegen::FallbackTier& tier : site.fallback) {
            if (tier.site >= inv.sites.size()) std::abort();
            for (std::size_t h : tier.hosts)
                if (h >= inv.sites[tier.site].smarthosts.size()) std::abort();
        }
    }
    return 0;
}
