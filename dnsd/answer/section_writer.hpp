// Writes resource records into the answer table's Blobs at compile time, compressing names
// (RFC 1035 §4.1.4) against a template message whose question starts at offset 12, and
// noting which pointers must move with the real question (see answer_table_impl.hpp).
// Compile time only: it may allocate; respond() merely copies what it wrote.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "dnsd/answer/answer_table_impl.hpp"
#include "zonegen/core/zone.hpp"

namespace dnsd {

enum class TemplateKind : std::uint8_t {
    Exact,     // used only when the real question name is the template's: nothing moves
    Suffix,    // the real name ends in the template's (negative answers, referrals)
    Wildcard,  // the template is "*.<encloser>"; owners are the real question name
};

class SectionWriter {
public:
    SectionWriter(TableVector<std::uint8_t>& bytes, TableVector<std::uint16_t>& relocs)
        : bytes_(bytes), relocs_(relocs) {}

    // Starts a new template message with this question name (lower-cased wire form).
    void begin_message(std::string_view qname, TemplateKind kind);
    // Sections follow each other in the template message in the order they are written.
    void begin_section();
    // One record of class IN. owner: wire form; with the Wildcard kind pass the template
    // question itself to mean "the real question name".
    void add(std::string_view owner, std::uint32_t ttl, const zonegen::Rdata& rdata);
    Blob end_section();

    // True if the message written since begin_message() cannot be a DNS message: an RDATA
    // above 65535 octets or a message above 65535 (RFC 1035 §4.2.2).
    bool too_big() const { return too_big_; }
    // Size of the template message so far: header, question and the sections written.
    std::size_t message_size() const { return question_end_ + (bytes_.size() - message_start_); }

private:
    struct Known {
        std::string_view name;  // a name (or a suffix of one) already in the message
        std::uint16_t offset;
        bool relocate;
    };
    void put_name(std::string_view name);
    void put_pointer(std::uint16_t offset, bool relocate);
    void remember(std::string_view name, std::size_t offset);

    TableVector<std::uint8_t>& bytes_;
    TableVector<std::uint16_t>& relocs_;
    std::vector<Known> known_;
    std::string_view qname_;
    TemplateKind kind_ = TemplateKind::Exact;
    std::size_t question_end_ = 0;   // template offset where the first section starts
    std::size_t message_start_ = 0;  // bytes_ index of that offset
    std::size_t section_start_ = 0;  // bytes_ index where the current section starts
    std::size_t reloc_start_ = 0;
    std::uint16_t records_ = 0;
    bool too_big_ = false;
};

}  // namespace dnsd
