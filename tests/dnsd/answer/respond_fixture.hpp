// The fixture shared by the respond() tests: a zone that exercises every answer shape
// (MX with in- and out-of-zone targets, an empty non-terminal, a wildcard, a delegation,
// answers over 512 octets), a second zone, and helpers that ask and decode.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dnsd/answer/respond.hpp"
#include "tests/support/dns_decode.hpp"

namespace dnsdtest {

using dnsd::Transport;
using dnstest::Packet;
using dnstest::QueryOptions;
using dnstest::sorted;
using zonegen::Name;

inline Name N(const char* s) { return *Name::parse(s); }

inline zonegen::A v4(const char* text) {
    zonegen::A a;
    inet_pton(AF_INET, text, a.addr.data());
    return a;
}
inline zonegen::Aaaa v6(const char* text) {
    zonegen::Aaaa a;
    inet_pton(AF_INET6, text, a.addr.data());
    return a;
}
inline zonegen::Mx mx(std::uint16_t pref, const char* host) { return {pref, N(host)}; }

inline constexpr std::uint16_t kA = 1, kNs = 2, kSoa = 6, kMx = 15, kTxt = 16, kAaaa = 28, kAny = 255;

// smarthost.local: two sites, out-of-zone and cross-zone MX targets, an empty non-terminal
// (cambridge), a wildcard, a delegation with glue, and names big enough to overflow 512.
inline zonegen::Zone smarthost_zone() {
    zonegen::ZoneBuilder b(N("smarthost.local"));
    auto at = [&](const char* owner, std::uint32_t ttl, zonegen::Rdata rd) { b.add(N(owner), ttl, std::move(rd)); };
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

inline zonegen::Zone other_zone() {
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
        auto t = dnsd::AnswerTable::compile(zones);
        ASSERT_TRUE(t.ok());
        table_ = new std::shared_ptr<const dnsd::AnswerTable>(t.value());
    }
    static void TearDownTestSuite() {
        delete table_;
        table_ = nullptr;
    }

    static Reply ask(std::span<const std::uint8_t> query, Transport transport = Transport::Udp,
                     std::size_t out_size = 65535, const dnsd::AnswerOptions* options = nullptr) {
        Reply r;
        r.bytes.assign(out_size, 0xEE);
        r.size = dnsd::respond(**table_, query, r.bytes, transport, &r.info, options);
        r.bytes.resize(r.size);
        if (r.size > 0) r.d = dnstest::decode(r.bytes);
        return r;
    }
    static Reply ask(const char* name, std::uint16_t qtype, const QueryOptions& o = {},
                     Transport transport = Transport::Udp) {
        return ask(dnstest::query(name, qtype, o), transport);
    }

    static inline std::shared_ptr<const dnsd::AnswerTable>* table_ = nullptr;
};

inline QueryOptions with_edns(std::uint16_t payload = 1232) {
    QueryOptions o;
    o.edns = true;
    o.payload = payload;
    return o;
}

// The checks every well-formed response passes: QR set, RA clear, ldns can read it, at
// most one OPT.
inline void expect_sane(const Reply& r) {
    ASSERT_GT(r.size, 0u);
    ASSERT_TRUE(r.d.ok) << r.d.error;
    EXPECT_TRUE(r.d.qr);
    EXPECT_FALSE(r.d.ra);
    EXPECT_FALSE(r.d.ad);
    EXPECT_EQ(r.d.counts[3], r.d.additional.size() + (r.d.edns ? 1 : 0));
}

inline constexpr const char* kSoaNegative =
    "smarthost.local. 300 IN SOA ns1.smarthost.local. hostmaster.smarthost.local. 2026112301 3600 600 1209600 300";

}  // namespace dnsdtest
