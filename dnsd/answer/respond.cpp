// respond(): parse, decide the outcome, then copy precompiled sections (Knot
// nameserver/internet.c: decide before writing). No allocation, no exceptions.
#include "dnsd/answer/respond.hpp"

#include <algorithm>
#include <cstring>

#include "dnsd/answer/answer_table_impl.hpp"
#include "dnsd/answer/query.hpp"
#include "dnsd/answer/wire.hpp"
#include "zonegen/core/serial.hpp"

namespace dnsd {

namespace {

// RFC 6891 §6.2.5 with the DNS flag day 2020 value: no fragmentation on common paths.
constexpr std::uint16_t kOurPayload = 1232;
constexpr std::size_t kMinPayload = 512;  // RFC 6891 §6.2.5: smaller values mean 512
constexpr std::size_t kOptSize = 11;      // root owner, type, class, TTL, RDLENGTH
constexpr std::size_t kOptionHeader = 4;  // option code and length (RFC 6891 §6.1.2)

// What the response will hold, decided before a byte is written.
struct Plan {
    std::uint8_t rcode = wire::rcode::kNoError;  // 12 bits: the upper 8 go to the OPT
    bool aa = false;
    // Empty (no records, no bytes) where the response has none. An RRset's answer carries
    // its additional section joined (TypeAnswer::sections()), and joined says how much of
    // it that is, to drop first when space is short; additional is a referral's glue.
    Blob answer;
    Blob authority;
    Blob additional;
    const TypeAnswer* joined = nullptr;
    // Where the bytes are when not in the compiled table (a version's overrides): answer
    // and additional from an override chunk, authority from new negative answers.
    const OverrideChunk* chunk = nullptr;
    const Negatives* negatives = nullptr;
    bool additional_required = false;  // referral glue: TC rather than drop (RFC 9471 §3)
    std::size_t delta = 0;             // real question name length minus the template's
};

// What respond() reads: the compiled table and the version's overrides.
struct Tables {
    const AnswerTable::Impl& t;
    const AnswerTable::Version& v;
};

void negative(const Tables& tables, std::uint32_t zone, std::size_t qlen, std::uint8_t rcode, Plan& p) noexcept {
    const Negatives* n = tables.v.negatives.get();
    const ZoneAnswers& z = n ? n->zones[zone] : tables.t.zone_answers[zone];
    p.rcode = rcode;
    p.aa = true;
    p.authority = z.authority;
    p.negatives = n;
    p.delta = qlen - z.apex_length;
}

void referral(const Tables& tables, std::uint32_t index, std::size_t qlen, Plan& p) noexcept {
    // RFC 1034 §4.3.2 step 3b: not authoritative below a cut; point at the child.
    const Referral& r = tables.t.referrals[index];
    p.authority = r.authority;
    p.additional = r.additional;
    p.additional_required = true;
    p.delta = qlen - r.cut_length;
}

// The name exists (directly or through a wildcard at delta): its RRset, or NODATA.
void at_node(const Tables& tables, const Entry& e, std::uint16_t qtype, std::size_t qlen, std::size_t delta,
             Plan& p) noexcept {
    const AnswerTable::Impl& t = tables.t;
    const TypeAnswer* first = t.types.data() + e.first_type;
    const TypeAnswer* last = first + e.type_count();
    // RFC 8482 §4.2: ANY gets one RRset, the first of the name (see Entry).
    const TypeAnswer* hit = qtype == wire::type::kAny
                                ? (first != last ? first : nullptr)
                                : std::find_if(first, last, [qtype](const TypeAnswer& a) { return a.type == qtype; });
    if (hit == last || hit == nullptr) {
        negative(tables, e.zone, qlen, wire::rcode::kNoError, p);  // RFC 2308 §2.2 NODATA
        return;
    }
    if (hit->managed && !tables.v.chunks.empty()) {
        // Health (or a new serial) may serve this RRset otherwise (health_answers.cpp).
        const auto index = static_cast<std::uint32_t>(hit - t.types.data());
        const OverrideChunk* c = tables.v.chunks[index / OverrideChunk::kSize].get();
        const std::uint32_t slot = index % OverrideChunk::kSize;
        if (c && (c->present >> slot & 1) != 0) {
            hit = &c->answers[slot];
            p.chunk = c;
        }
    }
    p.aa = true;
    p.answer = hit->sections();
    p.joined = hit;
    p.delta = delta;
}

// RFC 1034 §4.3.2 with RFC 4592 wildcards and RFC 8020 empty non-terminals.
void lookup(const Tables& tables, const ParsedQuery& q, Plan& p) noexcept {
    const AnswerTable::Impl& t = tables.t;
    const std::uint8_t* name = q.qname.data();
    const std::size_t len = q.qname_length;
    if (const Entry* e = t.find(name, len)) {
        if (e->at_cut()) return referral(tables, e->first_type, len, p);
        return at_node(tables, *e, q.qtype, len, 0, p);
    }
    // The closest encloser: the longest existing ancestor.
    const Entry* ce = nullptr;
    std::size_t off = 0;
    while (!ce) {
        if (name[off] == 0) {
            p.rcode = wire::rcode::kRefused;  // no served zone holds the name
            return;
        }
        off += 1 + name[off];
        ce = t.find(name + off, len - off);
    }
    if (ce->at_cut()) return referral(tables, ce->first_type, len, p);
    // RFC 4592 §3.3.1: the source of synthesis is "*" directly below the closest encloser.
    // The question had at least one more label than the encloser, so "*." fits.
    std::uint8_t wild[wire::kMaxName];
    wild[0] = 1;
    wild[1] = '*';
    std::memcpy(wild + 2, name + off, len - off);
    const std::size_t wild_len = 2 + len - off;
    // A wildcard delegation cannot be answered from a template whose cut is not a suffix of
    // the question (RFC 4592 §4.2 leaves it undefined): such a name is treated as absent.
    if (const Entry* w = t.find(wild, wild_len); w && !w->at_cut())
        return at_node(tables, *w, q.qtype, len, len - wild_len, p);
    negative(tables, ce->zone, len, wire::rcode::kNxDomain, p);
}

// RFC 1995 §2: IXFR over UDP. A client whose serial is the zone's (or newer) gets the SOA
// alone; any other a truncated answer, which sends it to TCP and the transfer hook (its ACL,
// its journal). The SOA is public: any client may ask for it anyway.
void ixfr_over_udp(const Tables& t, std::span<const std::uint8_t> msg, const ParsedQuery& q, Plan& p) noexcept {
    const ZoneImage* zone = nullptr;
    for (const ZoneImage& z : *t.v.served)
        if (z.origin().wire().size() == q.qname_length &&
            std::memcmp(z.origin().wire().data(), q.qname.data(), q.qname_length) == 0)
            zone = &z;
    const Entry* apex = zone ? t.t.find(q.qname.data(), q.qname_length) : nullptr;
    if (!apex) {
        p.rcode = wire::rcode::kRefused;  // no zone of ours has its apex here
        return;
    }
    std::uint32_t serial = 0;
    if (ixfr_client_serial(msg, q, serial) && !zonegen::serial_gt(zone->serial(), serial)) {
        at_node(t, *apex, wire::type::kSoa, q.qname_length, 0, p);
        return;
    }
    // An answer no message can hold: the size check below turns it into TC with empty
    // sections, and ordinary queries pay no flag for this rare one.
    p.aa = true;
    p.answer = Blob{.length = 0xFFFFFFFFu};
}

void decide(const Tables& t, std::span<const std::uint8_t> msg, const ParsedQuery& q, ParseStatus status,
            Transport transport, QueryInfo* info, Plan& p) noexcept {
    using namespace wire;
    if (q.opcode != opcode::kQuery && q.opcode != opcode::kNotify) {
        p.rcode = rcode::kNotImp;  // RFC 1035 §4.1.1
    } else if (status != ParseStatus::Ok) {
        p.rcode = rcode::kFormErr;
    } else if (q.has_opt && q.edns_version > 0) {
        p.rcode = rcode::kBadVers;  // RFC 6891 §6.1.3
    } else if (q.opcode == opcode::kNotify) {
        p.rcode = rcode::kRefused;  // we are the primary: nobody notifies us (RFC 1996)
    } else if (q.qclass != klass::kIn && q.qclass != klass::kAny) {
        p.rcode = rcode::kRefused;  // CHAOS (version.bind, id.server) and others: not served
    } else if (q.qtype == type::kOpt || q.qtype == type::kTsig || q.qtype == type::kTkey) {
        p.rcode = rcode::kFormErr;  // meta-types that only live in the additional section (as BIND)
    } else if (q.qtype == type::kMailA || q.qtype == type::kMailB) {
        p.rcode = rcode::kNotImp;  // RFC 883 leftovers (as BIND)
    } else if (q.qtype == type::kAxfr || q.qtype == type::kIxfr) {
        // Over TCP the caller streams the zone (dnsd/xfr) and this REFUSED is what it sends
        // if it does not. AXFR over UDP is not defined (RFC 5936 §4.2): NOTIMP, as NSD and
        // Knot answer. IXFR over UDP is defined (RFC 1995 §2).
        if (transport == Transport::Tcp && info) info->is_transfer = true;
        if (transport == Transport::Udp && q.qtype == type::kIxfr) return ixfr_over_udp(t, msg, q, p);
        p.rcode = transport == Transport::Udp && q.qtype == type::kAxfr ? rcode::kNotImp : rcode::kRefused;
    } else {
        lookup(t, q, p);
    }
}

// Inlined: three call sites on every answer, and the call would cost more than the copy's
// bookkeeping.
[[gnu::always_inline]] inline void copy_blob(BlobSource s, const Blob& b, std::size_t delta,
                                             wire::Writer& w) noexcept {
    const std::size_t at = w.pos();
    w.bytes({s.bytes + b.offset, b.length});
    if (delta == 0) return;
    for (std::size_t k = 0; k < b.reloc_count; ++k) {
        std::uint8_t* ptr = w.data() + at + s.relocs[b.reloc_offset + k];
        const std::size_t target = ((std::size_t{ptr[0]} & 0x3F) << 8 | ptr[1]) + delta;
        ptr[0] = static_cast<std::uint8_t>(0xC0 | (target >> 8));
        ptr[1] = static_cast<std::uint8_t>(target);
    }
}

}  // namespace

std::size_t respond(const AnswerTable& table, std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                    Transport transport, QueryInfo* info, const AnswerOptions* options) noexcept {
    using namespace wire;
    if (info) *info = QueryInfo{};
    if (query.size() < kHeaderSize) {  // no ID to answer to
        if (info) info->dropped = Dropped::Short;
        return 0;
    }
    if (get16(query.data() + 2) & kFlagQr) {  // a response: answering could loop
        if (info) info->dropped = Dropped::Response;
        return 0;
    }
    const Tables t{table.impl(), table.version()};

    ParsedQuery q;
    const ParseStatus status = parse_query(query, q);
    Plan p;
    decide(t, query, q, status, transport, info, p);
    // The OPT is echoed whenever the query's could be read (RFC 6891 §7).
    const bool opt = status == ParseStatus::Ok && q.has_opt;
    // RFC 5001 §2.2: NSID only to a query that asked; not with BADVERS (as NSD). Rare: the
    // ordinary query pays one test of q.nsid.
    std::size_t nsid = 0;
    if (opt && q.nsid && options && p.rcode != rcode::kBadVers) [[unlikely]]
        nsid = std::min<std::size_t>(options->nsid_length, AnswerOptions::kMaxNsid);
    const std::size_t opt_options = nsid ? kOptionHeader + nsid : 0;

    std::size_t limit = std::min(out.size(), kMaxMessage);
    if (transport == Transport::Udp) {
        const std::size_t udp = opt ? std::clamp<std::size_t>(q.udp_payload, kMinPayload, kOurPayload) : kMinPayload;
        limit = std::min(limit, udp);
    }
    const std::size_t question = q.has_question ? q.question_end - kHeaderSize : 0;
    const std::size_t fixed = kHeaderSize + question + (opt ? kOptSize + opt_options : 0);
    if (fixed > limit) {  // the caller's buffer breaks the 512-octet contract
        if (info) info->dropped = Dropped::NoRoom;
        return 0;
    }
    bool tc = false;
    auto total = [&] { return fixed + p.answer.length + p.authority.length + p.additional.length; };
    // RFC 2181 §9: additional data may be left out without TC; referral glue may not.
    if (total() > limit && !p.additional_required) {
        if (p.joined) {
            p.answer.length -= p.joined->additional_length;
            p.answer.reloc_count = static_cast<std::uint16_t>(p.answer.reloc_count - p.joined->additional_relocs);
            p.joined = nullptr;
        }
        p.additional = {};
    }
    if (total() > limit) {
        tc = true;  // RFC 1035 §4.2.1: the client retries over TCP
        p.answer = p.authority = p.additional = {};
        p.joined = nullptr;
    }

    Writer w(out, limit);
    w.header({.id = q.id,
              .flags = static_cast<std::uint16_t>(kFlagQr | (q.flags & kFlagRd) | (p.aa ? kFlagAa : 0) |
                                                  (tc ? kFlagTc : 0)),
              .opcode = q.opcode,
              .rcode = p.rcode,
              .qdcount = static_cast<std::uint16_t>(q.has_question ? 1 : 0),
              .ancount = p.answer.records,
              .nscount = p.authority.records,
              .arcount = static_cast<std::uint16_t>((p.joined ? p.joined->additional_records : 0) +
                                                    p.additional.records + (opt ? 1 : 0))});
    w.bytes(query.subspan(kHeaderSize, question));
    const BlobSource compiled{t.t.bytes.data(), t.t.relocs.data()};
    const BlobSource body = p.chunk ? BlobSource{p.chunk->bytes.data(), p.chunk->relocs.data()} : compiled;
    if (p.answer.length) copy_blob(body, p.answer, p.delta, w);
    if (p.authority.length)
        copy_blob(p.negatives ? BlobSource{p.negatives->bytes.data(), p.negatives->relocs.data()} : compiled,
                  p.authority, p.delta, w);
    if (p.additional.length) copy_blob(body, p.additional, p.delta, w);
    if (opt) {
        // RFC 6891 §6.1.2/§6.1.3: root owner, our payload size, the upper rcode bits,
        // version 0, the query's DO bit (RFC 3225 §3), then NSID if asked (RFC 5001 §2.3).
        // One block: a single bounds check instead of one per field.
        const std::uint8_t rr[kOptSize] = {0,
                                           0,
                                           type::kOpt,
                                           kOurPayload >> 8,
                                           kOurPayload & 0xFF,
                                           static_cast<std::uint8_t>(p.rcode >> 4),
                                           0,
                                           static_cast<std::uint8_t>(q.dnssec_ok ? kEdnsDo >> 8 : 0),
                                           0,
                                           0,
                                           static_cast<std::uint8_t>(opt_options)};  // at most 4 + 128
        w.bytes(rr);
        if (nsid) [[unlikely]] {
            w.u16(kOptionNsid);
            w.u16(static_cast<std::uint16_t>(nsid));
            w.bytes({options->nsid.data(), nsid});
        }
    }
    if (info) {
        info->qtype = q.has_question ? q.qtype : 0;
        info->rcode = p.rcode;
        info->truncated = tc;
        info->is_signed = status == ParseStatus::Ok && q.has_tsig;
        info->malformed = status;
    }
    return w.pos();
}

}  // namespace dnsd
