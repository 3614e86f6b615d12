// Integers appended in network byte order (RFC 1035 §2.3.2) to a growing byte string or
// vector: the wire form of a record's fields, for zonegen's and dnsd's builders alike.
#pragma once

#include <cstdint>

namespace zonegen {

template <class Bytes>
void append16(Bytes& out, std::uint32_t v) {
    using Byte = typename Bytes::value_type;
    out.push_back(static_cast<Byte>((v >> 8) & 0xff));
    out.push_back(static_cast<Byte>(v & 0xff));
}

template <class Bytes>
void append32(Bytes& out, std::uint32_t v) {
    append16(out, v >> 16);
    append16(out, v & 0xffff);
}

}  // namespace zonegen
