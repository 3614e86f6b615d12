// DNS wire format on the packet path (RFC 1035 §4.1): the header encoder, a bounds-checked
// reader, name decoding that cannot be led into loops or out of the message, and a writer
// whose every write either fits whole or leaves the buffer untouched (PowerDNS
// dnswriter.hh). Nothing here allocates or throws, so respond() and the fuzzers can use it
// on hostile bytes; dnsd/answer/message_writer.hpp builds whole messages on top of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace dnsd::wire {

inline constexpr std::size_t kHeaderSize = 12;  // RFC 1035 §4.1.1
inline constexpr std::size_t kMaxName = 255;    // RFC 1035 §2.3.4, root byte included
inline constexpr std::size_t kMaxLabel = 63;
inline constexpr std::size_t kMaxMessage = 65535;  // RFC 1035 §4.2.2: TCP length prefix

// Header flag bits in the second 16-bit word (RFC 1035 §4.1.1, RFC 4035 §3.2).
inline constexpr std::uint16_t kFlagQr = 0x8000;
inline constexpr std::uint16_t kFlagAa = 0x0400;
inline constexpr std::uint16_t kFlagTc = 0x0200;
inline constexpr std::uint16_t kFlagRd = 0x0100;
inline constexpr std::uint16_t kFlagRa = 0x0080;
inline constexpr std::uint16_t kFlagAd = 0x0020;
inline constexpr std::uint16_t kFlagCd = 0x0010;

namespace rcode {
inline constexpr std::uint8_t kNoError = 0, kFormErr = 1, kServFail = 2, kNxDomain = 3, kNotImp = 4, kRefused = 5;
inline constexpr std::uint8_t kBadVers = 16;  // RFC 6891 §9: needs the OPT extended bits
}  // namespace rcode

namespace opcode {
inline constexpr std::uint8_t kQuery = 0, kNotify = 4;
}

namespace type {
inline constexpr std::uint16_t kA = 1, kNs = 2, kSoa = 6, kMx = 15, kTxt = 16, kAaaa = 28, kOpt = 41, kTkey = 249,
                               kTsig = 250, kIxfr = 251, kAxfr = 252, kMailB = 253, kMailA = 254, kAny = 255;
}

// EDNS0: the DO bit in the OPT's TTL field (RFC 3225 §3, RFC 6891 §6.1.4) and the option
// codes dnsd reads (IANA "DNS EDNS0 Option Codes").
inline constexpr std::uint32_t kEdnsDo = 0x8000;
inline constexpr std::uint16_t kOptionNsid = 3;  // RFC 5001 §2.3

namespace klass {
inline constexpr std::uint16_t kIn = 1, kCh = 3, kHs = 4, kNone = 254, kAny = 255;
}

inline std::uint16_t get16(const std::uint8_t* p) noexcept { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
inline std::uint32_t get32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
inline void put16(std::uint8_t* p, std::uint16_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

// The four sections of a message (RFC 1035 §4.1), in order; each has a count in the header.
enum class Section : std::uint8_t { Question, Answer, Authority, Additional };

// Where a section's count sits in the header: QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT.
constexpr std::size_t count_offset(Section s) noexcept { return 4 + 2 * static_cast<std::size_t>(s); }

// The header's fields (RFC 1035 §4.1.1). flags holds the single bits (QR, AA, TC, RD, RA,
// AD, CD); opcode and rcode have fields of their own. Only the low 4 bits of rcode fit
// here: an extended rcode puts the rest in the OPT record (RFC 6891 §6.1.3).
struct Header {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    std::uint8_t opcode = 0;
    std::uint8_t rcode = 0;
    std::uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
};

// Encodes h into the 12 octets at p: the one place a DNS header is built. Inline, so that
// respond() pays for the stores and nothing else.
inline void encode_header(std::uint8_t* p, const Header& h) noexcept {
    constexpr std::uint16_t kBits = 0x87F0;  // everything but the OPCODE and RCODE fields
    put16(p, h.id);
    put16(p + 2, static_cast<std::uint16_t>((h.flags & kBits) | (h.opcode & 0x0F) << 11 | (h.rcode & 0x0F)));
    put16(p + 4, h.qdcount);
    put16(p + 6, h.ancount);
    put16(p + 8, h.nscount);
    put16(p + 10, h.arcount);
}

// Reads forward through one message. A failed read returns false and does not move.
class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> message, std::size_t pos = 0) noexcept
        : msg_(message), pos_(pos <= message.size() ? pos : message.size()) {}

    // Inline: respond() reads a dozen fields per query, each a call otherwise.
    bool u8(std::uint8_t& v) noexcept {
        if (remaining() < 1) return false;
        v = msg_[pos_++];
        return true;
    }
    bool u16(std::uint16_t& v) noexcept {
        if (remaining() < 2) return false;
        v = get16(msg_.data() + pos_);
        pos_ += 2;
        return true;
    }
    bool u32(std::uint32_t& v) noexcept {
        if (remaining() < 4) return false;
        v = get32(msg_.data() + pos_);
        pos_ += 4;
        return true;
    }
    bool skip(std::size_t n) noexcept {
        if (remaining() < n) return false;
        pos_ += n;
        return true;
    }
    bool seek(std::size_t pos) noexcept;  // to an absolute offset within the message

    std::size_t pos() const noexcept { return pos_; }
    std::size_t remaining() const noexcept { return msg_.size() - pos_; }
    std::span<const std::uint8_t> message() const noexcept { return msg_; }

private:
    std::span<const std::uint8_t> msg_;
    std::size_t pos_;
};

