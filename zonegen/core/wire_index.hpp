// An index of wire-format names for the zone builder's owners and dnsd's answer table:
// open addressing with linear probing, each slot the high half of the name's hash and
// 1 + the item's number (0: empty), at most half full. A lookup touches one slot and, when
// the tag matches, one name; a node-based map would allocate a node per name and miss the
// cache two or three times. The names live with the caller, who passes name_of(number)
// to read one back for comparing and rehashing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "zonegen/core/big_block.hpp"
#include "zonegen/core/name.hpp"

namespace zonegen {

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
            const std::string_view w = name_of(n);
            const std::uint64_t h = hash_wire(w.data(), w.size());
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
