// BIND as a secondary of dnsd over TSIG (RFC 8945), as a BIND operator configures it: the
// key on its primaries statement, so BIND signs its SOA refresh query (over UDP) and its
// transfer requests and rejects answers that are not signed. dnsd allows the secondary by
// address and key (--allow-transfer 127.0.0.1:xfr-key): BIND transfers the zone, and after
// the inventory gains a host and dnsd gets SIGHUP, dnsd's signed NOTIFY makes BIND check the
// SOA and transfer again, so it serves the new serial within 5 s. Then dig: an unsigned
// transfer is refused, and a query or transfer signed with a wrong secret or an unknown key
// gets NOTAUTH with BADSIG or BADKEY and no record of the zone.
#include <signal.h>

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "dnsd/primary/tsig.hpp"
#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/peers.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;

namespace {

const std::string kData = SMARTHOST_TEST_DATA "/xfr";
const std::string kZone = "smarthost.local";

// The inventory gains cambridge's second smarthost.
void add_host(const std::string& inventory) {
    std::string text = read_text(inventory);
    const std::string host = R"({ "name": "mail", "ipv4": ["198.51.100.25"] })";
    auto at = text.find(host);
    ASSERT_NE(at, std::string::npos);
    text.insert(at + host.size(), R"(, { "name": "mail9", "ipv4": ["198.51.100.29"] })");
    write_text(inventory, text);
}

// What a resolver takes from an answer: rcode, AA and the answer section.
std::string essence(std::uint16_t port, const std::string& name, std::uint16_t type) {
    auto r = udp_exchange_at("127.0.0.1", port, dnstest::query(name, type));
    if (!r) return "no answer";
    auto d = dnstest::decode(*r);
    if (!d.ok) return "undecodable: " + d.error;
    return "rcode " + std::to_string(d.rcode) + (d.aa ? " aa" : "") + "\n" + dnstest::sorted(d.answer);
}

}  // namespace

