// Malformed and unusual DNS queries, one per rule of the malformed-input contract, with
// what the server must do with each, and mismatch(), which judges a response exactly.
// Shared by the respond() unit test and the end-to-end test that sends them to a running
// dnsd. They ask about a zone holding (SOA TTL 300, MINIMUM 5):
//   example.test. SOA/NS, ns.example.test. A 192.0.2.1, site.example.test. MX 10 ns.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tests/support/dns_decode.hpp"

namespace malformed {

using dnstest::Packet;

constexpr std::uint16_t kMx = 15;

// Header of a query with id 0x4242, opcode QUERY, RD set.
inline Packet head(std::uint16_t qd, std::uint16_t an, std::uint16_t ns, std::uint16_t ar) {
    Packet p;
    p.header(0x4242, 0x0100, qd, an, ns, ar);
    return p;
}

inline Packet good_question(std::uint16_t an, std::uint16_t ns, std::uint16_t ar) {
    Packet p = head(1, an, ns, ar);
    p.name("site.example.test").u16(kMx).u16(1);
    return p;
}

enum class Expect {
    Drop,                 // no response at all
    FormErrNoQuestion,    // FORMERR, header only
    FormErrWithQuestion,  // FORMERR, the question echoed, nothing else
    NotImp,               // NOTIMP, the question echoed, the opcode kept (RFC 1035 §4.1.1)
    Refused,              // REFUSED, the question echoed, no AA
    BadVers,              // extended RCODE 16 in our OPT (version 0), no records (RFC 6891 §6.1.3)
    NoData,               // NOERROR, AA, no answer, the negative SOA in authority (RFC 2308 §2.2)
    Answer,               // NOERROR, AA, the MX of site.example.test
};

struct Case {
    const char* what;
    std::vector<std::uint8_t> bytes;
    Expect expect;                   // over UDP, and over TCP unless over_tcp says otherwise
    std::optional<Expect> over_tcp;  // where the transports differ (AXFR)

