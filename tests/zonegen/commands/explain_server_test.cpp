// zonegen explain --server against a running dnsd: the plan built from the MX, A and AAAA
// records dnsd serves for the example zone equals the plan built from the inventory, and
// renders to the same text; truncated UDP answers are asked again over TCP; a name the
// server does not know and a server that does not answer are told apart; and parsing
// the --server address.
#include "zonegen/commands/explain_server.hpp"

#include <gtest/gtest.h>

#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"
#include "zonegen/commands/explain.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/inventory/inventory.hpp"

using namespace zonegen;
using namespace std::chrono_literals;
using testsupport::Dnsd;
using testsupport::run_shell;
using testsupport::shell_quote;
using testsupport::TempDir;
using testsupport::write_text;

namespace {

const std::string kSource = SMARTHOST_SOURCE_DIR;
const std::string kExample = kSource + "/sites.json";

Inventory load(const std::string& path) {
    std::string err;
    auto text = read_file(path, &err);
    EXPECT_TRUE(text) << err;
    auto inv = parse_inventory(*text, path);
    EXPECT_TRUE(inv.ok());
    return std::move(inv).value();
}

ServerAddress at(const Dnsd& d) { return ServerAddress{"127.0.0.1", d.port()}; }

}  // namespace

TEST(ExplainServer, ExampleZoneServedByDnsdGivesTheInventoryPlan) {
    Dnsd dnsd(DNSD_BIN, {"--zone", kSource + "/zones/smarthost.local.zone", "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    Inventory inv = load(kExample);
    ASSERT_EQ(inv.sites.size(), 4u);
    for (std::size_t i = 0; i < inv.sites.size(); ++i) {
        auto served = plan_from_server(inv.sites[i].name, at(dnsd));
        ASSERT_TRUE(served.plan.ok()) << served.plan.errors().front().message;
        DeliveryPlan expected = plan_from_inventory(inv, i);
        EXPECT_EQ(served.plan.value(), expected) << inv.sites[i].label;
        EXPECT_GE(expected.tiers.size(), 3u);
    }
}

TEST(ExplainServer, SameTextFromServerAndInventoryWithHostsDown) {
    Dnsd dnsd(DNSD_BIN, {"--inventory", kExample, "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    const std::string server = "127.0.0.1:" + std::to_string(dnsd.port());
    for (const std::vector<std::string>& down : {std::vector<std::string>{},
                                                 {"mail1.oxford", "192.0.2.26"},
                                                 {"mail1.oxford", "mail2.oxford", "mail.cambridge"}}) {
        ExplainOptions opt;
        opt.inventory = kExample;
        opt.site = "oxford";
        opt.down = down;
        auto from_inventory = run_explain(opt);
        opt.server = server;
        auto from_server = run_explain(opt);
        ASSERT_EQ(from_server.status, Exit::Ok) << (from_server.errors.empty() ? "" : from_server.errors[0]);
        EXPECT_EQ(from_server.stdout_text, from_inventory.stdout_text);
        EXPECT_NE(from_server.stdout_text.find("tier 3, MX 30"), std::string::npos) << from_server.stdout_text;
    }
    // The command line, with the site given in full (no inventory needed).
    auto cli = run_shell(shell_quote(ZONEGEN_BIN) +
                         " explain -i /nonexistent.json london.smarthost.local. --server " + server +
                         " --down relay1.london.smarthost.local.");
    EXPECT_EQ(cli.exit_code, 0) << cli.err;
    EXPECT_NE(cli.out.find("relay1.london.smarthost.local.  203.0.113.25  2001:db8:0:3::25  [down]"),
              std::string::npos)
        << cli.out;
    // A relative HOST is below the site's parent, the zone, as with an inventory.
    auto relative = run_shell(shell_quote(ZONEGEN_BIN) + " explain -i /nonexistent.json london.smarthost.local. " +
                              "--server " + server + " --down relay1.london");
    EXPECT_EQ(relative.exit_code, 0) << relative.err;
    EXPECT_EQ(relative.out, cli.out);
}

TEST(ExplainServer, TruncatedAnswerIsAskedAgainOverTcp) {
    // 120 smarthosts: the MX answer alone is far past 1232 octets, so UDP comes back
    // truncated and only TCP carries every target.
    std::string hosts;
    for (int k = 0; k < 120; ++k)
        hosts += std::string(k ? ", " : "") + "{ \"name\": \"relay" + std::to_string(k) + "\", \"ipv4\": [\"10.0." +
                 std::to_string(k / 200) + "." + std::to_string(k % 200 + 1) + "\"] }";
    TempDir dir;
    write_text(dir / "sites.json",
               "{ \"zone\": \"big.home.arpa\", \"nameservers\": [ { \"name\": \"ns.example.\" } ],\n"
               "  \"sites\": [ { \"name\": \"hub\", \"smarthosts\": [ " +
                   hosts + " ] } ] }\n");
    Dnsd dnsd(DNSD_BIN, {"--inventory", dir / "sites.json", "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    Inventory inv = load(dir / "sites.json");
    auto served = plan_from_server(*Name::parse("hub.big.home.arpa."), at(dnsd));
    ASSERT_TRUE(served.plan.ok()) << served.plan.errors().front().message;
    ASSERT_EQ(served.plan.value().tiers.size(), 1u);
    EXPECT_EQ(served.plan.value().tiers[0].hosts.size(), 120u);
    EXPECT_EQ(served.plan.value(), plan_from_inventory(inv, 0));
}

TEST(ExplainServer, UnknownNameAndSilentServerAreDifferentFailures) {
    std::uint16_t port = 0;
    {
        Dnsd dnsd(DNSD_BIN, {"--inventory", kExample, "--listen", "127.0.0.1:0"});
        ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
        port = dnsd.port();
        auto unknown = plan_from_server(*Name::parse("nowhere.smarthost.local."), at(dnsd));
        EXPECT_FALSE(unknown.plan.ok());
        EXPECT_FALSE(unknown.unreachable);
        EXPECT_NE(unknown.plan.errors().front().message.find("NXDOMAIN"), std::string::npos);
        auto refused = plan_from_server(*Name::parse("oxford.example.org."), at(dnsd));
        EXPECT_FALSE(refused.plan.ok());
        EXPECT_FALSE(refused.unreachable);
        EXPECT_NE(refused.plan.errors().front().message.find("REFUSED"), std::string::npos)
            << refused.plan.errors().front().message;
        ExplainOptions opt;
        opt.inventory = kExample;
        opt.site = "nowhere";
        opt.server = "127.0.0.1:" + std::to_string(port);
        EXPECT_EQ(run_explain(opt).status, Exit::Invalid);
    }
    // dnsd has stopped: nothing answers on its port any more.
    auto silent = plan_from_server(*Name::parse("oxford.smarthost.local."), ServerAddress{"127.0.0.1", port}, 300ms);
    EXPECT_FALSE(silent.plan.ok());
    EXPECT_TRUE(silent.unreachable);
}

TEST(ExplainServerAddress, Parses) {
    auto v4 = parse_server_address("127.0.0.1:5353");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->host, "127.0.0.1");
    EXPECT_EQ(v4->port, 5353);
    auto v6 = parse_server_address("[::1]:53");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->text(), "[::1]:53");
    for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "::1:53", "[::1]53",
                            "localhost:53", "127.0.0.1:5x"})
        EXPECT_FALSE(parse_server_address(bad)) << bad;
}
