// TSIG (RFC 8945, hmac-sha256): BIND key files and their mistakes (file:line), request
// verification in the order of §5.2 (BADKEY, BADSIG, BADTIME), the NOTAUTH error answers,
// and signed transfers from a running dnsd whose every message verifies with ldns as a
// chain (§5.3.1); a wrong key gets NOTAUTH and no data, an unsigned request REFUSED.
#include <gtest/gtest.h>

#include <ctime>

#include "dnsd/primary/tsig.hpp"
#include "dnsd/primary/xfr.hpp"
#include "tests/dnsd/answer/respond_fixture.hpp"
#include "tests/support/dns_client.hpp"
#include "tests/support/peers.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"
#include "zonegen/core/ldns.hpp"

using namespace testsupport;

namespace {

const std::string kData = SMARTHOST_TEST_DATA "/xfr";
const std::string kZoneFile = SMARTHOST_TEST_DATA "/e2e/smarthost.local.zone";
constexpr std::uint16_t kAxfr = 252;

dnsd::TsigKey key_from(const std::string& file) {
    auto k = dnsd::read_tsig_key(kData + "/" + file);
    EXPECT_TRUE(k.ok()) << (k.ok() ? "" : zonegen::format_gnu(k.errors().front()));
    return k.value();
}

std::string parse_error(const std::string& text) {
    auto k = dnsd::parse_tsig_key(text, "t.key");
    if (k.ok()) return "parsed";
    return zonegen::format_gnu(k.errors().front());
}

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::vector<std::uint8_t> signed_axfr(const dnsd::TsigKey& key, const char* zone = "smarthost.local") {
    auto q = dnstest::query(zone, kAxfr);
    auto s = dnsd::tsig_sign_request(key, q);
    EXPECT_TRUE(s);
    return s.value_or(q);
}

struct TsigRecord {
    bool present = false;
    std::uint16_t error = 0;
    std::size_t mac_size = 0;
    std::vector<std::uint8_t> mac;  // with its length prefix, as ldns wants it back
};

TsigRecord tsig_of(std::span<const std::uint8_t> message) {
    TsigRecord t;
    ldns_pkt* p = nullptr;
    if (ldns_wire2pkt(&p, message.data(), message.size()) != LDNS_STATUS_OK) return t;
    zonegen::ldns::Pkt pkt(p);
    const ldns_rr* rr = ldns_pkt_tsig(pkt.get());
    if (!rr || ldns_rr_rd_count(rr) < 7) return t;
    t.present = true;
    t.error = ldns_rdf2native_int16(ldns_rr_rdf(rr, 5));
    const ldns_rdf* mac = ldns_rr_rdf(rr, 3);
    t.mac.assign(ldns_rdf_data(mac), ldns_rdf_data(mac) + ldns_rdf_size(mac));
    t.mac_size = t.mac.size() - 2;
    return t;
}

// Verifies a signed answer stream as a secondary would (RFC 8945 §5.3.1): the first
// message against the request's MAC, each later one against the previous MAC, timers only.
::testing::AssertionResult verify_chain(const dnsd::TsigKey& key, std::span<const std::uint8_t> request,
                                        const std::vector<std::vector<std::uint8_t>>& messages) {
    std::vector<std::uint8_t> prior = tsig_of(request).mac;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& m = messages[i];
        ldns_pkt* p = nullptr;
        if (ldns_wire2pkt(&p, m.data(), m.size()) != LDNS_STATUS_OK)
            return ::testing::AssertionFailure() << "message " << i << " does not parse";
        zonegen::ldns::Pkt pkt(p);
        if (!ldns_pkt_tsig(pkt.get())) return ::testing::AssertionFailure() << "message " << i << " is not signed";
        zonegen::ldns::Rdf mac(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, prior.size(), prior.data()));
        if (!ldns_pkt_tsig_verify_next(pkt.get(), m.data(), m.size(), key.name.c_str(), key.secret.c_str(), mac.get(),
                                       i == 0 ? 0 : 1))
            return ::testing::AssertionFailure() << "message " << i << " does not verify";
        prior = tsig_of(m).mac;
    }
    return ::testing::AssertionSuccess();
}

}  // namespace

