// respond(): the answers themselves (positive, negative, referral, wildcard, ANY), checked
// by decoding the response with ldns and comparing each section's records as text.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/dnsd/answer/respond_fixture.hpp"

using namespace dnsdtest;

TEST_F(Respond, MxAnswerCarriesTargetAddressesInAdditional) {
    auto r = ask("oxford.smarthost.local", kMx);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 0);
    EXPECT_TRUE(r.d.aa);
    EXPECT_EQ(sorted(r.d.answer),
              "oxford.smarthost.local. 300 IN MX 10 mail.oxford.smarthost.local.\n"
              "oxford.smarthost.local. 300 IN MX 20 mail.cambridge.smarthost.local.\n"
              "oxford.smarthost.local. 300 IN MX 30 mx.other.test.\n"
              "oxford.smarthost.local. 300 IN MX 40 mx.example.net.");
    // Minimal responses: nothing in authority for a positive answer.
    EXPECT_TRUE(r.d.authority.empty());
    // Targets in any served zone get their addresses; mx.example.net is not ours.
    EXPECT_EQ(sorted(r.d.additional),
              "mail.cambridge.smarthost.local. 300 IN A 198.51.100.25\n"
              "mail.oxford.smarthost.local. 300 IN A 192.0.2.25\n"
              "mail.oxford.smarthost.local. 300 IN AAAA 2001:db8::25\n"
              "mx.other.test. 60 IN A 203.0.113.25");
    EXPECT_FALSE(r.d.edns);
    EXPECT_EQ(r.info.qtype, kMx);
    EXPECT_EQ(r.info.rcode, 0);
    EXPECT_FALSE(r.info.truncated);
    EXPECT_FALSE(r.info.is_transfer);
}

TEST_F(Respond, HeaderFieldsCopiedOrCleared) {
    QueryOptions o;
    o.id = 0xBEEF;
    o.rd = true;
    auto r = ask("oxford.smarthost.local", kMx, o);
    expect_sane(r);
    EXPECT_EQ(r.d.id, 0xBEEF);
    EXPECT_TRUE(r.d.rd);
    EXPECT_EQ(r.d.opcode, 0);
    o.rd = false;
    o.id = 7;
    r = ask("oxford.smarthost.local", kMx, o);
    EXPECT_EQ(r.d.id, 7);
    EXPECT_FALSE(r.d.rd);
    // AD and CD in the query do not leak into the answer (flags word 0x0130: RD, AD, CD).
    Packet p;
    p.header(9, 0x0130, 1, 0, 0, 0).name("oxford.smarthost.local").u16(kMx).u16(1);
    r = ask(p);
    expect_sane(r);
    EXPECT_TRUE(r.d.rd);
    EXPECT_FALSE(r.d.cd);
    EXPECT_EQ(r.bytes[3] & 0x70, 0);  // Z, AD, CD all clear
}

TEST_F(Respond, ApexNsAnswerCarriesGlue) {
    auto r = ask("smarthost.local", kNs);
    expect_sane(r);
    EXPECT_TRUE(r.d.aa);
    EXPECT_EQ(sorted(r.d.answer),
              "smarthost.local. 3600 IN NS ns1.smarthost.local.\n"
              "smarthost.local. 3600 IN NS ns2.example.net.");
    EXPECT_TRUE(r.d.authority.empty());
    EXPECT_EQ(sorted(r.d.additional),
              "ns1.smarthost.local. 300 IN A 192.0.2.53\n"
              "ns1.smarthost.local. 300 IN AAAA 2001:db8::53");
}

TEST_F(Respond, PlainAnswersHaveNoAdditional) {
    auto r = ask("mail.oxford.smarthost.local", kAaaa);
    expect_sane(r);
    EXPECT_EQ(sorted(r.d.answer), "mail.oxford.smarthost.local. 300 IN AAAA 2001:db8::25");
    EXPECT_TRUE(r.d.additional.empty());
    r = ask("txt.smarthost.local", kTxt);
    EXPECT_EQ(sorted(r.d.answer), "txt.smarthost.local. 300 IN TXT \"hello world\"");
    r = ask("smarthost.local", kSoa);
    EXPECT_EQ(sorted(r.d.answer),
              "smarthost.local. 3600 IN SOA ns1.smarthost.local. hostmaster.smarthost.local. "
              "2026112301 3600 600 1209600 300");
    EXPECT_TRUE(r.d.authority.empty());
}

