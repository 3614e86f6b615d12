// The writer of every DNS message dnsd builds off the packet path: zone transfers, NOTIFY,
// TSIG error answers, and the answer table's template messages. It writes the header
// (wire::encode_header), the question, and records whose names are compressed against
// names written earlier in the same message (RFC 1035 §4.1.4), and keeps the header counts
// as records are added. A record either fits whole or is rolled back, leaving the message
// as it was before it (PowerDNS dnswriter.hh). It may allocate (its compression
// dictionary), so respond() writes with wire::Writer and copies what this one precompiled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dnsd/answer/wire.hpp"
#include "zonegen/core/zone.hpp"

namespace dnsd {

class MessageWriter {
public:
    // RFC 1035 §4.1.4: a pointer holds a 14-bit offset.
    static constexpr std::size_t kMaxPointerTarget = 0x3FFF;

    // Writes into buffer up to limit. Names placed after max_target are written but never
    // offered for compression (the answer table keeps room to move its pointers).
    MessageWriter(std::span<std::uint8_t> buffer, std::size_t limit, std::size_t max_target = kMaxPointerTarget);

    // Starts a new message at offset 0 of the same buffer; every name is forgotten.
    void clear();

    // The header, first in the message. Its counts are then raised by question() and commit().
    bool header(const wire::Header& h);
    // The question exactly as a client sent it (name, type, class): counted, but its name is
    // not offered for compression, since names of ours pointing at it would take its case.
    bool question(std::span<const std::uint8_t> as_sent);
    // A question of ours; name (uncompressed wire form) is offered for compression.
    bool question(std::string_view name, std::uint16_t type, std::uint16_t klass);

    // A record: start_record() notes where it begins; the owner, fields() and the RDATA
    // follow; commit() fills in RDLENGTH and counts the record in section. If any part did
    // not fit (or the count is full), commit() removes the whole record and returns false.
    void start_record();
    // start_record(), the owner compressed, and fields(): what most records need.
    void start_record(std::string_view owner, std::uint16_t type, std::uint16_t klass, std::uint32_t ttl);
    void fields(std::uint16_t type, std::uint16_t klass, std::uint32_t ttl);  // RDLENGTH to follow
    bool commit(wire::Section section);

    // RDATA. RFC 3597 §4: only the RFC 1035 types may have their names compressed; of ours
    // those are NS, MX and SOA.
    void rdata(const zonegen::Rdata& rd);
    void rdata(const zonegen::Soa& soa);
    // RDATA in canonical wire form (names uncompressed, as dnsd::ZoneImage keeps it).
    void rdata(std::uint16_t type, std::string_view canonical);

    // Primitives. After a write that does not fit, every further write is ignored until
    // commit() rolls the record back.
    void u8(std::uint8_t v) { note(w_.u8(v)); }
    void u16(std::uint16_t v) { note(w_.u16(v)); }
    void u32(std::uint32_t v) { note(w_.u32(v)); }
    void bytes(std::span<const std::uint8_t> b) { note(w_.bytes(b)); }
    void bytes(std::string_view b) { bytes({reinterpret_cast<const std::uint8_t*>(b.data()), b.size()}); }
    // A lower-cased uncompressed name, compressed against the names offered so far; its own
    // suffixes are then offered too.
    void name(std::string_view wire);
    // A name exactly as given, neither compressed nor offered: the TSIG record's names, as
    // the request spelled them (RFC 3597 §4: RDATA names of newer types stay uncompressed).
    void plain_name(std::string_view wire) { bytes(wire); }
    // A compression pointer to offset, written by hand (not logged; see log_pointers).
    void pointer(std::uint16_t offset) { u16(static_cast<std::uint16_t>(0xC000 | offset)); }
    // Offers name (uncompressed wire form), which the caller wrote at offset, and its suffixes.
    void offer(std::size_t offset, std::string_view name);
    // From now on, name() appends to log the offset of every pointer it writes.
    void log_pointers(std::vector<std::uint16_t>* log) { pointer_log_ = log; }

