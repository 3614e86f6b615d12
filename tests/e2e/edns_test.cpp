// dnsd end to end with real clients: the DO bit of `dig +dnssec` comes back in the OPT
// (RFC 3225 §3), beside a cookie and an unknown option too, and `dig +nsid` / `kdig +nsid`
// show the identifier given with --nsid TEXT or --nsid hostname (RFC 5001), TSIG-signed
// answers included. Each test starts and stops its own dnsd by PID.
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "dnsd/primary/tsig.hpp"
#include "tests/support/process.hpp"

using namespace testsupport;

namespace {

const std::string kZone = SMARTHOST_TEST_DATA "/e2e/smarthost.local.zone";

std::vector<std::string> dnsd_args(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--zone", kZone, "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

RunResult dig(std::uint16_t port, std::vector<std::string> flags, const std::string& tcp = "+notcp") {
    std::vector<std::string> args = {"@127.0.0.1", "-p", std::to_string(port), "+norecurse", "+time=2",
                                     "+tries=1",   tcp};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"oxford.smarthost.local", "MX"});
    return run("dig", args);
}

// dig's OPT pseudosection line, e.g. "; EDNS: version: 0, flags: do; udp: 1232".
std::string edns_line(const std::string& out) {
    const auto at = out.find("; EDNS:");
    return at == std::string::npos ? "no EDNS line" : out.substr(at, out.find('\n', at) - at);
}

}  // namespace

TEST(DnsdEdns, DigDnssecShowsDo) {
    Dnsd dnsd(DNSD_BIN, dnsd_args());
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    for (const std::string transport : {"+notcp", "+tcp"}) {
        // dig 9.18 sends a COOKIE option by default: DO beside a cookie.
        RunResult r = dig(dnsd.port(), {"+dnssec"}, transport);
        ASSERT_EQ(r.status, 0) << r.out << r.err;
        EXPECT_EQ(edns_line(r.out), "; EDNS: version: 0, flags: do; udp: 1232") << r.out;
        EXPECT_NE(r.out.find("status: NOERROR"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("ANSWER: 2,"), std::string::npos) << r.out;
        // DO with no option at all, and with an unknown option (65001).
        r = dig(dnsd.port(), {"+dnssec", "+nocookie"}, transport);
        EXPECT_EQ(edns_line(r.out), "; EDNS: version: 0, flags: do; udp: 1232") << r.out;
        r = dig(dnsd.port(), {"+dnssec", "+ednsopt=65001:01020304"}, transport);
        EXPECT_EQ(edns_line(r.out), "; EDNS: version: 0, flags: do; udp: 1232") << r.out;
        // Without DO the flags stay empty.
        r = dig(dnsd.port(), {}, transport);
        EXPECT_EQ(edns_line(r.out), "; EDNS: version: 0, flags:; udp: 1232") << r.out;
        r = dig(dnsd.port(), {"+nocookie"}, transport);
        EXPECT_EQ(edns_line(r.out), "; EDNS: version: 0, flags:; udp: 1232") << r.out;
    }
    // kdig prints the flag as "DO" in its EDNS line.
    RunResult k = run("kdig", {"@127.0.0.1", "-p", std::to_string(dnsd.port()), "+norecurse", "+timeout=2",
                               "+retry=0", "+dnssec", "oxford.smarthost.local", "MX"});
    ASSERT_EQ(k.status, 0) << k.out << k.err;
    EXPECT_NE(k.out.find("Version: 0; flags: do; UDP size: 1232 B"), std::string::npos) << k.out;
    EXPECT_EQ(dnsd.process().stop(), 0);
}

TEST(DnsdEdns, NsidText) {
    Dnsd dnsd(DNSD_BIN, dnsd_args({"--nsid", "hidden-primary.oxford"}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    for (const std::string transport : {"+notcp", "+tcp"}) {
        RunResult r = dig(dnsd.port(), {"+nsid", "+dnssec"}, transport);
        ASSERT_EQ(r.status, 0) << r.out << r.err;
        EXPECT_NE(r.out.find("; NSID: 68 69 64 64 65 6e 2d 70 72 69 6d 61 72 79 2e 6f 78 66 6f 72 64 "
                             "(\"hidden-primary.oxford\")"),
                  std::string::npos)
            << r.out;
        EXPECT_EQ(edns_line(r.out), "; EDNS: version: 0, flags: do; udp: 1232") << r.out;
        // Not asked: not sent.
        r = dig(dnsd.port(), {}, transport);
        EXPECT_EQ(r.out.find("NSID"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("ANSWER: 2,"), std::string::npos) << r.out;
    }
    RunResult k = run("kdig", {"@127.0.0.1", "-p", std::to_string(dnsd.port()), "+norecurse", "+timeout=2",
                               "+retry=0", "+nsid", "oxford.smarthost.local", "MX"});
    ASSERT_EQ(k.status, 0) << k.out << k.err;
    EXPECT_NE(k.out.find("NSID: 68696464656E2D7072696D6172792E6F78666F7264 \"hidden-primary.oxford\""),
              std::string::npos)
        << k.out;
    EXPECT_EQ(dnsd.process().stop(), 0);
}

// A TSIG-signed query (RFC 8945 §5) gets the same OPT inside its signed answer.
TEST(DnsdEdns, SignedQueryGetsDoAndNsid) {
    const std::string key_file = SMARTHOST_TEST_DATA "/xfr/xfr-key.key";
    auto key = dnsd::read_tsig_key(key_file);
    ASSERT_TRUE(key.ok());
    Dnsd dnsd(DNSD_BIN, dnsd_args({"--tsig-key", key_file, "--nsid", "signed-primary"}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    const std::string name = key.value().name.substr(0, key.value().name.size() - 1);  // without the root dot
    for (const std::string transport : {"+notcp", "+tcp"}) {
        RunResult r = dig(dnsd.port(), {"+nsid", "+dnssec", "-y", "hmac-sha256:" + name + ":" + key.value().secret},
                          transport);
        ASSERT_EQ(r.status, 0) << r.out << r.err;
        EXPECT_NE(r.out.find("(\"signed-primary\")"), std::string::npos) << r.out;
        EXPECT_EQ(edns_line(r.out), "; EDNS: version: 0, flags: do; udp: 1232") << r.out;
        EXPECT_NE(r.out.find("TSIG\thmac-sha256. "), std::string::npos) << r.out;
        EXPECT_EQ((r.out + r.err).find("verify failure"), std::string::npos) << r.out << r.err;
        EXPECT_EQ((r.out + r.err).find("Couldn't verify"), std::string::npos) << r.out << r.err;
    }
    EXPECT_EQ(dnsd.process().stop(), 0);
}

TEST(DnsdEdns, NsidHostname) {
    std::array<char, 256> host{};
    ASSERT_EQ(::gethostname(host.data(), host.size() - 1), 0);
    Dnsd dnsd(DNSD_BIN, dnsd_args({"--nsid", "hostname"}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    RunResult r = dig(dnsd.port(), {"+nsid"});
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("(\"" + std::string(host.data()) + "\")"), std::string::npos) << r.out;
    EXPECT_EQ(dnsd.process().stop(), 0);
}

TEST(DnsdEdns, NsidUsage) {
    RunResult r = run(DNSD_BIN, dnsd_args({"--nsid", ""}));
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("--nsid must not be empty"), std::string::npos) << r.err;
    r = run(DNSD_BIN, dnsd_args({"--nsid", std::string(129, 'x')}));
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("129 octets; at most 128"), std::string::npos) << r.err;
    r = run(DNSD_BIN, {"--help"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("--nsid TEXT|hostname"), std::string::npos) << r.out;
}
