// start_and_serve() in this process: started on 127.0.0.1 port 0 in a thread of its own,
// its ready line read from the injected output, asked over UDP, reloaded and stopped with
// signals sent to that thread (pthread_kill), and its exit status checked; and starts that
// fail say why, return the documented status, and leave no thread behind.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "dnsd/primary/lifecycle.hpp"
#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

constexpr std::uint16_t kSOA = 6, kMX = 15;

std::string zone_text(std::uint32_t serial) {
    return "$ORIGIN smarthost.local.\n$TTL 300\n"
           "@ IN SOA ns1 hostmaster " +
           std::to_string(serial) +
           " 3600 600 1209600 300\n"
           "  IN NS ns1\nns1 IN A 192.0.2.53\noxford IN MX 10 mail.oxford\nmail.oxford IN A 192.0.2.25\n";
}

// What start_and_serve() writes, collected for the test thread to wait on.
class Lines {
public:
    dnsd::Output output() {
        return [this](std::string_view lines, dnsd::Priority) {
            std::lock_guard lock(mutex_);
            text_ += lines;
            changed_.notify_all();
        };
    }
    // The first whole line at or after byte from that starts with prefix; nullopt after 10 s.
    std::optional<std::string> wait_for(const std::string& prefix, std::size_t from = 0) {
        std::unique_lock lock(mutex_);
        std::optional<std::string> found;
        changed_.wait_for(lock, 10s, [&] {
            for (std::size_t at = from; at < text_.size();) {
                std::size_t end = text_.find('\n', at);
                if (end == std::string::npos) break;
                if (text_.compare(at, prefix.size(), prefix) == 0) found = text_.substr(at, end - at);
                if (found) return true;
                at = end + 1;
            }
            return false;
        });
        return found;
    }
    std::string text() {
        std::lock_guard lock(mutex_);
        return text_;
    }
    std::size_t size() {
        std::lock_guard lock(mutex_);
        return text_.size();
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::string text_;
};

// start_and_serve() on a thread of its own; the destructor stops it if a test failed early.
class InProcess {
public:
    explicit InProcess(dnsd::StartOptions options)
        : thread_([this, o = std::move(options)]() mutable {
              status_ = static_cast<int>(dnsd::start_and_serve(std::move(o)));
          }) {}
    ~InProcess() {
        if (thread_.joinable()) {
            // The serving thread blocks SIGTERM and reads it from its signalfd: a stop, not a kill.
            // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread)
            ::pthread_kill(thread_.native_handle(), SIGTERM);
            thread_.join();
        }
    }
    // To the serving thread only: it blocks the signal and reads it from its signalfd, while
    // in this test's other threads the signal would kill the process.
    void signal(int signo) { ASSERT_EQ(::pthread_kill(thread_.native_handle(), signo), 0); }
    int join() {
        thread_.join();
        return status_;
    }

private:
    int status_ = -1;
    std::thread thread_;
};

// The port of "dnsd: ready on udp 127.0.0.1:PORT tcp ...", 0 if the line is not like that.
std::uint16_t port_of(const std::string& ready) {
    const std::string udp = "dnsd: ready on udp 127.0.0.1:";
    if (!ready.starts_with(udp)) return 0;
    return static_cast<std::uint16_t>(std::stoul(ready.substr(udp.size())));
}

dnstest::Decoded ask(std::uint16_t port, const std::string& name, std::uint16_t type,
                     std::chrono::milliseconds timeout = 2s) {
    auto answer = udp_exchange_at("127.0.0.1", port, dnstest::query(name, type), timeout);
    dnstest::Decoded none;
    none.rcode = -1;
    return answer ? dnstest::decode(*answer) : none;
}

std::size_t threads_of_this_process() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& t : std::filesystem::directory_iterator("/proc/self/task")) ++n;
    return n;
}

dnsd::StartOptions options_for(const std::string& zone, Lines& lines, const std::string& listen = "127.0.0.1:0") {
    dnsd::StartOptions o;
    o.sources.zone_files = {zone};
    o.server.listen = {dnsd::parse_endpoint(listen).value()};
    o.out = lines.output();
    return o;
}

// A failed start: its status and everything it wrote, and that it left no thread running.
struct Failed {
    int status = -1;
    std::string out;
    std::size_t threads_before = 0, threads_after = 0;
};

Failed start_failing(dnsd::StartOptions o, Lines& lines) {
    Failed f;
    f.threads_before = threads_of_this_process();
    InProcess dnsd(std::move(o));
    f.status = dnsd.join();
    f.threads_after = threads_of_this_process();
    f.out = lines.text();
    return f;
}

}  // namespace