    bool failed() const { return failed_; }
    std::size_t pos() const { return w_.pos(); }
    void set_limit(std::size_t limit) { w_.set_limit(limit); }
    std::uint16_t count(wire::Section section) const;
    void set_count(wire::Section section, std::uint16_t count);
    std::span<const std::uint8_t> written() const { return buf_.first(w_.pos()); }

private:
    struct Mark {
        std::size_t pos;
        std::size_t targets;
        std::size_t names;
        std::size_t pointers;
    };
    // A compression target: a name (or a suffix of one) that sits at offset in the message.
    struct Target {
        std::uint32_t name;  // where its uncompressed form starts: in the message, or in names_
        std::uint32_t slot;  // its slot in slots_, once there is a table
        std::uint16_t offset;
        std::uint8_t length;
        bool copied;  // in names_: the name ends in a pointer where it sits in the message
    };
    // Up to this many targets a lookup scans them all: the answer table's templates and
    // NOTIFY hold a handful. A transfer's message holds hundreds, which a table serves.
    static constexpr std::size_t kScanLimit = 16;

    void note(bool ok) { failed_ = failed_ || !ok; }
    Mark mark() const;
    void rollback(const Mark& m);
    // Offers the suffixes of name that begin at the label starts given, in order. name is
    // either in the message at offsets[0], or (copied) at the end of names_.
    void remember(std::string_view name, const std::uint16_t* offsets, std::size_t count, bool copied);
    void insert(std::size_t target);
    void rebuild(std::size_t slots);
    // The offset of a name offered earlier that equals suffix, or 0 if none.
    std::size_t find(std::string_view suffix) const;
    std::string_view name_of(const Target& t) const {
        return {t.copied ? names_.data() + t.name : reinterpret_cast<const char*>(buf_.data()) + t.name, t.length};
    }

    std::span<std::uint8_t> buf_;
    wire::Writer w_;
    std::size_t max_target_;
    bool failed_ = false;
    Mark record_{};
    std::size_t rdlength_at_ = 0;  // 0: no fields() since start_record()
    std::vector<std::uint16_t>* pointer_log_ = nullptr;
    // Copies of the names offered that do not sit uncompressed in the message, and every
    // name and suffix offered as a target, oldest first. Past kScanLimit targets, slots_
    // indexes them: open addressing with linear probing, at most half full, 1 + an index
    // into targets_ or 0 for empty. Rolling back removes the newest targets first, which
    // leaves the table exactly as it was before they came.
    std::string names_;
    std::vector<Target> targets_;
    std::vector<std::uint32_t> slots_;
};

// Inline: the answer table's compiler writes every record of every zone through these at
// load, a call each otherwise.
inline void MessageWriter::start_record() {
    record_ = mark();
    rdlength_at_ = 0;
}

inline void MessageWriter::fields(std::uint16_t type, std::uint16_t klass, std::uint32_t ttl) {
    // One write of ten octets rather than four checked ones: the compiler makes it two stores.
    std::uint8_t f[10];
    wire::put16(f, type);
    wire::put16(f + 2, klass);
    wire::put16(f + 4, static_cast<std::uint16_t>(ttl >> 16));
    wire::put16(f + 6, static_cast<std::uint16_t>(ttl));
    wire::put16(f + 8, 0);  // RDLENGTH, filled in by commit()
    rdlength_at_ = pos() + 8;
    bytes(f);
}

inline bool MessageWriter::commit(wire::Section section) {
    const std::uint16_t n = count(section);
    // The record is counted in a header, so one must have been written before it.
    if (n == 0xFFFF || record_.pos < wire::kHeaderSize) failed_ = true;
    const std::size_t rdlength = rdlength_at_ ? pos() - rdlength_at_ - 2 : 0;
    if (failed_ || rdlength > 0xFFFF) {
        rollback(record_);
        return false;
    }
    if (rdlength_at_) w_.patch16(rdlength_at_, static_cast<std::uint16_t>(rdlength));
    set_count(section, static_cast<std::uint16_t>(n + 1));
    rdlength_at_ = 0;
    return true;
}

inline std::uint16_t MessageWriter::count(wire::Section section) const {
    const std::size_t at = wire::count_offset(section);
    return at + 2 <= pos() ? wire::get16(buf_.data() + at) : 0;
}

inline void MessageWriter::set_count(wire::Section section, std::uint16_t count) {
    w_.patch16(wire::count_offset(section), count);
}

inline MessageWriter::Mark MessageWriter::mark() const {
    return {pos(), targets_.size(), names_.size(), pointer_log_ ? pointer_log_->size() : 0};
}

}  // namespace dnsd