TEST_F(Respond, NxDomainCarriesSoaWithNegativeTtl) {
    auto r = ask("nosuch.smarthost.local", kA);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 3);
    EXPECT_TRUE(r.d.aa);
    EXPECT_TRUE(r.d.answer.empty());
    // RFC 2308 §3: TTL min(3600, MINIMUM 300).
    EXPECT_EQ(sorted(r.d.authority), kSoaNegative);
    EXPECT_TRUE(r.d.additional.empty());
    EXPECT_EQ(r.info.rcode, 3);
    // The other zone's SOA TTL (60) is below its MINIMUM (900): 60 wins.
    r = ask("nosuch.other.test", kA);
    EXPECT_EQ(r.d.rcode, 3);
    EXPECT_EQ(sorted(r.d.authority), "other.test. 60 IN SOA ns.other.test. admin.other.test. 7 3600 600 86400 900");
}

TEST_F(Respond, NoDataCarriesSoa) {
    auto r = ask("oxford.smarthost.local", kA);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 0);
    EXPECT_TRUE(r.d.aa);
    EXPECT_TRUE(r.d.answer.empty());
    EXPECT_EQ(sorted(r.d.authority), kSoaNegative);
}

TEST_F(Respond, EmptyNonTerminalIsNoData) {
    // RFC 8020: cambridge.smarthost.local has no records but mail.cambridge below it.
    for (std::uint16_t t : {kA, kMx, kAny}) {
        auto r = ask("cambridge.smarthost.local", t);
        expect_sane(r);
        EXPECT_EQ(r.d.rcode, 0) << t;
        EXPECT_TRUE(r.d.aa);
        EXPECT_TRUE(r.d.answer.empty());
        EXPECT_EQ(sorted(r.d.authority), kSoaNegative);
    }
    auto r = ask("x.cambridge.smarthost.local", kA);
    EXPECT_EQ(r.d.rcode, 3);
}

TEST_F(Respond, NamesOutsideEveryZoneAreRefused) {
    for (const char* name : {"example.com", "smarthost.local.example.com", "local", ".", "test"}) {
        auto r = ask(name, kA);
        expect_sane(r);
        EXPECT_EQ(r.d.rcode, 5) << name;
        EXPECT_FALSE(r.d.aa);
        EXPECT_TRUE(r.d.answer.empty());
        EXPECT_TRUE(r.d.authority.empty());
        EXPECT_TRUE(r.d.additional.empty());
        EXPECT_EQ(r.d.question.size(), 1u);
    }
}

TEST_F(Respond, QuestionEchoedByteForByteAndLookupIgnoresCase) {
    const auto q = dnstest::query("OxFord.SmartHost.LOCAL", kMx);
    auto r = ask(q);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 0);
    ASSERT_GE(r.size, q.size());
    EXPECT_TRUE(std::equal(q.begin() + 12, q.end(), r.bytes.begin() + 12));
    EXPECT_EQ(sorted(r.d.question), "OxFord.SmartHost.LOCAL. IN MX");
    // Owners point at the question, so they carry the client's case, as with NSD.
    ASSERT_EQ(r.d.answer.size(), 4u);
    EXPECT_EQ(r.d.answer[0].rfind("OxFord.SmartHost.LOCAL. 300 IN MX", 0), 0u) << r.d.answer[0];
    r = ask("NOSUCH.SMARTHOST.LOCAL", kA);
    EXPECT_EQ(r.d.rcode, 3);
    // Suffixes compressed against the question take its case too (RFC 4343: case does not
    // matter in comparisons; the client's own spelling is what it expects back).
    EXPECT_EQ(sorted(r.d.authority),
              "SMARTHOST.LOCAL. 300 IN SOA ns1.SMARTHOST.LOCAL. hostmaster.SMARTHOST.LOCAL. "
              "2026112301 3600 600 1209600 300");
}

TEST_F(Respond, AnyGetsOneRRset) {
    // RFC 8482 §4.2, choosing as NSD does for zonegen's files: the SOA at the apex (which
    // also holds NS, type 2), elsewhere the lowest type number.
    auto r = ask("smarthost.local", kAny);
    expect_sane(r);
    EXPECT_TRUE(r.d.aa);
    EXPECT_EQ(sorted(r.d.answer),
              "smarthost.local. 3600 IN SOA ns1.smarthost.local. hostmaster.smarthost.local. "
              "2026112301 3600 600 1209600 300");
    EXPECT_TRUE(r.d.authority.empty());
    EXPECT_TRUE(r.d.additional.empty());
    r = ask("mail.oxford.smarthost.local", kAny);
    EXPECT_EQ(sorted(r.d.answer), "mail.oxford.smarthost.local. 300 IN A 192.0.2.25");
    // Same over TCP: one RRset whatever the transport.
    r = ask("mail.oxford.smarthost.local", kAny, {}, Transport::Tcp);
    EXPECT_EQ(sorted(r.d.answer), "mail.oxford.smarthost.local. 300 IN A 192.0.2.25");
    // An MX picked for ANY brings its additional addresses along.
    r = ask("oxford.smarthost.local", kAny);
    EXPECT_EQ(r.d.answer.size(), 4u);
    EXPECT_EQ(r.d.additional.size(), 4u);
    r = ask("nosuch.smarthost.local", kAny);
    EXPECT_EQ(r.d.rcode, 3);
}

