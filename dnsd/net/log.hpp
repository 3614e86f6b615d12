// dnsd's stderr: lifecycle lines and, with --log-queries, one line per query. Every line is
// written with a single write(2), so lines from several workers never interleave.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dnsd/answer/respond.hpp"
#include "dnsd/net/endpoint.hpp"

namespace dnsd {

// Writes "dnsd: <message>\n" to stderr.
void log_line(std::string_view message);
// Writes text, already a whole line, to stderr as it is.
void write_stderr(std::string_view text);

// Formats the --log-queries line for one query into buf, without allocating, and returns
// its length (cut short if buf is small):
//   dnsd: query udp 127.0.0.1:40000 oxford.smarthost.local. MX NOERROR 183
// The name is shown as the client sent it; "-" when the question cannot be read. A
// response length of 0 shows as "dropped", a truncated answer ends in " TC", the answer to
// a signed query (RFC 8945) in " TSIG".
std::size_t format_query_line(std::span<char> buf, Transport transport, const Endpoint& peer,
                              std::span<const std::uint8_t> query, const QueryInfo& info, std::size_t response_len);

}  // namespace dnsd
