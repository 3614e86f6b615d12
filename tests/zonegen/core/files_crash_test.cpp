// zonegen generate's atomic write, proven on the built binary: SIGKILL at random moments
// (half of them timed over the whole run, half aimed at the write itself, once the
// temporary file is open) always leaves the zone byte-identical to the old or the new one,
// and no temporary behind that the next run does not remove; a write that fails for lack
// of space (RLIMIT_FSIZE, and a real full tmpfs, which needs root to mount) exits 2 naming
// the file and the reason, with the old zone intact.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

namespace fs = std::filesystem;
using namespace testsupport;
using namespace std::chrono_literals;

namespace {

const std::string kZoneName = "smarthost.example.zone";

// An inventory of `sites` sites, two smarthosts each: about 350 bytes of zone per site.
std::string inventory(int sites, std::uint32_t serial) {
    std::string s = R"({ "zone": "smarthost.example", "ttl": 300, "serial": )" + std::to_string(serial) +
                    R"(, "nameservers": [ { "name": "ns1", "ipv4": ["192.0.2.53"] } ], "sites": [)";
    for (int i = 0; i < sites; ++i) {
        std::string n = std::to_string(i);
        std::string a = std::to_string(i >> 8 & 255) + "." + std::to_string(i & 255);
        s += (i ? ",\n" : "\n") + std::string(R"({ "name": "site)") + n + R"(", "smarthosts": [ )" +
             R"({ "name": "mail1", "ipv4": ["10.1.)" + a + R"("] }, )" + R"({ "name": "mail2", "ipv4": ["10.2.)" + a +
             R"("], "ipv6": ["2001:db8::)" + std::to_string(i) + R"("] } ] })";
    }
    return s + "\n] }\n";
}

std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// True once pid has a descriptor open on a file in dir other than the zone itself: the
// temporary (O_TMPFILE shows as "dir/#inode (deleted)", a named one by its name).
bool writing_temporary(pid_t pid, const std::string& dir) {
    std::error_code ec;
    for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        std::string target = fs::read_symlink(fd.path(), ec).string();
        if (!ec && target.starts_with(dir + "/") && target != dir + "/" + kZoneName) return true;
    }
    return false;
}

std::uint64_t seed() {
    if (const char* s = std::getenv("SMARTHOST_CRASH_SEED")) return std::strtoull(s, nullptr, 10);
    return std::random_device{}();
}

}  // namespace

