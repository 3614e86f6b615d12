// Compile-time record writer with name compression and relocation bookkeeping.
#include "dnsd/answer/section_writer.hpp"

#include <variant>

#include "dnsd/answer/wire.hpp"

namespace dnsd {

namespace {

// A pointer holds 14 bits; relocation may add up to 255 - 2 (a longer real question name),
// so names placed later than this are written but never pointed to.
constexpr std::size_t kMaxTarget = 0x3FFF - wire::kMaxName;

std::size_t first_label_end(std::string_view name) { return 1 + static_cast<unsigned char>(name[0]); }

}  // namespace

void SectionWriter::begin_message(std::string_view qname, TemplateKind kind) {
    known_.clear();
    qname_ = qname;
    kind_ = kind;
    question_end_ = wire::kHeaderSize + qname.size() + 4;
    message_start_ = bytes_.size();
    too_big_ = false;
    // The question name and its suffixes are the first compression targets. With the
    // Wildcard kind the whole name ("*.x") is not what the client sent, so only its
    // suffixes are offered; owners use offset 12 explicitly.
    std::size_t i = kind == TemplateKind::Wildcard ? first_label_end(qname) : 0;
    for (; qname[i] != 0; i += 1 + static_cast<unsigned char>(qname[i]))
        known_.push_back({qname.substr(i), static_cast<std::uint16_t>(wire::kHeaderSize + i),
                          kind != TemplateKind::Exact});
}

void SectionWriter::begin_section() {
    section_start_ = bytes_.size();
    reloc_start_ = relocs_.size();
    records_ = 0;
}

Blob SectionWriter::end_section() {
    Blob b;
    b.offset = static_cast<std::uint32_t>(section_start_);
    b.length = static_cast<std::uint32_t>(bytes_.size() - section_start_);
    b.reloc_offset = static_cast<std::uint32_t>(reloc_start_);
    b.reloc_count = static_cast<std::uint16_t>(relocs_.size() - reloc_start_);
    b.records = records_;
    return b;
}

void SectionWriter::remember(std::string_view name, std::size_t offset) {
    if (offset <= kMaxTarget)
        known_.push_back({name, static_cast<std::uint16_t>(offset), kind_ != TemplateKind::Exact});
}

void SectionWriter::put_pointer(std::uint16_t offset, bool relocate) {
    if (relocate) relocs_.push_back(static_cast<std::uint16_t>(bytes_.size() - section_start_));
    bytes_.push_back(static_cast<std::uint8_t>(0xC0 | (offset >> 8)));
    bytes_.push_back(static_cast<std::uint8_t>(offset));
}

void SectionWriter::put_name(std::string_view name) {
    // Find the longest suffix already in the message (the root alone is not worth a pointer).
    std::size_t cut = name.size() - 1;
    const Known* target = nullptr;
    for (std::size_t i = 0; name[i] != 0 && !target; i += 1 + static_cast<unsigned char>(name[i])) {
        for (const Known& k : known_) {
            if (k.name == name.substr(i)) {
                target = &k;
                cut = i;
                break;
            }
        }
    }
    // remember() below may move known_: keep what the pointer needs.
    const bool found = target != nullptr;
    const std::uint16_t target_offset = found ? target->offset : 0;
    const bool target_relocate = found && target->relocate;
    for (std::size_t i = 0; i < cut; i += 1 + static_cast<unsigned char>(name[i])) {
        remember(name.substr(i), message_size());
        const std::size_t label = 1 + static_cast<unsigned char>(name[i]);
        bytes_.insert(bytes_.end(), name.begin() + static_cast<std::ptrdiff_t>(i),
                      name.begin() + static_cast<std::ptrdiff_t>(i + label));
    }
    if (found)
        put_pointer(target_offset, target_relocate);
    else
        bytes_.push_back(0);
}

void SectionWriter::add(std::string_view owner, std::uint32_t ttl, const zonegen::Rdata& rdata) {
    if (kind_ == TemplateKind::Wildcard && owner == qname_)
        put_pointer(wire::kHeaderSize, false);  // the client's name, wherever its suffix lands
    else
        put_name(owner);
    auto put16 = [this](std::uint32_t v) {
        bytes_.push_back(static_cast<std::uint8_t>(v >> 8));
        bytes_.push_back(static_cast<std::uint8_t>(v));
    };
    auto put32 = [&](std::uint32_t v) {
        put16(v >> 16);
        put16(v & 0xFFFF);
    };
    put16(static_cast<std::uint16_t>(zonegen::type_of(rdata)));
    put16(wire::klass::kIn);
    put32(ttl);
    const std::size_t rdlength_at = bytes_.size();
    put16(0);
    // RFC 3597 §4: only the RFC 1035 types may have their RDATA names compressed; NS, SOA
    // and MX are among them.
    struct Visitor {
        SectionWriter& w;
        decltype(put16)& p16;
        decltype(put32)& p32;
        void operator()(const zonegen::Ns& r) const { w.put_name(r.host.wire()); }
        void operator()(const zonegen::Mx& r) const {
            p16(r.preference);
            w.put_name(r.exchange.wire());
        }
        void operator()(const zonegen::Soa& r) const {
            w.put_name(r.mname.wire());
            w.put_name(r.rname.wire());
            for (auto v : {r.serial, r.refresh, r.retry, r.expire, r.minimum}) p32(v);
        }
        void operator()(const zonegen::A& r) const { w.bytes_.insert(w.bytes_.end(), r.addr.begin(), r.addr.end()); }
        void operator()(const zonegen::Aaaa& r) const {
            w.bytes_.insert(w.bytes_.end(), r.addr.begin(), r.addr.end());
        }
        void operator()(const zonegen::Txt& r) const {
            for (const auto& s : r.strings) {
                w.bytes_.push_back(static_cast<std::uint8_t>(s.size()));
                w.bytes_.insert(w.bytes_.end(), s.begin(), s.end());
            }
        }
    };
    std::visit(Visitor{*this, put16, put32}, rdata);
    const std::size_t rdlength = bytes_.size() - rdlength_at - 2;
    if (rdlength > 0xFFFF || message_size() > wire::kMaxMessage) too_big_ = true;
    bytes_[rdlength_at] = static_cast<std::uint8_t>(rdlength >> 8);
    bytes_[rdlength_at + 1] = static_cast<std::uint8_t>(rdlength);
    ++records_;
}

}  // namespace dnsd