enum class NameStatus : std::uint8_t {
    Ok,
    Truncated,       // the message ends inside the name
    BadLabelType,    // a length byte 0x40..0xBF: label longer than 63 / extended label (RFC 6891 §5)
    TooLong,         // more than 255 octets once pointers are followed
    Pointer,         // a compression pointer where none is allowed (the question)
    BadPointer,      // a pointer into the header or past the end of the message
    ForwardPointer,  // a pointer to a later offset (RFC 1035 §4.1.4: "prior occurrence")
    PointerLoop,     // a pointer back into the labels it was reached from
};

const char* describe(NameStatus s) noexcept;

// Decodes the name at r.pos() into lower (lower-cased, uncompressed wire form) and sets
// length. Pointers are followed only if allow_pointers, and each must point strictly before
// the run of labels that led to it, so decoding always ends. On success r stands after
// the name as it appears in place (after the first pointer, if any); on failure r is not
// moved and lower holds garbage.
NameStatus read_name(Reader& r, bool allow_pointers, std::span<std::uint8_t, kMaxName> lower,
                     std::size_t& length) noexcept;

// Writes into a caller's buffer up to a limit. A write that does not fit whole writes
// nothing and returns false (so a section is either complete or absent).
class Writer {
public:
    Writer(std::span<std::uint8_t> buffer, std::size_t limit) noexcept
        : buf_(buffer), limit_(limit < buffer.size() ? limit : buffer.size()) {}

    bool u8(std::uint8_t v) noexcept {
        if (!fits(1)) return false;
        buf_[pos_++] = v;
        return true;
    }
    bool u16(std::uint16_t v) noexcept {
        if (!fits(2)) return false;
        put16(buf_.data() + pos_, v);
        pos_ += 2;
        return true;
    }
    bool u32(std::uint32_t v) noexcept {
        if (!fits(4)) return false;
        put16(buf_.data() + pos_, static_cast<std::uint16_t>(v >> 16));
        put16(buf_.data() + pos_ + 2, static_cast<std::uint16_t>(v));
        pos_ += 4;
        return true;
    }
    bool bytes(std::span<const std::uint8_t> b) noexcept {
        if (!fits(b.size())) return false;
        if (!b.empty()) std::memcpy(buf_.data() + pos_, b.data(), b.size());
        pos_ += b.size();
        return true;
    }
    bool header(const Header& h) noexcept {
        if (!fits(kHeaderSize)) return false;
        encode_header(buf_.data() + pos_, h);
        pos_ += kHeaderSize;
        return true;
    }

    // Overwrites an already written 16-bit field (header counts, RDLENGTH).
    void patch16(std::size_t at, std::uint16_t v) noexcept {
        if (at + 2 <= pos_) put16(buf_.data() + at, v);
    }
    // Drops everything written after pos (a section that turned out not to fit).
    void truncate(std::size_t pos) noexcept;
    // Moves the limit (within the buffer, and never below what is already written).
    void set_limit(std::size_t limit) noexcept;

    bool fits(std::size_t n) const noexcept { return n <= limit_ - pos_; }
    std::size_t pos() const noexcept { return pos_; }
    std::size_t limit() const noexcept { return limit_; }
    std::uint8_t* data() noexcept { return buf_.data(); }

private:
    std::span<std::uint8_t> buf_;
    std::size_t limit_;
    std::size_t pos_ = 0;
};

}  // namespace dnsd::wire
