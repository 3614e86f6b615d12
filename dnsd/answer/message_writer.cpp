// The DNS message writer: header, question, records, name compression, roll-back.
#include "dnsd/answer/message_writer.hpp"

#include <cstring>
#include <variant>

#include "zonegen/core/name.hpp"

namespace dnsd {

namespace {

std::size_t label_end(std::string_view name, std::size_t i) { return i + 1 + static_cast<unsigned char>(name[i]); }

}  // namespace

MessageWriter::MessageWriter(std::span<std::uint8_t> buffer, std::size_t limit, std::size_t max_target)
    : buf_(buffer), w_(buffer, limit), max_target_(max_target < kMaxPointerTarget ? max_target : kMaxPointerTarget) {}

void MessageWriter::clear() {
    w_.truncate(0);
    failed_ = false;
    rdlength_at_ = 0;
    // The vectors keep their memory for the next message; without slots, lookups scan.
    names_.clear();
    targets_.clear();
    slots_.clear();
}

bool MessageWriter::header(const wire::Header& h) {
    note(pos() == 0 && w_.header(h));  // the counts are kept at fixed offsets
    return !failed_;
}

bool MessageWriter::question(std::span<const std::uint8_t> as_sent) {
    const std::uint16_t n = count(wire::Section::Question);
    if (failed_ || n == 0xFFFF || pos() < wire::kHeaderSize || !w_.bytes(as_sent)) return false;
    set_count(wire::Section::Question, static_cast<std::uint16_t>(n + 1));
    return true;
}

bool MessageWriter::question(std::string_view name, std::uint16_t type, std::uint16_t klass) {
    const Mark m = mark();
    const std::uint16_t n = count(wire::Section::Question);
    plain_name(name);
    u16(type);
    u16(klass);
    if (failed_ || n == 0xFFFF || m.pos < wire::kHeaderSize) {
        rollback(m);
        return false;
    }
    offer(m.pos, name);
    set_count(wire::Section::Question, static_cast<std::uint16_t>(n + 1));
    return true;
}

void MessageWriter::start_record(std::string_view owner, std::uint16_t type, std::uint16_t klass, std::uint32_t ttl) {
    start_record();
    name(owner);
    fields(type, klass, ttl);
}

void MessageWriter::rdata(const zonegen::Rdata& rd) {
    struct Visitor {
        MessageWriter& w;
        void operator()(const zonegen::Ns& r) const { w.name(r.host.wire()); }
        void operator()(const zonegen::Mx& r) const {
            w.u16(r.preference);
            w.name(r.exchange.wire());
        }
        void operator()(const zonegen::Soa& r) const { w.rdata(r); }
        void operator()(const zonegen::A& r) const { w.bytes(r.addr); }
        void operator()(const zonegen::Aaaa& r) const { w.bytes(r.addr); }
        void operator()(const zonegen::Txt& r) const {
            for (const auto& s : r.strings) {  // RFC 1035 §3.3.14: <character-string>s
                w.u8(static_cast<std::uint8_t>(s.size()));
                w.bytes(s);
            }
        }
    };
    std::visit(Visitor{*this}, rd);
}

void MessageWriter::rdata(const zonegen::Soa& soa) {
    name(soa.mname.wire());
    name(soa.rname.wire());
    for (std::uint32_t v : {soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum}) u32(v);
}

void MessageWriter::rdata(std::uint16_t type, std::string_view canonical) {
    if (type == wire::type::kNs) {
        name(canonical);
    } else if (type == wire::type::kMx && canonical.size() > 2) {
        bytes(canonical.substr(0, 2));
        name(canonical.substr(2));
    } else {
        bytes(canonical);  // the SOA too: its names stay uncompressed here
    }
}

std::size_t MessageWriter::find(std::string_view suffix) const {
    if (slots_.empty()) {
        for (const Target& t : targets_)
            if (t.length == suffix.size() && name_of(t) == suffix) return t.offset;
        return 0;
    }
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = zonegen::hash_wire(suffix.data(), suffix.size()) & mask; slots_[i] != 0;
         i = (i + 1) & mask) {
        const Target& t = targets_[slots_[i] - 1];
        if (name_of(t) == suffix) return t.offset;
    }
    return 0;
}

