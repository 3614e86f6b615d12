// Encoding a zone's records as wire bytes, and reading them back for transfers.
#include "dnsd/zone_image.hpp"

namespace dnsd {

namespace {

void put16(std::string& out, std::uint32_t v) {
    out += static_cast<char>((v >> 8) & 0xff);
    out += static_cast<char>(v & 0xff);
}

std::uint32_t get16(std::string_view s, std::size_t at) {
    return (std::uint32_t{static_cast<unsigned char>(s[at])} << 8) | static_cast<unsigned char>(s[at + 1]);
}

}  // namespace

ZoneImage::ZoneImage(const zonegen::Zone& zone)
    : origin_(zone.origin()), soa_(zone.soa()), soa_ttl_(zone.soa_ttl()), count_(zone.record_count()) {
    body_.reserve(count_ * 40);  // about what a zonegen zone takes; trimmed below
    for (const zonegen::Node& node : zone.nodes()) {
        bool owner_written = false;
        for (const zonegen::RRset& set : node.rrsets) {
            if (set.type == zonegen::RRType::SOA) continue;  // opens and closes a transfer instead
            for (const zonegen::Rdata& rd : set.rdata) {
                if (owner_written) {
                    body_ += '\0';
                } else {
                    body_ += static_cast<char>(node.owner.wire().size());
                    body_ += node.owner.wire();
                    owner_written = true;
                }
                put16(body_, static_cast<std::uint16_t>(set.type));
                put16(body_, set.ttl >> 16);
                put16(body_, set.ttl & 0xffff);
                const std::size_t length_at = body_.size();
                put16(body_, 0);
                zonegen::append_rdata_wire(rd, body_);
                const std::size_t length = body_.size() - length_at - 2;
                body_[length_at] = static_cast<char>(length >> 8);
                body_[length_at + 1] = static_cast<char>(length & 0xff);
            }
        }
    }
    body_.shrink_to_fit();
}

bool ZoneImage::next(std::size_t& offset, Record& r) const {
    // The body is our own encoding, never input: no bounds to check beyond the end.
    if (offset >= body_.size()) return false;
    const std::string_view b = body_;
    if (const auto owner = static_cast<unsigned char>(b[offset]); owner != 0) r.owner = b.substr(offset + 1, owner);
    offset += 1 + static_cast<unsigned char>(b[offset]);
    r.type = static_cast<std::uint16_t>(get16(b, offset));
    r.ttl = (get16(b, offset + 2) << 16) | get16(b, offset + 4);
    const std::uint32_t length = get16(b, offset + 6);
    r.rdata = b.substr(offset + 8, length);
    offset += 8 + length;
    return true;
}

bool operator==(const ZoneImage& a, const ZoneImage& b) {
    return a.origin_ == b.origin_ && a.soa_ == b.soa_ && a.soa_ttl_ == b.soa_ttl_ && a.body_ == b.body_;
}

}  // namespace dnsd
