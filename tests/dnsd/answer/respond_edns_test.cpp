// respond(): what the answer's OPT carries back: the query's DO bit (RFC 3225 §3) and the
// server's NSID when asked (RFC 5001), with and without other options beside them, in every
// kind of answer, and how the NSID's octets count against the UDP payload.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/dnsd/answer/respond_fixture.hpp"

using namespace dnsdtest;

namespace {

const std::vector<std::uint8_t> kCookie = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};  // RFC 7873 §4: client cookie
const std::vector<std::uint8_t> kUnknown = {0xFD, 0xE9, 0, 4, 1, 2, 3, 4};        // code 65001
const std::vector<std::uint8_t> kNsidAsk = {0, 3, 0, 0};                          // RFC 5001 §2.1: empty

std::vector<std::uint8_t> cat(std::initializer_list<std::vector<std::uint8_t>> parts) {
    std::vector<std::uint8_t> all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
}

QueryOptions edns(bool dnssec_ok, std::vector<std::uint8_t> options = {}, std::uint16_t payload = 1232) {
    QueryOptions o = with_edns(payload);
    o.dnssec_ok = dnssec_ok;
    o.edns_options = std::move(options);
    return o;
}

dnsd::AnswerOptions nsid_of(const std::string& text) {
    dnsd::AnswerOptions a;
    std::copy(text.begin(), text.end(), a.nsid.begin());
    a.nsid_length = static_cast<std::uint8_t>(text.size());
    return a;
}

// The OPT's options as the server should send them: NSID alone, code 3, the configured octets.
std::vector<std::uint8_t> nsid_option(const std::string& text) {
    std::vector<std::uint8_t> o(4 + text.size());
    o[1] = 3;
    o[3] = static_cast<std::uint8_t>(text.size());
    std::copy(text.begin(), text.end(), o.begin() + 4);
    return o;
}

}  // namespace

class RespondEdns : public Respond {
protected:
    static Reply ask_with(const char* name, std::uint16_t qtype, const QueryOptions& o,
                          const dnsd::AnswerOptions* options, Transport transport = Transport::Udp) {
        return ask(dnstest::query(name, qtype, o), transport, 65535, options);
    }
};

// RFC 3225 §3: "the DO bit of the query MUST be copied in the response", whatever options
// sit beside it and whatever the outcome.
TEST_F(RespondEdns, DoBitIsCopied) {
    struct Case {
        const char* name;
        std::uint16_t qtype;
        int rcode;
    };
    const Case outcomes[] = {
        {"oxford.smarthost.local", kMx, 0},   // answer with additional
        {"nosuch.smarthost.local", kA, 3},    // NXDOMAIN
        {"oxford.smarthost.local", kTxt, 0},  // NODATA
        {"example.com", kA, 5},               // REFUSED
        {"x.sub.smarthost.local", kA, 0},     // referral
        {"big.smarthost.local", kTxt, 0},     // fits 1232
    };
    for (const auto& options : {std::vector<std::uint8_t>{}, kUnknown, kCookie, cat({kCookie, kUnknown})}) {
        for (const Case& c : outcomes) {
            for (bool dnssec_ok : {true, false}) {
                for (Transport t : {Transport::Udp, Transport::Tcp}) {
                    auto r = ask(c.name, c.qtype, edns(dnssec_ok, options), t);
                    expect_sane(r);
                    EXPECT_EQ(r.d.rcode, c.rcode) << c.name;
                    ASSERT_TRUE(r.d.edns) << c.name;
                    EXPECT_EQ(r.d.edns_do, dnssec_ok) << c.name << " options " << options.size();
                    // Cookies and unknown options are not echoed (RFC 6891 §6.1.2; no cookie support).
                    EXPECT_EQ(r.d.edns_rdata_size, 0u) << c.name;
                }
            }
        }
    }
}