TEST(ZonegenCrash, SigkillLeavesTheOldOrTheNewZoneAndNoTemporary) {
    TempDir work;
    const std::string out = work / "zones", zone = out + "/" + kZoneName;
    fs::create_directory(out);
    const std::string inv[2] = {work / "a.json", work / "b.json"};
    write_text(inv[0], inventory(6000, 2026112401));
    write_text(inv[1], inventory(6001, 2026112402));

    // References, and how long a run like those below takes here (reading the old zone,
    // then writing the new one; sanitizers make it several times longer).
    std::string ref[2];
    for (int i : {0, 1}) {
        const std::string dir = work / ("ref" + std::to_string(i));
        fs::create_directory(dir);
        RunResult r = run(ZONEGEN_BIN, {"generate", "-i", inv[i], "-o", dir}, 60s);
        ASSERT_EQ(r.status, 0) << r.err;
        ref[i] = read_text(dir + "/" + kZoneName);
    }
    auto t0 = std::chrono::steady_clock::now();
    RunResult timed = run(ZONEGEN_BIN, {"generate", "-i", inv[1], "-o", work / "ref0"}, 60s);
    ASSERT_EQ(timed.status, 0) << timed.err;
    const auto run_time = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                t0);
    ASSERT_NE(ref[0], ref[1]);
    ASSERT_EQ(run(ZONEGEN_BIN, {"generate", "-i", inv[0], "-o", out}, 60s).status, 0);

    const std::uint64_t s = seed();
    std::cout << "seed " << s << " (SMARTHOST_CRASH_SEED=" << s << " repeats it); a whole run takes "
              << run_time.count() << " ms\n";
    SCOPED_TRACE("SMARTHOST_CRASH_SEED=" + std::to_string(s));
    std::mt19937_64 rng(s);

    int killed_mid_write = 0, finished = 0, stale = 0;
    std::vector<pid_t> ran;  // every run's process, for the names of their temporaries
    for (int round = 0; round < 40; ++round) {
        const std::string before = read_text(zone);
        const int next = before == ref[0] ? 1 : 0;  // always the other zone, so every run writes
        const bool aim_at_write = round % 2 == 1;
        Process p(ZONEGEN_BIN, {"generate", "-i", inv[next], "-o", out});
        ASSERT_TRUE(p.started()) << p.start_error();
        bool saw_temporary = false;
        if (aim_at_write) {
            auto deadline = std::chrono::steady_clock::now() + run_time * 10 + 5s;
            while (!(saw_temporary = writing_temporary(p.pid(), out)) && !p.wait(0ms) &&
                   std::chrono::steady_clock::now() < deadline)
                std::this_thread::yield();
            std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
        } else {
            std::this_thread::sleep_for(std::chrono::microseconds(rng() % (run_time.count() * 1300 + 1)));
        }
        p.signal(SIGKILL);
        auto status = p.wait(30s);
        ASSERT_TRUE(status);
        SCOPED_TRACE("round " + std::to_string(round) + ", exit " + std::to_string(*status));
        ASSERT_TRUE(*status == 0 || *status == 128 + SIGKILL) << p.err();

        const std::string after = read_text(zone);
        ASSERT_TRUE(after == before || after == ref[next])
            << "a partial or foreign zone of " << after.size() << " bytes (old " << before.size() << ", new "
            << ref[next].size() << ")";
        if (*status == 0) {
            ++finished;
            EXPECT_EQ(after, ref[next]);
        } else if (saw_temporary && after == before) {
            ++killed_mid_write;
        }
        // Only the zone, or (killed between linkat and rename, a window of microseconds) a
        // named temporary of a dead run, which the next write that gets far enough removes:
        // a run killed before that point leaves an earlier run's temporary in place.
        ran.push_back(p.pid());
        for (const std::string& name : entries(out)) {
            if (name == kZoneName) continue;
            const bool ours = std::any_of(ran.begin(), ran.end(), [&](pid_t pid) {
                return name.starts_with("." + kZoneName + ".tmp." + std::to_string(pid) + ".");
            });
            EXPECT_TRUE(ours) << "unexpected file " << name;
            ++stale;
        }
    }
    std::cout << killed_mid_write << " runs killed while writing kept the old zone, " << finished << " finished, "
              << stale << " rounds ended with a named temporary\n";
    // The aimed kills must really have hit writes in progress, or the test proves nothing.
    EXPECT_GE(killed_mid_write, 3);

    const std::string before = read_text(zone);
    const int next = before == ref[0] ? 1 : 0;
    RunResult last = run(ZONEGEN_BIN, {"generate", "-i", inv[next], "-o", out}, 60s);
    ASSERT_EQ(last.status, 0) << last.err;
    EXPECT_EQ(read_text(zone), ref[next]);
    EXPECT_EQ(entries(out), std::vector<std::string>{kZoneName});
}

namespace {

struct Outcome {
    int status = -1;
    std::string err;
};

// Runs zonegen generate with stderr to err_file. With a limit, its file size is limited to
// that many bytes and SIGXFSZ ignored, so a write past the limit fails with EFBIG the way
// a full disk fails with ENOSPC. (testsupport::Process resets signal dispositions, hence a
// fork of its own.)
Outcome generate(const std::string& inventory_file, const std::string& out, const std::string& err_file,
                 std::optional<rlim_t> limit = std::nullopt) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int fd = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || ::dup2(fd, 2) < 0) ::_exit(126);
        if (limit) {
            rlimit lim{*limit, *limit};
            ::signal(SIGXFSZ, SIG_IGN);
            if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(126);
        }
        ::execl(ZONEGEN_BIN, ZONEGEN_BIN, "generate", "-i", inventory_file.c_str(), "-o", out.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    Outcome o;
    int st = 0;
    if (pid > 0 && ::waitpid(pid, &st, 0) == pid) o.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    o.err = read_text(err_file);
    return o;
}

