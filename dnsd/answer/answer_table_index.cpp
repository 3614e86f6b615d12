// The answer table's name index (zonegen/core/wire_index.hpp over the entries' names), so that a
// query costs one hash and, almost always, one memcmp (DESIGN "Hot path").
#include "dnsd/answer/answer_table_impl.hpp"
#include "dnsd/answer/parallel.hpp"

namespace dnsd {

const Entry* AnswerTable::Impl::find(const std::uint8_t* name, std::size_t length) const noexcept {
    const std::uint32_t i = index.find({reinterpret_cast<const char*>(name), length}, entry_name());
    return i == zonegen::WireIndex::kAbsent ? nullptr : &entries[i];
}

std::uint32_t AnswerTable::Impl::append(const std::uint8_t* name, std::size_t length) {
    Entry e;
    e.name_offset = static_cast<std::uint32_t>(names.size());
    e.name_length = static_cast<std::uint8_t>(length);
    names.insert(names.end(), name, name + length);
    entries.push_back(e);
    return static_cast<std::uint32_t>(entries.size() - 1);
}

void AnswerTable::Impl::index_all(unsigned threads) {
    // Below this many names a part is not worth a thread.
    constexpr std::size_t kMinPart = 1 << 16;
    index.assign(static_cast<std::uint32_t>(entries.size()), entry_name(),
                 part_count(entries.size(), threads, kMinPart),
                 [](unsigned parts, const auto& part) { run_parts(parts, part); });
}

std::uint32_t AnswerTable::Impl::insert(const std::uint8_t* name, std::size_t length) {
    const std::uint32_t i = index.find_or_add({reinterpret_cast<const char*>(name), length}, entry_name());
    if (i < entries.size()) return i;
    return append(name, length);
}

}  // namespace dnsd
