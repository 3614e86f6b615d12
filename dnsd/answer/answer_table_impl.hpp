// The inside of an AnswerTable: precompiled response sections and the name index that
// finds them. Shared by the compiler (answer_table.cpp) and respond(); nothing else should
// need it.
//
// Every section is stored as ready-to-copy record bytes (a Blob) that were written for a
// template message whose question starts at offset 12. Compression pointers inside a blob
// may aim at the question or at earlier records. When the real question name is longer
// than the template's (a negative answer or referral compiled with the apex or cut as its
// question, a wildcard answer compiled with "*.<closest encloser>"), the real question ends
// delta = real - template octets later, and so does everything after it: the template's
// suffix names sit at the same distance from the end of the real name. The pointers listed
// as relocations get delta added when the blob is copied; owner pointers to offset 12
// (the whole question) are never listed and stay put.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/answer/health_model.hpp"
#include "zonegen/core/big_block.hpp"
#include "zonegen/core/wire_index.hpp"

namespace dnsd {

struct Blob {
    std::uint32_t offset = 0;  // into Impl::bytes
    std::uint32_t length = 0;
    std::uint32_t reloc_offset = 0;  // into Impl::relocs: positions of pointers, relative to the blob
    std::uint16_t reloc_count = 0;
    std::uint16_t records = 0;  // RR count for the section's header count
};

// The response sections for one (owner, type): minimal responses (NSD/Knot): the RRset in
// the answer section, nothing in authority, and the addresses of MX/NS targets we serve in
// additional, kept separate so that it can be dropped first when space is short.
//
// 24 bytes rather than two Blobs' 36 (a million-site zone has four million of these): the
// additional section's bytes and relocations follow the answer's in their arrays, with
// relocation positions counted from the answer's first byte (SectionWriter::
// end_section_after), so that one offset of each serves both and the two sections copy as
// one block; and a section fits in a message, so its length fits in 16 bits (RFC 1035
// §4.2.2).
struct TypeAnswer {
    std::uint32_t offset = 0;        // the answer's bytes; the additional section's follow
    std::uint32_t reloc_offset = 0;  // the answer's relocations; the additional section's follow
    // Of both sections (one template message holds them: at most 65535 octets), so that
    // sections() is a copy; the additional section's share of them, taken off when it is
    // dropped, follows.
    std::uint16_t length = 0, reloc_count = 0;
    std::uint16_t answer_records = 0;
    std::uint16_t additional_length = 0, additional_relocs = 0, additional_records = 0;
    std::uint16_t type = 0;
    // Health may serve this RRset otherwise (health_model.hpp): look in the version's
    // overrides first. Never set when health is off.
    bool managed = false;

    // The answer section followed by the additional section, as one Blob (records: the
    // answer's).
    Blob sections() const noexcept { return {offset, length, reloc_offset, reloc_count, answer_records}; }
    // The two sections as SectionWriter::end_section() and end_section_after(answer) wrote them.
    void set_sections(const Blob& answer, const Blob& additional) noexcept {
        assert(additional.offset == answer.offset + answer.length &&
               additional.reloc_offset == answer.reloc_offset + answer.reloc_count);
        offset = answer.offset;
        reloc_offset = answer.reloc_offset;
        length = static_cast<std::uint16_t>(answer.length + additional.length);
        reloc_count = static_cast<std::uint16_t>(answer.reloc_count + additional.reloc_count);
        answer_records = answer.records;
        additional_length = static_cast<std::uint16_t>(additional.length);
        additional_relocs = additional.reloc_count;
        additional_records = additional.records;
    }
};
static_assert(sizeof(TypeAnswer) == 24);

// A zone's negative answer: its SOA in authority with TTL min(SOA TTL, MINIMUM) (RFC 2308
// §3, §5), compiled with the apex as the template question.
struct ZoneAnswers {
    Blob authority;
    std::uint8_t apex_length = 0;
};

// A delegation below an apex (RFC 1034 §4.3.2 step 3b): the child NS RRset in authority,
// its addresses (glue, RFC 9471) in additional, compiled with the cut as template question.
struct Referral {
    Blob authority;
    Blob additional;
    std::uint8_t cut_length = 0;
};

// The table's big arrays live in huge-page mappings (zonegen/core/big_block.hpp): a query reads
// a few places scattered over megabytes, often with cold caches, and with 4 KiB pages each
// read may add a TLB miss and a page walk (two-dimensional under virtualisation). Compile
// time only: respond() allocates nothing.
template <class T>
using TableVector = zonegen::BigVector<T>;

inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// One name that exists in a served zone: an owner of records or an empty non-terminal
// (RFC 8020). Its TypeAnswers are contiguous: the SOA first, then by type number; the
// first one is the answer to ANY. 12 bytes (a million-site zone has 3.5 million): a name
// at or below a delegation has no TypeAnswers of its own, so the same field holds its
// referral; a name has at most one RRset per type a Zone holds, so their count fits in six
// bits beside two flags; and a table serves at most 65535 zones.
struct Entry {
    static constexpr std::uint8_t kWildcard = 0x40;   // owner is "*.<parent>": answers carry relocations
    static constexpr std::uint8_t kAtCut = 0x80;      // at or below a delegation: first_type is the referral
    static constexpr std::uint8_t kTypeCount = 0x3F;  // the rest: the count of TypeAnswers
    static constexpr std::size_t kMaxZones = 0xFFFF;

