// dnsd --user: started as root, the built binary binds 127.0.0.1 port 0, becomes nobody in
// every thread (ids, groups, no capabilities, no new privileges), still answers, and reloads
// its zone file or inventory on SIGHUP as nobody. Unknown users, a non-root start, uid 0
// and sources nobody cannot read all stop it with exit 2 and say why.
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;

namespace {

constexpr std::uint16_t kA = 1, kSOA = 6;
const std::string kZoneFile = SMARTHOST_TEST_DATA "/e2e/smarthost.local.zone";

std::string zone_text(std::uint32_t serial, const std::string& extra = "") {
    return "$ORIGIN smarthost.local.\n$TTL 300\n"
           "@ IN SOA ns1 hostmaster " +
           std::to_string(serial) +
           " 3600 600 1209600 300\n"
           "  IN NS ns1\nns1 IN A 192.0.2.53\noxford IN MX 10 mail.oxford\nmail.oxford IN A 192.0.2.25\n" +
           extra;
}

std::string inventory_text(std::uint32_t serial) {
    return R"({ "zone": "smarthost.local", "ttl": 300, "serial": )" + std::to_string(serial) + R"(,
  "nameservers": [ { "name": "ns1", "ipv4": ["192.0.2.53"] } ],
  "sites": [ { "name": "oxford", "smarthosts": [ { "name": "mail", "ipv4": ["192.0.2.25"] } ] } ] })";
}

dnstest::Decoded ask(std::uint16_t port, const std::string& name, std::uint16_t type) {
    auto answer = udp_exchange_at("127.0.0.1", port, dnstest::query(name, type));
    dnstest::Decoded none;
    none.rcode = -1;
    return answer ? dnstest::decode(*answer) : none;
}

std::string soa_serial(std::uint16_t port) {
    auto d = ask(port, "smarthost.local", kSOA);
    if (d.answer.size() != 1) return "no SOA";
    std::istringstream words(d.answer[0]);
    std::string w;
    for (int i = 0; i < 7 && words >> w;) ++i;  // owner ttl class type mname rname serial
    return w;
}

// "Uid:", "Gid:", "CapEff:" ... of one /proc status file.
std::map<std::string, std::string> status_of(const std::filesystem::path& file) {
    std::map<std::string, std::string> fields;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
        for (char& c : value)
            if (c == '\t') c = ' ';
        fields[line.substr(0, colon)] = value;
    }
    return fields;
}

struct Nobody {
    uid_t uid;
    gid_t gid;
    std::string groups;  // as /proc shows them: sorted, space-separated
};

// The user nobody with its groups, or nothing when there is no such user.
std::optional<Nobody> nobody() {
    const passwd* pw = ::getpwnam("nobody");
    if (pw == nullptr) return std::nullopt;
    Nobody n{pw->pw_uid, pw->pw_gid, {}};
    std::vector<gid_t> groups(256);
    int count = static_cast<int>(groups.size());
    if (::getgrouplist("nobody", n.gid, groups.data(), &count) < 0) return std::nullopt;
    groups.resize(static_cast<std::size_t>(count));
    std::sort(groups.begin(), groups.end());
    for (gid_t g : groups) n.groups += (n.groups.empty() ? "" : " ") + std::to_string(g);
    return n;
}
// Fails, rather than skips, the test unless it can start dnsd as root and switch it to
// nobody: CI runs the tests as root on Debian, which has nobody, so there it always runs.
// (n names the variable the macro declares, so it cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define REQUIRE_ROOT_AND_NOBODY(n)                                                               \
    ASSERT_EQ(::geteuid(), 0u) << "needs root (to start dnsd and switch it to nobody): run the " \
                                  "tests as root, as CI does";                                   \
    auto n = nobody();                                                                           \
    ASSERT_TRUE(n) << "needs a user 'nobody' with a readable group list (Debian has one)"
// NOLINTEND(bugprone-macro-parentheses)

// A temporary directory that nobody may read (mkdtemp makes it 0700).
void open_to_everyone(const TempDir& dir) { ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0); }

// Every thread, not just the main one: capabilities and ids are per thread in the kernel.
void expect_every_thread_is(pid_t pid, const Nobody& n) {
    const std::string ids = std::to_string(n.uid), gids = std::to_string(n.gid);
    std::size_t threads = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
        auto s = status_of(task.path() / "status");
        if (s.empty()) continue;  // a thread that ended since the directory was read
        SCOPED_TRACE("thread " + task.path().filename().string());
        EXPECT_EQ(s["Uid"], ids + " " + ids + " " + ids + " " + ids);  // real effective saved fs
        EXPECT_EQ(s["Gid"], gids + " " + gids + " " + gids + " " + gids);
        EXPECT_EQ(s["CapEff"], "0000000000000000");
        EXPECT_EQ(s["CapPrm"], "0000000000000000");
        EXPECT_EQ(s["CapAmb"], "0000000000000000");
        EXPECT_EQ(s["NoNewPrivs"], "1");
        EXPECT_EQ(s["Groups"], n.groups);  // nobody's own groups, none of root's
        ++threads;
    }
    EXPECT_GE(threads, 4u);  // main, the retirer, and the two workers of --threads 2
}

std::optional<std::string> reload(Dnsd& dnsd) {
    std::size_t from = dnsd.process().err_line_count();
    dnsd.process().signal(SIGHUP);
    return dnsd.process().wait_for_line("dnsd: reload", 10s, from);
}

}  // namespace

