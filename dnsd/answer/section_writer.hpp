// Writes the answer table's Blobs at compile time: each is a section of a template message
// whose question starts at offset 12, written by the MessageWriter (names compressed
// against the template's question and earlier records, RFC 1035 §4.1.4) and copied out,
// with a note of which pointers must move with the real question (answer_table_impl.hpp).
// Compile time only: it may allocate; respond() merely copies what it wrote.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "dnsd/answer/answer_table_impl.hpp"
#include "dnsd/answer/message_writer.hpp"
#include "zonegen/core/zone.hpp"

namespace dnsd {

enum class TemplateKind : std::uint8_t {
    Exact,     // used only when the real question name is the template's: nothing moves
    Suffix,    // the real name ends in the template's (negative answers, referrals)
    Wildcard,  // the template is "*.<encloser>"; owners are the real question name
};

class SectionWriter {
public:
    SectionWriter(TableVector<std::uint8_t>& bytes, TableVector<std::uint16_t>& relocs);
    SectionWriter(const SectionWriter&) = delete;  // writer_ points into template_
    SectionWriter& operator=(const SectionWriter&) = delete;

    // Starts a new template message with this question name (lower-cased wire form).
    void begin_message(std::string_view qname, TemplateKind kind);
    // Sections follow each other in the template message in the order they are written.
    void begin_section(wire::Section section);
    // One record of class IN. owner: wire form; with the Wildcard kind pass the template
    // question itself to mean "the real question name".
    void add(std::string_view owner, std::uint32_t ttl, const zonegen::Rdata& rdata);
    Blob end_section();
    // Ends a section begun right after before was ended, with its relocation positions
    // counted from before's first byte rather than its own: the two copy as one block
    // (TypeAnswer's answer and additional sections).
    Blob end_section_after(const Blob& before);

    // True if a record written since begin_message() did not fit: the template message
    // would be above 65535 octets (RFC 1035 §4.2.2).
    bool too_big() const { return too_big_; }

private:
    Blob finish_section(std::size_t reloc_base);

    TableVector<std::uint8_t>& bytes_;
    TableVector<std::uint16_t>& relocs_;
    std::vector<std::uint8_t> template_;  // the template message: header, question, sections
    MessageWriter writer_;
    std::vector<std::uint16_t> pointers_;  // offsets of the pointers that move (not with Exact)
    std::string_view qname_;
    TemplateKind kind_ = TemplateKind::Exact;
    wire::Section section_ = wire::Section::Answer;
    std::size_t section_start_ = 0;  // template offset where the current section starts
    std::size_t pointers_start_ = 0;
    std::uint16_t records_before_ = 0;  // the section's count when it started
    bool too_big_ = false;
};

}  // namespace dnsd
