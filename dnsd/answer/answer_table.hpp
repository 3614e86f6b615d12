// The answer table: every zone dnsd serves, compiled at load into ready-made response
// sections per (owner name, type), so that answering a query is a lookup and a copy
// (DESIGN "Hot path"; NSD's precompiled answers). Immutable once built and shared by all
// workers; a reload builds a new table to the side and swaps the pointer.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "dnsd/answer/zone_image.hpp"
#include "zonegen/core/diagnostic.hpp"
#include "zonegen/core/zone.hpp"

namespace dnsd {

class AnswerTable {
public:
    // Compiles the zones (distinct origins; a zone nested in another is allowed, the
    // longest match wins). Errors name the zone at fault. The table keeps copies of all it
    // needs: the zones are the caller's to free, which for a large zone takes a tenth of a
    // second that the first answer need not wait for (dnsd/primary/retire.hpp).
    static zonegen::Result<std::shared_ptr<const AnswerTable>> compile(const std::vector<zonegen::Zone>& zones);

    // The zones served, in the order given to compile(), for AXFR, NOTIFY and reloads.
    const std::vector<ZoneImage>& zones() const;
    ~AnswerTable();

    struct Impl;
    const Impl& impl() const { return *impl_; }

private:
    explicit AnswerTable(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dnsd
