// Signed queries (RFC 8945 §5) off the packet path: a signed SOA (or any query) over UDP or
// TCP gets respond()'s answer signed with the key it named, which ldns verifies against the
// request's MAC; a wrong key, signature or time gets NOTAUTH with BADKEY/BADSIG/BADTIME and
// nothing of the zone; the signed answer keeps the unsigned one's size limit. Then a running
// dnsd answers `dig -y` over UDP and TCP the same way.
#include <gtest/gtest.h>

#include <ctime>

#include "dnsd/answer/query.hpp"
#include "dnsd/primary/signed_query.hpp"
#include "tests/dnsd/answer/respond_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"
#include "zonegen/core/ldns.hpp"

using namespace testsupport;

namespace {

const std::string kData = SMARTHOST_TEST_DATA "/xfr";
const std::string kZoneFile = SMARTHOST_TEST_DATA "/e2e/smarthost.local.zone";
constexpr std::uint16_t kSoa = 6, kMx = 15, kTsigType = 250;

dnsd::TsigKey key_from(const std::string& file) {
    auto k = dnsd::read_tsig_key(kData + "/" + file);
    EXPECT_TRUE(k.ok()) << (k.ok() ? "" : zonegen::format_gnu(k.errors().front()));
    return k.value();
}

dnstest::QueryOptions edns(std::uint16_t payload) {
    dnstest::QueryOptions o;
    o.edns = payload != 0;
    o.payload = payload;
    return o;
}

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::vector<std::uint8_t> signed_query(const dnsd::TsigKey& key, const char* name, std::uint16_t type,
                                       const dnstest::QueryOptions& options = {}) {
    auto q = dnstest::query(name, type, options);
    auto s = dnsd::tsig_sign_request(key, q);
    EXPECT_TRUE(s);
    return s.value_or(q);
}

struct Tsig {
    bool present = false;
    std::uint16_t error = 0;
    std::vector<std::uint8_t> mac;  // with its length prefix
};

Tsig tsig_of(std::span<const std::uint8_t> message) {
    Tsig t;
    ldns_pkt* p = nullptr;
    if (ldns_wire2pkt(&p, message.data(), message.size()) != LDNS_STATUS_OK) return t;
    zonegen::ldns::Pkt pkt(p);
    const ldns_rr* rr = ldns_pkt_tsig(pkt.get());
    if (!rr || ldns_rr_rd_count(rr) < 7) return t;
    t.present = true;
    t.error = ldns_rdf2native_int16(ldns_rr_rdf(rr, 5));
    const ldns_rdf* mac = ldns_rr_rdf(rr, 3);
    t.mac.assign(ldns_rdf_data(mac), ldns_rdf_data(mac) + ldns_rdf_size(mac));
    return t;
}

// As a client checks an answer (RFC 8945 §5.3): signed with key over the request's MAC.
::testing::AssertionResult verifies(const dnsd::TsigKey& key, std::span<const std::uint8_t> request,
                                    std::span<const std::uint8_t> answer) {
    ldns_pkt* p = nullptr;
    if (ldns_wire2pkt(&p, answer.data(), answer.size()) != LDNS_STATUS_OK)
        return ::testing::AssertionFailure() << "the answer does not parse";
    zonegen::ldns::Pkt pkt(p);
    if (!ldns_pkt_tsig(pkt.get())) return ::testing::AssertionFailure() << "the answer is not signed";
    const auto prior = tsig_of(request).mac;
    zonegen::ldns::Rdf mac(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, prior.size(), prior.data()));
    if (!ldns_pkt_tsig_verify(pkt.get(), answer.data(), answer.size(), key.name.c_str(), key.secret.c_str(),
                              mac.get()))
        return ::testing::AssertionFailure() << "the answer's MAC does not verify";
    return ::testing::AssertionSuccess();
}

std::shared_ptr<const dnsd::AnswerTable> table() {
    std::vector<zonegen::Zone> zones;
    zones.push_back(dnsdtest::smarthost_zone());
    return dnsd::AnswerTable::compile(zones).value();
}

std::vector<std::uint8_t> answer(const dnsd::AnswerTable& t, std::span<const dnsd::TsigKey> keys,
                                 std::span<const std::uint8_t> q, dnsd::Transport transport, std::int64_t when,
                                 std::size_t out_size = 65535) {
    std::vector<std::uint8_t> out(out_size);
    out.resize(dnsd::answer_signed(t, keys, q, out, transport, when));
    return out;
}