TEST_F(Respond, UnknownTypesAreAnsweredNormally) {
    for (std::uint16_t t : {std::uint16_t{65535}, std::uint16_t{99}, std::uint16_t{64}, std::uint16_t{0}}) {
        auto r = ask("oxford.smarthost.local", t);
        expect_sane(r);
        EXPECT_EQ(r.d.rcode, 0) << t;
        EXPECT_TRUE(r.d.aa);
        EXPECT_TRUE(r.d.answer.empty());
        EXPECT_EQ(sorted(r.d.authority), kSoaNegative);
        r = ask("nosuch.smarthost.local", t);
        EXPECT_EQ(r.d.rcode, 3) << t;
    }
}

TEST_F(Respond, WildcardSynthesis) {
    // RFC 4592: the owner is the query name, in the client's case.
    auto r = ask("Host-1.wild.smarthost.local", kMx);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 0);
    EXPECT_TRUE(r.d.aa);
    EXPECT_EQ(sorted(r.d.answer), "Host-1.wild.smarthost.local. 300 IN MX 10 mail.oxford.smarthost.local.");
    EXPECT_EQ(sorted(r.d.additional),
              "mail.oxford.smarthost.local. 300 IN A 192.0.2.25\n"
              "mail.oxford.smarthost.local. 300 IN AAAA 2001:db8::25");
    r = ask("a.much.deeper.name.under.wild.smarthost.local", kA);
    EXPECT_EQ(sorted(r.d.answer), "a.much.deeper.name.under.wild.smarthost.local. 300 IN A 192.0.2.99");
    r = ask("x.wild.smarthost.local", kTxt);  // NODATA from the wildcard
    EXPECT_EQ(r.d.rcode, 0);
    EXPECT_TRUE(r.d.answer.empty());
    EXPECT_EQ(sorted(r.d.authority), kSoaNegative);
    r = ask("*.wild.smarthost.local", kA);  // the wildcard itself
    EXPECT_EQ(sorted(r.d.answer), "*.wild.smarthost.local. 300 IN A 192.0.2.99");
    r = ask("wild.smarthost.local", kA);  // the parent is an empty non-terminal
    EXPECT_EQ(r.d.rcode, 0);
    EXPECT_TRUE(r.d.answer.empty());
    r = ask("x.oxford.smarthost.local", kA);  // no wildcard there
    EXPECT_EQ(r.d.rcode, 3);
}

TEST_F(Respond, DelegationGivesReferral) {
    for (const char* name : {"sub.smarthost.local", "www.sub.smarthost.local", "ns.sub.smarthost.local"}) {
        for (std::uint16_t t : {kA, kNs, kMx}) {
            auto r = ask(name, t);
            expect_sane(r);
            EXPECT_EQ(r.d.rcode, 0) << name;
            EXPECT_FALSE(r.d.aa) << name;
            EXPECT_TRUE(r.d.answer.empty()) << name;
            EXPECT_EQ(sorted(r.d.authority),
                      "sub.smarthost.local. 3600 IN NS ns.example.net.\n"
                      "sub.smarthost.local. 3600 IN NS ns.sub.smarthost.local.")
                << name;
            EXPECT_EQ(sorted(r.d.additional), "ns.sub.smarthost.local. 3600 IN A 192.0.2.77") << name;
        }
    }
}

TEST_F(Respond, ResponsesAreCompressed) {
    // Owners are pointers to the question; the MX targets share the zone suffix.
    auto r = ask("oxford.smarthost.local", kMx, {}, Transport::Tcp);
    expect_sane(r);
    const std::size_t qend = 12 + 24 + 4;  // "oxford.smarthost.local" is 24 octets in wire form
    EXPECT_EQ(r.bytes[qend], 0xC0);
    EXPECT_EQ(r.bytes[qend + 1], 12);
    EXPECT_LT(r.size, 260u);  // about 400 octets uncompressed
    // A long question that does not exist: the SOA pointers move with the question.
    const char* longname = "a.very.long.name.that.does.not.exist.under.the.zone.smarthost.local";
    r = ask(longname, kA);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 3);
    EXPECT_EQ(sorted(r.d.authority), kSoaNegative);
    r = ask("x.y.z.wild.smarthost.local", kMx);
    EXPECT_EQ(sorted(r.d.additional),
              "mail.oxford.smarthost.local. 300 IN A 192.0.2.25\n"
              "mail.oxford.smarthost.local. 300 IN AAAA 2001:db8::25");
    r = ask("a.b.c.ns.sub.smarthost.local", kA);
    EXPECT_EQ(sorted(r.d.additional), "ns.sub.smarthost.local. 3600 IN A 192.0.2.77");
}
