// The findings `zonegen check` reports about a valid inventory: risks to mail flow that
// are not errors (the zone would be generated), each under a stable rule id. Rule ids,
// severities and the reasoning behind each are listed here and in the README:
//
//   mdns-local-zone        warning  the zone is under .local (RFC 6762 §3)
//   postfix-address-limit  warning  later tiers lie beyond Postfix's 5 addresses
//   no-fallback            warning  a site with no fallback tier
//   single-failure-domain  warning  every fallback host shares a network with the site
//   fallback-loop          info     two sites fall back only to each other
//   duplicate-address      warning  one address on two smarthosts
//   special-address        info     loopback, unspecified, multicast, documentation
//   extreme-ttl            warning  TTL under 60 s or over one day
//   host-site-collision    warning  a smarthost or name server named like a site
//   shared-sender          warning  one sender listed by two sites ("senders")
//   health-ttl             info     "health": {"ttl"} above the zone TTL has no effect
//
// A failure domain is a network: IPv4 addresses in one /24, IPv6 addresses in one /48
// (the usual sizes of a site's LAN and of an end site's assignment, RFC 6177). Sites
// whose smarthosts sit in one such network go down together.
#pragma once

#include <string>
#include <vector>

#include "zonegen/commands/findings.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace zonegen {

// TTLs outside this range are "extreme": under a minute, resolvers re-ask for every
// message; over a day, a change of smarthosts takes a day to reach every sender.
inline constexpr std::uint32_t kMinSaneTtl = 60;
inline constexpr std::uint32_t kMaxSaneTtl = 86400;

// Every finding about inv, in rule order; file names the inventory, pointers say where.
// Line and column are left for place_findings().
std::vector<Finding> inventory_findings(const Inventory& inv, const std::string& file);

}  // namespace zonegen
