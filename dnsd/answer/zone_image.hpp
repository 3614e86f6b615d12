// A served zone as dnsd keeps it once its answers are compiled: the SOA and every record as
// bytes. The compiler needs the zonegen::Zone (a million small objects, about 98 MB for a
// 100,000-site zone); what comes after it (AXFR, NOTIFY, the serial and "changed?" checks
// on reload) needs only this, a quarter of the size: names inside the zone are stored
// without the origin, and an owner once for all its records.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "zonegen/core/zone.hpp"

namespace dnsd {

class ZoneImage {
public:
    explicit ZoneImage(const zonegen::Zone& zone);

    const zonegen::Name& origin() const { return origin_; }
    const zonegen::Soa& soa() const { return soa_; }
    std::uint32_t serial() const { return soa_.serial; }
    std::uint32_t soa_ttl() const { return soa_ttl_; }
    std::size_t record_count() const { return count_; }  // the SOA included

    // One record of the body: every record but the apex SOA, in canonical order (RFC 4034
    // §6.1), names uncompressed and lower-cased (§6.2). The views last until the record
    // is read into again.
    class Record {
    public:
        std::string_view owner() const { return {owner_.data(), owner_length_}; }
        std::uint16_t type() const { return type_; }
        std::uint32_t ttl() const { return ttl_; }
        std::string_view rdata() const { return local_ ? std::string_view(names_.data(), names_length_) : stored_; }

    private:
        friend class ZoneImage;
        std::array<char, 255> owner_{};
        std::size_t owner_length_ = 0;
        std::uint16_t type_ = 0;
        std::uint32_t ttl_ = 0;
        std::array<char, 2 + 255> names_{};  // NS and MX RDATA, rebuilt with the origin
        std::size_t names_length_ = 0;
        bool local_ = false;
        std::string_view stored_;  // other RDATA, as stored
        std::string_view raw_;     // the RDATA as the body stores it
    };
    // Reads the record at offset (0 for the first) into r and moves offset past it; false
    // at the end. Pass the same r each time: a record of the previous one's owner leaves
    // its owner as it was.
    bool next(std::size_t& offset, Record& r) const;

    // The same zone under another serial, with the records keep(record, ttl) returns true
    // for; keep may change ttl, which starts as the record's. For the zone that transfers
    // serve while health checks withdraw records (health_model.hpp).
    using Keep = std::function<bool(const Record&, std::uint32_t& ttl)>;
    ZoneImage edited(std::uint32_t serial, const Keep& keep) const;

    // The same zone under another serial (consumes this one; nothing is copied). Copies
    // share the records too: a version that only renumbers a zone costs no copy of them.
    ZoneImage with_serial(std::uint32_t serial) && {
        soa_.serial = serial;
        return std::move(*this);
    }

    // A 64-bit digest of everything but the serial: whether two versions hold the same
    // records, for a restart that cannot keep the old version (dnsd/primary/state_dir.hpp).
    // Taken once per set of records (a reload asks for it several times; a 100,000-site
    // zone's takes 30 ms) and shared with the copies and renumbered versions.
    std::uint64_t digest() const;

    // The same origin, SOA (TTL included) and records.
    friend bool operator==(const ZoneImage& a, const ZoneImage& b);

    // Where the records that differ between two versions of one zone lie: records of a
    // before begin, and those from a_end (of a) and b_end (of b) on, are the same in both
    // and in the same order. Each bound is the start of a record that names its owner, so a
    // walk with next() may start there. For a change of a few records in a large zone the
    // ranges are short: found by comparing bytes, without reading a record. Both images
    // must be of the same origin.
    struct Differing {
        std::size_t begin = 0, a_end = 0, b_end = 0;
    };
    static Differing differing(const ZoneImage& a, const ZoneImage& b);

private:
    ZoneImage() = default;
    // A record's fields before its RDATA (see Body). previous: the record before it, of
    // the same owner (its type and TTL), or nullptr when the record names its owner.
    void put_header(std::string& body, bool new_owner, std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                    const Record* previous) const;
    void put_name(std::string& body, std::string_view wire, std::string_view owner) const;
    static std::size_t read_name(std::string_view field, std::string_view owner, char* out, std::string_view origin);
    std::uint64_t compute_digest() const;
    // The offset after the record at offset; type: the previous record's type, then this one's.
    std::size_t skip(std::size_t offset, std::uint16_t& type) const;
    const std::string& body() const { return body_->bytes; }

    zonegen::Name origin_;
    zonegen::Soa soa_;
    std::uint32_t soa_ttl_ = 0;
    std::size_t count_ = 0;
    // Per record: its owner as 1 + the length of the owner's labels under the origin and
    // those labels, then type and TTL; or 0, "the previous record's owner", then type and
    // TTL; or 2, "the previous record's owner, type and TTL" (an RRset's second record on:
    // no owner is one octet long under its origin). Type and TTL: one octet, the type if
    // below 127 (else 127 and the type in 16 bits) with the top bit set when the TTL is the
    // SOA's (else the TTL follows in 32 bits). Then the stored
    // RDATA's length (16) unless its type tells it (A, AAAA, NS, MX), and the RDATA,
    // big-endian. In NS and MX RDATA a name is stored as in put_name(); other RDATA is the
    // canonical wire form. A record is read with the records before it back to the last
    // that names its owner. Immutable once made, so shared by the copies, with the digest
    // of the zone (every image sharing a body has the same origin and SOA but for the
    // serial, which the digest leaves out).
    struct Body {
        std::string bytes;
        mutable std::once_flag digested;
        mutable std::uint64_t digest = 0;
    };
    std::shared_ptr<const Body> body_;
};

}  // namespace dnsd