// The answer's sections without its TSIG, as a client sees them once it has checked it.
std::string records(const dnstest::Decoded& d) {
    std::string s = "rcode " + std::to_string(d.rcode) + (d.aa ? " aa" : "") + (d.tc ? " tc" : "");
    for (const auto* section : {&d.answer, &d.authority, &d.additional})
        for (const auto& rr : *section)
            if (rr.find(" TSIG ") == std::string::npos) s += "\n" + rr;
    return s;
}

}  // namespace

TEST(ParseQuery, FlagsATsigOnlyWhenItIsTheLastRecord) {
    const auto key = key_from("xfr-key.key");
    auto q = signed_query(key, "smarthost.local", kSoa, edns(1232));
    dnsd::ParsedQuery p;
    ASSERT_EQ(dnsd::parse_query(q, p), dnsd::ParseStatus::Ok);
    EXPECT_TRUE(p.has_tsig);
    EXPECT_TRUE(p.has_opt);
    const std::string owner = "\x07xfr-key";
    ASSERT_LT(p.tsig_offset + owner.size() + 1, q.size());
    EXPECT_EQ(std::string(q.begin() + static_cast<long>(p.tsig_offset),
                          q.begin() + static_cast<long>(p.tsig_offset + owner.size() + 1)),
              owner + '\0');

    dnsd::ParsedQuery plain;
    ASSERT_EQ(dnsd::parse_query(dnstest::query("smarthost.local", kSoa, edns(1232)), plain), dnsd::ParseStatus::Ok);
    EXPECT_FALSE(plain.has_tsig);

    // A TSIG followed by an OPT is not the last record: not signed (RFC 8945 §5.1).
    dnstest::Packet m;
    m.header(0x4242, 0, 1, 0, 0, 2).name("smarthost.local").u16(kSoa).u16(1);
    m.name("xfr-key").u16(kTsigType).u16(255).u32(0).u16(30).bytes(std::vector<std::uint8_t>(30, 0));
    m.opt(1232);
    dnsd::ParsedQuery first;
    ASSERT_EQ(dnsd::parse_query(m.data(), first), dnsd::ParseStatus::Ok);
    EXPECT_FALSE(first.has_tsig);
}

TEST(Respond, MarksSignedQueriesAndAnswersThemUnsigned) {
    auto t = table();
    const auto key = key_from("xfr-key.key");
    std::vector<std::uint8_t> out(65535);
    dnsd::QueryInfo info;
    auto q = signed_query(key, "smarthost.local", kSoa);
    ASSERT_GT(dnsd::respond(*t, q, out, dnsd::Transport::Udp, &info), 0u);
    EXPECT_TRUE(info.is_signed);
    ASSERT_GT(dnsd::respond(*t, dnstest::query("smarthost.local", kSoa), out, dnsd::Transport::Udp, &info), 0u);
    EXPECT_FALSE(info.is_signed);
}

// The SOA query BIND sends before a transfer, over UDP and TCP: the same records as
// unsigned, and a TSIG over the request's MAC.
TEST(AnswerSigned, SoaOverUdpAndTcpIsSignedWithTheKeyItNamed) {
    auto t = table();
    const std::vector<dnsd::TsigKey> keys = {key_from("other-name.key"), key_from("xfr-key.key")};
    for (const auto transport : {dnsd::Transport::Udp, dnsd::Transport::Tcp}) {
        for (const auto& key : keys) {
            auto q = signed_query(key, "SmartHost.Local", kSoa);
            auto a = answer(*t, keys, q, transport, now());
            ASSERT_FALSE(a.empty()) << key.name;
            EXPECT_TRUE(verifies(key, q, a)) << key.name;
            const auto& other = &key == &keys[0] ? keys[1] : keys[0];
            EXPECT_FALSE(verifies(other, q, a)) << "signed with " << other.name << " too?";
            auto d = dnstest::decode(a);
            ASSERT_TRUE(d.ok) << d.error;
            EXPECT_EQ(d.id, dnstest::decode(q).id);
            EXPECT_EQ(d.question, std::vector<std::string>{"SmartHost.Local. IN SOA"});  // case kept
            std::vector<std::uint8_t> plain(65535);
            plain.resize(dnsd::respond(*t, dnstest::query("SmartHost.Local", kSoa), plain, transport));
            EXPECT_EQ(records(d), records(dnstest::decode(plain)));
            EXPECT_EQ(d.answer.size(), 1u);
            EXPECT_EQ(d.rcode, 0);
        }
    }
}