void MessageWriter::name(std::string_view wire) {
    if (failed_ || wire.empty()) return note(false);
    // The longest suffix already in the message wins (the root alone is not worth a pointer).
    std::size_t cut = 0;
    std::size_t target = 0;
    for (; wire[cut] != 0; cut = label_end(wire, cut))
        if ((target = find(wire.substr(cut))) != 0) break;
    std::uint16_t offsets[wire::kMaxName / 2];
    std::size_t labels = 0;
    for (std::size_t i = 0; i < cut; i = label_end(wire, i)) {
        offsets[labels++] = static_cast<std::uint16_t>(pos());
        bytes(wire.substr(i, label_end(wire, i) - i));
    }
    if (target == 0) {
        u8(0);
    } else {
        if (pointer_log_ && !failed_ && w_.fits(2)) pointer_log_->push_back(static_cast<std::uint16_t>(pos()));
        pointer(static_cast<std::uint16_t>(target));
    }
    if (failed_ || labels == 0) return;
    // Written whole, the name can be read back from the message; cut short, it is copied.
    if (target != 0) names_.append(wire);
    remember(wire, offsets, labels, target != 0);
}

void MessageWriter::offer(std::size_t offset, std::string_view name) {
    // Offered twice, a name keeps its first place.
    std::uint16_t offsets[wire::kMaxName / 2];
    std::size_t labels = 0;
    for (std::size_t i = 0; name[i] != 0 && (targets_.empty() || find(name.substr(i)) == 0); i = label_end(name, i))
        offsets[labels++] = static_cast<std::uint16_t>(offset + i);
    remember(name, offsets, labels, false);
}

void MessageWriter::rollback(const Mark& m) {
    w_.truncate(m.pos);
    while (targets_.size() > m.targets) {
        if (!slots_.empty()) slots_[targets_.back().slot] = 0;
        targets_.pop_back();
    }
    names_.resize(m.names);
    if (pointer_log_ && pointer_log_->size() > m.pointers) pointer_log_->resize(m.pointers);
    failed_ = false;
}

void MessageWriter::remember(std::string_view name, const std::uint16_t* offsets, std::size_t count, bool copied) {
    if (count == 0) return;
    const std::size_t base = copied ? names_.size() - name.size() : offsets[0];
    const std::size_t first = targets_.size();
    // Offsets grow along the name: past max_target, so are the rest.
    for (std::size_t k = 0, i = 0; k < count && offsets[k] <= max_target_; ++k, i = label_end(name, i))
        targets_.push_back({static_cast<std::uint32_t>(base + i), 0, offsets[k],
                            static_cast<std::uint8_t>(name.size() - i), copied});
    if (slots_.empty() && targets_.size() <= kScanLimit) return;
    if (targets_.size() * 2 > slots_.size()) {
        std::size_t size = slots_.empty() ? 64 : slots_.size();
        while (targets_.size() * 2 > size) size *= 2;
        return rebuild(size);
    }
    for (std::size_t n = first; n < targets_.size(); ++n) insert(n);
}

void MessageWriter::insert(std::size_t target) {
    Target& t = targets_[target];
    const std::size_t mask = slots_.size() - 1;
    const std::string_view name = name_of(t);
    std::size_t i = zonegen::hash_wire(name.data(), name.size()) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = static_cast<std::uint32_t>(target + 1);
    t.slot = static_cast<std::uint32_t>(i);
}

void MessageWriter::rebuild(std::size_t slots) {
    slots_.assign(slots, 0);
    for (std::size_t n = 0; n < targets_.size(); ++n) insert(n);
}
}  // namespace dnsd
