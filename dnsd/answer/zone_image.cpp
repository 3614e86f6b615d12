// Encoding a zone's records as compact bytes, and reading them back for transfers.
#include "dnsd/answer/zone_image.hpp"

#include <algorithm>
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
void ZoneImage::put_name(std::string& body, std::string_view wire) const {
    const std::size_t prefix = prefix_length(wire, origin_);
    if (prefix == std::string_view::npos) {
        body += static_cast<char>(kAbsolute);
        body += wire;
    } else {
        body += static_cast<char>(prefix);
        body += wire.substr(0, prefix);
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
    auto body = std::make_shared<Body>();
    std::string& b = body->bytes;
    // About what a zonegen zone takes, generously: the pages past the end are never touched,
    // so they cost address space only (a block this large is mapped, not carved from the
    // heap), while a shrink_to_fit() would copy the body, twice its size for a moment.
    b.reserve(count_ * 24);
    for (const zonegen::Node& node : zone.nodes()) {
        bool owner_written = false;
        for (const zonegen::RRset& set : node.rrsets) {
            if (set.type == zonegen::RRType::SOA) continue;  // opens and closes a transfer instead
            for (const zonegen::Rdata& rd : set.rdata) {
                if (owner_written) {
                    b += '\0';
                } else {
                    // Owners are inside the zone (ZoneBuilder checks), so never absolute.
                    const std::size_t prefix = prefix_length(node.owner.wire(), origin_);
                    b += static_cast<char>(1 + prefix);
                    b += node.owner.wire().substr(0, prefix);
                    owner_written = true;
                }
                zonegen::append16(b, static_cast<std::uint16_t>(set.type));
                zonegen::append16(b, set.ttl >> 16);
                zonegen::append16(b, set.ttl & 0xffff);
                const std::size_t length_at = b.size();
                zonegen::append16(b, 0);
                if (const auto* ns = std::get_if<zonegen::Ns>(&rd)) {
                    put_name(b, ns->host.wire());
                } else if (const auto* mx = std::get_if<zonegen::Mx>(&rd)) {
                    zonegen::append16(b, mx->preference);
                    put_name(b, mx->exchange.wire());
                } else {
                    zonegen::append_rdata_wire(rd, b);
                }
                const std::size_t length = b.size() - length_at - 2;
                b[length_at] = static_cast<char>(length >> 8);
                b[length_at + 1] = static_cast<char>(length & 0xff);
            }
        }
    }
    body_ = std::move(body);
}

bool ZoneImage::next(std::size_t& offset, Record& r) const {
    // The body is our own encoding, never input: no bounds to check beyond the end.
    const std::string_view b = body();
    if (offset >= b.size()) return false;
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
    const std::string& in = body();
    auto body = std::make_shared<Body>();
    std::string& b = body->bytes;
    b.reserve(in.size());  // at most what is kept: see the constructor
    Record r;
    bool owner_written = false;
    for (std::size_t offset = 0; offset < in.size();) {
        const std::size_t start = offset;
        const bool new_owner = in[start] != 0;
        next(offset, r);
        if (new_owner) owner_written = false;
        std::uint32_t ttl = r.ttl();
        if (!keep(r, ttl)) continue;
        // The fields after the owner: type, TTL, the stored RDATA's length and bytes.
        const std::size_t fields = new_owner ? start + 1 + (static_cast<unsigned char>(in[start]) - 1u) : start + 1;
        if (owner_written) {
            b += '\0';
        } else {
            // The first record kept of this owner names it, even if the record that did was dropped.
            const std::size_t prefix = r.owner().size() - origin_.wire().size();
            b += static_cast<char>(1 + prefix);
            b += r.owner().substr(0, prefix);
            owner_written = true;
        }
        b.append(in, fields, 2);
        zonegen::append16(b, ttl >> 16);
        zonegen::append16(b, ttl & 0xffff);
        b.append(in, fields + 6, offset - (fields + 6));
        ++out.count_;
    }
    out.body_ = std::move(body);
    return out;
}

std::uint64_t ZoneImage::digest() const {
    std::call_once(body_->digested, [this] { body_->digest = compute_digest(); });
    return body_->digest;
}

std::uint64_t ZoneImage::compute_digest() const {
    // FNV-1a: not a defence against anyone, only a fingerprint of our own encoding. The
    // state directory keeps these values across restarts: the function must not change.
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
    mix(body());
    return h;
}

std::size_t ZoneImage::skip(std::size_t offset) const {
    const std::string_view b = body();
    const auto mark = static_cast<unsigned char>(b[offset]);
    offset += mark == 0 ? 1 : mark;  // the owner: 1 + its length, or the one byte 0
    return offset + 8 + get16(b, offset + 6);
}

ZoneImage::Differing ZoneImage::differing(const ZoneImage& a, const ZoneImage& b) {
    const std::string_view x = a.body(), y = b.body();
    if (a.body_ == b.body_ || x == y) return {x.size(), x.size(), y.size()};
    // The common head: the records wholly inside the bytes both start with (their
    // boundaries are the same in both), back to the last that names its owner in both.
    const std::size_t same = static_cast<std::size_t>(std::mismatch(x.begin(), x.end(), y.begin(), y.end()).first -
                                                      x.begin());
    std::size_t begin = 0, at = 0;
    while (at < x.size()) {
        if (x[at] != 0 && (at >= y.size() || y[at] != 0)) begin = at;
        const std::size_t next = a.skip(at);
        if (next > same) break;
        at = next;
    }
    if (at == x.size() && (at >= y.size() || y[at] != 0)) begin = at;
    // The common tail: the first place, at the same distance from the end of both, where a
    // record naming its owner starts in both and the bytes from there on are the same.
    std::size_t tail = 0;
    while (tail < x.size() && tail < y.size() && x[x.size() - 1 - tail] == y[y.size() - 1 - tail]) ++tail;
    std::size_t oa = begin, ob = begin;
    while (oa < x.size()) {
        if (x.size() - oa <= tail && x[oa] != 0 && oa + y.size() >= begin + x.size()) {
            const std::size_t target = oa + y.size() - x.size();
            while (ob < target) ob = b.skip(ob);
            if (ob == target && y[ob] != 0) return {begin, oa, ob};
        }
        oa = a.skip(oa);
    }
    return {begin, x.size(), y.size()};
}

bool operator==(const ZoneImage& a, const ZoneImage& b) {
    return a.origin_ == b.origin_ && a.soa_ == b.soa_ && a.soa_ttl_ == b.soa_ttl_ &&
           (a.body_ == b.body_ || a.body() == b.body());
}

}  // namespace dnsd
