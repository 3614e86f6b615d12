// The answer table: every zone dnsd serves, compiled at load into ready-made response
// sections per (owner name, type), so that answering a query is a lookup and a copy
// (DESIGN "Hot path"; NSD's precompiled answers). Immutable once built and shared by all
// workers; a reload builds a new table to the side and swaps the pointer.
//
// With health checks, a table has versions: each answers for one health state and serves
// one set of zone images (serials), and shares the compiled answers with the others, so
// that a state change recompiles only the owners it affects (health_answers.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "dnsd/answer/zone_image.hpp"
#include "zonegen/core/diagnostic.hpp"
#include "zonegen/core/zone.hpp"

namespace dnsd {

class HealthModel;

struct CompileOptions {
    // Health checks on: every MX RRset and the A/AAAA RRsets of in-zone MX targets are
    // managed (health_model.hpp) and served with TTL min(zone TTL, this).
    std::optional<std::uint32_t> health_ttl;
    // With health_ttl: a model for renumbering only (--state-dir without health checks,
    // dnsd/primary/publisher.hpp): the apexes' SOA are managed, so that a version served
    // under another serial answers it, and no MX RRset or address is. Finding the
    // smarthosts and their RRsets was a third of a 100,000-site reload's compile, for a
    // model that never withdraws anything (issue 14).
    bool serials_only = false;
    // Threads that compile the answers, each a run of names into arrays of its own, joined
    // in name order afterwards: the table is the same byte for byte whatever the number.
    unsigned threads = 1;
};

class AnswerTable {
public:
    // Compiles the zones (distinct origins; a zone nested in another is allowed, the
    // longest match wins). Errors name the zone at fault. The table keeps copies of all it
    // needs: the zones are the caller's to free, which for a large zone takes a tenth of a
    // second that the first answer need not wait for (dnsd/primary/retire.hpp).
    // images: ZoneImages of the zones (the same order) if the caller has made them already,
    // as a reload does to compare versions; empty: they are made here.
    static zonegen::Result<std::shared_ptr<const AnswerTable>> compile(const std::vector<zonegen::Zone>& zones,
                                                                       const CompileOptions& options = {},
                                                                       std::vector<ZoneImage> images = {});

    // The zones served, in the order given to compile(), for AXFR, NOTIFY and reloads:
    // their serials and the records transfers send.
    const std::vector<ZoneImage>& zones() const;
    // The same zones as compiled, before any health edit or new serial.
    const std::vector<ZoneImage>& loaded_zones() const;

    // The health model, or nullptr when compiled without health_ttl.
    const HealthModel* health() const;
    // One flag per HealthModel address (1: up) that this version answers for; empty: all up.
    std::span<const std::uint8_t> health_state() const;
    // A version that answers for up. Only the answers whose RRsets differ between the two
    // states are recompiled; the rest is shared. Needs health().
    std::shared_ptr<const AnswerTable> with_health(std::vector<std::uint8_t> up) const;
    // A version that serves these zones (same origins, in the same order): their serials
    // in SOA and negative answers, their records in transfers. The answers stay as they are.
    // Needs health() (the apex SOA answer is managed only then).
    std::shared_ptr<const AnswerTable> with_zones(std::vector<ZoneImage> served) const;

    ~AnswerTable();

    struct Impl;
    struct Version;
    const Impl& impl() const { return *impl_; }
    const Version& version() const { return *version_; }

private:
    AnswerTable(std::shared_ptr<const Impl> impl, std::shared_ptr<const Version> version);
    std::shared_ptr<const Impl> impl_;
    std::shared_ptr<const Version> version_;
};

}  // namespace dnsd
