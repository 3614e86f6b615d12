// A delivery plan: what a sending server does with one site's name (RFC 5321 §5.1): its
// MX records grouped into tiers by preference, lowest first, each host with the
// addresses it resolves to. The inventory and a live DNS server both produce this one
// structure, so `explain` renders the same plan from either and a test can compare them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "zonegen/core/diagnostic.hpp"
#include "zonegen/core/name.hpp"
#include "zonegen/core/zone.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace zonegen {

// Postfix's smtp_mx_address_limit (default 5): the MX hosts' addresses are listed in
// preference order and the list is cut after this many, before any connection is tried,
// so hosts that are down still use up places. IPv4 and IPv6 addresses count alike, as
// they do with inet_protocols = all.
inline constexpr std::size_t kPostfixAddressLimit = 5;

struct PlanHost {
    Name name;
    std::vector<A> ipv4;     // sorted, no duplicates
    std::vector<Aaaa> ipv6;  // sorted, no duplicates
    std::size_t address_count() const { return ipv4.size() + ipv6.size(); }
    friend bool operator==(const PlanHost&, const PlanHost&) = default;
};

struct PlanTier {
    std::uint16_t preference = 0;
    std::vector<PlanHost> hosts;  // sorted by name (a sender picks among them at random)
    std::size_t address_count() const;
    friend bool operator==(const PlanTier&, const PlanTier&) = default;
};

struct DeliveryPlan {
    Name site;                    // the name a sender looks up, e.g. oxford.smarthost.local.
    std::vector<PlanTier> tiers;  // by preference, lowest first; one tier per preference
    friend bool operator==(const DeliveryPlan&, const DeliveryPlan&) = default;
};

// One MX record with the addresses of its target, as either source found them.
struct PlanRecord {
    std::uint16_t preference = 0;
    PlanHost host;
};

// Groups records into tiers and puts tiers, hosts and addresses in canonical order, so
// the order records came in (inventory order, DNS answer order) does not matter. A host
// listed twice at one preference is kept once.
DeliveryPlan make_plan(const Name& site, std::vector<PlanRecord> records);

// The index of the site with this label (any case) in inv.sites, or inv.sites.size().
std::size_t find_site(const Inventory& inv, std::string_view label);
// The plan the inventory's zone gives site inv.sites[site] (build.hpp's MX tiers).
DeliveryPlan plan_from_inventory(const Inventory& inv, std::size_t site);

// How many addresses of each tier a Postfix sender tries: all of them until the
// limit is reached, then part of one tier, then none.
std::vector<std::size_t> tried_addresses(const DeliveryPlan& plan, std::size_t limit = kPostfixAddressLimit);

std::string address_text(const A& a);     // dotted quad
std::string address_text(const Aaaa& a);  // RFC 5952 form

}  // namespace zonegen
