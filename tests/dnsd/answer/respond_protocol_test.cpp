// respond(): the protocol around the answers: header bits, EDNS0, size limits and
// truncation, classes, opcodes, transfers, meta-types, and no allocation per query.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "tests/dnsd/answer/respond_fixture.hpp"

using namespace dnsdtest;

// Counts heap allocations while armed, to prove the packet path never allocates.
static thread_local bool g_count_allocations = false;
static thread_local int g_allocations = 0;

// Not inlined: GCC would otherwise pair the malloc and free across the replacement and
// warn about a mismatch that is not one.
[[gnu::noinline]] void* operator new(std::size_t n) {
    if (g_count_allocations) ++g_allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

TEST_F(Respond, EdnsResponseHasOurOpt) {
    QueryOptions o = with_edns(4096);
    o.dnssec_ok = true;
    // An unknown option (code 65001) must be ignored, not echoed (RFC 6891 §6.1.2).
    o.edns_options = {0xFD, 0xE9, 0x00, 0x04, 1, 2, 3, 4};
    auto r = ask("oxford.smarthost.local", kMx, o);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 0);
    EXPECT_TRUE(r.d.edns);
    EXPECT_EQ(r.d.edns_payload, 1232);
    EXPECT_EQ(r.d.edns_version, 0);
    EXPECT_TRUE(r.d.edns_do);  // copied (RFC 3225 §3); respond_edns_test.cpp has the cases
    EXPECT_EQ(r.d.edns_rdata_size, 0u);
    EXPECT_EQ(r.d.answer.size(), 4u);
    EXPECT_EQ(r.d.additional.size(), 4u);
    // Error responses to queries with a readable OPT carry one too.
    r = ask("example.com", kA, with_edns());
    EXPECT_EQ(r.d.rcode, 5);
    EXPECT_TRUE(r.d.edns);
    r = ask("nosuch.smarthost.local", kA, with_edns());
    EXPECT_EQ(r.d.rcode, 3);
    EXPECT_TRUE(r.d.edns);
    EXPECT_EQ(r.d.authority.size(), 1u);
}

TEST_F(Respond, EdnsVersionAboveZeroIsBadVers) {
    QueryOptions o = with_edns();
    o.edns_version = 1;
    auto r = ask("oxford.smarthost.local", kMx, o);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 16);
    EXPECT_EQ(r.bytes[3] & 0x0F, 0);  // header rcode 0; the 16 lives in the OPT's upper bits
    EXPECT_TRUE(r.d.edns);
    EXPECT_EQ(r.d.edns_version, 0);
    EXPECT_FALSE(r.d.aa);
    EXPECT_TRUE(r.d.answer.empty());
    EXPECT_TRUE(r.d.authority.empty());
    EXPECT_TRUE(r.d.additional.empty());
    EXPECT_EQ(r.d.question.size(), 1u);
    EXPECT_EQ(r.info.rcode, 16);
}

TEST_F(Respond, UdpWithoutEdnsTruncatesAt512) {
    auto r = ask("big.smarthost.local", kTxt);
    expect_sane(r);
    EXPECT_TRUE(r.d.tc);
    EXPECT_TRUE(r.info.truncated);
    EXPECT_TRUE(r.d.aa);
    EXPECT_TRUE(r.d.answer.empty());
    EXPECT_TRUE(r.d.authority.empty());
    EXPECT_TRUE(r.d.additional.empty());
    EXPECT_LE(r.size, 512u);
    // With EDNS the same answer fits in 1232.
    r = ask("big.smarthost.local", kTxt, with_edns());
    expect_sane(r);
    EXPECT_FALSE(r.d.tc);
    EXPECT_EQ(r.d.answer.size(), 6u);
    EXPECT_GT(r.size, 512u);
    // A payload below 512 counts as 512 (RFC 6891 §6.2.5); the OPT survives truncation.
    r = ask("big.smarthost.local", kTxt, with_edns(100));
    expect_sane(r);
    EXPECT_TRUE(r.d.tc);
    EXPECT_TRUE(r.d.edns);
    EXPECT_TRUE(r.d.answer.empty());
    // Over TCP nothing is truncated.
    r = ask("big.smarthost.local", kTxt, {}, Transport::Tcp);
    EXPECT_FALSE(r.d.tc);
    EXPECT_EQ(r.d.answer.size(), 6u);
}