TEST_F(RespondEdns, DoBitInTruncatedAndBadVersAnswers) {
    auto r = ask("big.smarthost.local", kTxt, edns(true, kCookie, 512));
    expect_sane(r);
    EXPECT_TRUE(r.d.tc);
    EXPECT_TRUE(r.d.edns_do);
    r = ask("big.smarthost.local", kTxt, edns(false, kCookie, 512));
    EXPECT_TRUE(r.d.tc);
    EXPECT_FALSE(r.d.edns_do);

    QueryOptions v1 = edns(true, kCookie);
    v1.edns_version = 1;
    r = ask("oxford.smarthost.local", kMx, v1);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 16);
    EXPECT_TRUE(r.d.edns_do);
}

// Only the DO bit changes: the rest of the message is byte for byte the answer without it.
TEST_F(RespondEdns, DoBitChangesNothingElse) {
    for (const char* name : {"oxford.smarthost.local", "nosuch.smarthost.local", "fat.smarthost.local"}) {
        auto with = ask(name, kMx, edns(true, kCookie));
        auto without = ask(name, kMx, edns(false, kCookie));
        ASSERT_EQ(with.size, without.size) << name;
        std::vector<std::uint8_t> a = with.bytes, b = without.bytes;
        // The OPT is last: TTL at offset 5 of its 11 octets; DO is the top bit of the TTL's third octet.
        a[a.size() - 11 + 7] &= 0x7F;
        EXPECT_EQ(a, b) << name;
        EXPECT_EQ(with.bytes[with.size - 11 + 7], 0x80) << name;
    }
}

// Without EDNS there is no OPT and so no DO bit to copy.
TEST_F(RespondEdns, NoEdnsNoOpt) {
    const auto nsid = nsid_of("ns1");
    auto r = ask_with("oxford.smarthost.local", kMx, {}, &nsid);
    expect_sane(r);
    EXPECT_FALSE(r.d.edns);
    EXPECT_FALSE(r.d.edns_do);
}

// RFC 5001 §2.2: the NSID goes back to a query that carries the option, and only to it.
TEST_F(RespondEdns, NsidWhenAsked) {
    const auto nsid = nsid_of("dnsd-primary.example");
    const auto want = nsid_option("dnsd-primary.example");
    struct Case {
        std::vector<std::uint8_t> options;
        bool asks;
    };
    const Case cases[] = {
        {kNsidAsk, true},
        {cat({kCookie, kNsidAsk}), true},
        {cat({kNsidAsk, kUnknown}), true},
        {{0, 3, 0, 3, 'a', 'b', 'c'}, true},  // a payload in the request: answered alike (as NSD, BIND)
        {{}, false},
        {kCookie, false},
        {kUnknown, false},
    };
    for (const Case& c : cases) {
        for (bool dnssec_ok : {false, true}) {
            for (Transport t : {Transport::Udp, Transport::Tcp}) {
                for (const char* name : {"oxford.smarthost.local", "nosuch.smarthost.local", "example.com"}) {
                    auto r = ask_with(name, kMx, edns(dnssec_ok, c.options), &nsid, t);
                    expect_sane(r);
                    ASSERT_TRUE(r.d.edns);
                    EXPECT_EQ(r.d.edns_do, dnssec_ok);
                    if (c.asks)
                        EXPECT_EQ(r.d.edns_options, want) << name;
                    else
                        EXPECT_TRUE(r.d.edns_options.empty()) << name;
                }
            }
        }
    }
    // The answer itself is the one without NSID.
    auto plain = ask("oxford.smarthost.local", kMx, edns(false));
    auto named = ask_with("oxford.smarthost.local", kMx, edns(false, kNsidAsk), &nsid);
    EXPECT_EQ(named.d.answer, plain.d.answer);
    EXPECT_EQ(named.d.additional, plain.d.additional);
    EXPECT_EQ(named.size, plain.size + want.size());
}

