// Compiling zones into the answer table: for every name that exists (found by
// answer_table_index.cpp) its ready-made sections per type, each zone's negative answer
// and each delegation's referral (Knot zone/adjust.c, NSD's precompiled answers: load time does
// what every query would otherwise redo).
#include "dnsd/answer/answer_table.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

#include "dnsd/answer/answer_table_impl.hpp"
#include "dnsd/answer/section_writer.hpp"
#include "dnsd/answer/wire.hpp"
#include "zonegen/core/parallel.hpp"

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

class Compiler {
public:
    // Borrows names from zones: they must stay put until run() is done.
    Compiler(AnswerTable::Impl& t, const std::vector<zonegen::Zone>& zones, const CompileOptions& options)
        : t_(t),
          zones_(zones),
          w_(t.bytes, t.relocs),
          threads_(std::max(options.threads, 1u)),
          serials_only_(options.serials_only) {
        if (options.health_ttl) health_.emplace(*options.health_ttl);
    }

    std::vector<Diagnostic> run() {
        check_zones();
        if (!errors_.empty()) return std::move(errors_);
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
        t_.entries.reserve(owners + owners / 8);
        t_.names.reserve(name_bytes + name_bytes / 8);
        t_.bytes.reserve(records * 48);
        AnswerTable::Impl::Names names = t_.add_names(zones_, threads_);
        nodes_ = std::move(names.nodes);
        cuts_ = std::move(names.cuts);
        resolve_targets();
        find_health_targets();
        compile_negative_answers();
        compile_referrals();
        compile_answers();
        note_managed();
        // The reservations above are generous, but they cost no memory beyond what is
        // written: a big block's pages are only mapped, not touched (big_block.hpp). A
        // shrink_to_fit() would copy the table, doubling its size for a moment.
        if (health_) t_.health.emplace(std::move(*health_).finish(threads_));
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
        if (zones_.size() > Entry::kMaxZones)
            errors_.push_back({{},
                               std::to_string(zones_.size()) + " zones: one table serves at most " +
                                   std::to_string(Entry::kMaxZones)});
    }

    static bool has_targets(const zonegen::RRset& set) { return set.type == RRType::MX || set.type == RRType::NS; }

    // The entry of every MX and NS target (kNone: not a name we serve), looked up once, by
    // all threads side by side: the passes below read them in order instead of each
    // looking up every target again at random.
    void resolve_targets() {
        const auto entries = static_cast<std::uint32_t>(t_.entries.size());
        target_start_.assign(entries + 1, 0);
        for (std::uint32_t i = 0; i < entries; ++i) {
            std::uint32_t count = 0;
            if (const Node* n = nodes_[i])
                for (const auto& set : n->rrsets)
                    if (has_targets(set)) count += static_cast<std::uint32_t>(set.rdata.size());
            target_start_[i + 1] = target_start_[i] + count;
        }
        targets_.resize(target_start_.back());
        const unsigned parts = zonegen::part_count(entries, threads_, kMinPart);
        zonegen::run_parts(parts, [this, entries, parts](unsigned p) {
            const auto last = static_cast<std::uint32_t>(std::uint64_t{entries} * (p + 1) / parts);
            for (auto i = static_cast<std::uint32_t>(std::uint64_t{entries} * p / parts); i < last; ++i) {
                const Node* n = nodes_[i];
                if (!n) continue;
                std::uint32_t k = target_start_[i];
                for (const auto& set : n->rrsets) {
                    if (!has_targets(set)) continue;
                    for (const auto& rd : set.rdata) {
                        const auto* mx = std::get_if<zonegen::Mx>(&rd);
                        targets_[k++] = t_.entry_index(mx ? mx->exchange.wire()
                                                          : std::get<zonegen::Ns>(rd).host.wire());
                    }
                }
            }
        });
    }

    // The resolved targets of set (an MX or NS RRset of the node at entry), one per record.
    const std::uint32_t* targets_of(std::uint32_t entry, const zonegen::RRset& set) const {
        std::uint32_t k = target_start_[entry];
        for (const auto& s : nodes_[entry]->rrsets) {
            if (&s == &set) break;
            if (has_targets(s)) k += static_cast<std::uint32_t>(s.rdata.size());
        }
        return targets_.data() + k;
    }

    // A and AAAA of the MX or NS targets of set (at entry) that a served zone holds (glue
    // below a cut included), each target once, owners compressed against what the message
    // already holds.
    void add_addresses(SectionWriter& w, std::uint32_t entry, const zonegen::RRset& set,
                       std::vector<std::uint32_t>& seen) const {
        const std::uint32_t* targets = targets_of(entry, set);
        seen.clear();
        for (std::size_t k = 0; k < set.rdata.size(); ++k) {
            const std::uint32_t index = targets[k];
            if (index == kNone || std::find(seen.begin(), seen.end(), index) != seen.end()) continue;
            seen.push_back(index);
            const Node* n = nodes_[index];
            if (!n) continue;
            const std::string_view target = n->owner.wire();
            for (RRType type : {RRType::A, RRType::AAAA})
                if (const auto* addresses = n->find(type)) {
                    const std::uint32_t ttl = served_ttl(index, *addresses);
                    for (const auto& rd : addresses->rdata) w.add(target, ttl, rd);
                }
        }
    }

