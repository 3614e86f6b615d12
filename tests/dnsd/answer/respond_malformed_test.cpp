// respond() on hostile input: every packet of malformed_cases.hpp is dropped or answered
// exactly as the contract says (FORMERR, NOTIMP, BADVERS, or a normal answer), never an
// overrun. Hand-made packets, one per rule, then seeded random mutations of good queries.
#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "dnsd/answer/respond.hpp"
#include "tests/dnsd/answer/malformed_cases.hpp"
#include "tests/support/dns_decode.hpp"

using dnsd::Transport;
using dnstest::Packet;
using namespace malformed;
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
        return dnsd::AnswerTable::compile(zones).value();
    }();
    return t;
}

class Malformed : public ::testing::TestWithParam<Case> {};

TEST_P(Malformed, AnsweredAsTheContractSays) {
    const Case& c = GetParam();
    for (Transport transport : {Transport::Udp, Transport::Tcp}) {
        std::vector<std::uint8_t> out(65535);
        dnsd::QueryInfo info;
        const std::size_t n = dnsd::respond(*table(), c.bytes, out, transport, &info);
        const bool tcp = transport == Transport::Tcp;
        if (c.on(tcp) == Expect::Drop) {
            EXPECT_EQ(n, 0u);
            continue;
        }
        ASSERT_GT(n, 0u);
        EXPECT_EQ(mismatch(c, {out.data(), n}, tcp), "") << (tcp ? "TCP" : "UDP");
        EXPECT_EQ(int{info.rcode}, rcode_of(c.on(tcp)));
    }
}

INSTANTIATE_TEST_SUITE_P(Packets, Malformed, ::testing::ValuesIn(cases()), [](const auto& param_info) {
    std::string s;
    for (const char* p = param_info.param.what; *p; ++p) s += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
    return s;
});

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
                default:
                    if (q.size() > 12) q[12 + rng() % (q.size() - 12)] = 0xC0;
                    break;
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
