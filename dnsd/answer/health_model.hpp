// Which answers health checking manages, and what they become when smarthosts are down
// (README "Health"). Built with the answer table when health is on, immutable afterwards;
// one decision function serves the answers (health_answers.cpp) and the zone that
// transfers serve (edited_image()), so that secondaries answer exactly as dnsd does.
//
// The rules (issue 19, as Route 53 and PowerDNS ifportup() fail open):
// - An address that is down leaves its host's A/AAAA RRset and the MX additional sections.
// - A host whose checked addresses are all down leaves every MX RRset that names it.
// - Per RRset, health never empties anything: an A/AAAA RRset whose addresses are all down,
//   and an MX RRset whose targets are all down, are served whole, as without health.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dnsd/answer/zone_image.hpp"
#include "zonegen/core/wire_index.hpp"
#include "zonegen/core/zone.hpp"

namespace dnsd {

class HealthModel {
public:
    // One address of one smarthost: what the prober checks.
    struct Address {
        std::uint32_t host = 0;
        bool v6 = false;
        std::array<std::uint8_t, 16> bytes{};  // the first 4 for IPv4
    };
    // An in-zone MX target with addresses, at a name that answers (not below a cut).
    struct Host {
        zonegen::Name name;
        std::uint32_t zone = 0;
        std::uint32_t ttl_a = 0, ttl_aaaa = 0;                // as served: min(zone TTL, health TTL)
        std::uint32_t type_a = kNoType, type_aaaa = kNoType;  // TypeAnswer indices
        std::vector<std::uint32_t> a, aaaa;                   // Address indices, in RRset order
        std::vector<std::uint32_t> mx_sets;                   // the MxSets that name it
    };
    struct MxRecord {
        zonegen::Mx mx;
        std::uint32_t host = kNoType;  // a Host index, or kNoType for a target health does not check
    };
    struct MxSet {
        zonegen::Name owner;
        std::uint32_t zone = 0;
        std::uint32_t type = 0;  // TypeAnswer index
        std::uint32_t ttl = 0;   // as served
        bool wildcard = false;
        std::vector<MxRecord> records;
    };
    // A zone's apex SOA answer: managed so that a new serial (--state-dir) needs no recompile.
    struct Apex {
        std::uint32_t type = 0;
        zonegen::RRset soa;
    };
    static constexpr std::uint32_t kNoType = 0xFFFFFFFF;

    // A managed TypeAnswer and what it serves.
    enum class Kind : std::uint8_t { A, Aaaa, Mx, Apex };
    struct Managed {
        std::uint32_t type = 0;  // TypeAnswer index
        Kind kind{};
        std::uint32_t id = 0;  // Host, MxSet or zone index
    };

    std::uint32_t ttl() const { return ttl_; }
    const std::vector<Address>& addresses() const { return addresses_; }
    const std::vector<Host>& hosts() const { return hosts_; }
    const std::vector<MxSet>& mx_sets() const { return mx_sets_; }
    const std::vector<Apex>& apexes() const { return apexes_; }       // per zone, in table order
    const std::vector<Managed>& managed() const { return managed_; }  // by TypeAnswer index

    // What one RRset is served as, given up (one flag per Address, 1 = up).
    bool address_served(const Host& h, std::uint32_t address, std::span<const std::uint8_t> up) const;
    // Every checked address of the host is down.
    bool host_down(const Host& h, std::span<const std::uint8_t> up) const;
    // Every target of the set is down: the whole set is served (fail open).
    bool falls_back(const MxSet& m, std::span<const std::uint8_t> up) const;
    bool record_served(const MxSet& m, const MxRecord& r, std::span<const std::uint8_t> up) const;
    // The set's answer differs from its full form: a record left out, or an address of a
    // target left out of its additional section.
    bool differs(const MxSet& m, std::span<const std::uint8_t> up) const;
    bool differs(const Host& h, std::span<const std::uint8_t> up) const;

    // The zone that transfers serve (with --state-dir): the loaded zone's records with the
    // health rules applied, managed RRsets at the served TTL, and the serial given. While
    // every address is up and no TTL is capped that is the loaded zone renumbered, which
    // shares its records (a copy of a 100,000-site zone's costs a tenth of a second).
    ZoneImage edited_image(const ZoneImage& loaded, std::uint32_t serial, std::span<const std::uint8_t> up) const;

    // Index of the host or MX set at a name (lower-cased wire form), or kNoType.
    std::uint32_t host_at(std::string_view owner) const;
    std::uint32_t mx_set_at(std::string_view owner) const;

private:
    friend class HealthModelBuilder;
    std::uint32_t ttl_ = 0;
    bool caps_ttl_ = false;  // some managed RRset is served with a lower TTL than the zone's
    std::vector<Address> addresses_;
    std::vector<Host> hosts_;
    std::vector<MxSet> mx_sets_;
    std::vector<Apex> apexes_;
    std::vector<Managed> managed_;
    // Hosts and MX sets by name (WireIndex: the compiler asks for every address record and
    // MX target; node-based maps took an eighth of a 100,000-site reload in cache misses).
    zonegen::WireIndex host_index_, mx_index_;
    auto host_name() const {
        return [this](std::uint32_t i) { return hosts_[i].name.wire(); };
    }
    auto mx_owner() const {
        return [this](std::uint32_t i) { return mx_sets_[i].owner.wire(); };
    }
};

// Builds the model while the table compiles (answer_table.cpp), in two steps: the targets
// first (their TTLs change before any section is written), then each managed RRset.
class HealthModelBuilder {
public:
    explicit HealthModelBuilder(std::uint32_t ttl) { model_.ttl_ = ttl; }
    // An in-zone MX target; call once for every one before any add_*. Returns its host
    // index, by which the calls below name it.
    std::uint32_t add_target(const zonegen::Name& host, std::uint32_t zone);
    // The TTL a managed RRset is served with.
    std::uint32_t ttl(std::uint32_t zone_ttl) const { return std::min(zone_ttl, model_.ttl_); }
    void add_addresses(std::uint32_t host, const zonegen::RRset& set);
    // The TypeAnswer of the host's A (or AAAA) RRset; glue below a cut has none.
    void set_type(std::uint32_t host, bool v6, std::uint32_t type);
    // hosts: per record of set, the host index of its exchange, or kNoType if health does
    // not check it.
    void add_mx_set(const zonegen::Name& owner, std::uint32_t zone, const zonegen::RRset& set, std::uint32_t type,
                    bool wildcard, const std::vector<std::uint32_t>& hosts);
    void add_apex(const zonegen::RRset& soa, std::uint32_t zone, std::uint32_t type);
    // threads: how many may index the names side by side.
    HealthModel finish(unsigned threads = 1) &&;

private:
    HealthModel model_;
};

}  // namespace dnsd