    // In-zone MX targets with addresses are the smarthosts health checks (health_model.hpp),
    // glue below a cut included; their addresses are listed before any answer is written,
    // since every section that holds them is served at the managed TTL.
    void find_health_targets() {
        if (!health_) return;
        host_of_.assign(t_.entries.size(), HealthModel::kNoType);
        if (serials_only_) return;
        for (std::uint32_t i = 0; i < t_.entries.size(); ++i) {
            const Node* n = nodes_[i];
            const zonegen::RRset* mx = n ? n->find(RRType::MX) : nullptr;
            if (!mx || t_.entries[i].at_cut()) continue;
            const std::uint32_t* targets = targets_of(i, *mx);
            for (std::size_t r = 0; r < mx->rdata.size(); ++r) {
                const zonegen::Name& target = std::get<zonegen::Mx>(mx->rdata[r]).exchange;
                const std::uint32_t ti = targets[r];
                const Node* tn = ti != kNone ? nodes_[ti] : nullptr;
                if (!tn || host_of_[ti] != HealthModel::kNoType) continue;
                const std::uint32_t host = health_->add_target(target, t_.entries[ti].zone);
                host_of_[ti] = host;
                for (RRType type : {RRType::A, RRType::AAAA})
                    if (const auto* set = tn->find(type)) health_->add_addresses(host, *set);
            }
        }
    }

    // A health target's A or AAAA RRset, at entry.
    bool is_target_address(std::uint32_t entry, const zonegen::RRset& set) const {
        return (set.type == RRType::A || set.type == RRType::AAAA) && host_of_[entry] != HealthModel::kNoType;
    }

    // The TTL an RRset at entry is served with: the managed ones' is capped by --health-ttl.
    std::uint32_t served_ttl(std::uint32_t entry, const zonegen::RRset& set) const {
        if (!health_ || serials_only_) return set.ttl;
        const bool managed = set.type == RRType::MX || is_target_address(entry, set);
        return managed ? health_->ttl(set.ttl) : set.ttl;
    }

