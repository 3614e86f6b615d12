// Signed queries off the packet path (RFC 8945 §5): a query over UDP or TCP whose last
// record is a TSIG (SOA, IXFR over UDP, anything but a transfer over TCP, which xfr.hpp
// handles) is verified against the --tsig-key keys and answered with respond()'s answer
// signed with the key it named, or with the §5.2 error answer. Unsigned queries never come
// here: respond() only flags the signed ones (QueryInfo::is_signed), so they keep the fast path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/answer/respond.hpp"
#include "dnsd/net/server.hpp"
#include "dnsd/primary/tsig.hpp"

namespace dnsd {

// Answers query (which ends in a TSIG) into out and returns the length, 0 for no answer:
//  - a TSIG that fails, in the order of §5.2 (unknown key or algorithm, MAC, time), gets
//    NOTAUTH with BADKEY, BADSIG or BADTIME, the question and nothing of the zone;
//  - otherwise respond()'s answer to the query without its TSIG (§4.3.3: ARCOUNT one less),
//    signed with the same key over the request's MAC (§5.3), within the same size limit as
//    an unsigned answer (a UDP answer that does not fit with its TSIG gets TC, RFC 1035 §4.2.1).
// now: seconds since the epoch. *verdict, if given, receives the verification's outcome.
// options (--nsid) go to respond(), so a signed query that asks for NSID gets it too.
std::size_t answer_signed(const AnswerTable& table, std::span<const TsigKey> keys,
                          std::span<const std::uint8_t> query, std::span<std::uint8_t> out, Transport transport,
                          std::int64_t now, TsigVerdict* verdict = nullptr, const AnswerOptions* options = nullptr);

// The server's hook around answer_signed(): the clock, and a log line for each failure
// (at most one a second, with a count of those left out, since anyone can send them).
SignedQueryHook make_signed_query_hook(std::shared_ptr<const std::vector<TsigKey>> keys, AnswerOptions options = {});

}  // namespace dnsd