    std::uint32_t name_offset = 0;  // into Impl::names: the labels under the zone's origin (EntryName)
    std::uint32_t first_type = 0;   // into Impl::types; with kAtCut, into Impl::referrals
    std::uint16_t zone = 0;         // into Impl::zone_answers (and images)
    std::uint8_t name_length = 0;   // of the whole name, the origin included
    std::uint8_t flags = 0;

    bool wildcard() const noexcept { return (flags & kWildcard) != 0; }
    bool at_cut() const noexcept { return (flags & kAtCut) != 0; }
    std::uint32_t type_count() const noexcept { return flags & kTypeCount; }
    void set_type_count(std::size_t n) noexcept {
        flags = static_cast<std::uint8_t>((flags & ~kTypeCount) | (n & kTypeCount));
    }
    // The referral of the topmost cut at or above the name (RFC 1034 §4.2.1), or kNone.
    std::uint32_t referral() const noexcept { return at_cut() ? first_type : kNone; }
    void set_referral(std::uint32_t r) noexcept {
        flags = static_cast<std::uint8_t>(r == kNone ? flags & ~kAtCut : flags | kAtCut);
        first_type = r == kNone ? 0 : r;
    }
};
static_assert(std::variant_size_v<zonegen::Rdata> + 1 <= Entry::kTypeCount);
static_assert(sizeof(Entry) == 12);

// The answers a table version serves instead of the compiled ones, for a run of kChunk
// TypeAnswers (health_answers.cpp): a state change rebuilds only the chunks it touches,
// and the versions share the others.
struct OverrideChunk {
    static constexpr std::uint32_t kSize = 64;
    std::uint64_t present = 0;  // bit i: answers[i] replaces TypeAnswer (chunk * kSize + i)
    std::array<TypeAnswer, kSize> answers{};
    TableVector<std::uint8_t> bytes;
    TableVector<std::uint16_t> relocs;
};

// Where respond() finds a blob's bytes: the compiled table or an override.
struct BlobSource {
    const std::uint8_t* bytes = nullptr;
    const std::uint16_t* relocs = nullptr;
};

// The negative answers of a version whose serials differ from the compiled ones.
struct Negatives {
    std::vector<ZoneAnswers> zones;
    TableVector<std::uint8_t> bytes;
    TableVector<std::uint16_t> relocs;
};

// What one version of a table serves beyond its compiled Impl (answer_table.hpp).
struct AnswerTable::Version {
    std::shared_ptr<const std::vector<ZoneImage>> loaded;      // as compiled
    std::shared_ptr<const std::vector<ZoneImage>> served;      // what transfers serve
    std::vector<std::uint8_t> up;                              // per health address; empty: all up
    std::vector<std::shared_ptr<const OverrideChunk>> chunks;  // by TypeAnswer index / kSize; may be empty
    // Negative answers with the served serials; null while they are the compiled ones.
    std::shared_ptr<const Negatives> negatives;
};

struct AnswerTable::Impl {
    std::vector<ZoneAnswers> zone_answers;  // parallel to the zones
    std::optional<HealthModel> health;      // set when compiled for health checks
    std::vector<Referral> referrals;
    TableVector<Entry> entries;
    TableVector<TypeAnswer> types;
    TableVector<std::uint8_t> bytes;    // every Blob's records
    TableVector<std::uint16_t> relocs;  // every Blob's relocation positions
    // Every Entry's name: its labels under its zone's origin, lower-cased wire form; each
    // origin once, at origins[zone] (EntryName). A million-site zone's names are a third of
    // the size with the origin stored once rather than four million times.
    TableVector<std::uint8_t> names;
    struct Origin {
        std::uint32_t offset = 0;  // into names
        std::uint32_t length = 0;
    };
    std::vector<Origin> origins;  // parallel to the zones