TEST(TsigKeyFile, ReadsWhatTsigKeygenWrites) {
    auto key = key_from("xfr-key.key");
    EXPECT_EQ(key.name, "xfr-key.");
    EXPECT_EQ(key.algorithm, "hmac-sha256.");
    EXPECT_EQ(key.secret.size(), 44u);
}

TEST(TsigKeyFile, CommentsUnquotedNamesAndAnyFieldOrder) {
    auto k = dnsd::parse_tsig_key(
        "# made by hand\n"
        "key Transfer.Example. { // the key for the secondaries\n"
        "  secret \"c2VjcmV0LXNlY3JldC1zZWNyZXQ=\"; /* a\n multi-line comment */\n"
        "  algorithm HMAC-SHA256;\n"
        "};\n",
        "t.key");
    ASSERT_TRUE(k.ok()) << zonegen::format_gnu(k.errors().front());
    EXPECT_EQ(k.value().name, "transfer.example.");
    EXPECT_EQ(k.value().secret, "c2VjcmV0LXNlY3JldC1zZWNyZXQ=");
}

TEST(TsigKeyFile, MistakesAreReportedWithFileAndLine) {
    const std::string good_secret = "\"c2VjcmV0\"";
    struct Case {
        std::string text, error;
    } cases[] = {
        {"", "t.key:1: no key statement in the file"},
        {"\n\nkey \"k\" { algorithm hmac-md5; secret " + good_secret + "; };",
         "t.key:3: algorithm \"hmac-md5\" is not supported: use hmac-sha256"},
        {"key \"k\" {\n algorithm hmac-sha256;\n};", "t.key:1: key \"k\" has no secret"},
        {"key \"k\" {\n secret " + good_secret + ";\n};", "t.key:1: key \"k\" has no algorithm"},
        {"key \"k\" {\n algorithm hmac-sha256;\n secret \"!!not base64!!\";\n};",
         "t.key:3: the secret is not base64"},
        {"key \"k\" {\n algorithm hmac-sha256\n secret " + good_secret + ";\n};",
         "t.key:3: expected ;, found \"secret\""},
        {"key \"k\" {\n algorithm hmac-sha256;\n secret \"abc", "t.key:3: unterminated string"},
        {"key \"k\" { algorithm hmac-sha256; secret " + good_secret + "; };\nkey \"j\" { };",
         "t.key:2: only one key per file is supported"},
        {"key \"k\" {\n algorithm hmac-sha256;\n color blue;\n};", "t.key:3: unknown key field \"color\""},
        {"zone \"k\" { };", "t.key:1: expected \"key\", found \"zone\""},
        {"key \"k\" { algorithm hmac-sha256; secret " + good_secret + "; }",
         "t.key:1: expected ;, found the end of the file"},
        {"/* never closed\nkey", "t.key:1: unterminated /* comment"},
    };
    for (const auto& c : cases) EXPECT_EQ(parse_error(c.text), c.error) << c.text;
}

TEST(TsigKeyFile, MissingFileSaysSo) {
    auto k = dnsd::read_tsig_key(kData + "/no-such.key");
    ASSERT_FALSE(k.ok());
    EXPECT_EQ(zonegen::format_gnu(k.errors().front()),
              kData + "/no-such.key: cannot open: No such file or directory");
}

