// The health rules (health_model.hpp) and the zone transfers serve under them.
#include "dnsd/answer/health_model.hpp"

#include <algorithm>
#include <cstring>

#include "zonegen/core/parallel.hpp"

namespace dnsd {

namespace {

constexpr auto kA = static_cast<std::uint16_t>(zonegen::RRType::A);
constexpr auto kAaaa = static_cast<std::uint16_t>(zonegen::RRType::AAAA);
constexpr auto kMx = static_cast<std::uint16_t>(zonegen::RRType::MX);

}  // namespace

bool HealthModel::address_served(const Host& h, std::uint32_t address, std::span<const std::uint8_t> up) const {
    if (up.empty() || up[address]) return true;
    // Fail open: the RRset this address belongs to is served whole if all of it is down.
    const auto& set = addresses_[address].v6 ? h.aaaa : h.a;
    return std::none_of(set.begin(), set.end(), [&](std::uint32_t a) { return up[a] != 0; });
}

bool HealthModel::host_down(const Host& h, std::span<const std::uint8_t> up) const {
    if (up.empty() || (h.a.empty() && h.aaaa.empty())) return false;
    auto down = [&](std::uint32_t a) { return up[a] == 0; };
    return std::all_of(h.a.begin(), h.a.end(), down) && std::all_of(h.aaaa.begin(), h.aaaa.end(), down);
}

bool HealthModel::falls_back(const MxSet& m, std::span<const std::uint8_t> up) const {
    return std::all_of(m.records.begin(), m.records.end(),
                       [&](const MxRecord& r) { return r.host != kNoType && host_down(hosts_[r.host], up); });
}

bool HealthModel::record_served(const MxSet& m, const MxRecord& r, std::span<const std::uint8_t> up) const {
    return r.host == kNoType || !host_down(hosts_[r.host], up) || falls_back(m, up);
}

bool HealthModel::differs(const Host& h, std::span<const std::uint8_t> up) const {
    if (up.empty()) return false;
    auto differs_in = [&](const std::vector<std::uint32_t>& set) {
        return std::any_of(set.begin(), set.end(), [&](std::uint32_t a) { return !address_served(h, a, up); });
    };
    return differs_in(h.a) || differs_in(h.aaaa);
}

bool HealthModel::differs(const MxSet& m, std::span<const std::uint8_t> up) const {
    if (up.empty() || falls_back(m, up)) return false;
    for (const MxRecord& r : m.records) {
        if (r.host == kNoType) continue;
        const Host& h = hosts_[r.host];
        if (host_down(h, up) || differs(h, up)) return true;
    }
    return false;
}

std::uint32_t HealthModel::host_at(std::string_view owner) const {
    static_assert(zonegen::WireIndex::kAbsent == kNoType);
    return host_index_.find(owner, host_name());
}

std::uint32_t HealthModel::mx_set_at(std::string_view owner) const { return mx_index_.find(owner, mx_owner()); }

ZoneImage HealthModel::edited_image(const ZoneImage& loaded, std::uint32_t serial,
                                    std::span<const std::uint8_t> up) const {
    if (up.empty() && !caps_ttl_) return ZoneImage(loaded).with_serial(serial);
    // The rdata of MX records names the exchange in full here (ZoneImage::Record), so an MX
    // record is matched to its MxRecord by the exchange's wire form.
    return loaded.edited(serial, [&](const ZoneImage::Record& r, std::uint32_t& ttl) {
        if (r.type() == kMx) {
            const std::uint32_t m = mx_set_at(r.owner());
            if (m == kNoType) return true;
            const MxSet& set = mx_sets_[m];
            ttl = set.ttl;
            const std::string_view exchange = r.rdata().substr(2);
            for (const MxRecord& rec : set.records)
                if (rec.mx.exchange.wire() == exchange) return record_served(set, rec, up);
            return true;
        }
        if (r.type() != kA && r.type() != kAaaa) return true;
        const std::uint32_t hi = host_at(r.owner());
        if (hi == kNoType) return true;
        const Host& h = hosts_[hi];
        const bool v6 = r.type() == kAaaa;
        ttl = v6 ? h.ttl_aaaa : h.ttl_a;
        for (std::uint32_t a : v6 ? h.aaaa : h.a)
            if (std::memcmp(addresses_[a].bytes.data(), r.rdata().data(), v6 ? 16 : 4) == 0)
                return address_served(h, a, up);
        return true;
    });
}

std::uint32_t HealthModelBuilder::add_target(const zonegen::Name& host, std::uint32_t zone) {
    HealthModel::Host h;
    h.name = host;
    h.zone = zone;
    model_.hosts_.push_back(std::move(h));
    return static_cast<std::uint32_t>(model_.hosts_.size() - 1);
}

void HealthModelBuilder::set_type(std::uint32_t host, bool v6, std::uint32_t type) {
    (v6 ? model_.hosts_[host].type_aaaa : model_.hosts_[host].type_a) = type;
    model_.managed_.push_back({type, v6 ? HealthModel::Kind::Aaaa : HealthModel::Kind::A, host});
}

void HealthModelBuilder::add_addresses(std::uint32_t host, const zonegen::RRset& set) {
    HealthModel::Host& h = model_.hosts_[host];
    const bool v6 = set.type == zonegen::RRType::AAAA;
    (v6 ? h.ttl_aaaa : h.ttl_a) = ttl(set.ttl);
    model_.caps_ttl_ |= ttl(set.ttl) != set.ttl;
    for (const zonegen::Rdata& rd : set.rdata) {
        HealthModel::Address a;
        a.host = host;
        a.v6 = v6;
        if (const auto* v4 = std::get_if<zonegen::A>(&rd))
            std::copy(v4->addr.begin(), v4->addr.end(), a.bytes.begin());
        else if (const auto* v6a = std::get_if<zonegen::Aaaa>(&rd))
            a.bytes = v6a->addr;
        (v6 ? h.aaaa : h.a).push_back(static_cast<std::uint32_t>(model_.addresses_.size()));
        model_.addresses_.push_back(a);
    }
}

void HealthModelBuilder::add_mx_set(const zonegen::Name& owner, std::uint32_t zone, const zonegen::RRset& set,
                                    std::uint32_t type, bool wildcard, const std::vector<std::uint32_t>& hosts) {
    HealthModel::MxSet m;
    m.owner = owner;
    m.zone = zone;
    m.type = type;
    m.ttl = ttl(set.ttl);
    model_.caps_ttl_ |= m.ttl != set.ttl;
    m.wildcard = wildcard;
    const auto index = static_cast<std::uint32_t>(model_.mx_sets_.size());
    m.records.reserve(set.rdata.size());
    for (std::size_t r = 0; r < set.rdata.size(); ++r) {
        const std::uint32_t hi = hosts[r];
        m.records.push_back({std::get<zonegen::Mx>(set.rdata[r]), hi});
        if (hi != HealthModel::kNoType) {
            auto& sets = model_.hosts_[hi].mx_sets;
            if (sets.empty() || sets.back() != index) sets.push_back(index);
        }
    }
    model_.managed_.push_back({type, HealthModel::Kind::Mx, index});
    model_.mx_sets_.push_back(std::move(m));
}

void HealthModelBuilder::add_apex(const zonegen::RRset& soa, std::uint32_t zone, std::uint32_t type) {
    model_.managed_.push_back({type, HealthModel::Kind::Apex, zone});
    if (model_.apexes_.size() <= zone) model_.apexes_.resize(zone + 1);
    model_.apexes_[zone] = {type, soa};
}

HealthModel HealthModelBuilder::finish(unsigned threads) && {
    // Both indexes at once, from names that are distinct: a host is added once per name
    // (add_target), and an owner has one MX RRset.
    constexpr std::size_t kMinPart = 1 << 16;
    auto run = [](unsigned parts, const auto& part) { zonegen::run_parts(parts, part); };
    auto& m = model_;
    m.host_index_.assign(static_cast<std::uint32_t>(m.hosts_.size()), m.host_name(),
                         zonegen::part_count(m.hosts_.size(), threads, kMinPart), run);
    m.mx_index_.assign(static_cast<std::uint32_t>(m.mx_sets_.size()), m.mx_owner(),
                       zonegen::part_count(m.mx_sets_.size(), threads, kMinPart), run);
    std::sort(model_.managed_.begin(), model_.managed_.end(),
              [](const HealthModel::Managed& a, const HealthModel::Managed& b) { return a.type < b.type; });
    return std::move(model_);
}

}  // namespace dnsd
