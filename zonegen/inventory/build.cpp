// Zone construction from an inventory; the MX tiers are the product's whole idea: senders
// round-robin across the lowest preference and move on only when that whole tier is down
// (RFC 5321 §5.1), so a site's own smarthosts come first and other sites follow.
#include "zonegen/inventory/build.hpp"

namespace zonegen {

static void add_addresses(ZoneBuilder& b, const Name& owner, const Addresses& a, std::uint32_t ttl) {
    for (const auto& v4 : a.ipv4) b.add(owner, ttl, v4);
    for (const auto& v6 : a.ipv6) b.add(owner, ttl, v6);
}

Result<Zone> build_zone(const Inventory& inv, std::uint32_t serial) {
    ZoneBuilder b(inv.zone);
    // Exact counts: the builder then allocates once.
    std::size_t owners = 1 + inv.nameservers.size() + inv.sites.size();
    std::size_t records = 1;
    for (const auto& ns : inv.nameservers) records += 1 + ns.addresses.ipv4.size() + ns.addresses.ipv6.size();
    for (const auto& s : inv.sites) {
        owners += s.smarthosts.size();
        for (const auto& h : s.smarthosts) records += 1 + h.addresses.ipv4.size() + h.addresses.ipv6.size();
        for (const auto& tier : s.fallback) records += tier.hosts.size();
    }
    b.reserve(owners, records);

    const std::uint32_t ttl = inv.ttl;
    b.add(inv.zone, ttl, Soa{inv.soa_mname, inv.soa_rname, serial, inv.refresh, inv.retry, inv.expire, inv.minimum});
    for (const auto& ns : inv.nameservers) {
        b.add(inv.zone, ttl, Ns{ns.name});
        add_addresses(b, ns.name, ns.addresses, ttl);
    }
    for (const auto& site : inv.sites) {
        const auto primary = static_cast<std::uint16_t>(tier_preference(inv, 0));
        for (const auto& host : site.smarthosts) {
            b.add(site.name, ttl, Mx{primary, host.name});
            add_addresses(b, host.name, host.addresses, ttl);
        }
        for (std::size_t k = 0; k < site.fallback.size(); ++k) {
            const auto pref = static_cast<std::uint16_t>(tier_preference(inv, k + 1));
            const Site& other = inv.sites[site.fallback[k].site];
            for (std::size_t h : site.fallback[k].hosts) b.add(site.name, ttl, Mx{pref, other.smarthosts[h].name});
        }
    }
    return std::move(b).finish();
}

}  // namespace zonegen
