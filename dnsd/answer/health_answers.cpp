// Versions of an answer table (answer_table.hpp): the override chunks that hold the
// answers a health state changes, and the SOA and negative answers of new serials. A state
// change recompiles the chunks of the RRsets it touches (an address's host and the MX sets
// naming it); a 100,000-site zone's version shares everything else with the last one.
#include <algorithm>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/answer/answer_table_impl.hpp"
#include "dnsd/answer/section_writer.hpp"

namespace dnsd {

namespace {

using Kind = HealthModel::Kind;
using zonegen::RRType;

class ChunkCompiler {
public:
    ChunkCompiler(const HealthModel& model, std::span<const std::uint8_t> up, const std::vector<ZoneImage>& served)
        : model_(model), up_(up), served_(served) {}

    // The overrides of one chunk, or nullptr if every answer in it is the compiled one.
    std::shared_ptr<const OverrideChunk> compile(std::uint32_t chunk) {
        const std::uint32_t first = chunk * OverrideChunk::kSize;
        const auto& managed = model_.managed();
        auto it = std::lower_bound(managed.begin(), managed.end(), first,
                                   [](const HealthModel::Managed& m, std::uint32_t t) { return m.type < t; });
        std::shared_ptr<OverrideChunk> out;
        std::optional<SectionWriter> w;
        for (; it != managed.end() && it->type < first + OverrideChunk::kSize; ++it) {
            if (!differs(*it)) continue;
            if (!out) {
                out = std::make_shared<OverrideChunk>();
                w.emplace(out->bytes, out->relocs);
            }
            const std::uint32_t slot = it->type - first;
            out->present |= std::uint64_t{1} << slot;
            out->answers[slot] = write(*w, *it);
        }
        return out;
    }

private:
    bool differs(const HealthModel::Managed& m) const {
        switch (m.kind) {
            case Kind::A:
            case Kind::Aaaa: return model_.differs(model_.hosts()[m.id], up_);
            case Kind::Mx: return model_.differs(model_.mx_sets()[m.id], up_);
            case Kind::Apex:
                return served_[m.id].serial() !=
                       std::get<zonegen::Soa>(model_.apexes()[m.id].soa.rdata.front()).serial;
        }
        return false;
    }

    // A host's addresses of one family that are served, as records of owner.
    void add_addresses(SectionWriter& w, const HealthModel::Host& h, bool v6) const {
        for (std::uint32_t a : v6 ? h.aaaa : h.a) {
            if (!model_.address_served(h, a, up_)) continue;
            const auto& bytes = model_.addresses()[a].bytes;
            if (v6) {
                w.add(h.name.wire(), h.ttl_aaaa, zonegen::Aaaa{bytes});
            } else {
                zonegen::A v4;
                std::copy_n(bytes.begin(), 4, v4.addr.begin());
                w.add(h.name.wire(), h.ttl_a, v4);
            }
        }
    }

    // The same sections as the table compiler writes (answer_table.cpp), with the health
    // rules applied.
    TypeAnswer write(SectionWriter& w, const HealthModel::Managed& m) const {
        TypeAnswer a;
        a.managed = true;
        switch (m.kind) {
            case Kind::A:
            case Kind::Aaaa: {
                const HealthModel::Host& h = model_.hosts()[m.id];
                a.type = static_cast<std::uint16_t>(m.kind == Kind::A ? RRType::A : RRType::AAAA);
                w.begin_message(h.name.wire(), TemplateKind::Exact);
                w.begin_section(wire::Section::Answer);
                add_addresses(w, h, m.kind == Kind::Aaaa);
                const Blob answer = w.end_section();
                w.begin_section(wire::Section::Additional);
                a.set_sections(answer, w.end_section_after(answer));
                break;
            }
            case Kind::Mx: {
                const HealthModel::MxSet& set = model_.mx_sets()[m.id];
                const std::string_view owner = set.owner.wire();
                a.type = static_cast<std::uint16_t>(RRType::MX);
                w.begin_message(owner, set.wildcard ? TemplateKind::Wildcard : TemplateKind::Exact);
                w.begin_section(wire::Section::Answer);
                for (const auto& r : set.records)
                    if (model_.record_served(set, r, up_)) w.add(owner, set.ttl, r.mx);
                const Blob answer = w.end_section();
                w.begin_section(wire::Section::Additional);
                // Each target once, in record order, its A then its AAAA (as compiled).
                std::vector<std::uint32_t> done;
                for (const auto& r : set.records) {
                    if (r.host == HealthModel::kNoType || !model_.record_served(set, r, up_)) continue;
                    if (std::find(done.begin(), done.end(), r.host) != done.end()) continue;
                    done.push_back(r.host);
                    add_addresses(w, model_.hosts()[r.host], false);
                    add_addresses(w, model_.hosts()[r.host], true);
                }
                a.set_sections(answer, w.end_section_after(answer));
                break;
            }
            case Kind::Apex: {
                const auto& apex = model_.apexes()[m.id];
                const ZoneImage& zone = served_[m.id];
                a.type = static_cast<std::uint16_t>(RRType::SOA);
                w.begin_message(zone.origin().wire(), TemplateKind::Exact);
                w.begin_section(wire::Section::Answer);
                w.add(zone.origin().wire(), apex.soa.ttl, zone.soa());
                const Blob answer = w.end_section();
                w.begin_section(wire::Section::Additional);
                a.set_sections(answer, w.end_section_after(answer));
                break;
            }
        }
        return a;
    }

