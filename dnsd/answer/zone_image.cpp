// Encoding a zone's records as compact bytes, and reading them back for transfers.
#include "dnsd/answer/zone_image.hpp"

#include <algorithm>
#include <cstring>

#include "zonegen/core/bytes.hpp"

namespace dnsd {

namespace {

constexpr unsigned char kSameOwner = 0;    // the previous record's owner; type and TTL follow
constexpr unsigned char kSameSet = 2;      // the previous record's owner, type and TTL
constexpr unsigned char kBelowOwner = 1;   // a name one label below the record's owner, that label follows
constexpr unsigned char kAbsolute = 0xFF;  // a name outside the zone follows whole

std::uint32_t get16(std::string_view s, std::size_t at) {
    return (std::uint32_t{static_cast<unsigned char>(s[at])} << 8) | static_cast<unsigned char>(s[at + 1]);
}

// The octet after the owner: the type (kLongType: it follows in 16 bits), with kUsualTtl
// set when the TTL is the SOA's (else it follows in 32 bits).
constexpr unsigned char kLongType = 0x7F;
constexpr unsigned char kUsualTtl = 0x80;

// The type whose octet is at offset; returns the offset after the type.
std::size_t read_type(std::string_view b, std::size_t offset, std::uint16_t& type) {
    const auto code = static_cast<unsigned char>(b[offset] & ~kUsualTtl);
    if (code != kLongType) {
        type = code;
        return offset + 1;
    }
    type = static_cast<std::uint16_t>(get16(b, offset + 1));
    return offset + 3;
}

// Whether a record starting with this octet names its owner.
bool names_owner(char mark) {
    const auto m = static_cast<unsigned char>(mark);
    return m != kSameOwner && m != kSameSet;
}

constexpr auto kA = static_cast<std::uint16_t>(zonegen::RRType::A);
constexpr auto kAaaa = static_cast<std::uint16_t>(zonegen::RRType::AAAA);
constexpr auto kNs = static_cast<std::uint16_t>(zonegen::RRType::NS);
constexpr auto kMx = static_cast<std::uint16_t>(zonegen::RRType::MX);

// The length of a name as put_name() stores it, at the start of field.
std::size_t stored_name_length(std::string_view field) {
    const auto mark = static_cast<unsigned char>(field[0]);
    if (mark == kBelowOwner) return 2 + static_cast<unsigned char>(field[1]);
    if (mark != kAbsolute) return 1 + mark;
    std::size_t at = 1;
    while (field[at] != 0) at += 1 + static_cast<unsigned char>(field[at]);
    return at + 1;
}

// Whether the body leaves out the RDATA's length for this type: the RDATA tells it.
bool implicit_length(std::uint16_t type) { return type == kA || type == kAaaa || type == kNs || type == kMx; }

// The length of the stored RDATA of an implicit_length() type, at the start of rdata.
std::size_t implicit_rdata_length(std::uint16_t type, std::string_view rdata) {
    switch (type) {
        case kA: return 4;
        case kAaaa: return 16;
        case kNs: return stored_name_length(rdata);
        default:  // MX
            return 2 + stored_name_length(rdata.substr(2));
    }
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

// The stored form of an in-zone name before kBelowOwner (the digest's encoding): the
// length of its labels under the origin, then those labels.
void put_name_whole(std::string& out, std::string_view wire, const zonegen::Name& origin) {
    const std::size_t prefix = prefix_length(wire, origin);
    if (prefix == std::string_view::npos) {
        out += static_cast<char>(kAbsolute);
        out += wire;
    } else {
        out += static_cast<char>(prefix);
        out += wire.substr(0, prefix);
    }
}

}  // namespace

// A name one label below the record's owner (an MX to the site's own smarthost):
// kBelowOwner, then that label. Another name inside the zone: the length of its labels
// under the origin (at most 254; never 1, a label has at least one octet), then those
// labels. Any other name: kAbsolute, then its whole wire form.
void ZoneImage::put_name(std::string& body, std::string_view wire, std::string_view owner) const {
    const std::size_t first = 1 + static_cast<unsigned char>(wire[0]);
    if (wire.size() > 1 && wire.size() == first + owner.size() && wire.substr(first) == owner) {
        body += static_cast<char>(kBelowOwner);
        body += wire.substr(0, first);
        return;
    }
    put_name_whole(body, wire, origin_);
}

// The name stored at the start of field, written out whole; returns its length.
std::size_t ZoneImage::read_name(std::string_view field, std::string_view owner, char* out, std::string_view origin) {
    const auto mark = static_cast<unsigned char>(field[0]);
    if (mark == kAbsolute) {
        const std::size_t length = stored_name_length(field) - 1;
        std::memcpy(out, field.data() + 1, length);
        return length;
    }
    if (mark == kBelowOwner) {
        const std::size_t label = 1 + static_cast<unsigned char>(field[1]);
        std::memcpy(out, field.data() + 1, label);
        std::memcpy(out + label, owner.data(), owner.size());
        return label + owner.size();
    }
    std::memcpy(out, field.data() + 1, mark);
    std::memcpy(out + mark, origin.data(), origin.size());
    return mark + origin.size();
}

void ZoneImage::put_header(std::string& b, bool new_owner, std::string_view owner, std::uint16_t type,
                           std::uint32_t ttl, const Record* previous) const {
    if (new_owner) {
        // Owners are inside the zone (ZoneBuilder checks), so never absolute.
        const std::size_t prefix = owner.size() - origin_.wire().size();
        b += static_cast<char>(1 + prefix);
        b += owner.substr(0, prefix);
    } else if (previous && previous->type_ == type && previous->ttl_ == ttl) {
        b += static_cast<char>(kSameSet);
        return;
    } else {
        b += static_cast<char>(kSameOwner);
    }
    // One octet for both when they are the usual ones: a type below 127, the SOA's TTL.
    const bool usual_ttl = ttl == soa_ttl_;
    const auto code = static_cast<unsigned char>(type < kLongType ? type : kLongType);
    b += static_cast<char>(code | (usual_ttl ? kUsualTtl : 0));
    if (code == kLongType) zonegen::append16(b, type);
    if (usual_ttl) return;
    zonegen::append16(b, static_cast<std::uint16_t>(ttl >> 16));
    zonegen::append16(b, static_cast<std::uint16_t>(ttl & 0xffff));
}

ZoneImage::ZoneImage(const zonegen::Zone& zone)
    : origin_(zone.origin()), soa_(zone.soa()), soa_ttl_(zone.soa_ttl()), count_(zone.record_count()) {
    auto body = std::make_shared<Body>();
    std::string& b = body->bytes;
    // More than a zonegen zone takes: the pages past the end are never touched, so they
    // cost address space only (a block this large is mapped, not carved from the heap),
    // while growing would copy the body, and a shrink_to_fit() too: twice its size for a
    // moment.
    b.reserve(count_ * 32);
    Record previous;
    for (const zonegen::Node& node : zone.nodes()) {
        bool owner_written = false;
        const std::string_view owner = node.owner.wire();
        for (const zonegen::RRset& set : node.rrsets) {
            if (set.type == zonegen::RRType::SOA) continue;  // opens and closes a transfer instead
            const auto type = static_cast<std::uint16_t>(set.type);
            for (const zonegen::Rdata& rd : set.rdata) {
                put_header(b, !owner_written, owner, type, set.ttl, owner_written ? &previous : nullptr);
                owner_written = true;
                previous.type_ = type;
                previous.ttl_ = set.ttl;
                if (const auto* ns = std::get_if<zonegen::Ns>(&rd)) {
                    put_name(b, ns->host.wire(), owner);
                } else if (const auto* mx = std::get_if<zonegen::Mx>(&rd)) {
                    zonegen::append16(b, mx->preference);
                    put_name(b, mx->exchange.wire(), owner);
                } else if (implicit_length(type)) {
                    zonegen::append_rdata_wire(rd, b);
                } else {
                    const std::size_t length_at = b.size();
                    zonegen::append16(b, 0);
                    zonegen::append_rdata_wire(rd, b);
                    const std::size_t length = b.size() - length_at - 2;
                    b[length_at] = static_cast<char>(length >> 8);
                    b[length_at + 1] = static_cast<char>(length & 0xff);
                }
            }
        }
    }
    body_ = std::move(body);
}

bool ZoneImage::next(std::size_t& offset, Record& r) const {
    // The body is our own encoding, never input: no bounds to check beyond the end.
    const std::string_view b = body();
    if (offset >= b.size()) return false;
    const std::string_view origin = origin_.wire();
    const auto mark = static_cast<unsigned char>(b[offset]);
    offset += 1;
    if (mark != kSameSet) {
        if (mark != kSameOwner) {
            const std::size_t prefix = mark - 1u;
            std::memcpy(r.owner_.data(), b.data() + offset, prefix);
            std::memcpy(r.owner_.data() + prefix, origin.data(), origin.size());
            r.owner_length_ = prefix + origin.size();
            offset += prefix;
        }
        const bool usual_ttl = (static_cast<unsigned char>(b[offset]) & kUsualTtl) != 0;
        offset = read_type(b, offset, r.type_);
        if (usual_ttl) {
            r.ttl_ = soa_ttl_;
        } else {
            r.ttl_ = (get16(b, offset) << 16) | get16(b, offset + 2);
            offset += 4;
        }
    }
    std::size_t length;
    if (implicit_length(r.type_)) {
        length = implicit_rdata_length(r.type_, b.substr(offset));
    } else {
        length = get16(b, offset);
        offset += 2;
    }
    const std::string_view stored = b.substr(offset, length);
    offset += length;
    r.raw_ = stored;
    r.local_ = r.type_ == kNs || r.type_ == kMx;
    if (!r.local_) {
        r.stored_ = stored;
    } else if (r.type_ == kMx) {
        std::memcpy(r.names_.data(), stored.data(), 2);
        r.names_length_ = 2 + read_name(stored.substr(2), r.owner(), r.names_.data() + 2, origin);
    } else {
        r.names_length_ = read_name(stored, r.owner(), r.names_.data(), origin);
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
    Record r, previous;
    bool owner_written = false;
    for (std::size_t offset = 0; offset < in.size();) {
        if (names_owner(in[offset])) owner_written = false;
        next(offset, r);
        std::uint32_t ttl = r.ttl();
        if (!keep(r, ttl)) continue;
        // The first record kept of this owner names it, even if the record that did was
        // dropped. The stored RDATA is the same for the same owner: copied as it is.
        put_header(b, !owner_written, r.owner(), r.type(), ttl, owner_written ? &previous : nullptr);
        owner_written = true;
        previous.type_ = r.type();
        previous.ttl_ = ttl;
        if (!implicit_length(r.type())) zonegen::append16(b, static_cast<std::uint16_t>(r.raw_.size()));
        b += r.raw_;
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
    // state directory keeps these values across restarts: the function must not change,
    // and it is taken over the first encoding of the body (every record with its owner
    // mark, type, TTL, RDATA length and RDATA, names under the origin stored by their
    // labels), rebuilt here record by record.
    std::uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&h](std::string_view bytes) {
        for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
    };
    std::string fixed;
    zonegen::Soa soa = soa_;
    soa.serial = 0;
    zonegen::append_rdata_wire(soa, fixed);
    zonegen::append16(fixed, static_cast<std::uint16_t>(soa_ttl_ >> 16));
    zonegen::append16(fixed, static_cast<std::uint16_t>(soa_ttl_ & 0xffff));
    mix(origin_.wire());
    mix(fixed);
    const std::string_view b = body();
    const std::size_t origin = origin_.wire().size();
    std::string record;
    Record r;
    for (std::size_t offset = 0; offset < b.size();) {
        const bool named = names_owner(b[offset]);
        next(offset, r);
        record.clear();
        if (named) {
            record += static_cast<char>(1 + r.owner().size() - origin);
            record += r.owner().substr(0, r.owner().size() - origin);
        } else {
            record += '\0';
        }
        zonegen::append16(record, r.type());
        zonegen::append16(record, static_cast<std::uint16_t>(r.ttl() >> 16));
        zonegen::append16(record, static_cast<std::uint16_t>(r.ttl() & 0xffff));
        const std::size_t length_at = record.size();
        zonegen::append16(record, 0);
        if (r.type() == kMx) {
            record += r.rdata().substr(0, 2);
            put_name_whole(record, r.rdata().substr(2), origin_);
        } else if (r.type() == kNs) {
            put_name_whole(record, r.rdata(), origin_);
        } else {
            record += r.rdata();
        }
        const std::size_t length = record.size() - length_at - 2;
        record[length_at] = static_cast<char>(length >> 8);
        record[length_at + 1] = static_cast<char>(length & 0xff);
        mix(record);
    }
    return h;
}

std::size_t ZoneImage::skip(std::size_t offset, std::uint16_t& type) const {
    const std::string_view b = body();
    const auto mark = static_cast<unsigned char>(b[offset]);
    if (mark == kSameSet) {
        offset += 1;
    } else {
        offset += mark == kSameOwner ? 1 : mark;  // the owner: 1 + its length, or the one octet 0
        const bool usual_ttl = (static_cast<unsigned char>(b[offset]) & kUsualTtl) != 0;
        offset = read_type(b, offset, type) + (usual_ttl ? 0 : 4);
    }
    if (implicit_length(type)) return offset + implicit_rdata_length(type, b.substr(offset));
    return offset + 2 + get16(b, offset);
}

ZoneImage::Differing ZoneImage::differing(const ZoneImage& a, const ZoneImage& b) {
    const std::string_view x = a.body(), y = b.body();
    if (a.body_ == b.body_ || (x == y && a.soa_ttl_ == b.soa_ttl_)) return {x.size(), x.size(), y.size()};
    // The same bytes mean other TTLs under another SOA TTL (see Body): all differ.
    if (a.soa_ttl_ != b.soa_ttl_) return {0, x.size(), y.size()};
    // The common head: the records wholly inside the bytes both start with (their
    // boundaries are the same in both), back to the last that names its owner in both.
    const std::size_t same = static_cast<std::size_t>(std::mismatch(x.begin(), x.end(), y.begin(), y.end()).first -
                                                      x.begin());
    std::size_t begin = 0, at = 0;
    std::uint16_t type = 0;
    while (at < x.size()) {
        if (names_owner(x[at]) && (at >= y.size() || names_owner(y[at]))) begin = at;
        const std::size_t next = a.skip(at, type);
        if (next > same) break;
        at = next;
    }
    if (at == x.size() && (at >= y.size() || names_owner(y[at]))) begin = at;
    // The common tail: the first place, at the same distance from the end of both, where a
    // record naming its owner starts in both and the bytes from there on are the same.
    std::size_t tail = 0;
    while (tail < x.size() && tail < y.size() && x[x.size() - 1 - tail] == y[y.size() - 1 - tail]) ++tail;
    // Both walks start at a record that names its owner, which also gives its type.
    std::size_t oa = begin, ob = begin;
    std::uint16_t type_a = 0, type_b = 0;
    while (oa < x.size()) {
        if (x.size() - oa <= tail && names_owner(x[oa]) && oa + y.size() >= begin + x.size()) {
            const std::size_t target = oa + y.size() - x.size();
            while (ob < target) ob = b.skip(ob, type_b);
            if (ob == target && names_owner(y[ob])) return {begin, oa, ob};
        }
        oa = a.skip(oa, type_a);
    }
    return {begin, x.size(), y.size()};
}

bool operator==(const ZoneImage& a, const ZoneImage& b) {
    return a.origin_ == b.origin_ && a.soa_ == b.soa_ && a.soa_ttl_ == b.soa_ttl_ &&
           (a.body_ == b.body_ || a.body() == b.body());
}

}  // namespace dnsd