    Expect on(bool tcp) const { return tcp && over_tcp ? *over_tcp : expect; }
};

inline std::vector<Case> cases() {
    std::vector<Case> c;
    auto add = [&](const char* what, const Packet& p, Expect e, std::optional<Expect> tcp = std::nullopt) {
        c.push_back({what, p.data(), e, tcp});
    };
    add("empty packet", Packet(), Expect::Drop);
    add("11 octets", Packet().u32(0x42420100).u32(1).u16(0).u8(0), Expect::Drop);
    {
        Packet p;
        p.header(0x4242, 0x8100, 1, 0, 0, 0).name("site.example.test").u16(kMx).u16(1);
        add("QR set: a response", p, Expect::Drop);
    }
    add("QDCOUNT 0", head(0, 0, 0, 0), Expect::FormErrNoQuestion);
    {
        Packet p = head(2, 0, 0, 0);
        p.name("site.example.test").u16(kMx).u16(1).name("example.test").u16(kMx).u16(1);
        add("QDCOUNT 2", p, Expect::FormErrNoQuestion);
    }
    add("QDCOUNT 1 without a question", head(1, 0, 0, 0), Expect::FormErrNoQuestion);
    {
        Packet p = head(1, 0, 0, 0);
        p.u8(64).text(std::string(64, 'a')).name("example.test").u16(kMx).u16(1);
        add("label of 64 octets (0x40)", p, Expect::FormErrNoQuestion);
    }
    {
        Packet p = head(1, 0, 0, 0);
        p.u8(0x80).text("abc").u8(0).u16(kMx).u16(1);
        add("reserved label type 0x80", p, Expect::FormErrNoQuestion);
    }
    {
        Packet p = head(1, 0, 0, 0);
        for (int i = 0; i < 4; ++i) p.u8(63).text(std::string(63, 'x'));
        p.u8(0).u16(kMx).u16(1);
        add("name of 257 octets", p, Expect::FormErrNoQuestion);
    }
    {
        Packet p = head(1, 0, 0, 0);
        p.u8(4).text("site").u16(0xC00C).u16(kMx).u16(1);
        add("compression pointer in the question", p, Expect::FormErrNoQuestion);
    }
    {
        Packet p = head(1, 0, 0, 0);
        p.u16(0xC012).u16(kMx).u16(1).name("example.test");
        add("question that is only a (forward) pointer", p, Expect::FormErrNoQuestion);
    }
    add("name without its root label", head(1, 0, 0, 0).u8(4).text("site"), Expect::FormErrNoQuestion);
    add("QTYPE cut short", head(1, 0, 0, 0).name("site.example.test").u8(0), Expect::FormErrNoQuestion);
    add("QCLASS missing", head(1, 0, 0, 0).name("site.example.test").u16(kMx), Expect::FormErrNoQuestion);
    add("ANCOUNT beyond the data", good_question(1, 0, 0), Expect::FormErrWithQuestion);
    add("NSCOUNT beyond the data", good_question(0, 1, 0), Expect::FormErrWithQuestion);
    add("ARCOUNT beyond the data", good_question(0, 0, 1), Expect::FormErrWithQuestion);
    add("ARCOUNT 2 with one OPT", good_question(0, 0, 2).opt(1232), Expect::FormErrWithQuestion);
    add("RDLENGTH beyond the data", good_question(0, 0, 1).u8(0).u16(16).u16(1).u32(0).u16(10).text("abc"),
        Expect::FormErrWithQuestion);
    add("record cut inside its fixed fields", good_question(0, 0, 1).u8(0).u16(16).u16(1),
        Expect::FormErrWithQuestion);
    add("trailing garbage", good_question(0, 0, 0).text("junk"), Expect::FormErrWithQuestion);
    add("trailing garbage after an OPT", good_question(0, 0, 1).opt(1232).u8(0), Expect::FormErrWithQuestion);
    add("two OPT records", good_question(0, 0, 2).opt(1232).opt(1232), Expect::FormErrWithQuestion);
    {
        const std::vector<std::uint8_t> rdata = {0x00, 0x0A, 0x00, 0x08, 1, 2};  // says 8, has 2
        add("OPT option overrunning RDLENGTH", good_question(0, 0, 1).opt(1232, 0, false, rdata),
            Expect::FormErrWithQuestion);
    }
    {
        const std::vector<std::uint8_t> rdata = {0x00, 0x0A, 0x00};  // option header cut
        add("OPT option header cut", good_question(0, 0, 1).opt(1232, 0, false, rdata), Expect::FormErrWithQuestion);
    }
    add("OPT owner not the root", good_question(0, 0, 1).name("x").u16(41).u16(1232).u32(0).u16(0),
        Expect::FormErrWithQuestion);
    add("OPT in the answer section", good_question(1, 0, 0).opt(1232), Expect::FormErrWithQuestion);
    add("OPT in the authority section", good_question(0, 1, 0).opt(1232), Expect::FormErrWithQuestion);
    {
        // The additional owner: label "a", then a pointer back to that label: endless.
        Packet p = good_question(0, 0, 1);
        const auto at = static_cast<std::uint16_t>(p.size());
        p.u8(1).text("a").u16(0xC000 | at).u16(16).u16(1).u32(0).u16(0);
        add("compression loop", p, Expect::FormErrWithQuestion);
    }
    const auto end = static_cast<std::uint16_t>(good_question(0, 0, 1).size());  // the first record
    add("pointer to itself", good_question(0, 0, 1).u16(0xC000 | end).u16(16).u16(1).u32(0).u16(0),
        Expect::FormErrWithQuestion);
    add("forward pointer", good_question(0, 0, 1).u16(0xC000 | (end + 12)).u16(16).u16(1).u32(0).u16(0).name("a"),
        Expect::FormErrWithQuestion);
    add("pointer into the header", good_question(0, 0, 1).u16(0xC002).u16(16).u16(1).u32(0).u16(0),
        Expect::FormErrWithQuestion);
    add("pointer past the end", good_question(0, 0, 1).u16(0xFFFF).u16(16).u16(1).u32(0).u16(0),
        Expect::FormErrWithQuestion);
    add("pointer cut in half", good_question(0, 0, 1).u8(0xC0), Expect::FormErrWithQuestion);
    // Well-formed extras are ignored, not refused.
    add("backward pointer in an additional owner",
        good_question(0, 0, 1).u16(0xC00C).u16(16).u16(1).u32(0).u16(2).u8(1).text("x"), Expect::Answer);
    add("a record in the answer section",
        good_question(1, 0, 0).u16(0xC00C).u16(1).u16(1).u32(0).u16(4).u32(0x01020304), Expect::Answer);
    add("an unknown record type after the OPT",
        good_question(0, 0, 2).opt(1232).u8(0).u16(65280).u16(1).u32(0).u16(0), Expect::Answer);
    // Opcodes a server does not implement, EDNS versions it does not speak, and the last type code.
    {
        Packet p;
        p.header(0x4242, 0x0100 | (15 << 11), 1, 0, 0, 0).name("site.example.test").u16(kMx).u16(1);
        add("opcode 15", p, Expect::NotImp);
    }
    {
        // RFC 2136 §2: zone section (the zone's SOA), no prerequisites, one update adding an A.
        Packet p;
        p.header(0x4242, 5 << 11, 1, 0, 1, 0).name("example.test").u16(6).u16(1);
        p.name("new.example.test").u16(1).u16(1).u32(300).u16(4).u32(0xC0000209);
        add("UPDATE (opcode 5)", p, Expect::NotImp);
    }
    add("EDNS version 1", good_question(0, 0, 1).opt(1232, 1), Expect::BadVers);
    add("QTYPE 65535", head(1, 0, 0, 0).name("site.example.test").u16(65535).u16(1), Expect::NoData);
    // RFC 5936 §4.2: AXFR over UDP is not defined (NOTIMP, as NSD and Knot); over TCP it is
    // a transfer, refused to a client not allowed one.
    add("AXFR over UDP", head(1, 0, 0, 0).name("example.test").u16(252).u16(1), Expect::NotImp, Expect::Refused);
    // Not a query: 60,000 octets of 0xff (QR set). Dropped; over TCP the connection closes
    // after the answers owed (tests/e2e/tcp_test.cpp times it).
    add("60,000 octets of 0xff", Packet().text(std::string(60000, '\xff')), Expect::Drop);
    {
        // RFC 7830 padding makes a valid query as long as a datagram allows: answered.
        auto padded = [](std::size_t n) {
            std::vector<std::uint8_t> option(4 + n, 0);
            option[1] = 12;  // option code 12, Padding; its octets are zero
            option[2] = static_cast<std::uint8_t>(n >> 8);
            option[3] = static_cast<std::uint8_t>(n);
            return good_question(0, 0, 1).opt(1232, 0, false, option);
        };
        const Packet p = padded(60000 - padded(0).size());
        add("60,000-octet query (EDNS padding)", p, Expect::Answer);
    }
    return c;
}

// The RCODE (extended, RFC 6891 §6.1.3) a response must carry; none for Drop.
inline int rcode_of(Expect e) {
    switch (e) {
        case Expect::FormErrNoQuestion:
        case Expect::FormErrWithQuestion: return 1;
        case Expect::NotImp: return 4;
        case Expect::Refused: return 5;
        case Expect::BadVers: return 16;
        default: return 0;
    }
}

// Octets of the question of a query whose question name is uncompressed; 0 if unreadable.
inline std::size_t question_length(std::span<const std::uint8_t> q) {
    std::size_t at = 12;
    while (at < q.size() && q[at] != 0 && q[at] < 64) at += 1 + q[at];
    if (at >= q.size() || q[at] != 0 || at + 5 > q.size()) return 0;
    return at + 5 - 12;
}

// Empty if response is exactly what c asks for over that transport (not Drop), else what
// differs.
inline std::string mismatch(const Case& c, std::span<const std::uint8_t> response, bool tcp = false) {
    std::string why;
    auto want = [&](bool ok, const std::string& what) {
        if (!ok) why += (why.empty() ? "" : "; ") + what;
    };
    const auto d = dnstest::decode(response);
    if (!d.ok) return "response does not decode: " + d.error;
    const std::vector<std::uint8_t>& q = c.bytes;
    const Expect e = c.on(tcp);
    want(q.size() >= 12 && e != Expect::Drop, "a response where none is due");
    if (!why.empty()) return why;
    const bool formerr = e == Expect::FormErrNoQuestion || e == Expect::FormErrWithQuestion;
    const bool positive = e == Expect::NoData || e == Expect::Answer;
    want(d.id == ((q[0] << 8) | q[1]), "ID " + std::to_string(d.id) + " is not the query's");
    want(d.qr, "QR clear");
    want(d.opcode == ((q[2] >> 3) & 0x0F), "opcode " + std::to_string(d.opcode) + " is not the query's");
    want(d.rd == ((q[2] & 0x01) != 0), "RD not copied");
    want(!d.ra && !d.tc && !d.ad && !d.cd, "RA, TC, AD or CD set");
    want(d.aa == positive, positive ? "AA clear on an answer from the zone" : "AA set on an error");
    const int rcode = rcode_of(e);
    want(d.rcode == rcode, "RCODE " + std::to_string(d.rcode) + ", want " + std::to_string(rcode));
    want((response[3] & 0x0F) == (rcode & 0x0F), "header RCODE bits do not match");
    // Readable queries are decoded by ldns too: the response carries an OPT exactly when they do.
    const bool edns = !formerr && dnstest::decode(q).edns;
    want(d.edns == edns, edns ? "no OPT in the response" : "an OPT in the response");
    if (d.edns) {
        want(d.edns_version == 0 && !d.edns_do && d.edns_rdata_size == 0 && d.edns_payload == 1232,
             "our OPT is not version 0, DO clear, no options, payload 1232");
    }
    const std::uint16_t qd = e == Expect::FormErrNoQuestion ? 0 : 1;
    std::uint16_t an = 0, ns = 0, ar = edns ? 1 : 0;
    if (e == Expect::NoData) ns = 1;
    if (e == Expect::Answer) an = 1, ar += 1;  // the MX target's A, additional (RFC 1035 §3.3.9)
    want(d.counts[0] == qd && d.counts[1] == an && d.counts[2] == ns && d.counts[3] == ar,
         "counts " + std::to_string(d.counts[0]) + "/" + std::to_string(d.counts[1]) + "/" +
             std::to_string(d.counts[2]) + "/" + std::to_string(d.counts[3]) + ", want " + std::to_string(qd) + "/" +
             std::to_string(an) + "/" + std::to_string(ns) + "/" + std::to_string(ar));
    if (qd == 1) {
        // The question exactly as sent, case and all.
        const std::size_t len = question_length(q);
        const auto end = q.begin() + 12 + static_cast<std::ptrdiff_t>(len);
        want(len > 0 && response.size() >= 12 + len && std::equal(q.begin() + 12, end, response.begin() + 12),
             "question not echoed byte for byte");
        if (an + ns + ar == 0) want(response.size() == 12 + len, "octets after the question");
    }
    if (qd == 0) want(response.size() == 12, "octets after the header");
    if (e == Expect::Answer) {
        want(d.answer.size() == 1 && d.answer[0] == "site.example.test. 300 IN MX 10 ns.example.test.",
             "answer is not the MX");
        want(d.additional.size() == 1 && d.additional[0] == "ns.example.test. 300 IN A 192.0.2.1",
             "additional is not the MX target's A");
    }
    if (e == Expect::NoData) {
        // RFC 2308 §3: the SOA's TTL is the lesser of its own and its MINIMUM.
        want(d.authority.size() == 1 &&
                 d.authority[0] == "example.test. 5 IN SOA ns.example.test. admin.example.test. 1 2 3 4 5",
             "authority is not the zone's negative SOA");
    }
    return why;
}

}  // namespace malformed
