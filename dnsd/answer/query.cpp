// Reading one incoming DNS message: header, question, well-formedness of the other
// sections, and the EDNS0 OPT record.
#include "dnsd/answer/query.hpp"

namespace dnsd {

const char* describe(ParseStatus s) noexcept {
    switch (s) {
        case ParseStatus::Ok: return "ok";
        case ParseStatus::QuestionCount: return "QDCOUNT is not 1";
        case ParseStatus::BadQuestion: return "malformed question";
        case ParseStatus::BadRecord: return "malformed record or counts beyond the data";
        case ParseStatus::OptMisplaced: return "OPT record outside the additional section";
        case ParseStatus::SecondOpt: return "more than one OPT record";
        case ParseStatus::BadOpt: return "malformed OPT record";
        case ParseStatus::TrailingData: return "bytes after the last record";
    }
    return "?";
}

namespace {

struct RecordHead {
    std::size_t name_length = 0;
    std::uint16_t type = 0, klass = 0, rdlength = 0;
    std::uint32_t ttl = 0;
    std::size_t rdata = 0;  // offset of the RDATA
};

// One resource record (RFC 1035 §4.1.3): owner (compression allowed, checked), fixed
// fields, RDATA within the message. The RDATA is skipped, not interpreted.
bool read_record(wire::Reader& r, RecordHead& h) noexcept {
    std::array<std::uint8_t, wire::kMaxName> scratch;
    if (wire::read_name(r, true, scratch, h.name_length) != wire::NameStatus::Ok) return false;
    if (!r.u16(h.type) || !r.u16(h.klass) || !r.u32(h.ttl) || !r.u16(h.rdlength)) return false;
    h.rdata = r.pos();
    return r.skip(h.rdlength);
}

// RFC 6891 §6.1.2: options are {code, length, data} and must tile RDATA exactly. Unknown
// options are ignored (§6.1.2 "MUST be ignored"); NSID is noted whatever its length (the
// requestor sends it empty, RFC 5001 §2.1; NSD and BIND answer a non-empty one alike).
bool read_options(std::span<const std::uint8_t> rdata, ParsedQuery& q) noexcept {
    wire::Reader r(rdata);
    bool nsid = false;
    while (r.remaining() > 0) {
        std::uint16_t code = 0, length = 0;
        if (!r.u16(code) || !r.u16(length) || !r.skip(length)) return false;
        nsid |= code == wire::kOptionNsid;
    }
    q.nsid = nsid;
    return true;
}

}  // namespace

ParseStatus parse_query(std::span<const std::uint8_t> msg, ParsedQuery& q) noexcept {
    wire::Reader r(msg);
    std::uint16_t counts[4] = {};
    r.u16(q.id);
    r.u16(q.flags);
    for (auto& c : counts) r.u16(c);
    q.opcode = static_cast<std::uint8_t>((q.flags >> 11) & 0x0F);
    if (r.pos() != wire::kHeaderSize) return ParseStatus::BadQuestion;  // caller's contract broken

    if (counts[0] != 1) return ParseStatus::QuestionCount;
    // The question is echoed byte for byte, with owner pointers of the answer aimed at it,
    // so it must be a plain uncompressed name (nothing earlier exists to point to anyway).
    if (wire::read_name(r, false, q.qname, q.qname_length) != wire::NameStatus::Ok) return ParseStatus::BadQuestion;
    if (!r.u16(q.qtype) || !r.u16(q.qclass)) return ParseStatus::BadQuestion;
    q.has_question = true;
    q.question_end = r.pos();

    // Answer and authority records are legal in some queries (IXFR's SOA, RFC 1995 §3;
    // NOTIFY's SOA, RFC 1996 §3.7) and mean nothing to an authoritative lookup: they are
    // checked for framing and ignored.
    RecordHead h;
    for (std::size_t i = 0; i < std::size_t{counts[1]} + counts[2]; ++i) {
        if (!read_record(r, h)) return ParseStatus::BadRecord;
        if (h.type == wire::type::kOpt) return ParseStatus::OptMisplaced;
    }
    for (std::size_t i = 0; i < counts[3]; ++i) {
        const std::size_t start = r.pos();
        if (!read_record(r, h)) return ParseStatus::BadRecord;
        if (h.type != wire::type::kOpt) {
            // RFC 8945 §5.1: a TSIG counts only as the last record; verifying it is not ours.
            q.has_tsig = h.type == wire::type::kTsig && i + 1 == counts[3];
            q.tsig_offset = start;
            continue;
        }
        if (q.has_opt) return ParseStatus::SecondOpt;
        if (h.name_length != 1) return ParseStatus::BadOpt;  // RFC 6891 §6.1.2: owner is the root
        if (!read_options(msg.subspan(h.rdata, h.rdlength), q)) return ParseStatus::BadOpt;
        q.has_opt = true;
        q.udp_payload = h.klass;
        q.edns_version = static_cast<std::uint8_t>(h.ttl >> 16);
        q.dnssec_ok = (h.ttl & wire::kEdnsDo) != 0;
    }
    // BIND and Knot refuse trailing bytes too: a sender that miscounts its records cannot be
    // trusted to have meant the ones we did read.
    if (r.remaining() != 0) return ParseStatus::TrailingData;
    return ParseStatus::Ok;
}

bool ixfr_client_serial(std::span<const std::uint8_t> msg, const ParsedQuery& q, std::uint32_t& serial) noexcept {
    if (!q.has_question || msg.size() < wire::kHeaderSize) return false;
    const std::size_t answers = wire::get16(msg.data() + 6), authority = wire::get16(msg.data() + 8);
    wire::Reader r(msg, q.question_end);
    RecordHead h;
    for (std::size_t i = 0; i < answers; ++i)
        if (!read_record(r, h)) return false;
    for (std::size_t i = 0; i < authority; ++i) {
        if (!read_record(r, h)) return false;
        // SERIAL is the first of the five 32-bit fields that end the RDATA (RFC 1035 §3.3.13),
        // wherever compressed names before them end.
        if (h.type == wire::type::kSoa && h.rdlength >= 22) {
            serial = wire::get32(msg.data() + h.rdata + h.rdlength - 20);
            return true;
        }
    }
    return false;
}

}  // namespace dnsd
