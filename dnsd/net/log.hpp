// dnsd's stderr: lifecycle lines and, with --log-queries, one line per query. Every line is
// written with a single write(2), so lines from several workers never interleave. When
// stderr is the journal (dnsd/primary/service.hpp decides), each line carries its syslog
// priority instead of the "dnsd: " that journald adds by itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dnsd/answer/respond.hpp"
#include "dnsd/net/endpoint.hpp"

namespace dnsd {

// syslog(3) priorities (RFC 5424 §6.2.1 severities), as journald reads them from a "<N>"
// at the start of a line (sd-daemon(3)).
enum class Priority : std::uint8_t { Error = 3, Warning = 4, Notice = 5, Info = 6 };

// Journal style on or off (off at start): on, every line written below starts with "<N>",
// its priority, in place of "dnsd: " (journald records the time, the name and the PID
// itself, so the line carries neither). Set it before the threads start.
void log_to_journal(bool on);

// Writes "dnsd: <message>\n" to stderr.
void log_line(std::string_view message, Priority priority = Priority::Info);
// Writes text, already whole lines, to stderr as it is (journal style: each line with the
// priority). Never allocates: the query log calls it for every query.
void write_stderr(std::string_view text, Priority priority = Priority::Info);

// Formats the --log-queries line for one query into buf, without allocating, and returns
// its length (cut short if buf is small):
//   dnsd: query udp 127.0.0.1:40000 oxford.smarthost.local. MX NOERROR 183
// The name is shown as the client sent it; "-" when the question cannot be read. A
// response length of 0 shows as "dropped", a truncated answer ends in " TC", the answer to
// a signed query (RFC 8945) in " TSIG".
std::size_t format_query_line(std::span<char> buf, Transport transport, const Endpoint& peer,
                              std::span<const std::uint8_t> query, const QueryInfo& info, std::size_t response_len);

}  // namespace dnsd