// A signed query gets what an unsigned one would (respond.hpp): the DO bit copied and, with
// --nsid, the NSID it asked for, inside the signed message.
TEST(AnswerSigned, CarriesTheDoBitAndNsid) {
    auto t = table();
    const std::vector<dnsd::TsigKey> keys = {key_from("xfr-key.key")};
    dnsd::AnswerOptions options;
    const std::string id = "primary-1";
    std::copy(id.begin(), id.end(), options.nsid.begin());
    options.nsid_length = static_cast<std::uint8_t>(id.size());
    dnstest::QueryOptions o = edns(1232);
    o.dnssec_ok = true;
    o.edns_options = {0, 3, 0, 0};
    for (const auto transport : {dnsd::Transport::Udp, dnsd::Transport::Tcp}) {
        auto q = signed_query(keys[0], "smarthost.local", kSoa, o);
        std::vector<std::uint8_t> a(65535);
        a.resize(dnsd::answer_signed(*t, keys, q, a, transport, now(), nullptr, &options));
        ASSERT_FALSE(a.empty());
        EXPECT_TRUE(verifies(keys[0], q, a));
        auto d = dnstest::decode(a);
        ASSERT_TRUE(d.ok) << d.error;
        EXPECT_TRUE(d.edns_do);
        EXPECT_EQ(d.edns_options,
                  (std::vector<std::uint8_t>{0, 3, 0, 9, 'p', 'r', 'i', 'm', 'a', 'r', 'y', '-', '1'}));
        EXPECT_EQ(d.answer.size(), 1u);
    }
}

TEST(AnswerSigned, WrongKeySignatureOrTimeGetNotauthAndNothingOfTheZone) {
    auto t = table();
    const auto key = key_from("xfr-key.key");
    const std::vector<dnsd::TsigKey> keys = {key};
    struct Case {
        const char* file;
        std::int64_t skew;
        dnsd::TsigError error;
    } cases[] = {{"other-name.key", 0, dnsd::TsigError::BadKey},
                 {"wrong-secret.key", 0, dnsd::TsigError::BadSig},
                 {"xfr-key.key", 1000, dnsd::TsigError::BadTime},
                 {"xfr-key.key", -1000, dnsd::TsigError::BadTime}};
    for (const auto transport : {dnsd::Transport::Udp, dnsd::Transport::Tcp}) {
        for (const auto& c : cases) {
            auto q = signed_query(key_from(c.file), "mail.oxford.smarthost.local", 1);
            auto a = answer(*t, keys, q, transport, now() + c.skew);
            ASSERT_FALSE(a.empty()) << c.file;
            auto d = dnstest::decode(a);
            ASSERT_TRUE(d.ok) << d.error;
            EXPECT_EQ(d.rcode, dnsd::kRcodeNotAuth) << c.file;
            EXPECT_TRUE(d.answer.empty() && d.authority.empty()) << c.file;
            EXPECT_TRUE(d.additional.empty()) << c.file;  // ldns keeps the TSIG apart
            EXPECT_EQ(d.counts[3], 1u) << "the TSIG alone: " << c.file;
            EXPECT_EQ(tsig_of(a).error, static_cast<std::uint16_t>(c.error)) << c.file;
        }
    }
    // No key configured: every signed query names a key dnsd does not have (§5.2.1).
    auto a = answer(*t, {}, signed_query(key, "smarthost.local", kSoa), dnsd::Transport::Udp, now());
    EXPECT_EQ(dnstest::decode(a).rcode, dnsd::kRcodeNotAuth);
    EXPECT_EQ(tsig_of(a).error, static_cast<std::uint16_t>(dnsd::TsigError::BadKey));
    // A tampered question: BADSIG.
    auto q = signed_query(key, "smarthost.local", kSoa);
    q[13] ^= 0x20;
    EXPECT_EQ(tsig_of(answer(*t, {&key, 1}, q, dnsd::Transport::Udp, now())).error,
              static_cast<std::uint16_t>(dnsd::TsigError::BadSig));
}