// RFC 8945 §5.2: key first (BADKEY), then the MAC (BADSIG), then the time (BADTIME).
TEST(TsigVerify, KeyThenSignatureThenTime) {
    const auto key = key_from("xfr-key.key");
    const auto wrong_secret = key_from("wrong-secret.key");
    const auto other_name = key_from("other-name.key");
    auto q = signed_axfr(key);

    auto v = dnsd::verify_request(&key, q, now());
    EXPECT_TRUE(v.is_signed);
    EXPECT_EQ(v.error, dnsd::TsigError::NoError);
    EXPECT_EQ(v.fudge, dnsd::kTsigFudge);
    EXPECT_EQ(v.mac.size(), 2u + 32u) << "hmac-sha256 MAC with its length";

    EXPECT_EQ(dnsd::verify_request(&wrong_secret, q, now()).error, dnsd::TsigError::BadSig);
    EXPECT_EQ(dnsd::verify_request(&other_name, q, now()).error, dnsd::TsigError::BadKey);
    EXPECT_EQ(dnsd::verify_request(nullptr, q, now()).error, dnsd::TsigError::BadKey);
    EXPECT_EQ(dnsd::verify_request(&key, q, now() + 290).error, dnsd::TsigError::NoError);
    EXPECT_EQ(dnsd::verify_request(&key, q, now() + 400).error, dnsd::TsigError::BadTime);
    EXPECT_EQ(dnsd::verify_request(&key, q, now() - 400).error, dnsd::TsigError::BadTime);
    // A forged MAC is BADSIG even when the time is also off: the time is checked last.
    EXPECT_EQ(dnsd::verify_request(&wrong_secret, q, now() + 400).error, dnsd::TsigError::BadSig);

    auto tampered = q;
    tampered[13] ^= 0x20;  // a letter of the question name changes case: the MAC covers it
    EXPECT_EQ(dnsd::verify_request(&key, tampered, now()).error, dnsd::TsigError::BadSig);

    auto plain = dnstest::query("smarthost.local", kAxfr);
    EXPECT_FALSE(dnsd::verify_request(&key, plain, now()).is_signed);
}

TEST(TsigVerify, ErrorAnswerIsNotauthWithTheErrorAndNoData) {
    const auto key = key_from("xfr-key.key");
    const auto wrong = key_from("wrong-secret.key");
    auto q = signed_axfr(key);
    for (auto [when, error] :
         {std::pair{now(), dnsd::TsigError::BadSig}, std::pair{now() + 1000, dnsd::TsigError::BadTime}}) {
        const dnsd::TsigKey* used = error == dnsd::TsigError::BadSig ? &wrong : &key;
        dnsd::TsigVerdict v = dnsd::verify_request(used, q, when);
        ASSERT_EQ(v.error, error);
        auto answer = dnsd::tsig_error_response(q, v, when);
        auto d = dnstest::decode(answer);
        ASSERT_TRUE(d.ok) << d.error;
        EXPECT_TRUE(d.qr);
        EXPECT_EQ(d.id, dnstest::decode(q).id);
        EXPECT_EQ(d.rcode, dnsd::kRcodeNotAuth);
        EXPECT_TRUE(d.answer.empty() && d.authority.empty());
        EXPECT_EQ(d.question, std::vector<std::string>{"smarthost.local. IN AXFR"});
        auto t = tsig_of(answer);
        ASSERT_TRUE(t.present);
        EXPECT_EQ(t.error, static_cast<std::uint16_t>(error));
        EXPECT_EQ(t.mac_size, 0u);
    }
}

TEST(TsigSign, EveryMessageOfAStreamVerifiesAsAChain) {
    const auto key = key_from("xfr-key.key");
    auto zone = dnsdtest::smarthost_zone();
    std::vector<zonegen::Zone> zones;
    zones.push_back(std::move(zone));
    auto table = dnsd::AnswerTable::compile(zones).value();
    auto q = signed_axfr(key);
    auto v = dnsd::verify_request(&key, q, now());
    ASSERT_EQ(v.error, dnsd::TsigError::NoError);
    auto stream = dnsd::make_axfr_stream(table, table->zones().front(), q, 512, dnsd::TsigSigner(key, v.mac));
    std::vector<std::vector<std::uint8_t>> messages;
    std::vector<std::uint8_t> buf(65535);
    for (std::size_t n; (n = stream->next(buf)) > 0;)
        messages.emplace_back(buf.begin(), buf.begin() + static_cast<long>(n));
    ASSERT_GT(messages.size(), 2u);
    EXPECT_TRUE(verify_chain(key, q, messages));
    // Out of order, the chain breaks: each MAC covers the one before.
    std::swap(messages[1], messages[2]);
    EXPECT_FALSE(verify_chain(key, q, messages));
}

