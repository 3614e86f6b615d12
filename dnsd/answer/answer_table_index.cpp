// The answer table's names: which exist (every owner and empty non-terminal of the zones,
// found in one walk at compile time) and the index that finds them (zonegen/core/wire_index.hpp
// over the entries' names), so that a query costs one hash and, almost always, one memcmp
// (DESIGN "Hot path").
#include <array>
#include <string_view>
#include <unordered_map>

#include "dnsd/answer/answer_table_impl.hpp"
#include "dnsd/answer/wire.hpp"
#include "zonegen/core/parallel.hpp"

namespace dnsd {

const Entry* AnswerTable::Impl::find(const std::uint8_t* name, std::size_t length) const noexcept {
    const std::uint32_t i = index.find({reinterpret_cast<const char*>(name), length}, entry_name());
    return i == zonegen::WireIndex::kAbsent ? nullptr : &entries[i];
}

std::uint32_t AnswerTable::Impl::entry_index(std::string_view name) const noexcept {
    const Entry* e = find(reinterpret_cast<const std::uint8_t*>(name.data()), name.size());
    return e ? static_cast<std::uint32_t>(e - entries.data()) : kNone;
}

std::string_view AnswerTable::Impl::entry_name(std::uint32_t i, NameBuffer& out) const noexcept {
    return EntryName{this, i}.write(out);
}

void AnswerTable::Impl::add_origin(std::string_view origin) {
    origins.push_back({static_cast<std::uint32_t>(names.size()), static_cast<std::uint32_t>(origin.size())});
    names.insert(names.end(), origin.begin(), origin.end());
}

std::uint32_t AnswerTable::Impl::append(std::string_view name, std::uint32_t zone) {
    Entry e;
    e.name_offset = static_cast<std::uint32_t>(names.size());
    e.name_length = static_cast<std::uint8_t>(name.size());
    e.zone = static_cast<std::uint16_t>(zone);  // the compiler allows no more (Entry::kMaxZones)
    // The name ends in the origin (it is of the zone): only the labels under it are kept.
    names.insert(names.end(), name.begin(), name.end() - origins[zone].length);
    entries.push_back(e);
    return static_cast<std::uint32_t>(entries.size() - 1);
}

void AnswerTable::Impl::index_all(unsigned threads) {
    // Below this many names a part is not worth a thread.
    constexpr std::size_t kMinPart = 1 << 16;
    index.assign(static_cast<std::uint32_t>(entries.size()), entry_name(),
                 zonegen::part_count(entries.size(), threads, kMinPart),
                 [](unsigned parts, const auto& part) { zonegen::run_parts(parts, part); });
}

std::uint32_t AnswerTable::Impl::insert(std::string_view name, std::uint32_t zone) {
    const std::uint32_t i = index.find_or_add(name, entry_name());
    if (i < entries.size()) return i;
    return append(name, zone);
}

namespace {

using zonegen::Node;
using zonegen::RRType;

const std::uint8_t* bytes_of(std::string_view s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

std::string_view parent_of(std::string_view name) {
    return name.size() <= 1 ? name : name.substr(1 + static_cast<unsigned char>(name[0]));
}

bool is_wildcard(std::string_view name) { return name.size() > 2 && name[0] == 1 && name[1] == '*'; }

class NameWalk {
public:
    NameWalk(AnswerTable::Impl& t, const std::vector<zonegen::Zone>& zones) : t_(t), zones_(zones) {
        for (std::uint32_t z = 0; z < zones_.size(); ++z) apexes_.emplace(zones_[z].origin().wire(), z);
    }

    AnswerTable::Impl::Names run(unsigned threads) {
        for (const auto& zone : zones_) t_.add_origin(zone.origin().wire());
        index_names();
        t_.index_all(threads);
        index_nested_apexes();
        t_.referrals.resize(cuts_.size());
        return {std::move(nodes_), std::move(cuts_)};
    }

private:
    // The zone whose apex is the longest suffix of name: the one that answers for it.
    std::uint32_t owning_zone(std::string_view name) const {
        for (std::string_view s = name;; s = parent_of(s)) {
            if (auto it = apexes_.find(s); it != apexes_.end()) return it->second;
            if (s.size() <= 1) return kNone;
        }
    }

    std::uint32_t add_entry(std::string_view name, std::uint32_t zone, const Node* node, std::uint32_t referral) {
        const std::uint32_t i = t_.append(name, zone);
        if (is_wildcard(name)) t_.entries[i].flags |= Entry::kWildcard;
        t_.entries[i].set_referral(referral);
        nodes_.push_back(node);
        return i;
    }

    // Whether name is a proper ancestor of descendant: a suffix that starts on a label.
    static bool is_ancestor(std::string_view name, std::string_view descendant) {
        if (name.size() >= descendant.size() || !descendant.ends_with(name)) return false;
        std::size_t at = 0;
        while (at < descendant.size() - name.size()) at += 1 + static_cast<unsigned char>(descendant[at]);
        return at == descendant.size() - name.size();
    }

    // Every name that exists, zone by zone, in canonical order (RFC 4034 §6.1), which is
    // the order of a walk down the name tree: the owners, and the empty non-terminals
    // between each owner and its closest listed ancestor (RFC 8020 / RFC 1034 §3.1: a name
    // with descendants exists even without records). The walk keeps the chain of the
    // current name's ancestors, so that neither needs a lookup, nor does the topmost zone
    // cut above each name (RFC 1034 §4.2.1: NS records below the apex mark a cut; the
    // names at and below it are not ours, and queries for them get a referral). Lookups
    // by name at random cost a cache miss each on a large zone; this reads in order.
    void index_names() {
        struct Frame {
            std::uint32_t entry;
            std::uint32_t referral;  // of the topmost cut at or above the name, or kNone
            std::string_view name;   // the owner's or a suffix of it: in the zone's nodes
        };
        std::vector<Frame> chain;
        std::array<std::size_t, wire::kMaxName> labels;  // where each label of the owner starts
        for (std::uint32_t z = 0; z < zones_.size(); ++z) {
            chain.clear();
            const zonegen::Name& origin = zones_[z].origin();
            for (const Node& node : zones_[z].nodes()) {
                const std::string_view owner = node.owner.wire();
                // A served zone nested below this one answers for its names (longest match).
                if (zones_.size() > 1 && owning_zone(owner) != z) continue;
                while (!chain.empty() && !is_ancestor(chain.back().name, owner)) chain.pop_back();
                std::uint32_t referral = chain.empty() ? kNone : chain.back().referral;
                if (!chain.empty()) {
                    std::size_t count = 0;
                    for (std::size_t at = 0; at < owner.size() - 1; at += 1 + static_cast<unsigned char>(owner[at]))
                        labels[count++] = at;
                    // The ancestors below the chain's last name, top down, are empty non-terminals.
                    for (std::size_t k = count; k-- > 1;) {
                        const std::string_view ancestor = owner.substr(labels[k]);
                        if (ancestor.size() <= chain.back().name.size()) continue;
                        chain.push_back({add_entry(ancestor, z, nullptr, referral), referral, ancestor});
                    }
                }
                const std::uint32_t i = add_entry(owner, z, &node, referral);
                if (referral == kNone && node.find(RRType::NS) && !(node.owner == origin)) {
                    referral = static_cast<std::uint32_t>(cuts_.size());
                    cuts_.push_back(i);
                    t_.entries[i].set_referral(referral);
                }
                chain.push_back({i, referral, owner});
            }
        }
    }

    // A zone nested in another: the names between the two apexes exist in the outer zone
    // (the inner one holds their descendants) even where the outer one lists none.
    void index_nested_apexes() {
        if (zones_.size() < 2) return;
        for (const auto& zone : zones_) {
            std::string_view name = zone.origin().wire();
            while (name.size() > 1) {
                name = parent_of(name);
                if (t_.find(bytes_of(name), name.size())) break;
                const std::uint32_t z = owning_zone(name);
                if (z == kNone) break;
                const std::uint32_t i = t_.insert(name, z);
                if (is_wildcard(name)) t_.entries[i].flags |= Entry::kWildcard;
                t_.entries[i].set_referral(referral_above(name, z));
                nodes_.push_back(nullptr);
            }
        }
    }

    // The referral of the topmost cut at or above name in zone z, by lookups (for the few
    // names index_nested_apexes() adds).
    std::uint32_t referral_above(std::string_view name, std::uint32_t z) const {
        const std::string_view apex = zones_[z].origin().wire();
        std::uint32_t top = kNone;
        for (std::string_view s = name; s.size() > apex.size(); s = parent_of(s)) {
            const std::uint32_t a = t_.entry_index(s);
            if (a == kNone) continue;
            const std::uint32_t r = t_.entries[a].referral();
            if (r != kNone && cuts_[r] == a) top = r;
        }
        return top;
    }

    AnswerTable::Impl& t_;
    const std::vector<zonegen::Zone>& zones_;
    std::unordered_map<std::string_view, std::uint32_t> apexes_;
    std::vector<const Node*> nodes_;
    std::vector<std::uint32_t> cuts_;
};

}  // namespace

AnswerTable::Impl::Names AnswerTable::Impl::add_names(const std::vector<zonegen::Zone>& zones, unsigned threads) {
    return NameWalk(*this, zones).run(threads);
}

}  // namespace dnsd