TEST_F(RespondEdns, NoNsidConfiguredNoOption) {
    const dnsd::AnswerOptions none;
    for (const dnsd::AnswerOptions* options : {static_cast<const dnsd::AnswerOptions*>(nullptr), &none}) {
        auto r = ask_with("oxford.smarthost.local", kMx, edns(true, kNsidAsk), options);
        expect_sane(r);
        EXPECT_TRUE(r.d.edns);
        EXPECT_EQ(r.d.edns_rdata_size, 0u);
    }
}

// BADVERS says nothing but the version (as NSD): no NSID. FORMERR has no OPT at all.
TEST_F(RespondEdns, NoNsidWithBadVers) {
    const auto nsid = nsid_of("ns1");
    QueryOptions v1 = edns(false, kNsidAsk);
    v1.edns_version = 1;
    auto r = ask_with("oxford.smarthost.local", kMx, v1, &nsid);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 16);
    EXPECT_EQ(r.d.edns_rdata_size, 0u);
}

// The NSID counts against the payload like the OPT it sits in (NSD and Knot set the OPT's
// room aside first): additional records go first, then the answer gets TC; the NSID stays.
TEST_F(RespondEdns, NsidCountsAgainstThePayload) {
    const std::string text(40, 'n');
    const auto nsid = nsid_of(text);
    const auto want = nsid_option(text);

    // fat: two MX and 16 AAAA. A payload that holds it all without the NSID, not with it.
    auto full = ask("fat.smarthost.local", kMx, edns(false, kNsidAsk));
    ASSERT_GT(full.size, 512u);
    ASSERT_EQ(full.d.additional.size(), 16u);
    const auto payload = static_cast<std::uint16_t>(full.size + want.size() - 1);
    auto r = ask_with("fat.smarthost.local", kMx, edns(false, kNsidAsk, payload), &nsid);
    expect_sane(r);
    EXPECT_FALSE(r.d.tc);
    EXPECT_EQ(r.d.answer.size(), 2u);
    EXPECT_TRUE(r.d.additional.empty());
    EXPECT_EQ(r.d.edns_options, want);
    EXPECT_LE(r.size, payload);
    // One octet more and everything fits.
    r = ask_with("fat.smarthost.local", kMx, edns(false, kNsidAsk, static_cast<std::uint16_t>(payload + 1)), &nsid);
    EXPECT_EQ(r.d.additional.size(), 16u);
    EXPECT_EQ(r.d.edns_options, want);
    EXPECT_EQ(r.size, payload + 1u);

    // big: about 700 octets of TXT and no additional. Without room for the NSID: TC, NSID kept.
    auto big = ask("big.smarthost.local", kTxt, edns(true, kNsidAsk));
    ASSERT_FALSE(big.d.tc);
    const auto tight = static_cast<std::uint16_t>(big.size + want.size() - 1);
    r = ask_with("big.smarthost.local", kTxt, edns(true, kNsidAsk, tight), &nsid);
    expect_sane(r);
    EXPECT_TRUE(r.d.tc);
    EXPECT_TRUE(r.info.truncated);
    EXPECT_TRUE(r.d.answer.empty());
    EXPECT_TRUE(r.d.edns_do);
    EXPECT_EQ(r.d.edns_options, want);
    r = ask_with("big.smarthost.local", kTxt, edns(true, kNsidAsk, static_cast<std::uint16_t>(tight + 1)), &nsid);
    EXPECT_FALSE(r.d.tc);
    EXPECT_EQ(r.d.answer.size(), 6u);

    // The longest NSID beside the longest question still fits 512 (the 128-octet bound).
    std::string label(63, 'a');
    std::string longest = label + "." + label + "." + label + "." + std::string(61, 'b');
    const auto most = nsid_of(std::string(dnsd::AnswerOptions::kMaxNsid, 'x'));
    r = ask_with(longest.c_str(), kA, edns(false, kNsidAsk, 512), &most);
    expect_sane(r);
    EXPECT_EQ(r.d.rcode, 5);
    EXPECT_EQ(r.d.edns_options, nsid_option(std::string(dnsd::AnswerOptions::kMaxNsid, 'x')));
    EXPECT_LE(r.size, 512u);
}
