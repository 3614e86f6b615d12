// Compiling zones into the answer table: every name that exists (owners and empty
// non-terminals), its ready-made sections per type, each zone's negative answer and each
// delegation's referral (Knot zone/adjust.c, NSD's precompiled answers: load time does
// what every query would otherwise redo).
#include "dnsd/answer/answer_table.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "dnsd/answer/answer_table_impl.hpp"
#include "dnsd/answer/section_writer.hpp"
#include "dnsd/answer/wire.hpp"

namespace dnsd {

AnswerTable::AnswerTable(std::shared_ptr<const Impl> impl, std::shared_ptr<const Version> version)
    : impl_(std::move(impl)), version_(std::move(version)) {}
AnswerTable::~AnswerTable() = default;
const std::vector<ZoneImage>& AnswerTable::zones() const { return *version_->served; }
const std::vector<ZoneImage>& AnswerTable::loaded_zones() const { return *version_->loaded; }
const HealthModel* AnswerTable::health() const { return impl_->health ? &*impl_->health : nullptr; }
std::span<const std::uint8_t> AnswerTable::health_state() const { return version_->up; }

namespace {

using zonegen::Diagnostic;
using zonegen::Node;
using zonegen::RRType;

const std::uint8_t* bytes_of(std::string_view s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

std::string_view parent_of(std::string_view name) {
    return name.size() <= 1 ? name : name.substr(1 + static_cast<unsigned char>(name[0]));
}

bool is_wildcard(std::string_view name) { return name.size() > 2 && name[0] == 1 && name[1] == '*'; }

class Compiler {
public:
    // Borrows names from zones: they must stay put until run() is done.
    Compiler(AnswerTable::Impl& t, const std::vector<zonegen::Zone>& zones, const CompileOptions& options)
        : t_(t), zones_(zones), w_(t.bytes, t.relocs), threads_(std::max(options.threads, 1u)) {
        if (options.health_ttl) health_.emplace(*options.health_ttl);
    }

    std::vector<Diagnostic> run() {
        check_zones();
        if (!errors_.empty()) return std::move(errors_);
        for (std::uint32_t z = 0; z < zones_.size(); ++z) apexes_.emplace(zones_[z].origin().wire(), z);
        std::size_t records = 0;
        for (const auto& zone : zones_) records += zone.record_count();
        t_.types.reserve(records);
        // Owners plus a margin for empty non-terminals; names at their wire length.
        std::size_t owners = 0, name_bytes = 0;
        for (const auto& zone : zones_)
            for (const Node& node : zone.nodes()) {
                ++owners;
                name_bytes += node.owner.wire().size();
            }
        t_.reserve(owners + owners / 8);
        t_.names.reserve(name_bytes + name_bytes / 8);
        t_.bytes.reserve(records * 48);
        index_owners();
        index_empty_non_terminals();
        find_delegations();
        find_health_targets();
        compile_negative_answers();
        compile_referrals();
        compile_answers();
        note_managed();
        // The estimates above were generous; the table lives until the next reload.
        t_.bytes.shrink_to_fit();
        t_.types.shrink_to_fit();
        if (health_) t_.health.emplace(std::move(*health_).finish());
        return std::move(errors_);
    }

private:
    void error(std::uint32_t zone, std::string message) {
        errors_.push_back({{}, "zone " + zones_[zone].origin().text() + ": " + message});
    }

    void check_zones() {
        std::unordered_map<std::string_view, std::size_t> seen;
        for (std::size_t z = 0; z < zones_.size(); ++z) {
            const auto& zone = zones_[z];
            if (zone.nodes().empty() || !(zone.nodes().front().owner == zone.origin()) ||
                !zone.nodes().front().find(RRType::SOA)) {
                errors_.push_back({{}, "zone " + zone.origin().text() + " has no SOA record at its apex"});
                continue;
            }
            if (!seen.emplace(zone.origin().wire(), z).second)
                errors_.push_back({{}, "zone " + zone.origin().text() + " is listed more than once"});
        }
    }

    // The zone whose apex is the longest suffix of name: the one that answers for it.
    std::uint32_t owning_zone(std::string_view name) const {
        for (std::string_view s = name;; s = parent_of(s)) {
            if (auto it = apexes_.find(s); it != apexes_.end()) return it->second;
            if (s.size() <= 1) return kNone;
        }
    }

    std::uint32_t add_entry(std::string_view name, std::uint32_t zone, const Node* node) {
        const std::uint32_t i = t_.insert(bytes_of(name), name.size());
        t_.entries[i].zone = zone;
        t_.entries[i].wildcard = is_wildcard(name);
        nodes_.push_back(node);
        return i;
    }

    void index_owners() {
        for (std::uint32_t z = 0; z < zones_.size(); ++z) {
            for (const Node& node : zones_[z].nodes()) {
                const std::string_view owner = node.owner.wire();
                // A served zone nested below this one answers for its names (longest match).
                if (zones_.size() > 1 && owning_zone(owner) != z) continue;
                add_entry(owner, z, &node);
            }
        }
    }

    // RFC 8020 / RFC 1034 §3.1: a name with descendants exists even without records.
    // Every entry, including those added here, has its ancestors inside a zone ensured.
    void index_empty_non_terminals() {
        std::array<char, wire::kMaxName> buffer;  // add_entry() may move t_.names
        for (std::size_t i = 0; i < t_.entries.size(); ++i) {
            const Entry& e = t_.entries[i];
            std::copy_n(t_.name_of(e), e.name_length, buffer.begin());
            std::string_view name(buffer.data(), e.name_length);
            while (name.size() > 1) {
                name = parent_of(name);
                // Most parents exist already (a host's site, a site's apex): test that
                // first, before the dearer walk over the apexes.
                if (t_.find(bytes_of(name), name.size())) break;
                const std::uint32_t zone = owning_zone(name);
                if (zone == kNone) break;
                add_entry(name, zone, nullptr);
            }
        }
    }

    std::string_view name_of(std::uint32_t entry) const {
        const Entry& e = t_.entries[entry];
        return {reinterpret_cast<const char*>(t_.name_of(e)), e.name_length};
    }

    // RFC 1034 §4.2.1: NS records below the apex mark a zone cut; the names at and below
    // it are not ours, and queries for them get a referral. The topmost cut wins.
    void find_delegations() {
        std::vector<std::uint32_t> cut_of_entry(t_.entries.size(), kNone);
        bool any = false;
        for (std::uint32_t i = 0; i < t_.entries.size(); ++i) {
            const Node* n = nodes_[i];
            if (n && n->find(RRType::NS) && !(n->owner == zones_[t_.entries[i].zone].origin())) {
                cut_of_entry[i] = i;
                any = true;
            }
        }
        if (!any) return;
        for (std::uint32_t i = 0; i < t_.entries.size(); ++i) {
            const std::string_view apex = zones_[t_.entries[i].zone].origin().wire();
            std::uint32_t top = kNone;
            for (std::string_view s = name_of(i); s.size() > apex.size(); s = parent_of(s)) {
                const Entry* a = t_.find(bytes_of(s), s.size());
                if (!a) continue;  // cannot happen: ancestors inside the zone all exist
                const auto ai = static_cast<std::uint32_t>(a - t_.entries.data());
                if (cut_of_entry[ai] == ai) top = ai;
            }
            if (top == kNone) continue;
            auto [it, fresh] = referral_of_cut_.try_emplace(top, static_cast<std::uint32_t>(cuts_.size()));
            if (fresh) cuts_.push_back(top);
            t_.entries[i].referral = it->second;
        }
        t_.referrals.resize(cuts_.size());
    }

    // A and AAAA of an MX or NS target that a served zone holds (glue below a cut
    // included), owners compressed against what the message already holds.
    void add_addresses(SectionWriter& w, const std::vector<std::string_view>& targets) const {
        for (std::string_view target : targets) {
            const Entry* e = t_.find(bytes_of(target), target.size());
            if (!e) continue;
            const Node* n = nodes_[static_cast<std::size_t>(e - t_.entries.data())];
            if (!n) continue;
            const auto index = static_cast<std::uint32_t>(e - t_.entries.data());
            for (RRType type : {RRType::A, RRType::AAAA})
                if (const auto* set = n->find(type)) {
                    const std::uint32_t ttl = served_ttl(index, *set);
                    for (const auto& rd : set->rdata) w.add(target, ttl, rd);
                }
        }
    }

    // In-zone MX targets with addresses are the smarthosts health checks (health_model.hpp),
    // glue below a cut included; their addresses are listed before any answer is written,
    // since every section that holds them is served at the managed TTL.
    void find_health_targets() {
        if (!health_) return;
        host_of_.assign(t_.entries.size(), HealthModel::kNoType);
        for (std::uint32_t i = 0; i < t_.entries.size(); ++i) {
            const Node* n = nodes_[i];
            const zonegen::RRset* mx = n ? n->find(RRType::MX) : nullptr;
            if (!mx || t_.entries[i].referral != kNone) continue;
            for (const auto& rd : mx->rdata) {
                const zonegen::Name& target = std::get<zonegen::Mx>(rd).exchange;
                const std::uint32_t ti = entry_of(target.wire());
                const Node* tn = ti != kNone ? nodes_[ti] : nullptr;
                if (!tn || host_of_[ti] != HealthModel::kNoType) continue;
                const std::uint32_t host = health_->add_target(target, t_.entries[ti].zone);
                host_of_[ti] = host;
                for (RRType type : {RRType::A, RRType::AAAA})
                    if (const auto* set = tn->find(type)) health_->add_addresses(host, *set);
            }
        }
    }

    std::uint32_t entry_of(std::string_view name) const {
        const Entry* e = t_.find(bytes_of(name), name.size());
        return e ? static_cast<std::uint32_t>(e - t_.entries.data()) : kNone;
    }

    // A health target's A or AAAA RRset, at entry.
    bool is_target_address(std::uint32_t entry, const zonegen::RRset& set) const {
        return (set.type == RRType::A || set.type == RRType::AAAA) && host_of_[entry] != HealthModel::kNoType;
    }

    // The TTL an RRset at entry is served with: the managed ones' is capped by --health-ttl.
    std::uint32_t served_ttl(std::uint32_t entry, const zonegen::RRset& set) const {
        if (!health_) return set.ttl;
        const bool managed = set.type == RRType::MX || is_target_address(entry, set);
        return managed ? health_->ttl(set.ttl) : set.ttl;
    }

    // Whether health may serve the RRset at entry otherwise (health_model.hpp): the apex
    // SOA, every MX RRset, the addresses of MX targets.
    bool is_managed(std::uint32_t entry, const Node& n, const zonegen::RRset& set) const {
        if (!health_) return false;
        if (set.type == RRType::SOA) return n.owner == zones_[t_.entries[entry].zone].origin();
        return set.type == RRType::MX || is_target_address(entry, set);
    }

    // Tells the health model which TypeAnswer serves each managed RRset, in table order
    // (the model's indices are then the same however many threads compiled the answers).
    void note_managed() {
        if (!health_) return;
        std::vector<const zonegen::RRset*> order;
        std::vector<std::uint32_t> hosts;
        for (std::uint32_t i = 0; i < t_.entries.size(); ++i) {
            const Entry& e = t_.entries[i];
            const Node* n = nodes_[i];
            if (!n || e.referral != kNone) continue;
            ordered_sets(*n, order);
            for (std::uint32_t k = 0; k < order.size(); ++k) {
                const zonegen::RRset& set = *order[k];
                if (!is_managed(i, *n, set)) continue;
                const std::uint32_t type = e.first_type + k;
                if (set.type == RRType::SOA) {
                    health_->add_apex(set, e.zone, type);
                } else if (set.type == RRType::MX) {
                    hosts.clear();
                    for (const auto& rd : set.rdata) {
                        const std::uint32_t ti = entry_of(std::get<zonegen::Mx>(rd).exchange.wire());
                        hosts.push_back(ti == kNone ? HealthModel::kNoType : host_of_[ti]);
                    }
                    health_->add_mx_set(n->owner, e.zone, set, type, e.wildcard, hosts);
                } else {
                    health_->set_type(host_of_[i], set.type == RRType::AAAA, type);
                }
            }
        }
    }

    // The first TypeAnswer is what ANY gets (RFC 8482 §4.2): NSD answers ANY with the first
    // RRset of the zone file, which is the SOA at the apex and otherwise (in the files
    // zonegen writes) the lowest type number. Both orders are kept here.
    static void ordered_sets(const Node& n, std::vector<const zonegen::RRset*>& out) {
        out.clear();
        for (const auto& set : n.rrsets)
            if (set.type == RRType::SOA) out.push_back(&set);
        for (const auto& set : n.rrsets)
            if (set.type != RRType::SOA) out.push_back(&set);
    }

    static void collect_targets(const zonegen::RRset& set, std::vector<std::string_view>& out) {
        out.clear();
        for (const auto& rd : set.rdata) {
            std::string_view t;
            if (const auto* mx = std::get_if<zonegen::Mx>(&rd))
                t = mx->exchange.wire();
            else if (const auto* ns = std::get_if<zonegen::Ns>(&rd))
                t = ns->host.wire();
            else
                continue;
            if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
        }
    }

    void compile_negative_answers() {
        t_.zone_answers.resize(zones_.size());
        for (std::uint32_t z = 0; z < zones_.size(); ++z) {
            const auto& zone = zones_[z];
            const std::string_view apex = zone.origin().wire();
            const auto* soa = zone.nodes().front().find(RRType::SOA);
            // RFC 2308 §3: the SOA's TTL in a negative answer is min(SOA TTL, MINIMUM).
            const std::uint32_t ttl = std::min(soa->ttl, zone.soa().minimum);
            w_.begin_message(apex, TemplateKind::Suffix);
            w_.begin_section(wire::Section::Authority);
            w_.add(apex, ttl, soa->rdata.front());
            t_.zone_answers[z].authority = w_.end_section();
            t_.zone_answers[z].apex_length = static_cast<std::uint8_t>(apex.size());
        }
    }

    void compile_referrals() {
        std::vector<std::string_view> targets;
        for (std::uint32_t index = 0; index < cuts_.size(); ++index) {
            const std::uint32_t cut = cuts_[index];
            const std::string_view name = name_of(cut);
            const auto* ns = nodes_[cut]->find(RRType::NS);
            w_.begin_message(name, TemplateKind::Suffix);
            w_.begin_section(wire::Section::Authority);
            for (const auto& rd : ns->rdata) w_.add(name, ns->ttl, rd);
            Referral& r = t_.referrals[index];
            r.authority = w_.end_section();
            collect_targets(*ns, targets);
            w_.begin_section(wire::Section::Additional);
            add_addresses(w_, targets);
            r.additional = w_.end_section();
            r.cut_length = static_cast<std::uint8_t>(name.size());
            if (w_.too_big())
                error(t_.entries[cut].zone,
                      "the referral at " + nodes_[cut]->owner.text() + " does not fit in a DNS message");
        }
    }

    // One thread's share of the answers: a run of entries, compiled into arrays of its own.
    struct Part {
        std::uint32_t first = 0, last = 0;
        TableVector<std::uint8_t> bytes;
        TableVector<std::uint16_t> relocs;
        TableVector<TypeAnswer> types;
        std::vector<Diagnostic> errors;
    };
    // Fewer names than this per thread are not worth a thread.
    static constexpr std::uint32_t kMinPart = 1024;

    // Every part but the first on a thread of its own (if one can be had: otherwise here),
    // then the parts appended to the table in entry order, their offsets moved to match.
    void compile_answers() {
        const auto entries = static_cast<std::uint32_t>(t_.entries.size());
        const std::uint32_t count = std::clamp<std::uint32_t>(entries / kMinPart, 1, threads_);
        if (count == 1) {
            compile_range(0, entries, w_, t_.types, errors_);
            return;
        }
        std::vector<Part> parts(count);
        for (std::uint32_t p = 0; p < count; ++p) {
            parts[p].first = static_cast<std::uint32_t>(std::uint64_t{entries} * p / count);
            parts[p].last = static_cast<std::uint32_t>(std::uint64_t{entries} * (p + 1) / count);
        }
        auto run = [this, count](Part& part) {
            part.types.reserve(t_.types.capacity() / count + 64);
            part.bytes.reserve(t_.bytes.capacity() / count + 4096);
            SectionWriter w(part.bytes, part.relocs);
            compile_range(part.first, part.last, w, part.types, part.errors);
        };
        std::vector<std::thread> threads;
        for (std::uint32_t p = 1; p < count; ++p) {
            try {
                threads.emplace_back(run, std::ref(parts[p]));
            } catch (const std::system_error&) {
                run(parts[p]);  // no thread to be had: the answers are the same, only later
            }
        }
        run(parts[0]);
        for (std::thread& t : threads) t.join();
        for (Part& part : parts) append(part);
    }

    void append(Part& part) {
        const auto bytes = static_cast<std::uint32_t>(t_.bytes.size());
        const auto relocs = static_cast<std::uint32_t>(t_.relocs.size());
        const auto types = static_cast<std::uint32_t>(t_.types.size());
        t_.bytes.resize(bytes + part.bytes.size());
        if (!part.bytes.empty()) std::memcpy(t_.bytes.data() + bytes, part.bytes.data(), part.bytes.size());
        t_.relocs.resize(relocs + part.relocs.size());
        if (!part.relocs.empty())
            std::memcpy(t_.relocs.data() + relocs, part.relocs.data(), part.relocs.size() * sizeof(std::uint16_t));
        for (TypeAnswer a : part.types) {
            for (Blob* b : {&a.answer, &a.additional}) {
                b->offset += bytes;
                b->reloc_offset += relocs;
            }
            t_.types.push_back(a);
        }
        for (std::uint32_t i = part.first; i < part.last; ++i) t_.entries[i].first_type += types;
        errors_.insert(errors_.end(), part.errors.begin(), part.errors.end());
        part = Part{};  // its memory back before the next part's is copied
    }

    // The answers of entries [first, last), written with w into types; entries' first_type
    // is an index into types. Reads the rest of the table, changes nothing else: parts
    // run side by side.
    void compile_range(std::uint32_t first, std::uint32_t last, SectionWriter& w, TableVector<TypeAnswer>& types,
                       std::vector<Diagnostic>& errors) const {
        std::vector<std::string_view> targets;
        std::vector<const zonegen::RRset*> order;
        for (std::uint32_t i = first; i < last; ++i) {
            Entry& e = t_.entries[i];
            e.first_type = static_cast<std::uint32_t>(types.size());
            const Node* n = nodes_[i];
            if (!n || e.referral != kNone) continue;  // empty non-terminal, or not ours
            const std::string_view owner = n->owner.wire();
            ordered_sets(*n, order);
            for (const zonegen::RRset* setp : order) {
                const zonegen::RRset& set = *setp;
                TypeAnswer a;
                a.type = static_cast<std::uint16_t>(set.type);
                a.managed = is_managed(i, *n, set);
                w.begin_message(owner, e.wildcard ? TemplateKind::Wildcard : TemplateKind::Exact);
                w.begin_section(wire::Section::Answer);
                const std::uint32_t ttl = served_ttl(i, set);
                for (const auto& rd : set.rdata) w.add(owner, ttl, rd);
                a.answer = w.end_section();
                w.begin_section(wire::Section::Additional);
                if (set.type == RRType::MX || set.type == RRType::NS) {
                    collect_targets(set, targets);
                    add_addresses(w, targets);
                }
                a.additional = w.end_section();
                if (w.too_big())
                    errors.push_back({{},
                                      "zone " + zones_[e.zone].origin().text() + ": the " +
                                          zonegen::type_name(set.type) + " records of " + n->owner.text() +
                                          " do not fit in a DNS message"});
                types.push_back(a);
            }
            e.type_count = static_cast<std::uint16_t>(types.size() - e.first_type);
        }
    }

    AnswerTable::Impl& t_;
    const std::vector<zonegen::Zone>& zones_;
    SectionWriter w_;
    std::vector<Diagnostic> errors_;
    std::unordered_map<std::string_view, std::uint32_t> apexes_;
    std::vector<const Node*> nodes_;      // parallel to entries; nullptr for empty non-terminals
    std::vector<std::uint32_t> host_of_;  // with health, parallel to entries: the model's host there, or kNoType
    std::unordered_map<std::uint32_t, std::uint32_t> referral_of_cut_;  // cut entry -> referral
    std::vector<std::uint32_t> cuts_;                                   // referral -> cut entry
    std::optional<HealthModelBuilder> health_;                          // with CompileOptions::health_ttl
    unsigned threads_ = 1;
};

}  // namespace

zonegen::Result<std::shared_ptr<const AnswerTable>> AnswerTable::compile(const std::vector<zonegen::Zone>& zones,
                                                                         const CompileOptions& options,
                                                                         std::vector<ZoneImage> images) {
    auto impl = std::make_shared<Impl>();
    std::vector<Diagnostic> errors = Compiler(*impl, zones, options).run();
    if (!errors.empty()) return errors;
    // AXFR, NOTIFY and reloads need only the records as bytes, not the zones' objects.
    auto kept = std::make_shared<std::vector<ZoneImage>>(std::move(images));
    if (kept->size() != zones.size()) {
        kept->clear();
        kept->reserve(zones.size());
        for (const zonegen::Zone& z : zones) kept->emplace_back(z);
    }
    auto version = std::make_shared<Version>();
    version->loaded = kept;
    version->served = std::move(kept);
    return std::shared_ptr<const AnswerTable>(new AnswerTable(std::move(impl), std::move(version)));
}

}  // namespace dnsd