    // Entries by lower-cased wire name.
    zonegen::WireIndex index;

    // name: lower-cased uncompressed wire form. nullptr if the name is not in any zone.
    const Entry* find(const std::uint8_t* name, std::size_t length) const noexcept;
    // Compile time only. add_origin(): zone's origin (zones in order, before their names);
    // append(): a new entry for a name of zone the caller knows to be new, not yet indexed;
    // index_all(): every entry indexed at once (the bulk of a zone's names, threads side by
    // side); insert(): the entry for name (of zone) once indexed, added if new.
    void add_origin(std::string_view origin);
    std::uint32_t append(std::string_view name, std::uint32_t zone);
    void index_all(unsigned threads);
    std::uint32_t insert(std::string_view name, std::uint32_t zone);
    // Compile time only: every name the zones make exist, in canonical order (RFC 4034
    // §6.1): the owners and the empty non-terminals (RFC 8020), as entries with their zone
    // and the topmost zone cut at or above them (RFC 1034 §4.2.1), indexed on threads;
    // referrals sized one per cut. The zones must have an SOA at their apex and distinct
    // origins.
    struct Names {
        std::vector<const zonegen::Node*> nodes;  // parallel to entries; nullptr for empty non-terminals
        std::vector<std::uint32_t> cuts;          // referral -> its cut's entry
    };
    Names add_names(const std::vector<zonegen::Zone>& zones, unsigned threads);
    // The entry of a lower-cased wire name, or kNone; and an entry's name, written out
    // whole into out.
    std::uint32_t entry_index(std::string_view name) const noexcept;
    using NameBuffer = std::array<char, 255>;
    std::string_view entry_name(std::uint32_t i, NameBuffer& out) const noexcept;

private:
    auto entry_name() const noexcept;
};

// Whether n bytes at a and b are the same, inline: names are short, and a call to memcmp
// costs more than comparing them (two per lookup: the labels, then the origin). Words of 8
// bytes, two at a time and XORed (fewer branches), the last ones overlapping those before;
// never past a + n or b + n.
[[gnu::always_inline]] inline bool same_bytes(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) noexcept {
    auto word = [](const std::uint8_t* p) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        return w;
    };
    auto half = [](const std::uint8_t* p) {
        std::uint32_t w;
        std::memcpy(&w, p, 4);
        return w;
    };
    auto two = [&word](const std::uint8_t* x, const std::uint8_t* y, std::size_t second) {
        return ((word(x) ^ word(y)) | (word(x + second) ^ word(y + second))) == 0;
    };
    if (n >= 16) {
        for (std::size_t i = 0; i + 16 < n; i += 16)
            if (!two(a + i, b + i, 8)) return false;
        return two(a + n - 16, b + n - 16, 8);
    }
    if (n >= 8) return two(a, b, n - 8);
    if (n >= 4) return ((half(a) ^ half(b)) | (half(a + n - 4) ^ half(b + n - 4))) == 0;
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

// An entry's name as the index reads it (zonegen/core/wire_index.hpp): the labels under the
// origin, then the origin. Compared in place, in two pieces; hashed (compile time only)
// written out whole, so that the hash is the one a query's name gets.
struct EntryName {
    const AnswerTable::Impl* t;
    std::uint32_t i;

    std::string_view write(AnswerTable::Impl::NameBuffer& out) const noexcept {
        const Entry& e = t->entries[i];
        const AnswerTable::Impl::Origin& o = t->origins[e.zone];
        const std::size_t head = e.name_length - o.length;
        std::memcpy(out.data(), t->names.data() + e.name_offset, head);
        std::memcpy(out.data() + head, t->names.data() + o.offset, o.length);
        return {out.data(), e.name_length};
    }
    friend bool operator==(const EntryName& n, std::string_view name) noexcept {
        const Entry& e = n.t->entries[n.i];
        if (e.name_length != name.size()) return false;
        const AnswerTable::Impl::Origin& o = n.t->origins[e.zone];
        const std::size_t head = e.name_length - o.length;
        const auto* q = reinterpret_cast<const std::uint8_t*>(name.data());
        return same_bytes(n.t->names.data() + e.name_offset, q, head) &&
               same_bytes(n.t->names.data() + o.offset, q + head, o.length);
    }
};

inline std::uint64_t hash_name(const EntryName& n) noexcept {
    AnswerTable::Impl::NameBuffer buffer;
    const std::string_view w = n.write(buffer);
    return zonegen::hash_wire(w.data(), w.size());
}

inline auto AnswerTable::Impl::entry_name() const noexcept {
    return [this](std::uint32_t i) { return EntryName{this, i}; };
}

}  // namespace dnsd