TEST_F(Respond, AdditionalDroppedBeforeTruncating) {
    // The two MX fit in 512; their 16 AAAA do not. RFC 2181 §9: no TC for that.
    auto r = ask("fat.smarthost.local", kMx, with_edns(512));
    expect_sane(r);
    EXPECT_FALSE(r.d.tc);
    EXPECT_FALSE(r.info.truncated);
    EXPECT_EQ(r.d.answer.size(), 2u);
    EXPECT_TRUE(r.d.additional.empty());
    EXPECT_TRUE(r.d.edns);  // the OPT is kept
    EXPECT_EQ(r.d.counts[3], 1);
    // 1232 holds everything.
    r = ask("fat.smarthost.local", kMx, with_edns(1232));
    EXPECT_EQ(r.d.additional.size(), 16u);
    r = ask("fat.smarthost.local", kMx, {}, Transport::Tcp);
    EXPECT_EQ(r.d.additional.size(), 16u);
    EXPECT_FALSE(r.d.edns);
}

TEST_F(Respond, ClassAnyIsAnsweredFromIn) {
    QueryOptions o;
    o.qclass = 255;
    auto r = ask("mail.oxford.smarthost.local", kA, o);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 0);
    EXPECT_EQ(sorted(r.d.question), "mail.oxford.smarthost.local. ANY A");
    EXPECT_EQ(sorted(r.d.answer), "mail.oxford.smarthost.local. 300 IN A 192.0.2.25");
}

TEST_F(Respond, OtherClassesAreRefused) {
    QueryOptions o;
    for (std::uint16_t c : {std::uint16_t{3}, std::uint16_t{4}, std::uint16_t{254}, std::uint16_t{2}}) {
        o.qclass = c;
        for (const char* name : {"version.bind", "hostname.bind", "id.server", "oxford.smarthost.local"}) {
            auto r = ask(name, kTxt, o);
            expect_sane(r);
            EXPECT_EQ(r.d.rcode, 5) << name << " class " << c;
            EXPECT_FALSE(r.d.aa);
            EXPECT_TRUE(r.d.answer.empty());
        }
    }
}

TEST_F(Respond, OpcodesOtherThanQueryAndNotify) {
    for (std::uint8_t op : {1, 2, 3, 5, 6, 15}) {
        QueryOptions o;
        o.opcode = op;
        auto r = ask("oxford.smarthost.local", kMx, o);
        expect_sane(r);
        EXPECT_EQ(r.d.rcode, 4) << int(op);
        EXPECT_EQ(r.d.opcode, op);
        EXPECT_FALSE(r.d.aa);
        EXPECT_TRUE(r.d.answer.empty());
    }
    // NOTIFY: we are the primary (RFC 1996), so a NOTIFY to us is refused.
    QueryOptions o;
    o.opcode = 4;
    o.edns = true;
    auto r = ask("smarthost.local", kSoa, o);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 5);
    EXPECT_EQ(r.d.opcode, 4);
    EXPECT_FALSE(r.d.aa);
    EXPECT_TRUE(r.d.edns);
    // NOTIMP answers even a message that is not a well-formed query.
    Packet p;
    p.header(1, 2 << 11, 0, 0, 0, 0);
    r = ask(p);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 4);
    EXPECT_EQ(r.d.counts[0], 0);
}

