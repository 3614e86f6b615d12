// respond(): one DNS query in, one response out. Pure protocol logic with no sockets, so
// the UDP path, the TCP path, the tests and the fuzzers all share it (Knot query/layer.h).
// It never throws and never allocates: it reads the query through bounds-checked readers,
// decides the outcome, then copies precompiled bytes into the caller's buffer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/answer/query.hpp"

namespace dnsd {

enum class Transport : std::uint8_t { Udp, Tcp };

// Why respond() wrote nothing (RFC 1035 §4.1.1), for the metrics.
enum class Dropped : std::uint8_t {
    No,
    Short,     // shorter than a header: no ID to answer to
    Response,  // QR set: answering a response could loop
    NoRoom,    // the caller's buffer cannot hold header, question and OPT
};

struct QueryInfo {
    // Filled by respond() for logging and metrics; no effect on the answer.
    std::uint16_t qtype = 0;
    std::uint8_t rcode = 0;  // extended: 16 is BADVERS
    bool truncated = false;
    bool is_transfer = false;  // AXFR/IXFR over TCP: the caller streams the zone (dnsd/xfr)
    // The query ends in a TSIG (RFC 8945 §5.1): the answer written is the unsigned one, and
    // the caller verifies and signs off the packet path (ServerOptions::signed_query).
    bool is_signed = false;
    Dropped dropped = Dropped::No;
    ParseStatus malformed = ParseStatus::Ok;  // not Ok: the query's bytes broke a rule (FORMERR)
};

// Server configuration that answers carry (dnsd --nsid), fixed at start. The bytes live
// inline so that respond() follows one pointer, and only for a query that asks.
struct AnswerOptions {
    // RFC 5001 §2.3: the NSID payload is any octets. 128 at most, so that header, the
    // longest question (259), the OPT and the NSID option (4 + 128) still fit 512 octets.
    static constexpr std::size_t kMaxNsid = 128;
    std::array<std::uint8_t, kMaxNsid> nsid{};
    std::uint8_t nsid_length = 0;  // 0: no NSID configured; NSID requests are ignored
};

// What respond() decides where the RFCs leave a choice (NSD/Knot/BIND consensus):
// - Minimal responses: a positive answer has an empty authority section; additional holds
//   the A/AAAA of MX/NS targets in any served zone. NXDOMAIN/NODATA (also for empty
//   non-terminals, RFC 8020) carry the zone's SOA with TTL min(TTL, MINIMUM) (RFC 2308).
// - ANY gets one RRset (RFC 8482 §4.2), on UDP and TCP: the SOA at an apex, elsewhere the
//   lowest type number; NSD answers the same for zone files that zonegen writes.
// - Wildcards (RFC 4592) are synthesised; NS below an apex is a delegation: a referral
//   without AA, the NS RRset in authority and its glue in additional.
// - FORMERR: QDCOUNT != 1; a question that is malformed, compressed, over 63/255 octets;
//   any record running past the data; an OPT outside additional, twice, with a non-root
//   owner or options overrunning it; bytes after the last record (as BIND and Knot);
//   QTYPE OPT/TSIG/TKEY. Well-formed answer/authority records in a query are ignored
//   (IXFR and NOTIFY carry a SOA there).
// - The response has an OPT (payload 1232, version 0) whenever the query's OPT could be
//   read; EDNS version > 0 gets BADVERS (RFC 6891 §6.1.3). Its DO bit is the query's (RFC
//   3225 §3, as NSD, Knot and BIND; dnsd signs nothing, so DO changes nothing else). Its only
//   option is NSID, when the query carried one and options->nsid_length is not 0 (RFC 5001
//   §2.2), BADVERS excepted (as NSD: that answer says nothing but the version).
// - NOTIMP for opcodes other than QUERY and NOTIFY, and for MAILA/MAILB; REFUSED for
//   NOTIFY (we are the primary), classes other than IN and ANY (CHAOS included), names
//   outside every zone, and AXFR/IXFR (over TCP after setting info->is_transfer).
// - IXFR over UDP (RFC 1995 §2): a client as current as the zone gets the SOA alone, any
//   other TC with empty sections, so that it asks over TCP.
// - Too big: additional records go first (no TC, RFC 2181 §9) unless they are referral
//   glue; then TC with empty sections. The OPT always stays, with its NSID: like NSD and
//   Knot, the OPT's room (NSID included) is set aside before the sections are placed.
//
// Writes the response to query into out and returns its length; 0 means "send nothing"
// (RFC 1035 §4.1.1: responses, and packets too short to carry an ID, are dropped).
// out must hold at least 512 bytes; over UDP the response is limited to the client's
// EDNS0 payload size (at most 1232, RFC 6891 §6.2.5, DNS flag day 2020) or 512 without
// EDNS, over TCP to min(out.size(), 65535).
std::size_t respond(const AnswerTable& table, std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                    Transport transport, QueryInfo* info = nullptr, const AnswerOptions* options = nullptr) noexcept;

}  // namespace dnsd
