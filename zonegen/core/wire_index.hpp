// An index of wire-format names for the zone builder's owners and dnsd's answer table:
// open addressing with linear probing, each slot the high half of the name's hash and
// 1 + the item's number (0: empty), at most half full. A lookup touches one slot and, when
// the tag matches, one name; a node-based map would allocate a node per name and miss the
// cache two or three times. The names live with the caller, who passes name_of(number)
// to read one back for comparing and rehashing: a std::string_view of its bytes, or a
// name kept in pieces (any type with operator==(std::string_view) and a hash_name()
// overload, found by argument-dependent lookup, equal to hash_wire() of the whole name).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "zonegen/core/big_block.hpp"
#include "zonegen/core/name.hpp"

namespace zonegen {

inline std::uint64_t hash_name(std::string_view wire) noexcept { return hash_wire(wire.data(), wire.size()); }

class WireIndex {
public:
    static constexpr std::uint32_t kAbsent = 0xFFFFFFFF;

    // The number of the item called name, or kAbsent.
    template <class NameOf>
    std::uint32_t find(std::string_view name, const NameOf& name_of) const noexcept {
        if (slots_.empty()) return kAbsent;
        const std::uint64_t h = hash_wire(name.data(), name.size());
        const auto tag = static_cast<std::uint32_t>(h >> 32);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.item == 0) return kAbsent;
            if (s.tag == tag && name_of(s.item - 1) == name) return s.item - 1;
        }
    }

    // The number of the item called name; if there is none, name becomes item number
    // count() (the caller then stores that item, before the index next grows).
    template <class NameOf>
    std::uint32_t find_or_add(std::string_view name, const NameOf& name_of) {
        if ((count_ + 1) * 2 > slots_.size()) rebuild(slots_.empty() ? 64 : slots_.size() * 2, name_of);
        const std::uint64_t h = hash_wire(name.data(), name.size());
        const auto tag = static_cast<std::uint32_t>(h >> 32);
        std::size_t i = h & mask_;
        for (; slots_[i].item != 0; i = (i + 1) & mask_)
            if (slots_[i].tag == tag && name_of(slots_[i].item - 1) == name) return slots_[i].item - 1;
        slots_[i] = {tag, ++count_};
        return count_ - 1;
    }

    // Room for count items without rehashing.
    template <class NameOf>
    void reserve(std::size_t count, const NameOf& name_of) {
        std::size_t size = slots_.empty() ? 64 : slots_.size();
        while (count * 2 > size) size *= 2;
        if (size > slots_.size()) rebuild(size, name_of);
    }

    // Indexes items 0 .. count-1, which the caller knows to be distinct (a zone's names),
    // replacing what was there. In bulk rather than by find_or_add() one at a time: the
    // hashes are taken in a sequential pass over the names, and each part fills its own
    // run of slots, so that on a large zone the slots are written in place rather than at
    // random while the names are read in order (fewer cache and TLB misses), and parts can
    // run side by side: run_parts(parts, fn) calls fn(p) for every p in [0, parts) and
    // returns when all are done. A name whose probe runs past its part's slots is placed
    // afterwards, by the usual probing; lookups find every name wherever it landed.
    template <class NameOf, class RunParts>
    void assign(std::uint32_t count, const NameOf& name_of, unsigned parts, const RunParts& run_parts) {
        std::size_t size = 64;
        while (std::size_t{count} * 2 > size) size *= 2;
        slots_.assign(size, Slot{});
        mask_ = size - 1;
        count_ = count;
        if (count == 0) return;
        parts = parts == 0 ? 1 : parts;
        const auto hashes = std::make_unique_for_overwrite<std::uint64_t[]>(count);
        run_parts(parts, [&](unsigned p) {
            const auto last = static_cast<std::uint32_t>(std::uint64_t{count} * (p + 1) / parts);
            for (auto n = static_cast<std::uint32_t>(std::uint64_t{count} * p / parts); n < last; ++n)
                hashes[n] = hash_name(name_of(n));
        });
        std::vector<std::vector<std::uint32_t>> late(parts);
        run_parts(parts, [&](unsigned p) {
            const std::size_t lo = size * p / parts, hi = size * (p + 1) / parts;
            for (std::uint32_t n = 0; n < count; ++n) {
                std::size_t i = hashes[n] & mask_;
                if (i < lo || i >= hi) continue;
                while (i < hi && slots_[i].item != 0) ++i;
                if (i == hi)
                    late[p].push_back(n);
                else
                    slots_[i] = {static_cast<std::uint32_t>(hashes[n] >> 32), n + 1};
            }
        });
        for (const auto& names : late)
            for (std::uint32_t n : names) {
                std::size_t i = hashes[n] & mask_;
                while (slots_[i].item != 0) i = (i + 1) & mask_;
                slots_[i] = {static_cast<std::uint32_t>(hashes[n] >> 32), n + 1};
            }
    }
    // The same on the calling thread alone.
    template <class NameOf>
    void assign(std::uint32_t count, const NameOf& name_of) {
        assign(count, name_of, 1, [](unsigned, const auto& part) { part(0); });
    }

    std::uint32_t count() const noexcept { return count_; }
    void clear() noexcept { *this = {}; }

private:
    struct Slot {
        std::uint32_t tag = 0;
        std::uint32_t item = 0;
    };

    template <class NameOf>
    void rebuild(std::size_t size, const NameOf& name_of) {  // size: a power of two
        slots_.assign(size, Slot{});
        mask_ = size - 1;
        for (std::uint32_t n = 0; n < count_; ++n) {
            const std::uint64_t h = hash_name(name_of(n));
            std::size_t i = h & mask_;
            while (slots_[i].item != 0) i = (i + 1) & mask_;
            slots_[i] = {static_cast<std::uint32_t>(h >> 32), n + 1};
        }
    }

    BigVector<Slot> slots_;  // a large table's slots sit in huge pages (big_block.hpp)
    std::size_t mask_ = 0;
    std::uint32_t count_ = 0;
};

}  // namespace zonegen
