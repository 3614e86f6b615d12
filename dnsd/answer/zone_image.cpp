// Encoding a zone's records as compact bytes, and reading them back for transfers.
#include "dnsd/answer/zone_image.hpp"

#include <cstring>

#include "zonegen/core/bytes.hpp"

namespace dnsd {

namespace {

constexpr unsigned char kAbsolute = 0xFF;  // a name outside the zone follows whole

std::uint32_t get16(std::string_view s, std::size_t at) {
    return (std::uint32_t{static_cast<unsigned char>(s[at])} << 8) | static_cast<unsigned char>(s[at + 1]);
}

// The length of name's labels above the origin, or npos if name is not inside it.
std::size_t prefix_length(std::string_view name, const zonegen::Name& origin) {
    const std::string_view o = origin.wire();
    if (name.size() < o.size() || name.substr(name.size() - o.size()) != o) return std::string_view::npos;
    // The suffix must start on a label boundary, not merely match bytes.
    std::size_t i = 0;
    while (i < name.size() - o.size()) i += 1 + static_cast<unsigned char>(name[i]);
    return i == name.size() - o.size() ? i : std::string_view::npos;
}

}  // namespace

// A name inside the zone: the length of its labels under the origin (at most 254), then
// those labels. Any other name: kAbsolute, then its whole wire form.
void ZoneImage::put_name(std::string_view wire) {
    const std::size_t prefix = prefix_length(wire, origin_);
    if (prefix == std::string_view::npos) {
        body_ += static_cast<char>(kAbsolute);
        body_ += wire;
    } else {
        body_ += static_cast<char>(prefix);
        body_ += wire.substr(0, prefix);
    }
}

// The name stored at the start of field, written out whole; returns its length.
std::size_t ZoneImage::read_name(std::string_view field, char* out) const {
    const auto mark = static_cast<unsigned char>(field[0]);
    if (mark == kAbsolute) {
        std::memcpy(out, field.data() + 1, field.size() - 1);
        return field.size() - 1;
    }
    std::memcpy(out, field.data() + 1, mark);
    std::memcpy(out + mark, origin_.wire().data(), origin_.wire().size());
    return mark + origin_.wire().size();
}

ZoneImage::ZoneImage(const zonegen::Zone& zone)
    : origin_(zone.origin()), soa_(zone.soa()), soa_ttl_(zone.soa_ttl()), count_(zone.record_count()) {
    body_.reserve(count_ * 24);  // about what a zonegen zone takes; trimmed below
    for (const zonegen::Node& node : zone.nodes()) {
        bool owner_written = false;
        for (const zonegen::RRset& set : node.rrsets) {
            if (set.type == zonegen::RRType::SOA) continue;  // opens and closes a transfer instead
            for (const zonegen::Rdata& rd : set.rdata) {
                if (owner_written) {
                    body_ += '\0';
                } else {
                    // Owners are inside the zone (ZoneBuilder checks), so never absolute.
                    const std::size_t prefix = prefix_length(node.owner.wire(), origin_);
                    body_ += static_cast<char>(1 + prefix);
                    body_ += node.owner.wire().substr(0, prefix);
                    owner_written = true;
                }
                zonegen::append16(body_, static_cast<std::uint16_t>(set.type));
                zonegen::append16(body_, set.ttl >> 16);
                zonegen::append16(body_, set.ttl & 0xffff);
                const std::size_t length_at = body_.size();
                zonegen::append16(body_, 0);
                if (const auto* ns = std::get_if<zonegen::Ns>(&rd)) {
                    put_name(ns->host.wire());
                } else if (const auto* mx = std::get_if<zonegen::Mx>(&rd)) {
                    zonegen::append16(body_, mx->preference);
                    put_name(mx->exchange.wire());
                } else {
                    zonegen::append_rdata_wire(rd, body_);
                }
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
    if (const auto mark = static_cast<unsigned char>(b[offset]); mark != 0) {
        const std::size_t prefix = mark - 1u;
        std::memcpy(r.owner_.data(), b.data() + offset + 1, prefix);
        std::memcpy(r.owner_.data() + prefix, origin_.wire().data(), origin_.wire().size());
        r.owner_length_ = prefix + origin_.wire().size();
        offset += 1 + prefix;
    } else {
        offset += 1;
    }
    r.type_ = static_cast<std::uint16_t>(get16(b, offset));
    r.ttl_ = (get16(b, offset + 2) << 16) | get16(b, offset + 4);
    const std::uint32_t length = get16(b, offset + 6);
    const std::string_view stored = b.substr(offset + 8, length);
    offset += 8 + length;
    r.local_ = r.type_ == static_cast<std::uint16_t>(zonegen::RRType::NS) ||
               r.type_ == static_cast<std::uint16_t>(zonegen::RRType::MX);
    if (!r.local_) {
        r.stored_ = stored;
    } else if (r.type_ == static_cast<std::uint16_t>(zonegen::RRType::MX)) {
        std::memcpy(r.names_.data(), stored.data(), 2);
        r.names_length_ = 2 + read_name(stored.substr(2), r.names_.data() + 2);
    } else {
        r.names_length_ = read_name(stored, r.names_.data());
    }
    return true;
}

ZoneImage ZoneImage::edited(std::uint32_t serial, const Keep& keep) const {
    ZoneImage out;
    out.origin_ = origin_;
    out.soa_ = soa_;
    out.soa_.serial = serial;
    out.soa_ttl_ = soa_ttl_;
    out.count_ = 1;  // the SOA
    out.body_.reserve(body_.size());
    Record r;
    bool owner_written = false;
    for (std::size_t offset = 0; offset < body_.size();) {
        const std::size_t start = offset;
        const bool new_owner = body_[start] != 0;
        next(offset, r);
        if (new_owner) owner_written = false;
        std::uint32_t ttl = r.ttl();
        if (!keep(r, ttl)) continue;
        // The fields after the owner: type, TTL, the stored RDATA's length and bytes.
        const std::size_t fields = new_owner ? start + 1 + (static_cast<unsigned char>(body_[start]) - 1u)
                                             : start + 1;
        if (owner_written) {
            out.body_ += '\0';
        } else {
            // The first record kept of this owner names it, even if the record that did was dropped.
            const std::size_t prefix = r.owner().size() - origin_.wire().size();
            out.body_ += static_cast<char>(1 + prefix);
            out.body_ += r.owner().substr(0, prefix);
            owner_written = true;
        }
        out.body_.append(body_, fields, 2);
        zonegen::append16(out.body_, ttl >> 16);
        zonegen::append16(out.body_, ttl & 0xffff);
        out.body_.append(body_, fields + 6, offset - (fields + 6));
        ++out.count_;
    }
    out.body_.shrink_to_fit();
    return out;
}

std::uint64_t ZoneImage::digest() const {
    // FNV-1a: not a defence against anyone, only a fingerprint of our own encoding.
    std::uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&h](std::string_view bytes) {
        for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
    };
    std::string fixed;
    zonegen::Soa soa = soa_;
    soa.serial = 0;
    zonegen::append_rdata_wire(soa, fixed);
    zonegen::append16(fixed, soa_ttl_ >> 16);
    zonegen::append16(fixed, soa_ttl_ & 0xffff);
    mix(origin_.wire());
    mix(fixed);
    mix(body_);
    return h;
}

bool operator==(const ZoneImage& a, const ZoneImage& b) {
    return a.origin_ == b.origin_ && a.soa_ == b.soa_ && a.soa_ttl_ == b.soa_ttl_ && a.body_ == b.body_;
}

}  // namespace dnsd
