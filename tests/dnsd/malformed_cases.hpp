// Malformed DNS queries, one per rule of the malformed-input contract, with what the
// server must do with each. Shared by the respond() unit test and the end-to-end test
// that sends them to a running dnsd. They ask about a zone holding:
//   example.test. SOA/NS, ns.example.test. A 192.0.2.1, site.example.test. MX 10 ns.
#pragma once

#include <cstdint>
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

enum class Expect { Drop, FormErrNoQuestion, FormErrWithQuestion, Answer };

struct Case {
    const char* what;
    std::vector<std::uint8_t> bytes;
    Expect expect;
};

inline std::vector<Case> cases() {
    std::vector<Case> c;
    auto add = [&](const char* what, const Packet& p, Expect e) { c.push_back({what, p.data(), e}); };
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
    add("RDLENGTH beyond the data",
        good_question(0, 0, 1).u8(0).u16(16).u16(1).u32(0).u16(10).text("abc"), Expect::FormErrWithQuestion);
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
    add("OPT owner not the root",
        good_question(0, 0, 1).name("x").u16(41).u16(1232).u32(0).u16(0), Expect::FormErrWithQuestion);
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
    add("forward pointer",
        good_question(0, 0, 1).u16(0xC000 | (end + 12)).u16(16).u16(1).u32(0).u16(0).name("a"),
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
    return c;
}

}  // namespace malformed