    // Whether health may serve the RRset at entry otherwise (health_model.hpp): the apex
    // SOA, every MX RRset, the addresses of MX targets.
    bool is_managed(std::uint32_t entry, const Node& n, const zonegen::RRset& set) const {
        if (!health_) return false;
        if (set.type == RRType::SOA) return n.owner == zones_[t_.entries[entry].zone].origin();
        return !serials_only_ && (set.type == RRType::MX || is_target_address(entry, set));
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
            if (!n || e.at_cut()) continue;
            if (serials_only_ && !(n->owner == zones_[e.zone].origin())) continue;  // only apexes are managed
            ordered_sets(*n, order);
            for (std::uint32_t k = 0; k < order.size(); ++k) {
                const zonegen::RRset& set = *order[k];
                if (!is_managed(i, *n, set)) continue;
                const std::uint32_t type = e.first_type + k;
                if (set.type == RRType::SOA) {
                    health_->add_apex(set, e.zone, type);
                } else if (set.type == RRType::MX) {
                    hosts.clear();
                    const std::uint32_t* targets = targets_of(i, set);
                    for (std::size_t r = 0; r < set.rdata.size(); ++r)
                        hosts.push_back(targets[r] == kNone ? HealthModel::kNoType : host_of_[targets[r]]);
                    health_->add_mx_set(n->owner, e.zone, set, type, e.wildcard(), hosts);
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
        std::vector<std::uint32_t> seen;
        for (std::uint32_t index = 0; index < cuts_.size(); ++index) {
            const std::uint32_t cut = cuts_[index];
            AnswerTable::Impl::NameBuffer buffer;
            const std::string_view name = t_.entry_name(cut, buffer);
            const auto* ns = nodes_[cut]->find(RRType::NS);
            w_.begin_message(name, TemplateKind::Suffix);
            w_.begin_section(wire::Section::Authority);
            for (const auto& rd : ns->rdata) w_.add(name, ns->ttl, rd);
            Referral& r = t_.referrals[index];
            r.authority = w_.end_section();
            w_.begin_section(wire::Section::Additional);
            add_addresses(w_, cut, *ns, seen);
            r.additional = w_.end_section();
            r.cut_length = static_cast<std::uint8_t>(name.size());
            if (w_.too_big())
                error(t_.entries[cut].zone,
                      "the referral at " + nodes_[cut]->owner.text() + " does not fit in a DNS message");
        }
    }

    // A share of the answers: a run of entries, compiled into arrays of its own.
    struct Part {
        std::uint32_t first = 0, last = 0;
        TableVector<std::uint8_t> bytes;
        TableVector<std::uint16_t> relocs;
        TableVector<TypeAnswer> types;
        std::vector<Diagnostic> errors;
    };
    // Fewer names than this per part are not worth a thread.
    static constexpr std::uint32_t kMinPart = 1024;
    // Parts per thread: each part is copied into the table at the end, and held beside it
    // until then; smaller parts bound that extra memory to a sixteenth of the answers (it
    // was half of them with a part per thread of two).
    static constexpr std::uint32_t kPartsPerThread = 8;

    // The parts compiled by the threads, each taking the next part left, then appended to
    // the table in entry order, their offsets moved to match: the table is the same
    // whatever the number of threads.
    void compile_answers() {
        const auto entries = static_cast<std::uint32_t>(t_.entries.size());
        const std::uint32_t count = threads_ == 1 ? 1
                                                  : std::clamp<std::uint32_t>(entries / kMinPart, 1,
                                                                              threads_ * kPartsPerThread);
        if (count == 1) {
            compile_range(0, entries, w_, t_.types, errors_);
            return;
        }
        std::vector<Part> parts(count);
        for (std::uint32_t p = 0; p < count; ++p) {
            parts[p].first = static_cast<std::uint32_t>(std::uint64_t{entries} * p / count);
            parts[p].last = static_cast<std::uint32_t>(std::uint64_t{entries} * (p + 1) / count);
        }
        std::atomic<std::uint32_t> next{0};
        zonegen::run_parts(std::min(threads_, count), [&](unsigned) {
            for (std::uint32_t p; (p = next.fetch_add(1, std::memory_order_relaxed)) < count;) {
                Part& part = parts[p];
                part.types.reserve(t_.types.capacity() / count + 64);
                part.bytes.reserve(t_.bytes.capacity() / count + 4096);
                SectionWriter w(part.bytes, part.relocs);
                compile_range(part.first, part.last, w, part.types, part.errors);
            }
        });
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
            a.offset += bytes;
            a.reloc_offset += relocs;
            t_.types.push_back(a);
        }
        for (std::uint32_t i = part.first; i < part.last; ++i)
            if (!t_.entries[i].at_cut()) t_.entries[i].first_type += types;
        errors_.insert(errors_.end(), part.errors.begin(), part.errors.end());
        part = Part{};  // its memory back before the next part's is copied
    }

    // The answers of entries [first, last), written with w into types; entries' first_type
    // is an index into types. Reads the rest of the table, changes nothing else: parts
    // run side by side.
    void compile_range(std::uint32_t first, std::uint32_t last, SectionWriter& w, TableVector<TypeAnswer>& types,
                       std::vector<Diagnostic>& errors) const {
        std::vector<std::uint32_t> seen;
        std::vector<const zonegen::RRset*> order;
        for (std::uint32_t i = first; i < last; ++i) {
            Entry& e = t_.entries[i];
            if (e.at_cut()) continue;  // not ours: first_type holds the referral
            e.first_type = static_cast<std::uint32_t>(types.size());
            const Node* n = nodes_[i];
            if (!n) continue;  // empty non-terminal
            const std::string_view owner = n->owner.wire();
            ordered_sets(*n, order);
            for (const zonegen::RRset* setp : order) {
                const zonegen::RRset& set = *setp;
                TypeAnswer a;
                a.type = static_cast<std::uint16_t>(set.type);
                a.managed = is_managed(i, *n, set);
                w.begin_message(owner, e.wildcard() ? TemplateKind::Wildcard : TemplateKind::Exact);
                w.begin_section(wire::Section::Answer);
                const std::uint32_t ttl = served_ttl(i, set);
                for (const auto& rd : set.rdata) w.add(owner, ttl, rd);
                const Blob answer = w.end_section();
                w.begin_section(wire::Section::Additional);
                if (has_targets(set)) add_addresses(w, i, set, seen);
                a.set_sections(answer, w.end_section_after(answer));
                if (w.too_big())
                    errors.push_back({{},
                                      "zone " + zones_[e.zone].origin().text() + ": the " +
                                          zonegen::type_name(set.type) + " records of " + n->owner.text() +
                                          " do not fit in a DNS message"});
                types.push_back(a);
            }
            e.set_type_count(types.size() - e.first_type);
        }
    }

    AnswerTable::Impl& t_;
    const std::vector<zonegen::Zone>& zones_;
    SectionWriter w_;
    std::vector<Diagnostic> errors_;
    std::vector<const Node*> nodes_;           // parallel to entries; nullptr for empty non-terminals
    std::vector<std::uint32_t> host_of_;       // with health, parallel to entries: the model's host there, or kNoType
    std::vector<std::uint32_t> cuts_;          // referral -> cut entry
    std::vector<std::uint32_t> target_start_;  // per entry: its first in targets_ (one more at the end)
    std::vector<std::uint32_t> targets_;       // per MX and NS record, node by node: its target's entry
    std::optional<HealthModelBuilder> health_;  // with CompileOptions::health_ttl
    unsigned threads_ = 1;
    bool serials_only_ = false;  // CompileOptions::serials_only
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
