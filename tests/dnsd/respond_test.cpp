// respond(): every behaviour of the answer engine, checked by decoding the response with
// ldns and comparing rcode, flags and each section's records as text.
#include "dnsd/respond.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "dnsd/wire.hpp"
#include "tests/support/dns_decode.hpp"

using dnsd::Transport;
using dnstest::Packet;
using dnstest::QueryOptions;
using dnstest::sorted;
using zonegen::Name;

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

namespace {

Name N(const char* s) { return *Name::parse(s); }

zonegen::A v4(const char* text) {
    zonegen::A a;
    inet_pton(AF_INET, text, a.addr.data());
    return a;
}
zonegen::Aaaa v6(const char* text) {
    zonegen::Aaaa a;
    inet_pton(AF_INET6, text, a.addr.data());
    return a;
}
zonegen::Mx mx(std::uint16_t pref, const char* host) { return {pref, N(host)}; }

constexpr std::uint16_t kA = 1, kNs = 2, kSoa = 6, kMx = 15, kTxt = 16, kAaaa = 28, kAny = 255;

// smarthost.local: two sites, out-of-zone and cross-zone MX targets, an empty non-terminal
// (cambridge), a wildcard, a delegation with glue, and names big enough to overflow 512.
zonegen::Zone smarthost_zone() {
    zonegen::ZoneBuilder b(N("smarthost.local"));
    auto at = [&](const char* owner, std::uint32_t ttl, zonegen::Rdata rd) {
        b.add(N(owner), ttl, std::move(rd));
    };
    at("smarthost.local", 3600,
       zonegen::Soa{N("ns1.smarthost.local"), N("hostmaster.smarthost.local"), 2026112301, 3600, 600, 1209600, 300});
    at("smarthost.local", 3600, zonegen::Ns{N("ns1.smarthost.local")});
    at("smarthost.local", 3600, zonegen::Ns{N("ns2.example.net")});
    at("ns1.smarthost.local", 300, v4("192.0.2.53"));
    at("ns1.smarthost.local", 300, v6("2001:db8::53"));
    at("oxford.smarthost.local", 300, mx(10, "mail.oxford.smarthost.local"));
    at("oxford.smarthost.local", 300, mx(20, "mail.cambridge.smarthost.local"));
    at("oxford.smarthost.local", 300, mx(30, "mx.other.test"));
    at("oxford.smarthost.local", 300, mx(40, "mx.example.net"));
    at("mail.oxford.smarthost.local", 300, v4("192.0.2.25"));
    at("mail.oxford.smarthost.local", 300, v6("2001:db8::25"));
    at("mail.cambridge.smarthost.local", 300, v4("198.51.100.25"));
    at("txt.smarthost.local", 300, zonegen::Txt{{"hello world"}});
    at("*.wild.smarthost.local", 300, mx(10, "mail.oxford.smarthost.local"));
    at("*.wild.smarthost.local", 300, v4("192.0.2.99"));
    at("sub.smarthost.local", 3600, zonegen::Ns{N("ns.sub.smarthost.local")});
    at("sub.smarthost.local", 3600, zonegen::Ns{N("ns.example.net")});
    at("ns.sub.smarthost.local", 3600, v4("192.0.2.77"));
    // big: an answer of about 700 octets (over 512, under 1232).
    for (int i = 0; i < 6; ++i)
        at("big.smarthost.local", 300, zonegen::Txt{{std::string(100, static_cast<char>('a' + i))}});
    // fat: a small answer (two MX) whose additional section is large (16 addresses).
    at("fat.smarthost.local", 300, mx(10, "h1.fat.smarthost.local"));
    at("fat.smarthost.local", 300, mx(10, "h2.fat.smarthost.local"));
    for (int i = 1; i <= 8; ++i) {
        std::string a = "2001:db8::" + std::to_string(i);
        at("h1.fat.smarthost.local", 300, v6(a.c_str()));
        a = "2001:db8:1::" + std::to_string(i);
        at("h2.fat.smarthost.local", 300, v6(a.c_str()));
    }
    auto z = std::move(b).finish();
    EXPECT_TRUE(z.ok());
    return std::move(z).value();
}

zonegen::Zone other_zone() {
    zonegen::ZoneBuilder b(N("other.test"));
    b.add(N("other.test"), 60, zonegen::Soa{N("ns.other.test"), N("admin.other.test"), 7, 3600, 600, 86400, 900});
    b.add(N("other.test"), 60, zonegen::Ns{N("ns.other.test")});
    b.add(N("mx.other.test"), 60, v4("203.0.113.25"));
    auto z = std::move(b).finish();
    EXPECT_TRUE(z.ok());
    return std::move(z).value();
}

struct Reply {
    std::size_t size = 0;
    std::vector<std::uint8_t> bytes;
    dnsd::QueryInfo info;
    dnstest::Decoded d;
};

class Respond : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        std::vector<zonegen::Zone> zones;
        zones.push_back(smarthost_zone());
        zones.push_back(other_zone());
        auto t = dnsd::AnswerTable::compile(std::move(zones));
        ASSERT_TRUE(t.ok());
        table_ = new std::shared_ptr<const dnsd::AnswerTable>(t.value());
    }
    static void TearDownTestSuite() {
        delete table_;
        table_ = nullptr;
    }

    static Reply ask(std::span<const std::uint8_t> query, Transport transport = Transport::Udp,
                     std::size_t out_size = 65535) {
        Reply r;
        r.bytes.assign(out_size, 0xEE);
        r.size = dnsd::respond(**table_, query, r.bytes, transport, &r.info);
        r.bytes.resize(r.size);
        if (r.size > 0) r.d = dnstest::decode(r.bytes);
        return r;
    }
    static Reply ask(const char* name, std::uint16_t qtype, const QueryOptions& o = {},
                     Transport transport = Transport::Udp) {
        return ask(dnstest::query(name, qtype, o), transport);
    }

    static std::shared_ptr<const dnsd::AnswerTable>* table_;
};
std::shared_ptr<const dnsd::AnswerTable>* Respond::table_ = nullptr;