TEST_F(Respond, ZoneTransfers) {
    for (std::uint16_t t : {std::uint16_t{252}, std::uint16_t{251}}) {
        // Not over UDP: AXFR is undefined there (RFC 5936 §4.2, NOTIMP as NSD and Knot);
        // IXFR is defined (RFC 1995 §2): without a serial to compare, TC sends it to TCP.
        auto r = ask("smarthost.local", t);
        expect_sane(r);
        EXPECT_EQ(r.d.rcode, t == 252 ? 4 : 0);
        EXPECT_EQ(r.d.tc, t == 251);
        EXPECT_TRUE(r.d.answer.empty());
        EXPECT_FALSE(r.info.is_transfer);
        r = ask("smarthost.local", t, {}, Transport::Tcp);
        expect_sane(r);
        EXPECT_EQ(r.d.rcode, 5);
        EXPECT_TRUE(r.info.is_transfer);
        EXPECT_EQ(r.info.qtype, t);
    }
    // IXFR carries the client's SOA in the authority section (RFC 1995 §3): not FORMERR.
    Packet p;
    p.header(1, 0, 1, 0, 1, 0).name("smarthost.local").u16(251).u16(1);
    p.u16(0xC00C).u16(kSoa).u16(1).u32(300).u16(26).name("a").name("b").u32(1).u32(2).u32(3).u32(4).u32(5);
    auto r = ask(p, Transport::Tcp);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 5);
    EXPECT_TRUE(r.info.is_transfer);
    // Over UDP (RFC 1995 §2): a client as current as the zone gets the SOA alone, an older one
    // TC with empty sections. The serial is found behind compressed names.
    for (std::uint32_t serial : {2026112301u, 2026112302u, 2026112300u, 1u}) {
        Packet u;
        u.header(1, 0, 1, 0, 1, 0).name("smarthost.local").u16(251).u16(1);
        u.u16(0xC00C).u16(kSoa).u16(1).u32(300).u16(24).u16(0xC00C).u16(0xC00C);
        u.u32(serial).u32(2).u32(3).u32(4).u32(5);
        auto a = ask(u);
        expect_sane(a);
        EXPECT_EQ(a.d.rcode, 0) << serial;
        EXPECT_TRUE(a.d.aa) << serial;
        const bool current = serial == 2026112301u || serial == 2026112302u;
        EXPECT_EQ(a.d.tc, !current) << serial;
        ASSERT_EQ(a.d.answer.size(), current ? 1u : 0u) << serial;
        if (current) {
            EXPECT_NE(a.d.answer[0].find(" IN SOA ns1.smarthost.local. hostmaster.smarthost.local. 2026112301 "),
                      std::string::npos);
        }
    }
}

TEST_F(Respond, MetaTypes) {
    for (std::uint16_t t : {std::uint16_t{41}, std::uint16_t{250}, std::uint16_t{249}}) {
        auto r = ask("oxford.smarthost.local", t);
        expect_sane(r);
        EXPECT_EQ(r.d.rcode, 1) << t;
    }
    for (std::uint16_t t : {std::uint16_t{253}, std::uint16_t{254}}) {
        auto r = ask("oxford.smarthost.local", t);
        EXPECT_EQ(r.d.rcode, 4) << t;
    }
}

TEST_F(Respond, DoesNotAllocate) {
    const auto q1 = dnstest::query("oxford.smarthost.local", kMx, with_edns());
    const auto q2 = dnstest::query("nosuch.wild.smarthost.local", kA);
    const auto q3 = dnstest::query("nosuch.smarthost.local", kA);
    const auto q4 = dnstest::query("example.com", kA);
    QueryOptions asks_nsid = with_edns();
    asks_nsid.dnssec_ok = true;
    asks_nsid.edns_options = {0, 3, 0, 0};
    const auto q5 = dnstest::query("oxford.smarthost.local", kMx, asks_nsid);
    dnsd::AnswerOptions options;
    options.nsid = {'n', 's', '1'};
    options.nsid_length = 3;
    std::vector<std::uint8_t> out(65535);
    dnsd::QueryInfo info;
    g_allocations = 0;
    g_count_allocations = true;
    std::size_t total = 0;
    for (const auto* q : {&q1, &q2, &q3, &q4, &q5})
        total += dnsd::respond(**table_, *q, out, Transport::Udp, &info, &options);
    g_count_allocations = false;
    EXPECT_EQ(g_allocations, 0);
    EXPECT_GT(total, 0u);
}

TEST_F(Respond, SmallOutputBuffer) {
    // The contract is at least 512 octets; below what the header and question need, nothing.
    const auto q = dnstest::query("oxford.smarthost.local", kMx);
    std::vector<std::uint8_t> out(20);
    EXPECT_EQ(dnsd::respond(**table_, q, out, Transport::Tcp), 0u);
    // A TCP buffer too small for the answer gives TC rather than an overrun.
    out.assign(100, 0);
    const std::size_t n = dnsd::respond(**table_, q, out, Transport::Tcp);
    ASSERT_GT(n, 0u);
    auto d = dnstest::decode({out.data(), n});
    EXPECT_TRUE(d.tc);
}
