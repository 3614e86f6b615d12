// The IXFR journal (RFC 1995 §4): per zone, the differences between consecutive served
// versions, so that a secondary a few versions behind gets what changed instead of the
// whole zone. A difference is the old SOA, the records deleted, the new SOA and the records
// added; the Publisher records one whenever a zone's served serial changes (reload or
// health change). Kept in memory, bounded by size (oldest differences dropped first), and
// with --state-dir also on disk (journal_file.hpp), so a restart does not cost every
// secondary a full transfer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnsd/answer/zone_image.hpp"
#include "zonegen/core/name.hpp"

namespace dnsd {

// One record as the journal keeps it: owner (lower-cased uncompressed wire form), type,
// TTL, RDATA in canonical form (names uncompressed, as ZoneImage gives them).
struct JournalRecord {
    std::string_view owner;
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::string_view rdata;
};

// Appends r to out: owner, type (16 bits), TTL (32), RDATA length (16) and RDATA.
void append_record(std::string& out, const JournalRecord& r);
// Reads the record at offset of bytes into r and moves offset past it. Checks every length
// (the bytes may come from a damaged file): false, offset unmoved, if it is not whole.
bool read_record(std::string_view bytes, std::size_t& offset, JournalRecord& r);

struct Difference {
    std::uint32_t from = 0;    // the old version's serial
    std::uint32_t to = 0;      // the new version's serial
    std::uint64_t digest = 0;  // ZoneImage::digest() of the new version
    std::uint32_t deleted = 0;
    std::uint32_t added = 0;
    // RFC 1995 §4 order, ready to send: old SOA, deleted records, new SOA, added records.
    std::string records;

    // What the difference costs against the bound: its on-disk entry (journal_file.hpp).
    std::size_t bytes() const;
};

// The difference between two versions of one zone, by a merge walk over their records in
// canonical order (RFC 4034 §6.1-6.3); a changed TTL is a deletion and an addition. nullopt
// if the origins differ or a version is not in canonical order: no difference can be
// trusted then.
std::optional<Difference> diff(const ZoneImage& from, const ZoneImage& to);

using Chain = std::vector<std::shared_ptr<const Difference>>;

// One zone's differences in memory, oldest first, each leading to the next.
class Journal {
public:
    explicit Journal(std::size_t bound) : bound_(bound) {}

    // Appends d. One that does not continue from the newest serial starts the journal over.
    // Then the oldest are dropped until the journal is within its bound (d too, if it alone
    // is over it). Returns true if anything was dropped.
    bool add(std::shared_ptr<const Difference> d);
    void clear();

    // The differences from serial from to serial to, in order; nullopt if there is no such
    // chain. from == to is an empty chain.
    std::optional<Chain> chain(std::uint32_t from, std::uint32_t to) const;

    const std::deque<std::shared_ptr<const Difference>>& entries() const { return entries_; }
    std::size_t bytes() const { return bytes_; }
    std::size_t bound() const { return bound_; }

private:
    std::size_t bound_;
    std::size_t bytes_ = 0;
    std::deque<std::shared_ptr<const Difference>> entries_;
};

// The journals of every zone served, shared by the Publisher (which records) and the
// transfer hook (which reads); safe to use from both threads.
class Journals {
public:
    static constexpr std::size_t kDefaultBound = 64u << 20;  // per zone: 64 MiB
    using Say = std::function<void(std::string_view message)>;

    // dir: --state-dir, where "<zone>.journal" files live; nullopt keeps them in memory only.
    Journals(std::size_t bound, std::optional<std::string> dir, Say say);

    // At start, with the version served first: reads the zone's file, and keeps what it holds
    // only if it is whole and its chain ends at exactly this version; otherwise says why and
    // starts the zone's journal (and file) empty.
    void open(const ZoneImage& served);
    // A zone's served version changed from previous to served: the difference is recorded,
    // and on disk synced before this returns (before the version is served). A version
    // whose serial is not higher, or whose difference cannot be taken, empties the journal.
    void changed(const ZoneImage& previous, const ZoneImage& served);

    // The chain from serial from to serial to for the zone; nullopt if not in the journal.
    std::optional<Chain> chain(const zonegen::Name& origin, std::uint32_t from, std::uint32_t to) const;
    // Bytes held for the zone in memory, and on disk (0 without a directory).
    std::size_t bytes(const zonegen::Name& origin) const;
    std::size_t file_bytes(const zonegen::Name& origin) const;
    std::optional<std::string> file_of(const zonegen::Name& origin) const;

private:
    struct Zone {
        explicit Zone(std::size_t bound) : journal(bound) {}
        Journal journal;
        std::size_t file_bytes = 0;  // what the file holds; 0: missing, rewrite before appending
    };
    Zone& zone(const zonegen::Name& origin);
    void store(const zonegen::Name& origin, Zone& z, const Difference& d, bool rewrite);

    mutable std::mutex mutex_;
    std::size_t bound_;
    std::optional<std::string> dir_;
    Say say_;
    std::map<std::string, Zone> zones_;  // by origin, wire form
};

}  // namespace dnsd
