// DNS wire format on the packet path: bounds-checked reader, name decoder, writer.
#include "dnsd/answer/wire.hpp"

#include <cstring>

namespace dnsd::wire {

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

// Lower-cases eight octets at once: only 'A'..'Z' change (RFC 4343 §3: ASCII case only;
// octets above 0x7F are left alone). Per byte, with h = b & 0x7F, h + (0x80 - 'A') sets
// the top bit iff h >= 'A', h + (0x80 - 'Z' - 1) iff h > 'Z'; no carry crosses bytes.
static std::uint64_t lower_word(std::uint64_t x) noexcept {
    constexpr std::uint64_t kOnes = 0x0101010101010101ull;
    const std::uint64_t h = x & (0x7F * kOnes);
    const std::uint64_t ge_a = h + (0x80 - 'A') * kOnes;
    const std::uint64_t gt_z = h + (0x80 - 'Z' - 1) * kOnes;
    const std::uint64_t upper = ge_a & ~gt_z & ~x & (0x80 * kOnes);
    return x | (upper >> 2);  // 0x80 >> 2 is 0x20, the case bit
}

// Where 8 octets can be read past the label (still inside the message) and written past
// it (still inside the 255-octet buffer; later labels overwrite the excess), the tail
// goes as one word too.
static void lower_label(const std::uint8_t* in, std::size_t len, std::size_t in_room, std::uint8_t* out,
                        std::size_t out_room) noexcept {
    std::size_t k = 0;
    for (; k < len && k + 8 <= in_room && k + 8 <= out_room; k += 8) {
        std::uint64_t w;
        std::memcpy(&w, in + k, 8);
        w = lower_word(w);
        std::memcpy(out + k, &w, 8);
    }
    for (; k < len; ++k) out[k] = lower_byte(in[k]);
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
        lower_label(msg.data() + pos + 1, len, msg.size() - pos - 1, lower.data() + out, kMaxName - out);
        out += len;
        pos += 1 + len;
    }
    length = out;
    r.seek(resume);
    return NameStatus::Ok;
}

void Writer::truncate(std::size_t pos) noexcept {
    if (pos < pos_) pos_ = pos;
}

void Writer::set_limit(std::size_t limit) noexcept {
    limit_ = limit < pos_ ? pos_ : limit < buf_.size() ? limit : buf_.size();
}

}  // namespace dnsd::wire
