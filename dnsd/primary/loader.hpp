// Where dnsd's zones come from (the --zone files or the --inventory of the command line)
// and how they become an AnswerTable, at start and again on every reload.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/primary/retire.hpp"
#include "zonegen/core/diagnostic.hpp"
#include "zonegen/core/zone.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace dnsd {

struct Sources {
    std::vector<std::string> zone_files;
    std::string inventory;  // empty unless the zones come from an inventory
};

// The sources that cannot be opened at all: an I/O problem (exit 2) rather than a bad zone.
std::vector<zonegen::Diagnostic> unreadable_sources(const Sources& sources);

// What the inventory says of one smarthost (sites.json "health"), by its name's wire form;
// a host missing from the map has the defaults.
struct HostHealth {
    bool checked = true;                // "health": false: never checked, never withdrawn
    std::optional<std::uint16_t> port;  // "health": {"port": N}
};
using HostHealthMap = std::unordered_map<std::string, HostHealth>;

// The health values an inventory sets (sites.json "health"); unset: dnsd's defaults.
struct InventoryHealth {
    std::optional<zonegen::HealthCheck> check;  // "check": probing asked for by the inventory
    std::optional<std::uint16_t> port;
    std::optional<std::uint32_t> interval, timeout, fall, rise, ttl;
};

struct LoadOptions {
    bool health = false;  // --health: compile health-managed answers
    // At start, without --health: an inventory whose "health" has "check" turns health on.
    bool inventory_may_ask = false;
    std::optional<std::uint32_t> health_ttl;  // --health-ttl; else the inventory's, else 30
    // --state-dir: serials are the Publisher's to decide (publisher.hpp), so a serial that
    // is not above the served one is not refused here; the table gets a health model.
    bool renumber = false;
    // Threads that compile the answers (CompileOptions::threads); 0: one per CPU that dnsd
    // may run on (issue 17: loading may use every core; one CPU still works).
    unsigned threads = 0;
};
inline constexpr std::uint32_t kDefaultHealthTtl = 30;

// A compiled table and the zones it was compiled from. The zones are garbage by then, but a
// large one takes a tenth of a second to free: that is the Retirer's job, off the path to
// the first answer.
struct LoadedTable {
    std::shared_ptr<const AnswerTable> table;
    std::vector<zonegen::Zone> zones;
    // The inventory the zone was built from (null for zone files): garbage too, and for
    // 100,000 sites another 40 ms of frees that need not come before the first answer.
    std::shared_ptr<const zonegen::Inventory> inventory;
    HostHealthMap hosts;     // from the inventory; empty for zone files
    InventoryHealth health;  // likewise
};

// Loads every source, reporting every problem of every file, and compiles the table.
// An inventory without a serial gets zonegen's date serial (YYYYMMDDnn). What the parsing
// used on the side is freed before it returns, either way, but for the zones and the
// inventory of a load that succeeds; freeing those and giving the heap back to the system
// (Retirer) is the caller's.
//
// On a reload, current is the table being served. A zone whose serial is lower than the
// served one (RFC 1982 §3.2) is refused: secondaries would ignore it and keep the old data
// (RFC 1996 §4.7, RFC 5936 §2.2.1) while dnsd answered with the new. An inventory without a
// serial keeps the served serial while its zone is unchanged and moves to the next date
// serial when it changes, so every change reaches the secondaries.
//
// early: on a reload, takes the inventory as soon as the zone is built from it, rather than
// with the zones once the table is compiled: the old table is still served then, and the
// inventory would add to the reload's peak (measured: 212 MB of it for a million sites). Not at
// start: there the free would compete with the compiler for the first answer.
zonegen::Result<LoadedTable> load_table(const Sources& sources, const AnswerTable* current = nullptr,
                                        const LoadOptions& options = {}, Retirer* early = nullptr);

// "smarthost.local": a zone's name as users write it, for the log lines.
std::string zone_text(const zonegen::Name& origin);

// "smarthost.local serial 2026112301", comma-separated per zone, for the log lines.
std::string describe_zones(const AnswerTable& table);

}  // namespace dnsd