    const HealthModel& model_;
    std::span<const std::uint8_t> up_;
    const std::vector<ZoneImage>& served_;
};

std::uint32_t chunk_count(const AnswerTable::Impl& t) {
    return static_cast<std::uint32_t>((t.types.size() + OverrideChunk::kSize - 1) / OverrideChunk::kSize);
}

// RFC 2308 §3: the SOA of a negative answer has TTL min(SOA TTL, MINIMUM); as compiled.
std::shared_ptr<const Negatives> compile_negatives(const std::vector<ZoneImage>& zones) {
    auto out = std::make_shared<Negatives>();
    SectionWriter w(out->bytes, out->relocs);
    for (const ZoneImage& z : zones) {
        const std::string_view apex = z.origin().wire();
        w.begin_message(apex, TemplateKind::Suffix);
        w.begin_section(wire::Section::Authority);
        w.add(apex, std::min(z.soa_ttl(), z.soa().minimum), z.soa());
        out->zones.push_back({w.end_section(), static_cast<std::uint8_t>(apex.size())});
    }
    return out;
}

}  // namespace

std::shared_ptr<const AnswerTable> AnswerTable::with_health(std::vector<std::uint8_t> up) const {
    const HealthModel& model = *impl_->health;
    auto v = std::make_shared<Version>(*version_);
    v->up = std::move(up);
    if (v->chunks.empty()) v->chunks.resize(chunk_count(*impl_));
    // The TypeAnswers whose served form may have changed: each changed address's host's
    // address RRsets and the MX sets that name the host.
    std::vector<std::uint32_t> chunks;
    auto touch = [&](std::uint32_t type) {
        if (type != HealthModel::kNoType) chunks.push_back(type / OverrideChunk::kSize);
    };
    const auto& before = version_->up;
    for (std::uint32_t a = 0; a < model.addresses().size(); ++a) {
        const bool was = before.empty() || before[a];
        const bool is = v->up.empty() || v->up[a];
        if (was == is) continue;
        const HealthModel::Host& h = model.hosts()[model.addresses()[a].host];
        touch(h.type_a);
        touch(h.type_aaaa);
        for (std::uint32_t m : h.mx_sets) touch(model.mx_sets()[m].type);
    }
    std::sort(chunks.begin(), chunks.end());
    chunks.erase(std::unique(chunks.begin(), chunks.end()), chunks.end());
    ChunkCompiler c(model, v->up, *v->served);
    for (std::uint32_t chunk : chunks) v->chunks[chunk] = c.compile(chunk);
    return std::shared_ptr<const AnswerTable>(new AnswerTable(impl_, std::move(v)));
}

std::shared_ptr<const AnswerTable> AnswerTable::with_zones(std::vector<ZoneImage> served) const {
    auto v = std::make_shared<Version>(*version_);
    v->served = std::make_shared<const std::vector<ZoneImage>>(std::move(served));
    bool renumbered = false;
    for (std::size_t z = 0; z < v->served->size(); ++z)
        renumbered |= (*v->served)[z].serial() != (*v->loaded)[z].serial();
    v->negatives = renumbered ? compile_negatives(*v->served) : nullptr;
    if (const HealthModel* model = health()) {
        if (v->chunks.empty()) v->chunks.resize(chunk_count(*impl_));
        ChunkCompiler c(*model, v->up, *v->served);
        for (const auto& apex : model->apexes()) {
            const std::uint32_t chunk = apex.type / OverrideChunk::kSize;
            v->chunks[chunk] = c.compile(chunk);
        }
    }
    return std::shared_ptr<const AnswerTable>(new AnswerTable(impl_, std::move(v)));
}

}  // namespace dnsd
