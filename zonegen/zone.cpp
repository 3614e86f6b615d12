// Zone: canonicalising construction and lookups.
#include "zonegen/zone.hpp"

#include <algorithm>
#include <unordered_map>

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

static void put16(std::string& out, std::uint32_t v) {
    out += static_cast<char>((v >> 8) & 0xff);
    out += static_cast<char>(v & 0xff);
}
static void put32(std::string& out, std::uint32_t v) {
    put16(out, v >> 16);
    put16(out, v & 0xffff);
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
            for (auto v : {r.serial, r.refresh, r.retry, r.expire, r.minimum}) put32(o, v);
        }
        void operator()(const Mx& r) const {
            put16(o, r.preference);
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

void ZoneBuilder::add(Name owner, std::uint32_t ttl, Rdata rdata, int line) {
    records_.push_back(Pending{std::move(owner), ttl, std::move(rdata), line});
}

// A byte string whose memcmp order is the canonical name order (RFC 4034 §6.1): the
// labels from the right, each followed by 0x00, with 0x00 and 0x01 inside labels escaped
// so that a label that is a prefix of another still sorts first. Sorting such keys is
// several times faster than comparing names label by label.
static std::string canonical_key(const Name& n) {
    std::string_view w = n.wire();
    std::size_t offs[128];
    std::size_t count = 0;
    for (std::size_t i = 0; w[i] != 0; i += 1 + static_cast<unsigned char>(w[i])) offs[count++] = i;
    std::string key;
    key.reserve(w.size() + 1);
    while (count > 0) {
        std::size_t i = offs[--count];
        for (char c : w.substr(i + 1, static_cast<unsigned char>(w[i]))) {
            if (c == '\0' || c == '\1') {
                key += '\1';
                key += static_cast<char>(c + 1);
            } else {
                key += c;
            }
        }
        key += '\0';
    }
    return key;
}

Result<Zone> ZoneBuilder::finish() && {
    std::vector<Diagnostic> errors;
    struct Group {
        std::string key;
        std::vector<std::size_t> records;
    };
    std::vector<Group> groups;
    std::unordered_map<std::string_view, std::size_t> by_owner;
    by_owner.reserve(records_.size());
    std::size_t soa_count = 0;
    for (std::size_t i = 0; i < records_.size(); ++i) {
        const Pending& r = records_[i];
        if (!r.owner.is_subdomain_of(origin_)) {
            errors.push_back({at(r.line), r.owner.text() + " is outside the zone " + origin_.text()});
            continue;
        }
        if (type_of(r.rdata) == RRType::SOA) {
            if (!(r.owner == origin_)) {
                errors.push_back({at(r.line), "SOA record at " + r.owner.text() + ", not at the zone apex " +
                                               origin_.text()});
                continue;
            }
            if (++soa_count > 1) {
                errors.push_back({at(r.line), "second SOA record for " + origin_.text()});
                continue;
            }
        }
        auto [it, fresh] = by_owner.try_emplace(r.owner.wire(), groups.size());
        if (fresh) groups.push_back({canonical_key(r.owner), {}});
        groups[it->second].records.push_back(i);
    }
    if (soa_count == 0) errors.push_back({at(0), "no SOA record at the zone apex " + origin_.text()});
    if (!errors.empty()) return errors;

    std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) { return a.key < b.key; });

    Zone zone;
    zone.origin_ = origin_;
    zone.nodes_.reserve(groups.size());
    std::vector<std::pair<std::string, std::size_t>> keyed;  // (type + rdata wire, record)
    for (auto& g : groups) {
        keyed.clear();
        for (std::size_t i : g.records) {
            std::string k;
            put16(k, static_cast<std::uint16_t>(type_of(records_[i].rdata)));
            append_rdata_wire(records_[i].rdata, k);
            keyed.emplace_back(std::move(k), i);
        }
        std::sort(keyed.begin(), keyed.end());
        Node node{records_[g.records.front()].owner, {}};
        for (std::size_t j = 0; j < keyed.size(); ++j) {
            if (j > 0 && keyed[j].first == keyed[j - 1].first) continue;  // RFC 2181 §5: a set
            Pending& r = records_[keyed[j].second];
            RRType t = type_of(r.rdata);
            if (node.rrsets.empty() || node.rrsets.back().type != t) {
                node.rrsets.push_back(RRset{t, r.ttl, {}});
            } else if (node.rrsets.back().ttl != r.ttl) {
                errors.push_back({at(r.line), std::string("TTL ") + std::to_string(r.ttl) + " differs from " +
                                               std::to_string(node.rrsets.back().ttl) + " for the " +
                                               type_name(t) + " records of " + r.owner.text() +
                                               " (RFC 2181 §5.2: one TTL per RRset)"});
            }
            node.rrsets.back().rdata.push_back(std::move(r.rdata));
        }
        zone.nodes_.push_back(std::move(node));
    }
    if (!errors.empty()) return errors;
    return zone;
}

}  // namespace zonegen