QueryOptions with_edns(std::uint16_t payload = 1232) {
    QueryOptions o;
    o.edns = true;
    o.payload = payload;
    return o;
}

// The checks every well-formed response passes: QR set, RA clear, ldns can read it, at
// most one OPT.
void expect_sane(const Reply& r) {
    ASSERT_GT(r.size, 0u);
    ASSERT_TRUE(r.d.ok) << r.d.error;
    EXPECT_TRUE(r.d.qr);
    EXPECT_FALSE(r.d.ra);
    EXPECT_FALSE(r.d.ad);
    EXPECT_EQ(r.d.counts[3], r.d.additional.size() + (r.d.edns ? 1 : 0));
}

}  // namespace

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
    EXPECT_EQ(sorted(r.d.answer), "smarthost.local. 3600 IN SOA ns1.smarthost.local. hostmaster.smarthost.local. "
                                  "2026112301 3600 600 1209600 300");
    EXPECT_TRUE(r.d.authority.empty());
}

static const char* kSoaNegative =
    "smarthost.local. 300 IN SOA ns1.smarthost.local. hostmaster.smarthost.local. 2026112301 3600 600 1209600 300";

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
    EXPECT_EQ(sorted(r.d.authority), "SMARTHOST.LOCAL. 300 IN SOA ns1.SMARTHOST.LOCAL. hostmaster.SMARTHOST.LOCAL. "
                                     "2026112301 3600 600 1209600 300");
}

TEST_F(Respond, AnyGetsOneRRsetWithTheLowestType) {
    // RFC 8482 §4.2. The apex holds NS (2) and SOA (6): NS is answered.
    auto r = ask("smarthost.local", kAny);
    expect_sane(r);
    EXPECT_TRUE(r.d.aa);
    EXPECT_EQ(sorted(r.d.answer),
              "smarthost.local. 3600 IN NS ns1.smarthost.local.\n"
              "smarthost.local. 3600 IN NS ns2.example.net.");
    r = ask("mail.oxford.smarthost.local", kAny);
    EXPECT_EQ(sorted(r.d.answer), "mail.oxford.smarthost.local. 300 IN A 192.0.2.25");
    // Same over TCP: one RRset whatever the transport.
    r = ask("mail.oxford.smarthost.local", kAny, {}, Transport::Tcp);
    EXPECT_EQ(sorted(r.d.answer), "mail.oxford.smarthost.local. 300 IN A 192.0.2.25");
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
    EXPECT_FALSE(r.d.edns_do);
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
        auto r = ask("smarthost.local", t);  // RFC 5936 §4.2: not over UDP
        expect_sane(r);
        EXPECT_EQ(r.d.rcode, 5);
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

TEST_F(Respond, DoesNotAllocate) {
    const auto q1 = dnstest::query("oxford.smarthost.local", kMx, with_edns());
    const auto q2 = dnstest::query("nosuch.wild.smarthost.local", kA);
    const auto q3 = dnstest::query("nosuch.smarthost.local", kA);
    const auto q4 = dnstest::query("example.com", kA);
    std::vector<std::uint8_t> out(65535);
    dnsd::QueryInfo info;
    g_allocations = 0;
    g_count_allocations = true;
    std::size_t total = 0;
    for (const auto* q : {&q1, &q2, &q3, &q4}) total += dnsd::respond(**table_, *q, out, Transport::Udp, &info);
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