TEST(DnsdUser, RunsAsNobodyInEveryThreadAndReloadsTheZoneFile) {
    REQUIRE_ROOT_AND_NOBODY(n);
    TempDir dir;
    open_to_everyone(dir);
    const std::string zone = dir / "smarthost.local.zone";
    write_text(zone, zone_text(2026112301));
    ASSERT_EQ(::chmod(zone.c_str(), 0644), 0);

    Dnsd dnsd(DNSD_BIN, {"--zone", zone, "--listen", "127.0.0.1:0", "--threads", "2", "--user", "nobody"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    expect_every_thread_is(dnsd.process().pid(), *n);
    EXPECT_EQ(soa_serial(dnsd.port()), "2026112301");
    EXPECT_EQ(ask(dnsd.port(), "new.smarthost.local", kA).rcode, 3);  // NXDOMAIN

    write_text(zone, zone_text(2026112302, "new IN A 192.0.2.99\n"));
    auto line = reload(dnsd);
    ASSERT_TRUE(line) << dnsd.process().err();
    EXPECT_EQ(*line, "dnsd: reloaded (smarthost.local serial 2026112302)");
    EXPECT_EQ(soa_serial(dnsd.port()), "2026112302");
    EXPECT_EQ(ask(dnsd.port(), "new.smarthost.local", kA).answer,
              std::vector<std::string>{"new.smarthost.local. 300 IN A 192.0.2.99"});

    // The reload really reads as nobody: a file only root may read is refused, and the
    // served zone stays.
    write_text(zone, zone_text(2026112303));
    ASSERT_EQ(::chmod(zone.c_str(), 0600), 0);
    line = reload(dnsd);
    ASSERT_TRUE(line) << dnsd.process().err();
    EXPECT_NE(line->find("reload failed, still serving serial 2026112302: " + zone), std::string::npos) << *line;
    EXPECT_NE(line->find("Permission denied"), std::string::npos) << *line;
    EXPECT_EQ(soa_serial(dnsd.port()), "2026112302");
    expect_every_thread_is(dnsd.process().pid(), *n);
    EXPECT_EQ(dnsd.process().stop(), 0);
}

TEST(DnsdUser, ReloadsAnInventoryAsNobody) {
    REQUIRE_ROOT_AND_NOBODY(n);
    TempDir dir;
    open_to_everyone(dir);
    const std::string inventory = dir / "sites.json";
    write_text(inventory, inventory_text(2026112401));
    ASSERT_EQ(::chmod(inventory.c_str(), 0644), 0);

    Dnsd dnsd(DNSD_BIN, {"--inventory", inventory, "--listen", "127.0.0.1:0", "--user", "nobody"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    EXPECT_EQ(soa_serial(dnsd.port()), "2026112401");
    write_text(inventory, inventory_text(2026112402));
    auto line = reload(dnsd);
    ASSERT_TRUE(line) << dnsd.process().err();
    EXPECT_EQ(*line, "dnsd: reloaded (smarthost.local serial 2026112402)");
    EXPECT_EQ(soa_serial(dnsd.port()), "2026112402");
    EXPECT_EQ(dnsd.process().stop(), 0);
}

TEST(DnsdUser, UnknownUserIsAUsageError) {
    RunResult r = run(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--user", "no-such-user-for-dnsd"},
                      10s);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("dnsd: cannot switch to user no-such-user-for-dnsd: no such user\n"), std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("ready"), std::string::npos) << r.err;
}

TEST(DnsdUser, RootIsNotAUserToSwitchTo) {
    RunResult r = run(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--user", "root"}, 10s);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("dnsd: cannot switch to user root: uid 0 keeps every privilege"), std::string::npos)
        << r.err;
}

TEST(DnsdUser, WithoutRootItRefusesToStart) {
    std::vector<std::string> args = {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--user", "nobody"};
    RunResult r;
    if (::geteuid() != 0) {
        ASSERT_NE(::getpwnam("nobody"), nullptr) << "needs a user 'nobody' (Debian has one)";
        r = run(DNSD_BIN, args, 10s);
    } else {
        // As root, start it as nobody through setpriv (util-linux).
        REQUIRE_ROOT_AND_NOBODY(n);
        args.insert(args.begin(), {"--reuid=" + std::to_string(n->uid), "--regid=" + std::to_string(n->gid),
                                   "--clear-groups", DNSD_BIN});
        r = run("setpriv", args, 10s);
        ASSERT_FALSE(r.status == 127 || r.err.find("setpriv:") != std::string::npos)
            << "setpriv (util-linux) cannot start dnsd as nobody here: " << r.err;
    }
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("dnsd: cannot switch to user nobody: not running as root\n"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("ready"), std::string::npos) << r.err;
}

TEST(DnsdUser, ASourceNobodyCannotReadStopsItBeforeTheReadyLine) {
    REQUIRE_ROOT_AND_NOBODY(n);
    TempDir dir;  // 0700 root: nobody cannot even look inside
    const std::string zone = dir / "smarthost.local.zone";
    write_text(zone, zone_text(2026112301));
    RunResult r = run(DNSD_BIN, {"--zone", zone, "--listen", "127.0.0.1:0", "--user", "nobody"}, 10s);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("dnsd: " + zone + ": cannot open: Permission denied (as user nobody, who reloads it)"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("ready"), std::string::npos) << r.err;
}

TEST(DnsdUser, HelpExplainsTheOption) {
    RunResult r = run(DNSD_BIN, {"--help"}, 10s);
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("--user NAME"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("With --user NAME, dnsd must start as root"), std::string::npos) << r.out;
}
