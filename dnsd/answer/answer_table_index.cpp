// The answer table's name index (zonegen/core/wire_index.hpp over the entries' names), so that a
// query costs one hash and, almost always, one memcmp (DESIGN "Hot path").
#include "dnsd/answer/answer_table_impl.hpp"

namespace dnsd {

const Entry* AnswerTable::Impl::find(const std::uint8_t* name, std::size_t length) const noexcept {
    const std::uint32_t i = index.find({reinterpret_cast<const char*>(name), length}, entry_name());
    return i == zonegen::WireIndex::kAbsent ? nullptr : &entries[i];
}

std::uint32_t AnswerTable::Impl::insert(const std::uint8_t* name, std::size_t length) {
    const std::uint32_t i = index.find_or_add({reinterpret_cast<const char*>(name), length}, entry_name());
    if (i < entries.size()) return i;
    Entry e;
    e.name_offset = static_cast<std::uint32_t>(names.size());
    e.name_length = static_cast<std::uint8_t>(length);
    names.insert(names.end(), name, name + length);
    entries.push_back(e);
    return i;
}

void AnswerTable::Impl::reserve(std::size_t entry_count) {
    entries.reserve(entry_count);
    index.reserve(entry_count, entry_name());
}

}  // namespace dnsd