TEST(DnsdTsig, SignedTransferEveryMessageSigned) {
    Dnsd dnsd(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--allow-transfer", "127.0.0.1",
                         "--tsig-key", kData + "/xfr-key.key"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    const auto key = key_from("xfr-key.key");
    auto q = signed_axfr(key);
    Transfer t = transfer_from(dnsd.port(), q);
    ASSERT_TRUE(t.complete) << t.error;
    EXPECT_TRUE(verify_chain(key, q, t.raw));
}

TEST(DnsdTsig, WrongKeyGetsNotauthAndNoData) {
    Dnsd dnsd(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--allow-transfer", "127.0.0.1",
                         "--tsig-key", kData + "/xfr-key.key"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    struct Case {
        const char* file;
        dnsd::TsigError error;
        const char* log;
    } cases[] = {{"wrong-secret.key", dnsd::TsigError::BadSig, "refused: TSIG BADSIG"},
                 {"other-name.key", dnsd::TsigError::BadKey, "refused: TSIG BADKEY"}};
    for (const auto& c : cases) {
        Transfer t = transfer_from(dnsd.port(), signed_axfr(key_from(c.file)), std::chrono::seconds(5));
        ASSERT_EQ(t.messages.size(), 1u) << c.file << ": " << t.error;
        EXPECT_EQ(t.messages[0].rcode, dnsd::kRcodeNotAuth) << c.file;
        EXPECT_TRUE(t.messages[0].answer.empty()) << c.file;
        EXPECT_EQ(tsig_of(t.raw[0]).error, static_cast<std::uint16_t>(c.error)) << c.file;
        EXPECT_TRUE(dnsd.process().wait_for_line(c.log, std::chrono::seconds(5))) << dnsd.process().err();
    }
    // With a key configured, an unsigned request is simply refused.
    Transfer plain = transfer_from(dnsd.port(), dnstest::query("smarthost.local", kAxfr), std::chrono::seconds(5));
    ASSERT_EQ(plain.messages.size(), 1u);
    EXPECT_EQ(plain.messages[0].rcode, 5);
    EXPECT_TRUE(plain.messages[0].answer.empty());
}

// Without --tsig-key, a signed request names a key dnsd does not have: BADKEY.
TEST(DnsdTsig, SignedRequestWithoutAConfiguredKeyIsBadkey) {
    Dnsd dnsd(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--allow-transfer", "127.0.0.1"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    Transfer t = transfer_from(dnsd.port(), signed_axfr(key_from("xfr-key.key")), std::chrono::seconds(5));
    ASSERT_EQ(t.messages.size(), 1u) << t.error;
    EXPECT_EQ(t.messages[0].rcode, dnsd::kRcodeNotAuth);
    EXPECT_EQ(tsig_of(t.raw[0]).error, static_cast<std::uint16_t>(dnsd::TsigError::BadKey));
}

TEST(DnsdTsig, BadKeyFileStopsTheStartWithFileAndLine) {
    TempDir dir;
    write_text(dir / "bad.key", "key \"k\" {\n  algorithm hmac-sha1;\n  secret \"c2VjcmV0\";\n};\n");
    auto r = run(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--tsig-key", dir / "bad.key"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find(dir / "bad.key" + ":2: algorithm \"hmac-sha1\" is not supported"), std::string::npos)
        << r.err;
}
