// Fuzz target: dnsd::wire::read_name(), the bounds-checked decoder of (possibly
// compressed) names on the packet path. The input is a whole message; its first two octets
// (the ID of a real message) choose where the name starts and the low bit of the third
// (RD) whether pointers are allowed. ASan catches any read outside the message. The
// decoded name must be a valid uncompressed wire name (RFC 1035 §3.1: labels of at most 63
// octets, 255 octets in all, ending in the root label, lower case, RFC 4343), and the
// decoder must agree with a plain octet-at-a-time reference implementing the rules that
// wire.hpp states: same verdict, same name, same resume position.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>

#include "dnsd/answer/wire.hpp"

namespace {

using dnsd::wire::kHeaderSize;
using dnsd::wire::kMaxLabel;
using dnsd::wire::kMaxName;

struct Decoded {
    bool ok = false;
    std::array<std::uint8_t, kMaxName> name{};
    std::size_t length = 0;
    std::size_t resume = 0;
};

// The reference: RFC 1035 §4.1.4 pointers, each to an offset before the run of labels that
// led to it and not into the header; labels up to 63; at most 255 octets with the root.
Decoded reference(std::span<const std::uint8_t> msg, std::size_t pos, bool allow_pointers) {
    Decoded d;
    std::size_t run_start = pos;
    bool jumped = false;
    while (true) {
        if (pos >= msg.size()) return d;
        const std::uint8_t len = msg[pos];
        if (len == 0) {
            d.name[d.length++] = 0;
            if (!jumped) d.resume = pos + 1;
            d.ok = true;
            return d;
        }
        if ((len & 0xC0) == 0xC0) {
            if (!allow_pointers || pos + 1 >= msg.size()) return d;
            const std::size_t target = (std::size_t{len & 0x3Fu} << 8) | msg[pos + 1];
            if (target >= run_start || target < kHeaderSize) return d;
            if (!jumped) d.resume = pos + 2;
            jumped = true;
            run_start = target;
            pos = target;
            continue;
        }
        if (len > kMaxLabel || pos + 1 + len > msg.size() || d.length + 1 + len + 1 > kMaxName) return d;
        d.name[d.length++] = len;
        for (std::size_t i = 0; i < len; ++i) {
            const std::uint8_t c = msg[pos + 1 + i];
            d.name[d.length++] = (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c | 0x20) : c;
        }
        pos += 1 + len;
    }
}

// The name must be a well-formed uncompressed wire name of exactly length octets.
void check_wire_name(const std::uint8_t* name, std::size_t length) {
    if (length == 0 || length > kMaxName) std::abort();
    std::size_t at = 0;
    while (true) {
        if (at >= length) std::abort();
        const std::uint8_t len = name[at];
        if (len == 0) break;
        if (len > kMaxLabel) std::abort();
        for (std::size_t i = 1; i <= len; ++i)
            if (at + i >= length || (name[at + i] >= 'A' && name[at + i] <= 'Z')) std::abort();
        at += 1 + len;
    }
    if (at + 1 != length) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const std::span<const std::uint8_t> msg(data, size);
    const std::size_t start = dnsd::wire::get16(data) % (size + 1);
    const bool allow_pointers = (data[2] & 1) != 0;

    // The output buffer on the heap at its exact size, so ASan sees any write past it.
    const auto out = std::make_unique<std::array<std::uint8_t, kMaxName>>();
    std::size_t length = 0;
    dnsd::wire::Reader r(msg, start);
    const dnsd::wire::NameStatus st = dnsd::wire::read_name(r, allow_pointers, *out, length);
    const Decoded want = reference(msg, start, allow_pointers);

    if ((st == dnsd::wire::NameStatus::Ok) != want.ok) std::abort();
    if (!want.ok) {
        if (r.pos() != start) std::abort();  // a failed read does not move the reader
        return 0;
    }
    check_wire_name(out->data(), length);
    if (length != want.length || std::memcmp(out->data(), want.name.data(), length) != 0) std::abort();
    if (r.pos() != want.resume) std::abort();
    return 0;
}