constexpr int kCannotMount = 77;

// In a child in a private mount namespace (so the mount vanishes with it, whatever
// happens): a 128 KiB tmpfs on out, the small zone generated into it, then the large one.
// What the parent cannot see from outside the namespace is copied to work: the zone before
// and after, the directory listing, zonegen's stderr. Exits with the second zonegen's
// status, or kCannotMount.
[[noreturn]] void full_tmpfs_child(const TempDir& work, const std::string& out) {
    try {
        if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            ::mount("tmpfs", out.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=128k,mode=0755") != 0)
            ::_exit(kCannotMount);
        if (generate(work / "small.json", out, work / "stderr.small").status != 0) ::_exit(125);
        write_text(work / "before", read_text(out + "/" + kZoneName));
        Outcome o = generate(work / "large.json", out, work / "stderr");
        write_text(work / "after", read_text(out + "/" + kZoneName));
        std::string names;
        for (const std::string& n : entries(out)) names += n + "\n";
        write_text(work / "entries", names);
        ::umount(out.c_str());
        ::_exit(o.status);
    } catch (...) {
        ::_exit(124);
    }
}

}  // namespace

TEST(ZonegenFull, FileSizeLimitExits2NamingTheFileAndKeepsTheOldZone) {
    TempDir work;
    const std::string out = work / "zones", zone = out + "/" + kZoneName;
    fs::create_directory(out);
    write_text(work / "small.json", inventory(10, 2026112401));
    write_text(work / "large.json", inventory(2000, 2026112402));
    ASSERT_EQ(run(ZONEGEN_BIN, {"generate", "-i", work / "small.json", "-o", out}).status, 0);
    const std::string old = read_text(zone);
    ASSERT_LT(old.size(), 64u * 1024);

    Outcome o = generate(work / "large.json", out, work / "stderr", 64 * 1024);
    EXPECT_EQ(o.status, 2) << o.err;
    EXPECT_EQ(o.err, zone + ": cannot write: File too large\n");
    EXPECT_EQ(read_text(zone), old);
    EXPECT_EQ(entries(out), std::vector<std::string>{kZoneName});
}

TEST(ZonegenFull, FullFileSystemExits2NamingTheFileAndKeepsTheOldZone) {
    TempDir work;
    const std::string out = work / "zones";
    fs::create_directory(out);
    write_text(work / "small.json", inventory(10, 2026112401));
    write_text(work / "large.json", inventory(2000, 2026112402));  // about 700 KiB of zone

    pid_t pid = ::fork();
    if (pid == 0) full_tmpfs_child(work, out);
    ASSERT_GT(pid, 0);
    int st = 0;
    ASSERT_EQ(::waitpid(pid, &st, 0), pid);
    ASSERT_TRUE(WIFEXITED(st));
    ASSERT_NE(WEXITSTATUS(st), kCannotMount)
        << "cannot mount a tmpfs in a private mount namespace here: needs root (CAP_SYS_ADMIN); "
           "run the tests as root, as CI does";
    EXPECT_EQ(WEXITSTATUS(st), 2) << read_text(work / "stderr");
    EXPECT_EQ(read_text(work / "stderr"), out + "/" + kZoneName + ": cannot write: No space left on device\n");
    EXPECT_EQ(read_text(work / "after"), read_text(work / "before"));
    EXPECT_NE(read_text(work / "before").find("SOA"), std::string::npos);
    EXPECT_EQ(read_text(work / "entries"), kZoneName + "\n");
}
