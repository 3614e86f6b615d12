// The label lookups of the "sites" reader (inventory_sites.cpp): which host label a site
// has seen already, and which site has a label, without a hash node per site.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "zonegen/inventory/inventory.hpp"
#include "zonegen/inventory/inventory_reader.hpp"

namespace zonegen::inventory_detail {

// Lower-case labels seen so far with the ordinal each came with: a linear list for the
// handful a site usually has, a hash table once there are many.
class SeenLabels {
public:
    // The ordinal of an equal label added before; npos (after adding it) if there is none.
    std::size_t add(std::string label, std::size_t ordinal) {
        if (big_.empty() && small_.size() < kLinear) {
            for (const auto& [l, o] : small_)
                if (l == label) return o;
            small_.emplace_back(std::move(label), ordinal);
            return npos;
        }
        if (big_.empty()) big_.insert(small_.begin(), small_.end());
        auto [it, added] = big_.emplace(std::move(label), ordinal);
        return added ? npos : it->second;
    }
    void clear() {
        small_.clear();
        if (!big_.empty()) big_.clear();
    }

private:
    static constexpr std::size_t kLinear = 16;
    std::vector<std::pair<std::string, std::size_t>> small_;
    std::unordered_map<std::string, std::size_t> big_;
};

// Site labels to indices into Inventory::sites by open addressing over the indices, so
// that 100,000 sites cost one array instead of a hash node each. Each slot keeps 32 bits
// of its label's hash: a probe compares labels (a Site elsewhere in memory) only when
// those match.
class SiteIndex {
public:
    explicit SiteIndex(const std::vector<Site>& sites) : sites_(sites) {}
    // The index of a site with the same label added before; npos (after adding index) if none.
    std::size_t add(std::size_t index) {
        if (2 * (used_ + 1) > slots_.size()) grow(std::max<std::size_t>(16, 2 * slots_.size()));  // load <= 1/2
        const std::string& label = sites_[index].label;
        const std::size_t hash = std::hash<std::string_view>{}(label);
        Slot& slot = slots_[find_slot(label, hash)];
        if (slot.index != 0) return slot.index - 1;
        slot = {static_cast<std::uint32_t>(index + 1), tag(hash)};
        ++used_;
        return npos;
    }
    void reserve(std::size_t count) {
        std::size_t size = 16;
        while (size < 2 * count) size *= 2;
        if (size > slots_.size()) grow(size);
    }
    std::size_t find(std::string_view label) const {
        if (slots_.empty()) return npos;
        const Slot& slot = slots_[find_slot(label, std::hash<std::string_view>{}(label))];
        return slot.index == 0 ? npos : slot.index - 1;
    }

private:
    struct Slot {
        std::uint32_t index = 0;  // index + 1; 0 is empty
        std::uint32_t tag = 0;
    };
    static std::uint32_t tag(std::size_t hash) { return static_cast<std::uint32_t>(hash >> 32); }
    std::size_t find_slot(std::string_view label, std::size_t hash) const {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t k = hash & mask;; k = (k + 1) & mask) {
            const Slot& s = slots_[k];
            if (s.index == 0 || (s.tag == tag(hash) && sites_[s.index - 1].label == label)) return k;
        }
    }
    void grow(std::size_t size) {  // a power of two
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(size, Slot{});
        const std::size_t mask = size - 1;
        for (const Slot& s : old) {
            if (s.index == 0) continue;
            // Labels in the index are distinct: the first empty slot is the one.
            std::size_t k = std::hash<std::string_view>{}(sites_[s.index - 1].label) & mask;
            while (slots_[k].index != 0) k = (k + 1) & mask;
            slots_[k] = s;
        }
    }
    const std::vector<Site>& sites_;
    std::vector<Slot> slots_;
    std::size_t used_ = 0;
};

}  // namespace zonegen::inventory_detail
