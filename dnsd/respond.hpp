// respond(): one DNS query in, one response out. Pure protocol logic with no sockets, so
// the UDP path, the TCP path, the tests and the fuzzers all share it (Knot query/layer.h).
// It never throws and never allocates: it reads the query through bounds-checked readers,
// decides the outcome, then copies precompiled bytes into the caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dnsd/answer_table.hpp"

namespace dnsd {

enum class Transport : std::uint8_t { Udp, Tcp };

struct QueryInfo {
    // Filled by respond() for logging and metrics; no effect on the answer.
    std::uint16_t qtype = 0;
    std::uint8_t rcode = 0;
    bool truncated = false;
    bool is_transfer = false;  // AXFR/IXFR over TCP: the caller streams the zone (dnsd/xfr)
};

// Writes the response to query into out and returns its length; 0 means "send nothing"
// (RFC 1035 §4.1.1: responses, and packets too short to carry an ID, are dropped).
// out must hold at least 512 bytes; over UDP the response is limited to the client's
// EDNS0 payload size (at most 1232, RFC 6891 §6.2.5, DNS flag day 2020) or 512 without
// EDNS, over TCP to min(out.size(), 65535).
std::size_t respond(const AnswerTable& table, std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                    Transport transport, QueryInfo* info = nullptr) noexcept;

}  // namespace dnsd
