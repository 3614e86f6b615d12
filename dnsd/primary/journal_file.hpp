// The IXFR journal on disk (--state-dir DIR, "DIR/<zone>.journal"): a magic line, then one
// entry per difference, each its payload's length and CRC-32 followed by the payload, so a
// cut or a flipped bit is found before anything of the file is believed. Entries are
// appended and synced before the version they lead to is served; the file is rewritten
// whole (atomically) when it passes its bound or its chain breaks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dnsd/primary/journal.hpp"

namespace dnsd {

inline constexpr std::string_view kJournalMagic = "dnsd-journal 1\n";
// An entry's length and CRC-32 (each 32 bits), before its payload.
inline constexpr std::size_t kEntryHeader = 8;
// A payload's fixed fields: from, to (32 bits each), digest (64), deleted, added (32 each).
inline constexpr std::size_t kPayloadFixed = 24;

// CRC-32 (ISO-HDLC, as zlib and gzip compute it).
std::uint32_t crc32(std::string_view bytes);

// An entry of the file: length, CRC and payload.
std::string encode_entry(const Difference& d);
// A whole file: the magic line and the entries, oldest first.
std::string encode_journal(const Journal& journal);

struct ParsedJournal {
    Chain entries;                       // whatever parsed before a problem
    std::optional<std::string> problem;  // "bad checksum in entry 3 at offset 1234", ...
};
// Reads a file's bytes. Every length, checksum, record and SOA serial is checked, and each
// entry must continue from the one before it; the first thing wrong is the problem.
ParsedJournal parse_journal(std::string_view bytes);

// Appends bytes to the file at path and syncs it; the reason on failure.
std::optional<std::string> append_synced(const std::string& path, std::string_view bytes);

}  // namespace dnsd
