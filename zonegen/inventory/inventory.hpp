// The site inventory (sites.json, schema version 1 of DESIGN.md) as checked C++ values.
// parse_inventory() is the only door from JSON into the program: whatever it returns has
// passed every validation rule, with names resolved and fallbacks expanded, so the zone
// builder never has to doubt it. load_inventory() is the door from a file: every zonegen
// command and dnsd's loader read their inventory through it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zonegen/core/diagnostic.hpp"
#include "zonegen/core/name.hpp"
#include "zonegen/core/zone.hpp"

namespace zonegen {

struct Addresses {
    std::vector<A> ipv4;     // in inventory order, no duplicates
    std::vector<Aaaa> ipv6;  // in inventory order, no duplicates
    bool empty() const { return ipv4.empty() && ipv6.empty(); }
};

// Health probing of MX targets (issue 19) as the inventory sets it. The inventory only
// sets values: probing happens only when dnsd runs with --health smtp|tcp, and each
// --health-* option wins over the value here. Unset means dnsd's default (port 25,
// interval 10 s, timeout 3 s, fall 3, rise 2, ttl 30 s). zonegen's outputs never depend
// on it: the generated zone is the same with or without it.
enum class HealthCheck : std::uint8_t { Smtp, Tcp };

struct HealthSettings {
    // "check": "smtp" or "tcp" asks dnsd --inventory to probe (as --health does); without
    // it the values below wait for --health on the command line.
    std::optional<HealthCheck> check;
    std::optional<std::uint16_t> port;  // 1..65535: the port probed
    // Seconds between two probes of an address, and a probe's limit: kHealthMaxInterval,
    // kHealthMaxTimeout.
    std::optional<std::uint32_t> interval, timeout;
    // Failures (successes) in a row that mark an address down (up): 1..kHealthMaxCount.
    std::optional<std::uint32_t> fall, rise;
    // The TTL of the health-managed RRsets while health is on; dnsd serves
    // min(zone TTL, ttl), so a value above the zone TTL is allowed (a `check` finding).
    std::optional<std::uint32_t> ttl;
    friend bool operator==(const HealthSettings&, const HealthSettings&) = default;
};

// The bounds the inventory enforces, in one place for whoever validates the same values
// (dnsd's --health-* options). An interval beyond an hour or a timeout beyond a minute
// would make withdrawal slower than a sender's own connect timeouts, which it exists to
// beat; more than 10 probes in a row is hysteresis no one needs.
inline constexpr std::uint32_t kHealthMaxInterval = 3600;
inline constexpr std::uint32_t kHealthMaxTimeout = 60;
inline constexpr std::uint32_t kHealthMaxCount = 10;

// A smarthost's own health setting: "health": false (never checked, never withdrawn),
// true or {} (the defaults), or {"port": N} (probe this port instead).
struct SmarthostHealth {
    bool checked = true;
    std::optional<std::uint16_t> port;
    friend bool operator==(const SmarthostHealth&, const SmarthostHealth&) = default;
};

struct Smarthost {
    std::string label;  // "mail": the host is label.site.zone; lower case
    Name name;          // mail.oxford.smarthost.local.
    Addresses addresses;
    SmarthostHealth health;
};

struct FallbackTier {
    std::size_t site = 0;            // index into Inventory::sites
    std::vector<std::size_t> hosts;  // indices into that site's smarthosts; all of them if
                                     // the entry named no subset
};

struct Site {
    std::string label;  // "oxford"; lower case
    Name name;          // oxford.smarthost.local.
    std::vector<Smarthost> smarthosts;
    std::vector<FallbackTier> fallback;  // tier k+1 is fallback[k]
    bool fallback_given = false;         // false: the ring default (next site) was applied
    std::vector<std::string> senders;    // host names that relay through this site's name
                                         // (Exchange servers, Postfix hosts); lower case,
                                         // no trailing dot; empty when not given
};

struct NameServer {
    Name name;            // absolute
    Addresses addresses;  // glue; only for names inside the zone
};

struct Inventory {
    Name zone;
    std::uint32_t ttl = 300;
    std::optional<std::uint32_t> serial;
    Name soa_mname;  // default: the first name server
    Name soa_rname;  // default: hostmaster.<zone>
    std::uint32_t refresh = 3600, retry = 600, expire = 1209600, minimum = 300;
    std::vector<NameServer> nameservers;
    std::uint32_t mx_primary = 10, mx_step = 10;
    std::vector<Site> sites;
    HealthSettings health;  // all unset when "health" is absent
};

// Parses and validates the text of an inventory. file is used only in messages. Every
// problem is reported, each with the JSON Pointer of the offending value and, from the
// text, its line and column.
Result<Inventory> parse_inventory(std::string_view text, const std::string& file);

// An inventory file as read.
struct InventoryFile {
    Exit status = Exit::Ok;              // Usage: it cannot be read; Invalid: it failed validation
    std::string text;                    // the file's bytes, for placing findings (line:col)
    std::optional<Inventory> inventory;  // set when status is Ok
    std::vector<Diagnostic> errors;      // why not: the read error, or every validation error
};

// Reads the file at path and parses it with parse_inventory.
InventoryFile load_inventory(const std::string& path);

// JSON Pointers (RFC 6901) of inventory elements, for messages about them.
std::string site_pointer(std::size_t site);
std::string smarthost_pointer(std::size_t site, std::size_t host);

}  // namespace zonegen
