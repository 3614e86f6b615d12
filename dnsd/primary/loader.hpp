// Where dnsd's zones come from (the --zone files or the --inventory of the command line)
// and how they become an AnswerTable, at start and again on every reload.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "zonegen/core/diagnostic.hpp"
#include "zonegen/core/zone.hpp"

namespace dnsd {

struct Sources {
    std::vector<std::string> zone_files;
    std::string inventory;  // empty unless the zones come from an inventory
};

// The sources that cannot be opened at all: an I/O problem (exit 2) rather than a bad zone.
std::vector<zonegen::Diagnostic> unreadable_sources(const Sources& sources);

// A compiled table and the zones it was compiled from. The zones are garbage by then, but a
// large one takes a tenth of a second to free: that is the Retirer's job, off the path to
// the first answer.
struct LoadedTable {
    std::shared_ptr<const AnswerTable> table;
    std::vector<zonegen::Zone> zones;
};

// Loads every source, reporting every problem of every file, and compiles the table.
// An inventory without a serial gets zonegen's date serial (YYYYMMDDnn). What the parsing
// used on the side is freed before it returns, either way; giving that heap back to the
// system (Retirer) is the caller's.
//
// On a reload, current is the table being served. A zone whose serial is lower than the
// served one (RFC 1982 §3.2) is refused: secondaries would ignore it and keep the old data
// (RFC 1996 §4.7, RFC 5936 §2.2.1) while dnsd answered with the new. An inventory without a
// serial keeps the served serial while its zone is unchanged and moves to the next date
// serial when it changes, so every change reaches the secondaries.
zonegen::Result<LoadedTable> load_table(const Sources& sources, const AnswerTable* current = nullptr);

// "smarthost.local serial 2026112301", comma-separated per zone, for the log lines.
std::string describe_zones(const AnswerTable& table);

}  // namespace dnsd
