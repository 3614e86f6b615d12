// The answer table's name index: open addressing over lower-cased wire names, so that a
// query costs one hash and, almost always, one memcmp (DESIGN "Hot path").
#include <cstring>

#include "dnsd/answer_table_impl.hpp"
#include "zonegen/name.hpp"

namespace dnsd {

const Entry* AnswerTable::Impl::find(const std::uint8_t* name, std::size_t length) const noexcept {
    if (slots.empty()) return nullptr;
    const std::uint64_t h = zonegen::hash_wire(name, length);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        const Slot& s = slots[i];
        if (s.entry == kNone) return nullptr;
        if (s.tag != tag) continue;
        const Entry& e = entries[s.entry];
        if (e.name_length == length && std::memcmp(name_of(e), name, length) == 0) return &e;
    }
}

std::uint32_t AnswerTable::Impl::insert(const std::uint8_t* name, std::size_t length) {
    if ((entries.size() + 1) * 2 > slots.size()) grow(slots.empty() ? 1024 : slots.size() * 2);
    const auto index = static_cast<std::uint32_t>(entries.size());
    Entry e;
    e.name_offset = static_cast<std::uint32_t>(names.size());
    e.name_length = static_cast<std::uint8_t>(length);
    names.insert(names.end(), name, name + length);
    entries.push_back(e);
    const std::uint64_t h = zonegen::hash_wire(name, length);
    std::size_t i = h & mask;
    while (slots[i].entry != kNone) i = (i + 1) & mask;
    slots[i] = Slot{index, static_cast<std::uint32_t>(h >> 32)};
    return index;
}

void AnswerTable::Impl::reserve(std::size_t entry_count) {
    entries.reserve(entry_count);
    std::size_t size = slots.empty() ? 1024 : slots.size();
    while (entry_count * 2 > size) size *= 2;
    if (size > slots.size()) grow(size);
}

void AnswerTable::Impl::grow(std::size_t size) {
    slots.assign(size, Slot{});
    mask = size - 1;
    for (std::uint32_t index = 0; index < entries.size(); ++index) {
        const Entry& e = entries[index];
        const std::uint64_t h = zonegen::hash_wire(name_of(e), e.name_length);
        std::size_t i = h & mask;
        while (slots[i].entry != kNone) i = (i + 1) & mask;
        slots[i] = Slot{index, static_cast<std::uint32_t>(h >> 32)};
    }
}

}  // namespace dnsd
