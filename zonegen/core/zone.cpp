// Zone: canonicalising construction and lookups.
#include "zonegen/core/zone.hpp"

#include <algorithm>

#include "zonegen/core/big_block.hpp"
#include "zonegen/core/bytes.hpp"
#include "zonegen/core/wire_index.hpp"

namespace zonegen {

const char* type_name(RRType t) {
    switch (t) {
        case RRType::A: return "A";
        case RRType::NS: return "NS";
        case RRType::SOA: return "SOA";
        case RRType::MX: return "MX";
        case RRType::TXT: return "TXT";
        case RRType::AAAA: return "AAAA";
    }
    return "?";
}

RRType type_of(const Rdata& rd) {
    struct V {
        RRType operator()(const A&) const { return RRType::A; }
        RRType operator()(const Aaaa&) const { return RRType::AAAA; }
        RRType operator()(const Ns&) const { return RRType::NS; }
        RRType operator()(const Soa&) const { return RRType::SOA; }
        RRType operator()(const Mx&) const { return RRType::MX; }
        RRType operator()(const Txt&) const { return RRType::TXT; }
    };
    return std::visit(V{}, rd);
}

void append_rdata_wire(const Rdata& rd, std::string& out) {
    struct V {
        std::string& o;
        void operator()(const A& r) const { o.append(reinterpret_cast<const char*>(r.addr.data()), 4); }
        void operator()(const Aaaa& r) const { o.append(reinterpret_cast<const char*>(r.addr.data()), 16); }
        void operator()(const Ns& r) const { o += r.host.wire(); }
        void operator()(const Soa& r) const {
            o += r.mname.wire();
            o += r.rname.wire();
            for (auto v : {r.serial, r.refresh, r.retry, r.expire, r.minimum}) append32(o, v);
        }
        void operator()(const Mx& r) const {
            append16(o, r.preference);
            o += r.exchange.wire();
        }
        void operator()(const Txt& r) const {
            for (const auto& s : r.strings) {
                o += static_cast<char>(s.size());
                o += s;
            }
        }
    };
    std::visit(V{out}, rd);
}

const RRset* Node::find(RRType t) const {
    for (const auto& s : rrsets)
        if (s.type == t) return &s;
    return nullptr;
}

const Soa& Zone::soa() const { return std::get<Soa>(nodes_.front().find(RRType::SOA)->rdata.front()); }

std::uint32_t Zone::soa_ttl() const { return nodes_.front().find(RRType::SOA)->ttl; }

const Node* Zone::find(const Name& owner) const {
    auto it = std::lower_bound(nodes_.begin(), nodes_.end(), owner,
                               [](const Node& n, const Name& k) { return n.owner < k; });
    return (it != nodes_.end() && it->owner == owner) ? &*it : nullptr;
}

bool Zone::has_descendant(const Name& name) const {
    // In canonical order every descendant of name sorts right after name itself.
    auto it = std::upper_bound(nodes_.begin(), nodes_.end(), name,
                               [](const Name& k, const Node& n) { return k < n.owner; });
    return it != nodes_.end() && it->owner.is_subdomain_of(name) && !(it->owner == name);
}

std::size_t Zone::record_count() const {
    std::size_t n = 0;
    for (const auto& node : nodes_)
        for (const auto& set : node.rrsets) n += set.rdata.size();
    return n;
}

Zone Zone::with_serial(std::uint32_t serial) && {
    for (auto& set : nodes_.front().rrsets)
        if (set.type == RRType::SOA) std::get<Soa>(set.rdata.front()).serial = serial;
    return std::move(*this);
}

Zone Zone::assemble(Name origin, std::vector<Node> nodes) {
    Zone zone;
    zone.origin_ = std::move(origin);
    zone.nodes_ = std::move(nodes);
    return zone;
}

// Each owner name is stored once, when first seen, and records refer to it by number; so
// the builder holds no copy of the owner per record. finish() sorts the owners (small
// handles, not names), buckets the records by owner rank in one counting pass, and sorts
// only the few records of each owner. On a 100,000-site zone this is several times faster
// and leaner than sorting all records.
struct ZoneBuilder::Owners {
    struct Record {
        Rdata rdata;
        std::uint32_t ttl;
        std::uint32_t owner;
        int line;
    };
    std::vector<Name> names;
    // While the owners arrive in canonical order (RFC 4034 §6.1), as zone files that zonegen
    // writes give them, each is new if it sorts after the last one: no index is needed,
    // nor a sort in finish(). A large zone's index is a cache miss per owner (most owners
    // are new when met), and its sort is O(n log n).
    bool sorted = true;
    // Once they do not: the owners by name. A node-based map would cost a node and two or
    // three cache misses per owner, a tenth of a large zone's load.
    WireIndex index;
    BigVector<Record> records;  // a large zone's biggest array: huge pages (big_block.hpp)
    // The owner of the last record: zone files and inventories give an owner's records
    // one after another, so most records skip the index.
    std::string_view last_owner;
    std::uint32_t last_index = 0;