TEST(BindOverTsig, TransfersFollowsSignedNotifyAndRefusesBadSignatures) {
    auto key = dnsd::read_tsig_key(kData + "/xfr-key.key");
    auto wrong = dnsd::read_tsig_key(kData + "/wrong-secret.key");
    ASSERT_TRUE(key.ok() && wrong.ok());
    TempDir dir;
    const std::string inventory = dir / "sites.json";
    write_text(inventory, read_text(kData + "/sites.json"));
    const std::uint16_t bind_port = free_port();
    // Two keys, as with two groups of secondaries: BIND's group is named by its rule, and
    // NOTIFY to it is signed with that key rather than the first one.
    Dnsd dnsd(DNSD_BIN, {"--inventory", inventory, "--listen", "127.0.0.1:0", "--tsig-key", kData + "/other-name.key",
                         "--tsig-key", kData + "/xfr-key.key", "--allow-transfer", "127.0.0.1:xfr-key", "--notify",
                         "127.0.0.1:" + std::to_string(bind_port), "--log-queries"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();

    std::string why;
    auto bind = PeerServer::bind_secondary({kZone, dnsd.port(), TsigSpec{"xfr-key", key.value().secret}, bind_port},
                                           &why);
    ASSERT_TRUE(bind) << why << "\ndnsd:\n" << dnsd.process().err();
    EXPECT_TRUE(dnsd.process().wait_for_line("(TSIG)", std::chrono::seconds(5))) << dnsd.process().err();
    EXPECT_EQ(essence(bind->port(), kZone, 6), essence(dnsd.port(), kZone, 6));
    EXPECT_EQ(essence(bind->port(), "oxford." + kZone, 15), essence(dnsd.port(), "oxford." + kZone, 15));

    const auto before = soa_serial(dnsd.port(), kZone);
    ASSERT_TRUE(before);
    add_host(inventory);
    const std::size_t lines = dnsd.process().err_line_count();
    const auto sighup = std::chrono::steady_clock::now();
    dnsd.process().signal(SIGHUP);
    ASSERT_TRUE(dnsd.process().wait_for_line("dnsd: reloaded", std::chrono::seconds(5), lines))
        << dnsd.process().err();
    const auto after = soa_serial(dnsd.port(), kZone);
    ASSERT_TRUE(after);
    ASSERT_NE(*after, *before);
    std::optional<std::uint32_t> seen;
    while (std::chrono::steady_clock::now() - sighup < std::chrono::seconds(5)) {
        seen = soa_serial(bind->port(), kZone);
        if (seen == after) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(seen, after) << "BIND did not serve the new serial within 5 s of SIGHUP\n"
                           << bind->log() << "\ndnsd:\n"
                           << dnsd.process().err();
    EXPECT_EQ(essence(bind->port(), "mail9.cambridge." + kZone, 1),
              essence(dnsd.port(), "mail9.cambridge." + kZone, 1));
    // BIND names the key of a signed NOTIFY it accepted; dnsd logs BIND's (signed) answer.
    EXPECT_NE(bind->log().find("/key xfr-key: received notify for zone '" + kZone + "'"), std::string::npos)
        << bind->log();
    EXPECT_TRUE(dnsd.process().wait_for_line("notify of " + kZone + ". serial " + std::to_string(*after) +
                                                 " to 127.0.0.1:" + std::to_string(bind_port) + " answered",
                                             std::chrono::seconds(5), lines))
        << dnsd.process().err();
    EXPECT_EQ(bind->log().find("tsig verify failure"), std::string::npos) << bind->log();
    // Before that transfer BIND checked the SOA with a signed query, answered signed (the
    // query log marks it TSIG), and refused nothing of it.
    std::istringstream log(dnsd.process().err());
    std::size_t signed_soa = 0, n = 0;
    for (std::string line; std::getline(log, line); ++n)
        if (n >= lines && line.find(" " + kZone + ". SOA NOERROR ") != std::string::npos && line.ends_with(" TSIG"))
            ++signed_soa;
    EXPECT_GE(signed_soa, 1u) << dnsd.process().err();
    EXPECT_EQ(dnsd.process().err().find("TSIG BAD"), std::string::npos) << dnsd.process().err();

    auto dig = [&](std::vector<std::string> extra, const char* type) {
        std::vector<std::string> args = {"@127.0.0.1", "-p", std::to_string(dnsd.port()), "+tries=1", "+time=5"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {kZone, type});
        auto r = run("dig", args);
        return r.out + r.err;
    };
    const std::string good = "hmac-sha256:xfr-key:" + key.value().secret;
    const std::string bad_secret = "hmac-sha256:xfr-key:" + wrong.value().secret;
    const std::string unknown = "hmac-sha256:no-such-key:" + key.value().secret;
    const std::string soa_record = "\tIN\tSOA\t";
    // The right key transfers (dig checks every message's signature).
    std::string ok = dig({"-y", good}, "AXFR");
    EXPECT_NE(ok.find("XFR size:"), std::string::npos) << ok;
    // Unsigned: the address alone is not enough (its rule names a key): REFUSED, nothing.
    std::string plain = dig({}, "AXFR");
    EXPECT_NE(plain.find("Transfer failed"), std::string::npos) << plain;
    EXPECT_EQ(plain.find(soa_record), std::string::npos) << plain;
    for (const char* type : {"SOA", "AXFR"}) {
        for (const auto& [y, error] : {std::pair{bad_secret, "BADSIG"}, std::pair{unknown, "BADKEY"}}) {
            std::string out = dig({"-y", y}, type);
            EXPECT_NE(out.find(error), std::string::npos) << type << "\n" << out;
            EXPECT_EQ(out.find(soa_record), std::string::npos) << type << "\n" << out;
        }
    }
    std::string udp_soa = dig({"+notcp", "-y", bad_secret}, "SOA");
    EXPECT_NE(udp_soa.find("status: NOTAUTH"), std::string::npos) << udp_soa;
}
