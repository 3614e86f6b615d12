// The inventory rules of `zonegen check` (see check_rules.hpp for the list and severities).
#include "zonegen/commands/check_rules.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "zonegen/commands/explain_plan.hpp"

namespace zonegen {

namespace {

struct Context {
    const Inventory& inv;
    const std::string& file;
    std::vector<Finding>& out;
    void add(const char* rule, Severity s, std::string pointer, std::string message) const {
        out.push_back(Finding{rule, s, Location{file, 0, 0, std::move(pointer)}, std::move(message)});
    }
};

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string zone_text(const Inventory& inv) {
    std::string z = inv.zone.text();
    if (z.size() > 1) z.pop_back();
    return z;
}

// RFC 6762 §3: names ending in .local are resolved by multicast DNS; stub resolvers with
// mDNS (systemd-resolved, nss-mdns, macOS) never send them to a unicast server.
void mdns_local_zone(const Context& c) {
    static const Name local = *Name::parse("local.");
    if (!c.inv.zone.is_subdomain_of(local)) return;
    c.add(
        "mdns-local-zone", Severity::warning, "/zone",
        "zone " + quoted(zone_text(c.inv)) +
            " is under .local, which RFC 6762 reserves for multicast DNS: hosts running systemd-resolved, "
            "nss-mdns or macOS will not ask unicast DNS for it; use a zone under home.arpa (RFC 8375) or .internal");
}

// The pointer of the fallback entry that made tier k (k >= 1) of site i, or of the site
// when the tiers come from the ring default.
std::string tier_pointer(const Inventory& inv, std::size_t i, std::size_t k) {
    if (!inv.sites[i].fallback_given) return site_pointer(i);
    return site_pointer(i) + "/fallback/" + std::to_string(k - 1);
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

void postfix_address_limit(const Context& c) {
    for (std::size_t i = 0; i < c.inv.sites.size(); ++i) {
        const Site& site = c.inv.sites[i];
        DeliveryPlan plan = plan_from_inventory(c.inv, i);
        auto tried = tried_addresses(plan);
        std::size_t k = 0;
        while (k < plan.tiers.size() && tried[k] == plan.tiers[k].address_count()) ++k;
        if (k == plan.tiers.size()) continue;
        std::size_t before = 0;
        for (std::size_t t = 0; t < k; ++t) before += tried[t];
        auto tier = [&](std::size_t t) {
            return "tier " + std::to_string(t + 1) + " (MX " + std::to_string(plan.tiers[t].preference) + ")";
        };
        std::string msg = "Postfix tries at most " + std::to_string(kPostfixAddressLimit) +
                          " addresses per delivery (smtp_mx_address_limit)";
        if (k > 0)
            msg += " and site " + quoted(site.label) + "'s " +
                   (k == 1 ? std::string("first tier holds ") : "first " + std::to_string(k) + " tiers hold ") +
                   plural(before, "address", "addresses");
        msg += ": ";
        std::size_t never = k;
        if (tried[k] > 0) {
            msg += "only " + std::to_string(tried[k]) + " of the " + std::to_string(plan.tiers[k].address_count()) +
                   " addresses of " + (k == 0 ? "site " + quoted(site.label) + "'s own " : std::string()) + tier(k) +
                   (tried[k] == 1 ? " is tried" : " are tried");
            never = k + 1;
            if (never < plan.tiers.size()) msg += ", and ";
        }
        if (never + 1 == plan.tiers.size()) {
            msg += tier(never) + " is never reached";
        } else if (never + 2 == plan.tiers.size()) {
            msg += tier(never) + " and " + tier(never + 1) + " are never reached";
        } else if (never < plan.tiers.size()) {
            msg += "tiers " + std::to_string(never + 1) + " to " + std::to_string(plan.tiers.size()) + " (MX " +
                   std::to_string(plan.tiers[never].preference) + " and up) are never reached";
        }
        std::string pointer = k == 0 ? site_pointer(i) + "/smarthosts" : tier_pointer(c.inv, i, k);
        c.add("postfix-address-limit", Severity::warning, pointer, msg);
    }
}

void no_fallback(const Context& c) {
    for (std::size_t i = 0; i < c.inv.sites.size(); ++i) {
        const Site& site = c.inv.sites[i];
        if (!site.fallback.empty()) continue;
        std::string why = site.fallback_given ? "its \"fallback\" is empty" : "it is the only site";
        c.add("no-fallback", Severity::warning, site.fallback_given ? site_pointer(i) + "/fallback" : site_pointer(i),
              "site " + quoted(site.label) + " has no fallback (" + why +
                  "): when its smarthosts are down, its mail queues; it is a single point of failure");
    }
}

// The failure-domain key of an address: its /24 or /48 network.
std::string network_of(const A& a) {
    A n = a;
    n.addr[3] = 0;
    return address_text(n) + "/24";
}
std::string network_of(const Aaaa& a) {
    Aaaa n{};
    std::copy_n(a.addr.begin(), 6, n.addr.begin());
    return address_text(n) + "/48";
}

std::set<std::string> networks_of(const Smarthost& h) {
    std::set<std::string> out;
    for (const auto& a : h.addresses.ipv4) out.insert(network_of(a));
    for (const auto& a : h.addresses.ipv6) out.insert(network_of(a));
    return out;
}

// Every fallback host has all its addresses in networks the site's own smarthosts use:
// one outage of those networks takes the site and all its fallbacks down.
void single_failure_domain(const Context& c) {
    for (std::size_t i = 0; i < c.inv.sites.size(); ++i) {
        const Site& site = c.inv.sites[i];
        if (site.fallback.empty()) continue;
        std::set<std::string> own;
        for (const auto& h : site.smarthosts) own.merge(networks_of(h));
        bool inside = true;
        for (const auto& tier : site.fallback)
            for (std::size_t j : tier.hosts)
                for (const auto& n : networks_of(c.inv.sites[tier.site].smarthosts[j]))
                    inside = inside && own.count(n);
        if (!inside) continue;
        std::string nets;
        for (const auto& n : own) nets += (nets.empty() ? "" : ", ") + n;
        c.add("single-failure-domain", Severity::warning,
              site.fallback_given ? site_pointer(i) + "/fallback" : site_pointer(i),
              "every fallback smarthost of site " + quoted(site.label) + " is in the same network as its own (" +
                  nets + "), one failure domain: an outage there takes every tier down at once");
    }
}

// A falls back only to B and B only to A, although other sites exist: when both are
// down, their mail queues while a third site could take it.
void fallback_loop(const Context& c) {
    const auto& sites = c.inv.sites;
    if (sites.size() < 3) return;
    for (std::size_t i = 0; i < sites.size(); ++i) {
        if (sites[i].fallback.size() != 1) continue;
        std::size_t j = sites[i].fallback[0].site;
        if (j <= i || sites[j].fallback.size() != 1 || sites[j].fallback[0].site != i) continue;
        std::string ptr = sites[i].fallback_given ? site_pointer(i) + "/fallback" : site_pointer(i);
        c.add("fallback-loop", Severity::info, ptr,
              "sites " + quoted(sites[i].label) + " and " + quoted(sites[j].label) +
                  " fall back only to each other: when both are down their mail queues, although " +
                  std::to_string(sites.size() - 2) + (sites.size() == 3 ? " other site" : " other sites") +
                  " could take it");
    }
}

std::string address_pointer(std::size_t site, std::size_t host, bool v6, std::size_t k) {
    return smarthost_pointer(site, host) + (v6 ? "/ipv6/" : "/ipv4/") + std::to_string(k);
}

void duplicate_address(const Context& c) {
    std::map<std::string, std::pair<std::size_t, std::string>> first;  // address -> (site, pointer)
    for (std::size_t i = 0; i < c.inv.sites.size(); ++i) {
        for (std::size_t j = 0; j < c.inv.sites[i].smarthosts.size(); ++j) {
            const Smarthost& h = c.inv.sites[i].smarthosts[j];
            auto visit = [&](const std::string& text, bool v6, std::size_t k) {
                std::string ptr = address_pointer(i, j, v6, k);
                auto [it, added] = first.try_emplace(text, i, ptr);
                if (added) return;
                c.add("duplicate-address", Severity::warning, ptr,
                      "address " + text + " of " + h.name.text() + " is also the address of another smarthost (" +
                          it->second.second + "): the tiers share a machine, and a failover to it is no failover");
            };
            for (std::size_t k = 0; k < h.addresses.ipv4.size(); ++k)
                visit(address_text(h.addresses.ipv4[k]), false, k);
            for (std::size_t k = 0; k < h.addresses.ipv6.size(); ++k)
                visit(address_text(h.addresses.ipv6[k]), true, k);
        }
    }
}

// What kind of special-purpose address this is (RFC 6890 registries), or nullptr.
const char* special_kind(const A& a) {
    const auto& b = a.addr;
    if (b[0] == 127) return "a loopback address (RFC 1122 section 3.2.1.3)";
    if (b[0] == 0) return "an unspecified (\"this network\") address (RFC 1122 section 3.2.1.3)";
    if (b[0] >= 224 && b[0] <= 239) return "a multicast address (RFC 5771)";
    if ((b[0] == 192 && b[1] == 0 && b[2] == 2) || (b[0] == 198 && b[1] == 51 && b[2] == 100) ||
        (b[0] == 203 && b[1] == 0 && b[2] == 113))
        return "a documentation address (RFC 5737)";
    return nullptr;
}
const char* special_kind(const Aaaa& a) {
    const auto& b = a.addr;
    bool zero15 = std::all_of(b.begin(), b.end() - 1, [](std::uint8_t x) { return x == 0; });
    if (zero15 && b[15] == 1) return "a loopback address (RFC 4291 section 2.5.3)";
    if (zero15 && b[15] == 0) return "the unspecified address (RFC 4291 section 2.5.2)";
    if (b[0] == 0xff) return "a multicast address (RFC 4291 section 2.7)";
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return "a documentation address (RFC 3849)";
    return nullptr;
}

void special_addresses(const Context& c, const Addresses& addrs, const std::string& owner, const std::string& base) {
    for (std::size_t k = 0; k < addrs.ipv4.size(); ++k)
        if (const char* kind = special_kind(addrs.ipv4[k]))
            c.add("special-address", Severity::info, base + "/ipv4/" + std::to_string(k),
                  address_text(addrs.ipv4[k]) + " of " + owner + " is " + kind +
                      ", not an address a sender can deliver to");
    for (std::size_t k = 0; k < addrs.ipv6.size(); ++k)
        if (const char* kind = special_kind(addrs.ipv6[k]))
            c.add("special-address", Severity::info, base + "/ipv6/" + std::to_string(k),
                  address_text(addrs.ipv6[k]) + " of " + owner + " is " + kind +
                      ", not an address a sender can deliver to");
}

void special_address(const Context& c) {
    for (std::size_t k = 0; k < c.inv.nameservers.size(); ++k)
        special_addresses(c, c.inv.nameservers[k].addresses, c.inv.nameservers[k].name.text(),
                          "/nameservers/" + std::to_string(k));
    for (std::size_t i = 0; i < c.inv.sites.size(); ++i)
        for (std::size_t j = 0; j < c.inv.sites[i].smarthosts.size(); ++j)
            special_addresses(c, c.inv.sites[i].smarthosts[j].addresses, c.inv.sites[i].smarthosts[j].name.text(),
                              smarthost_pointer(i, j));
}

void extreme_ttl(const Context& c) {
    auto check = [&](std::uint32_t v, const char* pointer, const char* what) {
        if (v < kMinSaneTtl)
            c.add("extreme-ttl", Severity::warning, pointer,
                  std::string(what) + " " + std::to_string(v) + " s is under " + std::to_string(kMinSaneTtl) +
                      " s: resolvers ask again for nearly every message, and some raise it anyway");
        else if (v > kMaxSaneTtl)
            c.add("extreme-ttl", Severity::warning, pointer,
                  std::string(what) + " " + std::to_string(v) + " s is over " + std::to_string(kMaxSaneTtl) +
                      " s (one day): senders keep using old smarthosts that long after a change");
    };
    check(c.inv.ttl, "/ttl", "TTL");
    if (c.inv.minimum > kMaxSaneTtl)
        c.add("extreme-ttl", Severity::warning, "/soa/minimum",
              "negative-caching TTL " + std::to_string(c.inv.minimum) + " s is over " + std::to_string(kMaxSaneTtl) +
                  " s: a name added after a failed lookup stays unknown that long (RFC 2308 section 5)");
}

void host_site_collision(const Context& c) {
    std::map<std::string, std::size_t> site_by_label;
    for (std::size_t i = 0; i < c.inv.sites.size(); ++i) site_by_label.emplace(c.inv.sites[i].label, i);
    for (std::size_t i = 0; i < c.inv.sites.size(); ++i)
        for (std::size_t j = 0; j < c.inv.sites[i].smarthosts.size(); ++j) {
            const Smarthost& h = c.inv.sites[i].smarthosts[j];
            auto it = site_by_label.find(h.label);
            if (it == site_by_label.end()) continue;
            c.add("host-site-collision", Severity::warning, smarthost_pointer(i, j) + "/name",
                  "smarthost " + quoted(h.label) + " of site " + quoted(c.inv.sites[i].label) + " (" + h.name.text() +
                      ") is named like site " + quoted(it->first) + " (" + c.inv.sites[it->second].name.text() +
                      "): a relayhost or --down written as " + quoted(h.label) +
                      " means one to some readers and "
                      "the other to the rest");
        }
    // A name server named like a site or smarthost puts its A/AAAA at the same owner as
    // the MX records or the smarthost's own addresses.
    for (std::size_t k = 0; k < c.inv.nameservers.size(); ++k) {
        const Name& ns = c.inv.nameservers[k].name;
        for (std::size_t i = 0; i < c.inv.sites.size(); ++i) {
            const Site& site = c.inv.sites[i];
            bool hit = site.name == ns;
            for (const auto& h : site.smarthosts) hit = hit || h.name == ns;
            if (!hit) continue;
            c.add("host-site-collision", Severity::warning, "/nameservers/" + std::to_string(k) + "/name",
                  "name server " + ns.text() + " has the name of " +
                      (site.name == ns ? "site " + quoted(site.label) : "a smarthost of site " + quoted(site.label)) +
                      ": its addresses and the site's records share one owner name");
        }
    }
}

// A sender listed by two sites: a Postfix host has one relayhost, so one of the two
// fragments is wrong for it; an Exchange server that is the source of both sites' send
// connectors (address space '*', equal cost) relays through either, and its mail leaves
// the site it belongs to.
void shared_sender(const Context& c) {
    std::map<std::string, std::pair<std::size_t, std::size_t>> first;  // sender -> (site, index)
    for (std::size_t i = 0; i < c.inv.sites.size(); ++i) {
        const Site& site = c.inv.sites[i];
        for (std::size_t k = 0; k < site.senders.size(); ++k) {
            auto [it, added] = first.try_emplace(site.senders[k], i, k);
            if (added || it->second.first == i) continue;
            const Site& other = c.inv.sites[it->second.first];
            c.add("shared-sender", Severity::warning, site_pointer(i) + "/senders/" + std::to_string(k),
                  "sender " + quoted(site.senders[k]) + " of site " + quoted(site.label) +
                      " is also a sender of site " + quoted(other.label) + " (" + site_pointer(it->second.first) +
                      "/senders/" + std::to_string(it->second.second) +
                      "): a Postfix host has one relayhost, and an Exchange server that is the source of both "
                      "sites' send connectors relays through either");
        }
    }
}

// Issue 19: while dnsd --health is on, the health-managed RRsets are served with
// min(zone TTL, health TTL). A health TTL above the zone TTL is allowed but changes
// nothing, which is worth a word: its author probably meant it to count.
void health_ttl(const Context& c) {
    const auto& ttl = c.inv.health.ttl;
    if (!ttl || *ttl <= c.inv.ttl) return;
    c.add("health-ttl", Severity::info, "/health/ttl",
          "health TTL " + std::to_string(*ttl) + " s is above the zone TTL " + std::to_string(c.inv.ttl) +
              " s: with dnsd --health the MX and smarthost address records are served with the smaller of the "
              "two, so this value has no effect");
}

}  // namespace

std::vector<Finding> inventory_findings(const Inventory& inv, const std::string& file) {
    std::vector<Finding> out;
    Context c{inv, file, out};
    mdns_local_zone(c);
    extreme_ttl(c);
    no_fallback(c);
    postfix_address_limit(c);
    single_failure_domain(c);
    fallback_loop(c);
    duplicate_address(c);
    special_address(c);
    host_site_collision(c);
    shared_sender(c);
    health_ttl(c);
    return out;
}

}  // namespace zonegen