TEST(Lifecycle, ServesFromAThreadReloadsOnSighupAndStopsOnSigterm) {
    TempDir dir;
    const std::string zone = dir / "smarthost.local.zone";
    write_text(zone, zone_text(2026112301));
    Lines lines;
    InProcess dnsd(options_for(zone, lines));

    auto ready = lines.wait_for("dnsd: ready on ");
    ASSERT_TRUE(ready) << lines.text();
    const std::uint16_t port = port_of(*ready);
    ASSERT_NE(port, 0) << *ready;
    const std::string bound = "127.0.0.1:" + std::to_string(port);
    EXPECT_EQ(*ready, "dnsd: ready on udp " + bound + " tcp " + bound + " (smarthost.local serial 2026112301)");

    auto mx = ask(port, "oxford.smarthost.local", kMX);
    EXPECT_EQ(mx.rcode, 0);
    EXPECT_TRUE(mx.aa);
    EXPECT_EQ(mx.answer,
              std::vector<std::string>{"oxford.smarthost.local. 300 IN MX 10 mail.oxford.smarthost.local."});
    EXPECT_EQ(mx.additional, std::vector<std::string>{"mail.oxford.smarthost.local. 300 IN A 192.0.2.25"});

    // A broken file is refused and the old zone serves on; a good one is swapped in.
    std::size_t from = lines.size();
    write_text(zone, zone_text(2026112302) + "bad IN MX ten mail.oxford\n");
    dnsd.signal(SIGHUP);
    auto refused = lines.wait_for("dnsd: reload", from);
    ASSERT_TRUE(refused) << lines.text();
    EXPECT_TRUE(refused->starts_with("dnsd: reload failed, still serving serial 2026112301: " + zone + ":8: "))
        << *refused;
    EXPECT_EQ(ask(port, "smarthost.local", kSOA).answer.size(), 1u);

    from = lines.size();
    write_text(zone, zone_text(2026112303));
    dnsd.signal(SIGHUP);
    auto reloaded = lines.wait_for("dnsd: reload", from);
    ASSERT_TRUE(reloaded) << lines.text();
    EXPECT_EQ(*reloaded, "dnsd: reloaded (smarthost.local serial 2026112303)");
    auto soa = ask(port, "smarthost.local", kSOA);
    ASSERT_EQ(soa.answer.size(), 1u);
    EXPECT_NE(soa.answer[0].find(" 2026112303 "), std::string::npos) << soa.answer[0];

    from = lines.size();
    dnsd.signal(SIGTERM);
    EXPECT_EQ(dnsd.join(), static_cast<int>(zonegen::Exit::Ok));
    EXPECT_EQ(lines.text().substr(from), "dnsd: stopped (SIGTERM)\n");
    EXPECT_EQ(ask(port, "oxford.smarthost.local", kMX, 200ms).rcode, -1) << "still answering after the stop";
}

TEST(Lifecycle, SigintStopsToo) {
    Lines lines;
    InProcess dnsd(options_for(SMARTHOST_TEST_DATA "/e2e/smarthost.local.zone", lines));
    ASSERT_TRUE(lines.wait_for("dnsd: ready on ")) << lines.text();
    dnsd.signal(SIGINT);
    EXPECT_EQ(dnsd.join(), static_cast<int>(zonegen::Exit::Ok));
    EXPECT_TRUE(lines.text().ends_with("\ndnsd: stopped (SIGINT)\n")) << lines.text();
}

TEST(Lifecycle, AZoneThatCannotBeOpenedIsAnIoErrorBeforeAnythingStarts) {
    TempDir dir;
    const std::string zone = dir / "missing.zone";
    Lines lines;
    Failed f = start_failing(options_for(zone, lines), lines);
    EXPECT_EQ(f.status, static_cast<int>(zonegen::Exit::Usage));
    EXPECT_EQ(f.out, zone + ": cannot open: No such file or directory\n");
    EXPECT_EQ(f.threads_after, f.threads_before);
}

TEST(Lifecycle, AZoneThatDoesNotLoadIsInvalidInput) {
    Lines lines;
    const std::string zone = SMARTHOST_TEST_DATA "/e2e/unsupported.zone";
    Failed f = start_failing(options_for(zone, lines), lines);
    EXPECT_EQ(f.status, static_cast<int>(zonegen::Exit::Invalid));
    EXPECT_TRUE(f.out.starts_with(zone + ":6:")) << f.out;
    EXPECT_EQ(f.out.find("ready"), std::string::npos) << f.out;
    EXPECT_EQ(f.threads_after, f.threads_before);
}

TEST(Lifecycle, AnAddressThatCannotBeBoundIsAnIoErrorWithoutServing) {
    // The port is taken by a listening TCP socket of this test.
    int taken = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(taken, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sin;
    ASSERT_EQ(::bind(taken, reinterpret_cast<sockaddr*>(&sin), len), 0);
    ASSERT_EQ(::listen(taken, 1), 0);
    ASSERT_EQ(::getsockname(taken, reinterpret_cast<sockaddr*>(&sin), &len), 0);
    const std::uint16_t port = ntohs(sin.sin_port);
    const std::string busy = "127.0.0.1:" + std::to_string(port);

    Lines lines;
    Failed f = start_failing(options_for(SMARTHOST_TEST_DATA "/e2e/smarthost.local.zone", lines, busy), lines);
    ::close(taken);
    EXPECT_EQ(f.status, static_cast<int>(zonegen::Exit::Usage));
    EXPECT_EQ(f.out, "dnsd: cannot bind tcp " + busy + ": Address already in use\n");
    EXPECT_EQ(f.threads_after, f.threads_before);
    // The UDP socket of that address was bound before TCP failed; it is closed again.
    EXPECT_EQ(ask(port, "oxford.smarthost.local", kMX, 200ms).rcode, -1);
}
