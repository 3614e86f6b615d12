// dnsd end to end: the built binary started on 127.0.0.1 port 0, its ready line, answers
// over UDP and TCP checked with ldns and with real clients (dig, kdig, drill), truncation
// and the TCP retry, reloads good and bad, start-up failures, a clean stop, and a burst
// that waits in the socket while dnsd is held up. Every test starts and stops its own dnsd
// by PID. TCP behaviour (pipelining, limits) is in e2e_tcp_test.cpp.
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;
using dnstest::Decoded;

namespace {

// Writes a file in dir and returns its path.
std::string put(const TempDir& dir, const std::string& name, const std::string& content) {
    write_text(dir / name, content);
    return dir / name;
}

const std::string kData = SMARTHOST_TEST_DATA "/e2e/";
const std::string kZone = kData + "smarthost.local.zone";
constexpr std::uint16_t kMX = 15, kTXT = 16, kSOA = 6, kA = 1;

std::vector<std::string> with_listen(std::vector<std::string> args) {
    args.insert(args.end(), {"--listen", "127.0.0.1:0"});
    return args;
}

// No answer at all decodes as not ok, with an rcode no server sends.
Decoded no_answer() {
    Decoded d;
    d.rcode = -1;
    d.error = "no answer";
    return d;
}

Decoded ask_udp(std::uint16_t port, const std::string& name, std::uint16_t type, bool edns = true) {
    dnstest::QueryOptions o;
    o.edns = edns;
    auto answer = udp_exchange_at("127.0.0.1", port, dnstest::query(name, type, o));
    return answer ? dnstest::decode(*answer) : no_answer();
}

Decoded ask_tcp(std::uint16_t port, const std::string& name, std::uint16_t type) {
    TcpConnection c("127.0.0.1", port);
    if (!c.send(framed(dnstest::query(name, type)))) return no_answer();
    auto answer = c.read_frame();
    return answer ? dnstest::decode(*answer) : no_answer();
}

std::string soa_serial(std::uint16_t port) {
    Decoded d = ask_udp(port, "smarthost.local", kSOA);
    if (d.answer.size() != 1) return "no SOA";
    std::istringstream words(d.answer[0]);
    std::string w;
    for (int i = 0; i < 7 && words >> w;) ++i;  // owner ttl class type mname rname serial
    return w;
}

// The MX answer every check expects for oxford.smarthost.local.
const std::string kOxfordMx =
    "oxford.smarthost.local. 300 IN MX 10 mail.oxford.smarthost.local.\n"
    "oxford.smarthost.local. 300 IN MX 20 mail.cambridge.smarthost.local.";
const std::string kOxfordAdditional =
    "mail.cambridge.smarthost.local. 300 IN A 198.51.100.25\n"
    "mail.oxford.smarthost.local. 300 IN A 192.0.2.25\n"
    "mail.oxford.smarthost.local. 300 IN AAAA 2001:db8::25";

// Client output with every run of blanks made one space, so records compare as text.
std::string squeeze(const std::string& s) {
    std::string out;
    for (char c : s) {
        const bool blank = c == ' ' || c == '\t';
        if (blank && !out.empty() && out.back() == ' ') continue;
        out += blank ? ' ' : c;
    }
    return out;
}

// Every occurrence of from replaced by to (plain text, unlike std::regex, which GCC 12
// cannot compile warning-free under the sanitizers).
std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

std::string without_lines_containing(const std::string& s, const std::string& what) {
    std::string out;
    std::istringstream in(s);
    for (std::string line; std::getline(in, line);)
        if (line.find(what) == std::string::npos) out += line + "\n";
    return out;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string lower_sorted(std::vector<std::string> lines) {
    for (std::string& l : lines) l = lower(l);
    return dnstest::sorted(std::move(lines));
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

std::string zone_text(std::uint32_t serial, const std::string& extra = "") {
    std::ifstream f(kZone);
    std::stringstream s;
    s << f.rdbuf();
    return replace_all(s.str(), "2026112301", std::to_string(serial)) + extra;
}

}  // namespace

TEST(DnsdE2e, ReadyLineListsActualPortAndSerialThenStopsOnSigterm) {
    Dnsd dnsd(DNSD_BIN, with_listen({"--zone", kZone}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    std::uint16_t port = dnsd.port();
    ASSERT_NE(port, 0);
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    EXPECT_EQ(dnsd.info().udp, std::vector<std::string>{addr});
    EXPECT_EQ(dnsd.info().tcp, std::vector<std::string>{addr});
    EXPECT_EQ(dnsd.info().zones, "smarthost.local serial 2026112301");
    EXPECT_EQ(ask_udp(port, "oxford.smarthost.local", kMX).rcode, 0);

    EXPECT_EQ(dnsd.process().stop(), 0);
    EXPECT_TRUE(dnsd.process().wait_for_line("dnsd: stopped (SIGTERM)", 2s));
    std::string err = dnsd.process().err();
    EXPECT_EQ(count(err, "dnsd: ready on"), 1u) << err;
    EXPECT_EQ(count(err, "dnsd: query"), 0u) << "queries are logged only with --log-queries";
}

TEST(DnsdE2e, SigintStopsCleanlyToo) {
    Dnsd dnsd(DNSD_BIN, with_listen({"--zone", kZone}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    dnsd.process().signal(SIGINT);
    EXPECT_EQ(dnsd.process().wait(10s), 0);
    EXPECT_TRUE(dnsd.process().wait_for_line("dnsd: stopped (SIGINT)", 2s));
}

TEST(DnsdE2e, MxAnswerWithAddressesOverUdpAndTcp) {
    Dnsd dnsd(DNSD_BIN, with_listen({"--zone", kZone}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    for (const Decoded& d :
         {ask_udp(dnsd.port(), "Oxford.Smarthost.Local", kMX), ask_tcp(dnsd.port(), "Oxford.Smarthost.Local", kMX)}) {
        ASSERT_TRUE(d.ok) << d.error;
        EXPECT_EQ(d.rcode, 0);
        EXPECT_TRUE(d.aa);
        EXPECT_FALSE(d.tc);
        EXPECT_EQ(d.question, std::vector<std::string>{"Oxford.Smarthost.Local. IN MX"});  // as sent
        // Names compressed against the question come back in its case (RFC 4343 §4).
        EXPECT_EQ(lower_sorted(d.answer), lower(kOxfordMx));
        EXPECT_EQ(lower_sorted(d.additional), lower(kOxfordAdditional));
    }
    EXPECT_EQ(dnsd.process().stop(), 0);
}

TEST(DnsdE2e, RealClientsGetTheMxSet) {
    Dnsd dnsd(DNSD_BIN, with_listen({"--zone", kZone}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    const std::string port = std::to_string(dnsd.port());
    const std::string mx10 = "oxford.smarthost.local. 300 IN MX 10 mail.oxford.smarthost.local.";
    const std::string mx20 = "oxford.smarthost.local. 300 IN MX 20 mail.cambridge.smarthost.local.";
    const std::string a = "mail.oxford.smarthost.local. 300 IN A 192.0.2.25";
    const std::string aaaa = "mail.oxford.smarthost.local. 300 IN AAAA 2001:db8::25";

    RunResult dig = run("dig", {"@127.0.0.1", "-p", port, "+norecurse", "+time=2", "+tries=1",
                                "oxford.smarthost.local", "MX"});
    RunResult kdig = run("kdig", {"@127.0.0.1", "-p", port, "+norecurse", "+timeout=2", "+retry=0",
                                  "oxford.smarthost.local", "MX"});
    RunResult drill = run("drill", {"-p", port, "oxford.smarthost.local", "@127.0.0.1", "MX"});
    for (const RunResult* r : {&dig, &kdig, &drill}) {
        ASSERT_EQ(r->status, 0) << r->out << r->err;
        std::string out = squeeze(r->out);
        for (const std::string& rr : {mx10, mx20, a, aaaa})
            EXPECT_NE(out.find(rr), std::string::npos) << rr << "\n" << out;
        EXPECT_NE(out.find("NOERROR"), std::string::npos) << out;
    }
    EXPECT_NE(dig.out.find("flags: qr aa;"), std::string::npos) << dig.out;
    EXPECT_NE(kdig.out.find("Flags: qr aa;"), std::string::npos) << kdig.out;
    EXPECT_NE(drill.out.find("flags: qr aa "), std::string::npos) << drill.out;
    EXPECT_EQ(dnsd.process().stop(), 0);
}

// An RRset too large for UDP comes back truncated (RFC 2181 §9, RFC 1035 §4.2.1); dig and
// kdig then retry over TCP by themselves and get all 40 records.
TEST(DnsdE2e, TruncatedOverUdpCompleteOverTcp) {
    Dnsd dnsd(DNSD_BIN, with_listen({"--zone", kZone}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    Decoded edns = ask_udp(dnsd.port(), "big.smarthost.local", kTXT);
    ASSERT_TRUE(edns.ok) << edns.error;
    EXPECT_TRUE(edns.tc);
    EXPECT_LE(edns.size, 1232u);
    EXPECT_LT(edns.answer.size(), 40u);
    Decoded plain = ask_udp(dnsd.port(), "big.smarthost.local", kTXT, /*edns=*/false);
    EXPECT_TRUE(plain.tc);
    EXPECT_LE(plain.size, 512u);
    Decoded tcp = ask_tcp(dnsd.port(), "big.smarthost.local", kTXT);
    EXPECT_FALSE(tcp.tc);
    EXPECT_EQ(tcp.answer.size(), 40u);

    const std::string port = std::to_string(dnsd.port());
    RunResult dig = run("dig", {"@127.0.0.1", "-p", port, "+norecurse", "+time=2", "+tries=1", "big.smarthost.local",
                                "TXT"});
    ASSERT_EQ(dig.status, 0) << dig.out << dig.err;
    EXPECT_NE(dig.out.find("Truncated, retrying in TCP mode"), std::string::npos) << dig.out;
    EXPECT_EQ(count(squeeze(dig.out), "IN TXT \"record"), 40u) << dig.out;
    RunResult kdig = run("kdig", {"@127.0.0.1", "-p", port, "+timeout=2", "+retry=0", "big.smarthost.local", "TXT"});
    ASSERT_EQ(kdig.status, 0) << kdig.out << kdig.err;
    EXPECT_EQ(count(squeeze(kdig.out), "IN TXT \"record"), 40u) << kdig.out;
    EXPECT_EQ(dnsd.process().stop(), 0);
}

TEST(DnsdE2e, ReloadServesTheChangedZone) {
    TempDir dir;
    std::string zone = put(dir, "smarthost.local.zone", zone_text(2026112301));
    Dnsd dnsd(DNSD_BIN, with_listen({"--zone", zone}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    EXPECT_EQ(ask_udp(dnsd.port(), "new.smarthost.local", kA).rcode, 3);  // NXDOMAIN

    put(dir, "smarthost.local.zone", zone_text(2026112302, "new IN A 192.0.2.99\n"));
    std::size_t from = dnsd.process().err_line_count();
    dnsd.process().signal(SIGHUP);
    ASSERT_TRUE(dnsd.process().wait_for_line("dnsd: reloaded (smarthost.local serial 2026112302)", 10s, from))
        << dnsd.process().err();
    Decoded d = ask_udp(dnsd.port(), "new.smarthost.local", kA);
    EXPECT_EQ(d.answer, std::vector<std::string>{"new.smarthost.local. 300 IN A 192.0.2.99"});
    EXPECT_EQ(soa_serial(dnsd.port()), "2026112302");
    EXPECT_EQ(dnsd.process().stop(), 0);
}

// A reload that fails keeps serving the old table and says why, with the file and line.
TEST(DnsdE2e, BrokenOrOlderZoneKeepsTheOldOne) {
    TempDir dir;
    std::string zone = put(dir, "smarthost.local.zone", zone_text(2026112301));
    Dnsd dnsd(DNSD_BIN, with_listen({"--zone", zone}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();

    auto reload = [&](const std::string& content, const std::string& expect) {
        put(dir, "smarthost.local.zone", content);
        std::size_t from = dnsd.process().err_line_count();
        dnsd.process().signal(SIGHUP);
        auto line = dnsd.process().wait_for_line("dnsd: reload", 10s, from);
        EXPECT_TRUE(line && line->find(expect) != std::string::npos) << (line ? *line : dnsd.process().err());
    };
    // Line 10 of the file is "mail.oxford IN A 192.0.2.25"; make it an impossible address.
    reload(replace_all(zone_text(2026112302), "192.0.2.25", "192.0.2.300"),
           "dnsd: reload failed, still serving serial 2026112301: " + zone + ":10:");
    EXPECT_EQ(soa_serial(dnsd.port()), "2026112301");
    EXPECT_EQ(dnstest::sorted(ask_udp(dnsd.port(), "oxford.smarthost.local", kMX).answer), kOxfordMx);

    reload(zone_text(2026112300, "new IN A 192.0.2.99\n"),
           "dnsd: reload failed, still serving serial 2026112301: " + zone +
               ": zone smarthost.local serial 2026112300 is not greater than the served serial 2026112301");
    EXPECT_EQ(soa_serial(dnsd.port()), "2026112301");
    EXPECT_EQ(ask_udp(dnsd.port(), "new.smarthost.local", kA).rcode, 3);

    // The same serial with other records would never reach a secondary (RFC 1034 §4.3.5).
    reload(zone_text(2026112301, "new IN A 192.0.2.99\n"),
           "dnsd: reload failed, still serving serial 2026112301: " + zone +
               ": zone smarthost.local serial 2026112301: the records changed but the serial did not");
    EXPECT_EQ(ask_udp(dnsd.port(), "new.smarthost.local", kA).rcode, 3);
    reload(zone_text(2026112301), "dnsd: reloaded (smarthost.local serial 2026112301)");  // nothing changed

    reload(zone_text(2026112303), "dnsd: reloaded (smarthost.local serial 2026112303)");
    EXPECT_EQ(soa_serial(dnsd.port()), "2026112303");
    EXPECT_EQ(dnsd.process().stop(), 0);
}

// Queries keep being answered, none lost and none SERVFAIL, while the table is swapped
// again and again underneath them.
TEST(DnsdE2e, NoQueryLostDuringReloads) {
    TempDir dir;
    std::string zone = put(dir, "smarthost.local.zone", zone_text(1));
    Dnsd dnsd(DNSD_BIN, with_listen({"--zone", zone}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    std::atomic<bool> done{false};
    std::atomic<int> asked{0}, failed{0};
    std::thread client([&] {
        while (!done) {
            Decoded d = ask_udp(dnsd.port(), "oxford.smarthost.local", kMX);
            ++asked;
            if (!d.ok || d.rcode != 0 || d.answer.size() != 2) ++failed;
        }
    });
    for (std::uint32_t serial = 2; serial <= 31; ++serial) {
        put(dir, "smarthost.local.zone", zone_text(serial));
        std::size_t from = dnsd.process().err_line_count();
        dnsd.process().signal(SIGHUP);
        EXPECT_TRUE(dnsd.process().wait_for_line("reloaded (smarthost.local serial " + std::to_string(serial) + ")",
                                                 10s, from));
        // A few answers between two swaps, however busy the machine: on a loaded one the
        // thirty reloads once went by before the client thread had run at all.
        const int seen = asked.load();
        for (const auto until = std::chrono::steady_clock::now() + 10s;
             asked.load() < seen + 2 && std::chrono::steady_clock::now() < until;)
            std::this_thread::sleep_for(1ms);
    }
    done = true;
    client.join();
    EXPECT_GE(asked.load(), 60);
    EXPECT_EQ(failed.load(), 0) << "of " << asked.load();
    EXPECT_EQ(soa_serial(dnsd.port()), "31");
    EXPECT_EQ(dnsd.process().stop(), 0);
}

TEST(DnsdE2e, ServesAnInventory) {
    Dnsd dnsd(DNSD_BIN, with_listen({"--inventory", kData + "sites.json"}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    EXPECT_EQ(dnsd.info().zones, "smarthost.local serial 2026112305");
    Decoded d = ask_udp(dnsd.port(), "oxford.smarthost.local", kMX);
    EXPECT_TRUE(d.aa);
    EXPECT_EQ(dnstest::sorted(d.answer), kOxfordMx);
    EXPECT_EQ(dnsd.process().stop(), 0);
}

// An inventory without a serial gets zonegen's date serial; a reload keeps it while the zone
// is unchanged and moves it on when the zone changes, so secondaries see every change.
TEST(DnsdE2e, InventoryWithoutSerialMovesItOnlyWhenTheZoneChanges) {
    TempDir dir;
    std::string inventory = without_lines_containing(read_text(kData + "sites.json"), "\"serial\"");
    std::string path = put(dir, "sites.json", inventory);
    ::setenv("SOURCE_DATE_EPOCH", "1795435200", 1);  // 2026-11-23 12:00 UTC, inherited by dnsd
    Dnsd dnsd(DNSD_BIN, with_listen({"--inventory", path}));
    ::unsetenv("SOURCE_DATE_EPOCH");
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    EXPECT_EQ(dnsd.info().zones, "smarthost.local serial 2026112301");

    auto reload = [&](const std::string& expect) {
        std::size_t from = dnsd.process().err_line_count();
        dnsd.process().signal(SIGHUP);
        auto line = dnsd.process().wait_for_line("dnsd: reload", 10s, from);
        EXPECT_EQ(line.value_or(dnsd.process().err()), expect);
    };
    reload("dnsd: reloaded (smarthost.local serial 2026112301)");
    put(dir, "sites.json", replace_all(inventory, "\"198.51.100.25\"", "\"198.51.100.25\", \"198.51.100.26\""));
    reload("dnsd: reloaded (smarthost.local serial 2026112302)");
    EXPECT_EQ(ask_udp(dnsd.port(), "mail.cambridge.smarthost.local", kA).answer.size(), 2u);
    EXPECT_EQ(dnsd.process().stop(), 0);
}

// Several zones, given both ways the option allows, and queries logged on request.
TEST(DnsdE2e, SeveralZonesAndQueryLog) {
    const std::string other = kData + "other.example.zone";
    for (const auto& args : {std::vector<std::string>{"--zone", kZone, other, "--log-queries"},
                             std::vector<std::string>{"--zone", kZone, "--log-queries", "--zone", other}}) {
        Dnsd dnsd(DNSD_BIN, with_listen(args));
        ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
        EXPECT_NE(dnsd.info().zones.find("smarthost.local serial 2026112301"), std::string::npos);
        EXPECT_NE(dnsd.info().zones.find("other.example serial 7"), std::string::npos);
        EXPECT_EQ(ask_udp(dnsd.port(), "www.other.example", kA).answer,
                  std::vector<std::string>{"www.other.example. 600 IN A 203.0.113.80"});
        EXPECT_EQ(ask_tcp(dnsd.port(), "oxford.smarthost.local", kMX).answer.size(), 2u);
        EXPECT_TRUE(dnsd.process().wait_for_line("dnsd: query udp 127.0.0.1:", 2s));
        auto line = dnsd.process().wait_for_line("dnsd: query tcp 127.0.0.1:", 2s);
        ASSERT_TRUE(line);
        EXPECT_NE(line->find(" oxford.smarthost.local. MX NOERROR "), std::string::npos) << *line;
        EXPECT_EQ(dnsd.process().stop(), 0);
    }
}

TEST(DnsdE2e, StartupFailuresExitWithTheirStatus) {
    TempDir dir;
    std::string broken = put(dir, "broken.zone", replace_all(zone_text(1), "192.0.2.25", "192.0.2.300"));
    // Bad zones: exit 1, every error as file:line.
    RunResult r = run(DNSD_BIN, with_listen({"--zone", kData + "unsupported.zone"}));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find(kData + "unsupported.zone:6:"), std::string::npos) << r.err;
    r = run(DNSD_BIN, with_listen({"--zone", broken}));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find(broken + ":10:"), std::string::npos) << r.err;
    EXPECT_EQ(count(r.err, "dnsd: ready"), 0u);

    // Usage and I/O: exit 2.
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--zone", dir.path() + "/missing.zone"},
             {"--zone", dir.path()},
             {"--inventory", dir.path()},
             {},
             {"--zone", kZone, "--inventory", kData + "sites.json"},
             {"--zone", kZone, "--listen", "127.0.0.1"},
             {"--zone", kZone, "--threads", "0"},
             {"--zone", kZone, "--threads", "-1"},
             {"--zone", kZone, "--max-connections", "-1"},
             {"--zone", kZone, "--idle-timeout", "+5"},
             {"--zone", kZone, "--idle-timeout", "86401"},
             {"--zone", kZone, "--no-such-option"},
         }) {
        r = run(DNSD_BIN, args);
        EXPECT_EQ(r.status, 2) << ::testing::PrintToString(args) << r.err;
        EXPECT_FALSE(r.err.empty());
    }

    // The port is taken (by a listening TCP socket of this test): cannot bind, exit 2.
    int taken = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sin;
    ASSERT_EQ(::bind(taken, reinterpret_cast<sockaddr*>(&sin), len), 0);
    ASSERT_EQ(::listen(taken, 1), 0);
    ::getsockname(taken, reinterpret_cast<sockaddr*>(&sin), &len);
    std::string busy = "127.0.0.1:" + std::to_string(ntohs(sin.sin_port));
    r = run(DNSD_BIN, {"--zone", kZone, "--listen", busy});
    ::close(taken);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("dnsd: cannot bind tcp " + busy), std::string::npos) << r.err;

    r = run(DNSD_BIN, {"--help"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("--zone"), std::string::npos);
    EXPECT_NE(r.out.find("--max-connections"), std::string::npos);
    auto full = run_shell(shell_quote(DNSD_BIN) + " --help >/dev/full");
    EXPECT_EQ(full.exit_code, 2);
    EXPECT_NE(full.err.find("dnsd: cannot write to standard output"), std::string::npos) << full.err;
    r = run(DNSD_BIN, {"--version"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out, "dnsd " SMARTHOST_VERSION "\n");
}

namespace {

// Datagrams the kernel dropped at dnsd's UDP sockets on port, for want of buffer room
// (the last column of /proc/net/udp, summed over the sockets bound to it).
long udp_drops(std::uint16_t port) {
    char local[16];
    std::snprintf(local, sizeof local, ":%04X ", port);
    std::ifstream in("/proc/net/udp");
    long drops = 0;
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string slot, address, last;
        fields >> slot >> address;
        if ((address + " ").find(local) == std::string::npos) continue;
        for (std::string f; fields >> f;) last = f;
        drops += std::stol(last);
    }
    return drops;
}

}  // namespace

// A burst that arrives while the worker is held up (here the whole process is stopped for
// 300 ms) waits in the socket instead of being dropped: 3,000 queries, about three times
// what Linux's default receive buffer holds (1,066 of them were answered with it), are all
// answered once dnsd runs again.
TEST(DnsdE2e, BurstWhileHeldUpWaitsInTheSocket) {
    Dnsd dnsd(DNSD_BIN, with_listen({"--zone", kZone}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    const std::uint16_t port = dnsd.port();
    const long drops_before = udp_drops(port);
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    // This side must hold the answers too until it reads them; it reads as they come.
    int room = 8 << 20;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &room, sizeof room) != 0)
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &room, sizeof room);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);

    constexpr int kBurst = 3000;
    ASSERT_EQ(::kill(dnsd.process().pid(), SIGSTOP), 0);
    int sent = 0;
    for (int i = 0; i < kBurst; ++i) {
        dnstest::QueryOptions o;
        o.id = static_cast<std::uint16_t>(i);
        auto q = dnstest::query("oxford.smarthost.local", kMX, o);
        sent += ::send(fd, q.data(), q.size(), 0) == static_cast<ssize_t>(q.size()) ? 1 : 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_EQ(::kill(dnsd.process().pid(), SIGCONT), 0);
    EXPECT_EQ(sent, kBurst);

    std::vector<bool> seen(kBurst);
    int answered = 0;
    std::uint8_t buf[1500];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (answered < kBurst && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) != 1) continue;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 12 || !(buf[2] & 0x80)) continue;
        const int id = buf[0] << 8 | buf[1];
        if (id < kBurst && !seen[id]) {
            seen[id] = true;
            ++answered;
        }
    }
    ::close(fd);
    const long dropped = udp_drops(port) - drops_before;
    EXPECT_EQ(dropped, 0) << "the kernel dropped queries at dnsd's socket";
    EXPECT_EQ(answered, kBurst);
    std::cout << kBurst << " queries sent while dnsd was stopped: " << answered << " answered, " << dropped
              << " dropped at its socket\n";
    EXPECT_EQ(dnsd.process().stop(), 0);
}
