// Compile-time sections: template messages by the MessageWriter, copied into the table.
#include "dnsd/answer/section_writer.hpp"

#include <cstring>

namespace dnsd {

namespace {

// A pointer holds 14 bits; relocation may add up to 255 - 2 (a longer real question name),
// so names placed later than this are written but never pointed to.
constexpr std::size_t kMaxTarget = MessageWriter::kMaxPointerTarget - wire::kMaxName;

}  // namespace

SectionWriter::SectionWriter(TableVector<std::uint8_t>& bytes, TableVector<std::uint16_t>& relocs)
    : bytes_(bytes),
      relocs_(relocs),
      template_(wire::kMaxMessage),
      writer_(template_, template_.size(), kMaxTarget) {}

void SectionWriter::begin_message(std::string_view qname, TemplateKind kind) {
    qname_ = qname;
    kind_ = kind;
    too_big_ = false;
    writer_.log_pointers(nullptr);
    writer_.clear();
    pointers_.clear();
    // Only the question's name matters: the real question replaces it, type and class too.
    writer_.header({});
    writer_.plain_name(qname);
    writer_.u16(0);
    writer_.u16(wire::klass::kIn);
    // The question name and its suffixes are the first compression targets. With the
    // Wildcard kind the whole name ("*.x") is not what the client sent, so only its
    // suffixes are offered; owners point at offset 12 explicitly.
    const std::size_t skip = kind == TemplateKind::Wildcard ? 1 + static_cast<unsigned char>(qname[0]) : 0;
    writer_.offer(wire::kHeaderSize + skip, qname.substr(skip));
    // With the real question longer than the template's, every pointer the writer aims at
    // the question or at a later name must move (answer_table_impl.hpp).
    if (kind != TemplateKind::Exact) writer_.log_pointers(&pointers_);
}

void SectionWriter::begin_section(wire::Section section) {
    section_ = section;
    section_start_ = writer_.pos();
    pointers_start_ = pointers_.size();
    records_before_ = writer_.count(section);
}

Blob SectionWriter::end_section() { return finish_section(section_start_); }

Blob SectionWriter::end_section_after(const Blob& before) { return finish_section(section_start_ - before.length); }

Blob SectionWriter::finish_section(std::size_t reloc_base) {
    const std::span<const std::uint8_t> section = writer_.written().subspan(section_start_);
    Blob b;
    b.offset = static_cast<std::uint32_t>(bytes_.size());
    b.length = static_cast<std::uint32_t>(section.size());
    // resize() and memcpy: a range inserted into a vector with a custom allocator is
    // constructed byte by byte.
    bytes_.resize(b.offset + section.size());
    if (!section.empty()) std::memcpy(bytes_.data() + b.offset, section.data(), section.size());
    b.reloc_offset = static_cast<std::uint32_t>(relocs_.size());
    b.reloc_count = static_cast<std::uint16_t>(pointers_.size() - pointers_start_);
    relocs_.resize(b.reloc_offset + b.reloc_count);
    for (std::size_t i = 0; i < b.reloc_count; ++i)
        relocs_[b.reloc_offset + i] = static_cast<std::uint16_t>(pointers_[pointers_start_ + i] - reloc_base);
    b.records = static_cast<std::uint16_t>(writer_.count(section_) - records_before_);
    return b;
}

void SectionWriter::add(std::string_view owner, std::uint32_t ttl, const zonegen::Rdata& rdata) {
    writer_.start_record();
    if (kind_ == TemplateKind::Wildcard && owner == qname_)
        writer_.pointer(wire::kHeaderSize);  // the client's name, wherever its suffix lands
    else
        writer_.name(owner);
    writer_.fields(static_cast<std::uint16_t>(zonegen::type_of(rdata)), wire::klass::kIn, ttl);
    writer_.rdata(rdata);
    if (!writer_.commit(section_)) too_big_ = true;
}

}  // namespace dnsd
