// Reading one incoming DNS message into the facts respond() decides on: header, the single
// question (with its lower-cased name for lookup), and the EDNS0 OPT record. Every byte is
// read through bounds-checked readers; the records of the answer, authority and additional
// sections are checked for well-formedness and then ignored, except the OPT record and
// whether the last one is a TSIG.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dnsd/answer/wire.hpp"

namespace dnsd {

enum class ParseStatus : std::uint8_t {
    Ok,
    QuestionCount,  // QDCOUNT is not 1 (RFC 9619: exactly one question)
    BadQuestion,    // question name malformed or compressed, or QTYPE/QCLASS missing
    BadRecord,      // a record of the other sections malformed or beyond the data
    OptMisplaced,   // an OPT outside the additional section (RFC 6891 §6.1.1)
    SecondOpt,      // more than one OPT (RFC 6891 §6.1.1)
    BadOpt,         // OPT owner not the root, or options overrunning RDLENGTH
    TrailingData,   // bytes after the last record counted in the header
};

const char* describe(ParseStatus s) noexcept;

struct ParsedQuery {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    std::uint8_t opcode = 0;

    // Set when QDCOUNT is 1 and the question parsed, even if something later did not:
    // error responses echo the question whenever it could be read.
    bool has_question = false;
    std::size_t question_end = 0;  // offset just after QCLASS; the question is [12, question_end)
    // Lower-cased wire form; only the first qname_length bytes are meaningful. Left
    // uninitialised: zeroing 255 bytes per query would cost more than the lookup.
    std::array<std::uint8_t, wire::kMaxName> qname;
    std::size_t qname_length = 0;
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;

    // EDNS0 (RFC 6891 §6.1.3), meaningful when the whole message parsed.
    bool has_opt = false;
    std::uint16_t udp_payload = 0;  // the requestor's payload size as sent
    std::uint8_t edns_version = 0;
    bool dnssec_ok = false;  // the DO bit (RFC 3225 §3), copied into the response's OPT
    bool nsid = false;       // an NSID option (RFC 5001 §2.1) asks for the server's identifier

    // The last additional record is a TSIG (RFC 8945 §5.1: it must be the last): the query
    // is signed, and the caller verifies it off the packet path.
    bool has_tsig = false;
    std::size_t tsig_offset = 0;  // where that TSIG record begins, when has_tsig
};

// msg must be at least a header long (the caller drops shorter packets).
ParseStatus parse_query(std::span<const std::uint8_t> msg, ParsedQuery& q) noexcept;

// RFC 1995 §3: the serial of the version an IXFR client has, from the SOA in the authority
// section of msg (which parse_query() accepted into q). False if there is none. Only IXFR
// pays for this second look at the message; other queries never call it.
bool ixfr_client_serial(std::span<const std::uint8_t> msg, const ParsedQuery& q, std::uint32_t& serial) noexcept;

}  // namespace dnsd
