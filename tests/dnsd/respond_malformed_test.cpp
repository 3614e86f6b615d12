// respond() on hostile input: every malformed packet is dropped or gets FORMERR, never an
// overrun. Hand-made packets, one per rule, then seeded random mutations of good queries.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "dnsd/query.hpp"
#include "dnsd/respond.hpp"
#include "tests/support/dns_decode.hpp"

using dnsd::Transport;
using dnstest::Packet;
using zonegen::Name;

namespace {

Name N(const char* s) { return *Name::parse(s); }

std::shared_ptr<const dnsd::AnswerTable> table() {
    static const auto t = [] {
        zonegen::ZoneBuilder b(N("example.test"));
        b.add(N("example.test"), 300, zonegen::Soa{N("ns.example.test"), N("admin.example.test"), 1, 2, 3, 4, 5});
        b.add(N("example.test"), 300, zonegen::Ns{N("ns.example.test")});
        b.add(N("ns.example.test"), 300, zonegen::A{{192, 0, 2, 1}});
        b.add(N("site.example.test"), 300, zonegen::Mx{10, N("ns.example.test")});
        std::vector<zonegen::Zone> zones;
        zones.push_back(std::move(b).finish().value());
        return dnsd::AnswerTable::compile(std::move(zones)).value();
    }();
    return t;
}

constexpr std::uint16_t kMx = 15;

// Header of a query with id 0x4242, opcode QUERY, RD set.
Packet head(std::uint16_t qd, std::uint16_t an, std::uint16_t ns, std::uint16_t ar) {
    Packet p;
    p.header(0x4242, 0x0100, qd, an, ns, ar);
    return p;
}

Packet good_question(std::uint16_t an, std::uint16_t ns, std::uint16_t ar) {
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

std::vector<Case> cases() {
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

class Malformed : public ::testing::TestWithParam<Case> {};

TEST_P(Malformed, DroppedOrFormErr) {
    const Case& c = GetParam();
    for (Transport transport : {Transport::Udp, Transport::Tcp}) {
        std::vector<std::uint8_t> out(65535);
        dnsd::QueryInfo info;
        const std::size_t n = dnsd::respond(*table(), c.bytes, out, transport, &info);
        if (c.expect == Expect::Drop) {
            EXPECT_EQ(n, 0u);
            continue;
        }
        ASSERT_GT(n, 0u);
        const auto d = dnstest::decode({out.data(), n});
        ASSERT_TRUE(d.ok) << d.error;
        EXPECT_TRUE(d.qr);
        EXPECT_EQ(d.id, 0x4242);
        EXPECT_TRUE(d.rd);
        EXPECT_FALSE(d.ra);
        if (c.expect == Expect::Answer) {
            EXPECT_EQ(d.rcode, 0);
            EXPECT_TRUE(d.aa);
            EXPECT_EQ(d.answer.size(), 1u);
            continue;
        }
        EXPECT_EQ(d.rcode, 1);
        EXPECT_EQ(info.rcode, 1);
        EXPECT_FALSE(d.aa);
        EXPECT_EQ(d.counts[0], c.expect == Expect::FormErrWithQuestion ? 1 : 0);
        EXPECT_EQ(d.counts[1] + d.counts[2] + d.counts[3], 0) << "no records, no OPT in a FORMERR";
        if (c.expect == Expect::FormErrWithQuestion) {
            EXPECT_EQ(dnstest::sorted(d.question), "site.example.test. IN MX");
            EXPECT_TRUE(std::equal(out.begin() + 12, out.begin() + static_cast<std::ptrdiff_t>(n),
                                   c.bytes.begin() + 12));
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Packets, Malformed, ::testing::ValuesIn(cases()), [](const auto& param_info) {
    std::string s;
    for (const char* p = param_info.param.what; *p; ++p) s += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
    return s;
});

TEST(ParseQuery, StatusNamesTheProblem) {
    using dnsd::ParseStatus;
    const std::vector<std::uint8_t> opt_overrun = {0x00, 0x0A, 0x00, 0x08, 1, 2};
    const std::vector<std::pair<Packet, ParseStatus>> table = {
        {good_question(0, 0, 0), ParseStatus::Ok},
        {good_question(0, 0, 1).opt(1232), ParseStatus::Ok},
        {head(2, 0, 0, 0), ParseStatus::QuestionCount},
        {head(1, 0, 0, 0).u16(0xC00C), ParseStatus::BadQuestion},
        {good_question(0, 0, 1), ParseStatus::BadRecord},
        {good_question(1, 0, 0).opt(1232), ParseStatus::OptMisplaced},
        {good_question(0, 0, 2).opt(1232).opt(512), ParseStatus::SecondOpt},
        {good_question(0, 0, 1).opt(1232, 0, false, opt_overrun), ParseStatus::BadOpt},
        {good_question(0, 0, 0).u8(0), ParseStatus::TrailingData},
    };
    for (const auto& [packet, want] : table) {
        dnsd::ParsedQuery q;
        EXPECT_EQ(dnsd::parse_query(packet, q), want) << dnsd::describe(want);
        EXPECT_STRNE(dnsd::describe(want), "?");
    }
    dnsd::ParsedQuery q;
    ASSERT_EQ(dnsd::parse_query(good_question(0, 0, 1).opt(4096, 3, true), q), ParseStatus::Ok);
    EXPECT_TRUE(q.has_question);
    EXPECT_EQ(q.qtype, kMx);
    EXPECT_EQ(q.qclass, 1);
    EXPECT_EQ(q.question_end, 12u + 19u + 4u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(q.qname.data()), q.qname_length),
              std::string("\4site\7example\4test\0", 19));
    EXPECT_TRUE(q.has_opt);
    EXPECT_EQ(q.udp_payload, 4096);
    EXPECT_EQ(q.edns_version, 3);
    EXPECT_EQ(q.id, 0x4242);
    EXPECT_EQ(q.opcode, 0);
}

TEST(MalformedLarge, SixtyFourKibQueryOverTcp) {
    // RFC 7766 §8: a TCP message may be 65535 octets; one big unknown record fills it.
    Packet p = good_question(0, 0, 1);
    const std::size_t rdlength = 65535 - p.size() - 11;
    p.u8(0).u16(65280).u16(1).u32(0).u16(static_cast<std::uint16_t>(rdlength));
    p.bytes(std::vector<std::uint8_t>(rdlength, 0xAB));
    ASSERT_EQ(p.size(), 65535u);
    std::vector<std::uint8_t> out(65535);
    std::size_t n = dnsd::respond(*table(), p, out, Transport::Tcp);
    ASSERT_GT(n, 0u);
    auto d = dnstest::decode({out.data(), n});
    EXPECT_EQ(d.rcode, 0);
    EXPECT_EQ(d.answer.size(), 1u);
    // The same size made of trailing garbage instead is FORMERR.
    Packet g = good_question(0, 0, 0);
    g.bytes(std::vector<std::uint8_t>(65535 - g.size(), 0));
    n = dnsd::respond(*table(), g, out, Transport::Tcp);
    d = dnstest::decode({out.data(), n});
    EXPECT_EQ(d.rcode, 1);
}

TEST(MalformedRandom, MutatedQueriesNeverBreakTheResponse) {
    // Seeded, so a failure reproduces. Every response must fit the limit, decode, keep the
    // ID and never claim to be a query.
    std::mt19937 rng(20261123);
    std::vector<std::vector<std::uint8_t>> seeds;
    for (const auto& c : cases()) seeds.push_back(c.bytes);
    dnstest::QueryOptions o;
    o.edns = true;
    seeds.push_back(dnstest::query("site.example.test", kMx, o));
    seeds.push_back(dnstest::query("nosuch.example.test", 1, o));
    std::vector<std::uint8_t> out(65535);
    std::size_t answered = 0;
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> q = seeds[rng() % seeds.size()];
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < edits && !q.empty(); ++k) {
            switch (rng() % 4) {
                case 0: q[rng() % q.size()] = static_cast<std::uint8_t>(rng()); break;
                case 1: q.resize(rng() % (q.size() + 1)); break;
                case 2: {
                    const auto at = static_cast<std::ptrdiff_t>(rng() % (q.size() + 1));
                    q.insert(q.begin() + at, static_cast<std::uint8_t>(rng()));
                    break;
                }
                default: if (q.size() > 12) q[12 + rng() % (q.size() - 12)] = 0xC0; break;
            }
        }
        if (q.size() > 2) q[2] &= 0x7F;  // keep QR clear so that most get an answer
        const Transport t = (i & 1) ? Transport::Udp : Transport::Tcp;
        const std::size_t n = dnsd::respond(*table(), q, out, t);
        if (n == 0) {
            EXPECT_LT(q.size(), 12u) << "only short packets are dropped here";
            continue;
        }
        ++answered;
        ASSERT_LE(n, t == Transport::Udp ? 1232u : 65535u);
        const auto d = dnstest::decode({out.data(), n});
        ASSERT_TRUE(d.ok) << d.error << " at iteration " << i;
        EXPECT_TRUE(d.qr);
        EXPECT_EQ(d.id, (q[0] << 8) | q[1]);
    }
    EXPECT_GT(answered, 10000u);
}

}  // namespace
