// dnsd as the hidden primary of real secondaries from Debian (NSD, Knot, BIND), each
// started here on its own loopback port with a throw-away configuration: they transfer the
// zone, answer every owner name and type exactly as dnsd does, and after the inventory
// gains a host and dnsd gets SIGHUP they serve the new serial within 5 seconds because
// dnsd sends NOTIFY. A second run signs everything with TSIG (Knot and NSD; BIND in
// bind_tsig_test.cpp).
#include <signal.h>

#include <gtest/gtest.h>

#include <thread>

#include "dnsd/primary/tsig.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/peers.hpp"
#include "tests/support/process.hpp"
#include "tests/support/same_answers.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;

namespace {

const std::string kData = SMARTHOST_TEST_DATA "/xfr";
const std::string kZone = "smarthost.local";
constexpr std::uint16_t kAxfr = 252;

// The inventory gains cambridge's second smarthost.
void add_host(const std::string& inventory) {
    std::string text = read_text(inventory);
    const std::string host = R"({ "name": "mail", "ipv4": ["198.51.100.25"] })";
    auto at = text.find(host);
    ASSERT_NE(at, std::string::npos);
    text.insert(at + host.size(), R"(, { "name": "mail9", "ipv4": ["198.51.100.29"] })");
    write_text(inventory, text);
}

using Launcher = std::unique_ptr<PeerServer> (*)(const SecondarySpec&, std::string*);

// Runs the whole scenario for the given secondaries: transfer, compare, change, NOTIFY.
void scenario(const std::vector<Launcher>& launchers, const std::optional<TsigSpec>& tsig,
              const std::vector<std::string>& extra_dnsd_args) {
    TempDir dir;
    const std::string inventory = dir / "sites.json";
    write_text(inventory, read_text(kData + "/sites.json"));
    std::vector<std::uint16_t> ports;
    std::vector<std::string> args = {"--inventory", inventory,          "--listen",
                                     "127.0.0.1:0", "--allow-transfer", "127.0.0.1"};
    for (std::size_t i = 0; i < launchers.size(); ++i) {
        ports.push_back(free_port());
        args.insert(args.end(), {"--notify", "127.0.0.1:" + std::to_string(ports.back())});
    }
    args.insert(args.end(), extra_dnsd_args.begin(), extra_dnsd_args.end());
    Dnsd dnsd(DNSD_BIN, args);
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();

    std::vector<std::unique_ptr<PeerServer>> peers;
    for (std::size_t i = 0; i < launchers.size(); ++i) {
        std::string why;
        auto peer = launchers[i]({kZone, dnsd.port(), tsig, ports[i]}, &why);
        ASSERT_TRUE(peer) << why << "\ndnsd:\n" << dnsd.process().err();
        peers.push_back(std::move(peer));
    }

    // dnsd's own view of the zone, through a transfer signed as the secondaries sign theirs.
    auto axfr_query = [&] {
        auto q = dnstest::query(kZone, kAxfr);
        if (!tsig) return q;
        auto s = dnsd::tsig_sign_request({tsig->name + ".", "hmac-sha256.", tsig->secret}, q);
        EXPECT_TRUE(s);
        return s.value_or(q);
    };
    Transfer first = transfer_from(dnsd.port(), axfr_query());
    ASSERT_TRUE(first.complete) << first.error;
    for (const auto& peer : peers) expect_same_answers(names_in(first, kZone), dnsd.port(), *peer);

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
    for (const auto& peer : peers) {
        std::optional<std::uint32_t> seen;
        while (std::chrono::steady_clock::now() - sighup < std::chrono::seconds(5)) {
            seen = soa_serial(peer->port(), kZone);
            if (seen == after) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        EXPECT_EQ(seen, after) << peer->name() << " did not serve the new serial within 5 s of SIGHUP\n"
                               << peer->log() << "\ndnsd:\n"
                               << dnsd.process().err();
        EXPECT_EQ(essence(peer->port(), "mail9.cambridge." + kZone, 1),
                  essence(dnsd.port(), "mail9.cambridge." + kZone, 1))
            << peer->name();
    }
    Transfer second = transfer_from(dnsd.port(), axfr_query());
    ASSERT_TRUE(second.complete) << second.error;
    for (const auto& peer : peers) expect_same_answers(names_in(second, kZone), dnsd.port(), *peer);
}

}  // namespace

TEST(Secondaries, NsdKnotAndBindTransferAnswerAlikeAndFollowNotify) {
    scenario({&PeerServer::nsd_secondary, &PeerServer::knot_secondary, &PeerServer::bind_secondary}, std::nullopt,
             {});
}

// TSIG on everything: the secondaries sign their requests, dnsd signs every message of the
// transfer and its NOTIFYs, and refuses what is not signed. BIND over TSIG, which also
// signs its SOA refresh query and needs it answered signed, has its own run
// (bind_tsig_test.cpp, normal build only).
TEST(Secondaries, KnotAndNsdOverTsig) {
    auto key = dnsd::read_tsig_key(kData + "/xfr-key.key");
    ASSERT_TRUE(key) << zonegen::format_gnu(key.errors().front());
    scenario({&PeerServer::knot_secondary, &PeerServer::nsd_secondary}, TsigSpec{"xfr-key", key.value().secret},
             {"--tsig-key", kData + "/xfr-key.key"});
}

// Real clients asking dnsd for the zone: dig from an address that is not allowed, and dig
// with a key of the right name but the wrong secret, get no records; the right key does.
TEST(Secondaries, DigRefusedWhenNotAllowedOrWrongKey) {
    auto key = dnsd::read_tsig_key(kData + "/xfr-key.key");
    auto wrong = dnsd::read_tsig_key(kData + "/wrong-secret.key");
    ASSERT_TRUE(key.ok() && wrong.ok());
    const std::string zone_file = SMARTHOST_TEST_DATA "/e2e/smarthost.local.zone";
    auto dig = [](std::uint16_t port, std::vector<std::string> extra) {
        std::vector<std::string> args = {"@127.0.0.1", "-p", std::to_string(port), "+tries=1", "+time=5"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {"smarthost.local", "AXFR"});
        auto r = run("dig", args);
        return r.out + r.err;
    };
    {
        Dnsd dnsd(DNSD_BIN, {"--zone", zone_file, "--listen", "127.0.0.1:0", "--allow-transfer", "192.0.2.0/24"});
        ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
        std::string out = dig(dnsd.port(), {});
        EXPECT_NE(out.find("Transfer failed"), std::string::npos) << out;
        EXPECT_EQ(out.find(" IN\tSOA"), std::string::npos) << out;
    }
    Dnsd dnsd(DNSD_BIN, {"--zone", zone_file, "--listen", "127.0.0.1:0", "--allow-transfer", "127.0.0.1",
                         "--tsig-key", kData + "/xfr-key.key"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    std::string bad = dig(dnsd.port(), {"-y", "hmac-sha256:xfr-key:" + wrong.value().secret});
    EXPECT_NE(bad.find("BADSIG"), std::string::npos) << bad;
    EXPECT_NE(bad.find("Transfer failed"), std::string::npos) << bad;
    EXPECT_EQ(bad.find(" IN\tSOA"), std::string::npos) << bad;
    std::string good = dig(dnsd.port(), {"-y", "hmac-sha256:xfr-key:" + key.value().secret});
    EXPECT_NE(good.find("XFR size:"), std::string::npos) << good;
    EXPECT_EQ(good.find("Transfer failed"), std::string::npos) << good;
}
