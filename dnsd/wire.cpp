// DNS wire format on the packet path: bounds-checked reader, name decoder, writer.
#include "dnsd/wire.hpp"

#include <cstring>

namespace dnsd::wire {

bool Reader::u8(std::uint8_t& v) noexcept {
    if (remaining() < 1) return false;
    v = msg_[pos_++];
    return true;
}

bool Reader::u16(std::uint16_t& v) noexcept {
    if (remaining() < 2) return false;
    v = get16(msg_.data() + pos_);
    pos_ += 2;
    return true;
}

bool Reader::u32(std::uint32_t& v) noexcept {
    if (remaining() < 4) return false;
    v = get32(msg_.data() + pos_);
    pos_ += 4;
    return true;
}

bool Reader::skip(std::size_t n) noexcept {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
}

bool Reader::seek(std::size_t pos) noexcept {
    if (pos > msg_.size()) return false;
    pos_ = pos;
    return true;
}

const char* describe(NameStatus s) noexcept {
    switch (s) {
        case NameStatus::Ok: return "ok";
        case NameStatus::Truncated: return "name runs past the end of the message";
        case NameStatus::BadLabelType: return "label length above 63 (extended or reserved label type)";
        case NameStatus::TooLong: return "name longer than 255 octets";
        case NameStatus::Pointer: return "compression pointer where none is allowed";
        case NameStatus::BadPointer: return "compression pointer into the header";
        case NameStatus::ForwardPointer: return "compression pointer to a later offset";
        case NameStatus::PointerLoop: return "compression pointer loop";
    }
    return "?";
}

static std::uint8_t lower_byte(std::uint8_t c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c - 'A' + 'a') : c;
}

NameStatus read_name(Reader& r, bool allow_pointers, std::span<std::uint8_t, kMaxName> lower,
                     std::size_t& length) noexcept {
    const std::span<const std::uint8_t> msg = r.message();
    std::size_t pos = r.pos();
    // Every pointer must land strictly before the start of the labels that led to it; the
    // start positions thus strictly decrease, which rules out loops without a hop counter.
    std::size_t run_start = pos;
    std::size_t resume = 0;  // where the reader continues: after the name as it sits in place
    bool jumped = false;
    std::size_t out = 0;
    while (true) {
        if (pos >= msg.size()) return NameStatus::Truncated;
        const std::uint8_t len = msg[pos];
        if (len == 0) {
            lower[out++] = 0;  // room is guaranteed by the label check below
            if (!jumped) resume = pos + 1;
            break;
        }
        if ((len & 0xC0) == 0xC0) {  // RFC 1035 §4.1.4
            if (!allow_pointers) return NameStatus::Pointer;
            if (pos + 1 >= msg.size()) return NameStatus::Truncated;
            const std::size_t target = (std::size_t{len & 0x3Fu} << 8) | msg[pos + 1];
            if (target > pos) return NameStatus::ForwardPointer;
            if (target >= run_start) return NameStatus::PointerLoop;
            if (target < kHeaderSize) return NameStatus::BadPointer;
            if (!jumped) resume = pos + 2;
            jumped = true;
            run_start = target;
            pos = target;
            continue;
        }
        if (len > kMaxLabel) return NameStatus::BadLabelType;
        if (msg.size() - pos - 1 < len) return NameStatus::Truncated;
        if (out + 1 + len + 1 > kMaxName) return NameStatus::TooLong;  // + 1: the root still to come
        lower[out++] = len;
        for (std::size_t k = 0; k < len; ++k) lower[out++] = lower_byte(msg[pos + 1 + k]);
        pos += 1 + len;
    }
    length = out;
    r.seek(resume);
    return NameStatus::Ok;
}

bool Writer::u8(std::uint8_t v) noexcept {
    if (!fits(1)) return false;
    buf_[pos_++] = v;
    return true;
}

bool Writer::u16(std::uint16_t v) noexcept {
    if (!fits(2)) return false;
    put16(buf_.data() + pos_, v);
    pos_ += 2;
    return true;
}

bool Writer::u32(std::uint32_t v) noexcept {
    if (!fits(4)) return false;
    put16(buf_.data() + pos_, static_cast<std::uint16_t>(v >> 16));
    put16(buf_.data() + pos_ + 2, static_cast<std::uint16_t>(v));
    pos_ += 4;
    return true;
}

bool Writer::bytes(std::span<const std::uint8_t> b) noexcept {
    if (!fits(b.size())) return false;
    if (!b.empty()) std::memcpy(buf_.data() + pos_, b.data(), b.size());
    pos_ += b.size();
    return true;
}

void Writer::patch16(std::size_t at, std::uint16_t v) noexcept {
    if (at + 2 <= pos_) put16(buf_.data() + at, v);
}

void Writer::truncate(std::size_t pos) noexcept {
    if (pos < pos_) pos_ = pos;
}

}  // namespace dnsd::wire