// Over UDP without EDNS the limit is 512 octets with the TSIG: an answer that would fit
// unsigned but not signed is truncated (TC, still signed) instead of overrunning it.
TEST(AnswerSigned, KeepsTheUdpLimitWithItsTsig) {
    auto t = table();
    const auto key = key_from("xfr-key.key");
    const std::vector<dnsd::TsigKey> keys = {key};
    for (const char* name : {"smarthost.local", "oxford.smarthost.local", "cambridge.smarthost.local"}) {
        for (std::uint16_t payload : {std::uint16_t{0}, std::uint16_t{512}, std::uint16_t{1232}}) {
            auto q = signed_query(key, name, payload ? kMx : std::uint16_t{255}, edns(payload));
            auto a = answer(*t, keys, q, dnsd::Transport::Udp, now(), 1232);
            ASSERT_FALSE(a.empty()) << name;
            EXPECT_LE(a.size(), payload ? payload : 512u) << name;
            EXPECT_TRUE(verifies(key, q, a)) << name;
        }
    }
    // A buffer too small for the answer with its TSIG: TC, and the client retries over TCP.
    auto q = signed_query(key, "oxford.smarthost.local", kMx);
    std::vector<std::uint8_t> plain(512);
    plain.resize(dnsd::respond(*t, dnstest::query("oxford.smarthost.local", kMx), plain, dnsd::Transport::Udp));
    auto d = dnstest::decode(plain);
    ASSERT_FALSE(d.tc);
    auto a = answer(*t, keys, q, dnsd::Transport::Udp, now(), plain.size() + 20);
    ASSERT_FALSE(a.empty());
    EXPECT_LE(a.size(), plain.size() + 20);
    EXPECT_TRUE(verifies(key, q, a));
}

// A running dnsd with two keys, asked with dig -y over UDP and TCP (+tcp): the right key
// gets a signed SOA that dig verifies, a wrong secret or an unknown key the TSIG error and
// no SOA record, and an unsigned query the plain answer.
TEST(DnsdSignedQueries, DigOverUdpAndTcp) {
    const auto key = key_from("xfr-key.key");
    const auto wrong = key_from("wrong-secret.key");
    const auto other = key_from("other-name.key");
    TempDir dir;
    Dnsd dnsd(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--tsig-key", kData + "/xfr-key.key",
                         "--tsig-key", kData + "/other-name.key"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    auto dig = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = {"@127.0.0.1", "-p", std::to_string(dnsd.port()), "+tries=1", "+time=3"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {"smarthost.local", "SOA"});
        auto r = run("dig", args);
        return r.out + r.err;
    };
    auto with_secret = [](const dnsd::TsigKey& k) {
        return "hmac-sha256:" + k.name.substr(0, k.name.size() - 1) + ":" + k.secret;
    };
    for (const std::string transport : {"+notcp", "+tcp"}) {
        for (const auto* k : {&key, &other}) {
            std::string good = dig({transport, "-y", with_secret(*k)});
            EXPECT_NE(good.find("status: NOERROR"), std::string::npos) << good;
            EXPECT_NE(good.find("IN\tSOA"), std::string::npos) << good;
            EXPECT_NE(good.find("TSIG\thmac-sha256. "), std::string::npos) << good;
            EXPECT_EQ(good.find("tsig verify failure"), std::string::npos) << good;
            EXPECT_EQ(good.find("Couldn't verify"), std::string::npos) << good;
        }
        std::string bad = dig({transport, "-y", with_secret(wrong)});
        EXPECT_NE(bad.find("BADSIG"), std::string::npos) << bad;
        EXPECT_EQ(bad.find("\tIN\tSOA\t"), std::string::npos) << bad;
        std::string unknown = dig({transport, "-y", "hmac-sha256:stranger:" + key.secret});
        EXPECT_NE(unknown.find("BADKEY"), std::string::npos) << unknown;
        EXPECT_EQ(unknown.find("\tIN\tSOA\t"), std::string::npos) << unknown;
        std::string plain = dig({transport});
        EXPECT_NE(plain.find("status: NOERROR"), std::string::npos) << plain;
        EXPECT_NE(plain.find("\tIN\tSOA\t"), std::string::npos) << plain;
        EXPECT_EQ(plain.find("TSIG"), std::string::npos) << plain;
    }
    EXPECT_TRUE(dnsd.process().wait_for_line("TSIG BADSIG (key xfr-key.)", std::chrono::seconds(5)))
        << dnsd.process().err();
}

TEST(DnsdSignedQueries, TwoKeysOfOneNameAreAUsageError) {
    TempDir dir;
    auto r = run(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--tsig-key", kData + "/xfr-key.key",
                            "--tsig-key", kData + "/wrong-secret.key"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("another --tsig-key is also named xfr-key."), std::string::npos) << r.err;
    auto unknown = run(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--tsig-key",
                                  kData + "/xfr-key.key", "--allow-transfer", "127.0.0.1:other-key"});
    EXPECT_EQ(unknown.status, 2);
    EXPECT_NE(unknown.err.find("no --tsig-key is named other-key."), std::string::npos) << unknown.err;
}
