// A served zone as dnsd keeps it once its answers are compiled: the SOA and every record as
// wire bytes. The compiler needs the zonegen::Zone (a million small objects, about 98 MB
// for a 100,000-site zone); what comes after it (AXFR, NOTIFY, the serial and "changed?"
// checks on reload) needs only this, about a quarter of the size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "zonegen/zone.hpp"

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
    // §6.1), names uncompressed and lower-cased (§6.2).
    struct Record {
        std::string_view owner;
        std::uint16_t type = 0;
        std::uint32_t ttl = 0;
        std::string_view rdata;
    };
    // Reads the record at offset (0 for the first) into r and moves offset past it; false
    // at the end. Pass the same r each time: a record of the previous one's owner leaves
    // r.owner as it was.
    bool next(std::size_t& offset, Record& r) const;

    // The same origin, SOA (TTL included) and records.
    friend bool operator==(const ZoneImage& a, const ZoneImage& b);

private:
    zonegen::Name origin_;
    zonegen::Soa soa_;
    std::uint32_t soa_ttl_ = 0;
    std::size_t count_ = 0;
    // Per record: the owner's length and wire form, or a 0 octet for "the previous owner";
    // then type (16 bits), TTL (32), RDATA length (16) and RDATA, big-endian.
    std::string body_;
};

}  // namespace dnsd