    auto name_of() const {
        return [this](std::uint32_t n) { return names[n].wire(); };
    }
    std::uint32_t intern(const Name& owner) {
        if (sorted) {
            if (names.empty() || names.back() < owner) {
                names.push_back(owner);
                return static_cast<std::uint32_t>(names.size() - 1);
            }
            sorted = false;
            index.assign(static_cast<std::uint32_t>(names.size()), name_of());
        }
        const std::uint32_t n = index.find_or_add(owner.wire(), name_of());
        if (n == names.size()) names.push_back(owner);
        return n;
    }
};

ZoneBuilder::ZoneBuilder(Name origin, std::string file)
    : origin_(std::move(origin)), file_(std::move(file)), owners_(std::make_unique<Owners>()) {}
ZoneBuilder::~ZoneBuilder() = default;
ZoneBuilder::ZoneBuilder(ZoneBuilder&&) noexcept = default;
ZoneBuilder& ZoneBuilder::operator=(ZoneBuilder&&) noexcept = default;

void ZoneBuilder::reserve(std::size_t owners, std::size_t records) {
    owners_->names.reserve(owners);
    owners_->records.reserve(records);
}

void ZoneBuilder::add(const Name& owner, std::uint32_t ttl, Rdata rdata, int line) {
    if (!owner.is_subdomain_of(origin_)) {
        errors_.push_back({at(line), owner.text() + " is outside the zone " + origin_.text()});
        return;
    }
    if (std::holds_alternative<Soa>(rdata)) {
        if (!(owner == origin_)) {
            errors_.push_back(
                {at(line), "SOA record at " + owner.text() + ", not at the zone apex " + origin_.text()});
            return;
        }
        if (++soa_count_ > 1) {
            errors_.push_back({at(line), "second SOA record for " + origin_.text()});
            return;
        }
    }
    auto& o = *owners_;
    if (o.last_owner != owner.wire()) {
        o.last_index = o.intern(owner);
        o.last_owner = o.names[o.last_index].wire();  // the rep's bytes: they stay put
    }
    o.records.push_back({std::move(rdata), ttl, o.last_index, line});
}

// Appends a byte string whose memcmp order is the canonical name order (RFC 4034 §6.1)
// among names below the same origin: the labels under the origin from the right, each
// followed by 0x00, with 0x00 and 0x01 inside labels escaped so that a label that is a
// prefix of another still sorts first. The shared origin is left out: it would only make
// every comparison longer.
static void append_canonical_key(std::string& out, const Name& n, std::size_t origin_wire_size) {
    std::string_view w = n.wire();
    w = w.substr(0, w.size() - origin_wire_size);
    std::size_t offs[128];
    std::size_t count = 0;
    for (std::size_t i = 0; i < w.size(); i += 1 + static_cast<unsigned char>(w[i])) offs[count++] = i;
    while (count > 0) {
        std::size_t i = offs[--count];
        for (char c : w.substr(i + 1, static_cast<unsigned char>(w[i]))) {
            if (c == '\0' || c == '\1') {
                out += '\1';
                out += static_cast<char>(c + 1);
            } else {
                out += c;
            }
        }
        out += '\0';
    }
}

// RFC 4034 §6.3 order (type, then RDATA as canonical wire octets) without building the
// wire form for the common types: for them, comparing fields in order is the same as
// comparing their wire bytes.
static int compare_records(const Rdata& a, const Rdata& b) {
    auto ta = static_cast<std::uint16_t>(type_of(a)), tb = static_cast<std::uint16_t>(type_of(b));
    if (ta != tb) return ta < tb ? -1 : 1;
    auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
    if (auto* x = std::get_if<A>(&a)) return cmp(x->addr, std::get<A>(b).addr);
    if (auto* x = std::get_if<Aaaa>(&a)) return cmp(x->addr, std::get<Aaaa>(b).addr);
    if (auto* x = std::get_if<Mx>(&a)) {
        const Mx& y = std::get<Mx>(b);
        if (x->preference != y.preference) return cmp(x->preference, y.preference);
        return x->exchange.wire().compare(y.exchange.wire());
    }
    if (auto* x = std::get_if<Ns>(&a)) return x->host.wire().compare(std::get<Ns>(b).host.wire());
    std::string wa, wb;
    append_rdata_wire(a, wa);
    append_rdata_wire(b, wb);
    return wa.compare(wb);
}

Result<Zone> ZoneBuilder::finish() && {
    std::vector<Diagnostic> errors = std::move(errors_);
    if (soa_count_ == 0 && errors.empty())
        errors.push_back({at(0), "no SOA record at the zone apex " + origin_.text()});
    if (!errors.empty()) return errors;

    auto& names = owners_->names;
    auto& records = owners_->records;
    owners_->index.clear();

    // Owners in canonical order. Each handle carries the first 16 key bytes, so most
    // comparisons never leave the handle array (the sort is bound by memory, not by
    // arithmetic); ties fall back to the whole key in the arena.
    struct Handle {
        std::uint64_t head[2];
        std::uint32_t offset, size, owner;
    };
    std::string arena;
    std::vector<Handle> order;
    order.reserve(names.size());
    for (std::uint32_t i = 0; i < names.size() && !owners_->sorted; ++i) {
        const auto start = static_cast<std::uint32_t>(arena.size());
        append_canonical_key(arena, names[i], origin_.wire().size());
        Handle h{{0, 0}, start, static_cast<std::uint32_t>(arena.size()) - start, i};
        for (std::size_t k = 0; k < 16 && k < h.size; ++k)
            h.head[k / 8] |= std::uint64_t{static_cast<unsigned char>(arena[start + k])} << (8 * (7 - k % 8));
        order.push_back(h);
    }
    std::sort(order.begin(), order.end(), [&arena](const Handle& x, const Handle& y) {
        if (x.head[0] != y.head[0]) return x.head[0] < y.head[0];
        if (x.head[1] != y.head[1]) return x.head[1] < y.head[1];
        return std::string_view(arena).substr(x.offset, x.size) < std::string_view(arena).substr(y.offset, y.size);
    });
    std::string().swap(arena);
    // Arrived in order: the rank of each owner is its number.
    if (owners_->sorted)
        for (std::uint32_t i = 0; i < names.size(); ++i) order.push_back({{0, 0}, 0, 0, i});

    // Counting sort of the records by their owner's rank.
    std::vector<std::uint32_t> rank(names.size());
    for (std::uint32_t r = 0; r < order.size(); ++r) rank[order[r].owner] = r;
    std::vector<std::uint32_t> start(names.size() + 1, 0);
    for (const auto& rec : records) ++start[rank[rec.owner] + 1];
    for (std::size_t r = 1; r < start.size(); ++r) start[r] += start[r - 1];
    std::vector<std::uint32_t> by_rank(records.size());
    {
        std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
        for (std::uint32_t i = 0; i < records.size(); ++i) by_rank[fill[rank[records[i].owner]]++] = i;
    }

    Zone zone;
    zone.origin_ = origin_;
    zone.nodes_.reserve(names.size());
    for (std::uint32_t r = 0; r < order.size(); ++r) {
        auto first = by_rank.begin() + start[r], last = by_rank.begin() + start[r + 1];
        std::sort(first, last, [&records](std::uint32_t x, std::uint32_t y) {
            return compare_records(records[x].rdata, records[y].rdata) < 0;
        });
        Node node{std::move(names[order[r].owner]), {}};
        for (auto it = first; it != last; ++it) {
            auto& rec = records[*it];
            if (it != first && compare_records(rec.rdata, records[*(it - 1)].rdata) == 0) continue;  // RFC 2181 §5
            RRType t = type_of(rec.rdata);
            if (node.rrsets.empty() || node.rrsets.back().type != t) {
                node.rrsets.push_back(RRset{t, rec.ttl, {}});
                auto same = it;
                while (same != last && type_of(records[*same].rdata) == t) ++same;
                node.rrsets.back().rdata.reserve(static_cast<std::size_t>(same - it));
            } else if (node.rrsets.back().ttl != rec.ttl) {
                errors.push_back({at(rec.line), std::string("TTL ") + std::to_string(rec.ttl) + " differs from " +
                                                    std::to_string(node.rrsets.back().ttl) + " for the " +
                                                    type_name(t) + " records of " + node.owner.text() +
                                                    " (RFC 2181 §5.2: one TTL per RRset)"});
            }
            node.rrsets.back().rdata.push_back(std::move(rec.rdata));
        }
        zone.nodes_.push_back(std::move(node));
    }
    if (!errors.empty()) return errors;
    return zone;
}

}  // namespace zonegen
