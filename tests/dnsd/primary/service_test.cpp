// dnsd/primary/service.cpp in this process: the notifications arrive on a datagram socket
// the test owns (NOTIFY_SOCKET, as systemd sets it) with the fields systemd reads, nothing
// is sent without NOTIFY_SOCKET, and JOURNAL_STREAM is believed only for the very file
// that stderr is.
#include "dnsd/primary/service.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "tests/support/sd_notify.hpp"
#include "tests/support/shell.hpp"

using testsupport::notify_field;
using testsupport::TempDir;

namespace {

// A datagram socket bound to a path, NOTIFY_SOCKET pointing at it while the test runs.
class NotifySocket {
public:
    explicit NotifySocket(const std::string& path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path.copy(addr.sun_path, sizeof addr.sun_path - 1);
        bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    }
    ~NotifySocket() {
        ::unsetenv("NOTIFY_SOCKET");
        if (fd_ >= 0) ::close(fd_);
    }
    bool bound() const { return bound_; }
    // The next message, or nullopt after timeout.
    std::optional<std::string> next(int timeout_ms = 2000) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) != 1) return std::nullopt;
        char buf[4096];
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0) return std::nullopt;
        return std::string(buf, static_cast<std::size_t>(n));
    }

private:
    int fd_ = -1;
    bool bound_ = false;
};

std::uint64_t monotonic_usec() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u + static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
}

}  // namespace

TEST(Service, NotificationsCarryWhatSystemdReads) {
    TempDir dir;
    NotifySocket socket(dir / "notify");
    ASSERT_TRUE(socket.bound());

    dnsd::notify_ready("ready on udp 127.0.0.1:53 tcp 127.0.0.1:53 (smarthost.local serial 7)");
    auto ready = socket.next();
    ASSERT_TRUE(ready);
    EXPECT_EQ(notify_field(*ready, "READY"), "1");
    EXPECT_EQ(notify_field(*ready, "STATUS"),
              "ready on udp 127.0.0.1:53 tcp 127.0.0.1:53 (smarthost.local serial 7)");

    const std::uint64_t before = monotonic_usec();
    dnsd::notify_reloading();
    const std::uint64_t after = monotonic_usec();
    auto reloading = socket.next();
    ASSERT_TRUE(reloading);
    EXPECT_EQ(notify_field(*reloading, "RELOADING"), "1");
    // systemd 253+ pairs the reload with its request by this clock (sd_notify(3)).
    auto usec = notify_field(*reloading, "MONOTONIC_USEC");
    ASSERT_TRUE(usec);
    const std::uint64_t sent = std::stoull(*usec);
    EXPECT_GE(sent, before);
    EXPECT_LE(sent, after);

    dnsd::notify_stopping();
    auto stopping = socket.next();
    ASSERT_TRUE(stopping);
    EXPECT_EQ(notify_field(*stopping, "STOPPING"), "1");
    EXPECT_FALSE(notify_field(*stopping, "READY"));
}

TEST(Service, NothingIsSentWithoutNotifySocket) {
    TempDir dir;
    NotifySocket socket(dir / "notify");
    ASSERT_TRUE(socket.bound());
    ::unsetenv("NOTIFY_SOCKET");  // the socket stays; only the variable that names it goes
    dnsd::notify_ready("x");
    dnsd::notify_reloading();
    dnsd::notify_stopping();
    EXPECT_FALSE(socket.next(200));
}

TEST(Service, JournalStreamMustNameThisDeviceAndInode) {
    EXPECT_TRUE(dnsd::is_journal_stream("8:12345", 8, 12345));
    EXPECT_TRUE(dnsd::is_journal_stream("18446744073709551615:1", UINT64_MAX, 1));
    EXPECT_FALSE(dnsd::is_journal_stream("8:12345", 8, 12346));
    EXPECT_FALSE(dnsd::is_journal_stream("9:12345", 8, 12345));
    for (const char* bad : {"", ":", "8", "8:", ":12345", "8:12345x", "8:-1", "+8:12345", "8 :12345",
                            "18446744073709551616:1", "8:12345:1"})
        EXPECT_FALSE(dnsd::is_journal_stream(bad, 8, 12345)) << '"' << bad << '"';
}

// stderr is swapped for a pipe whose device and inode JOURNAL_STREAM names, then for another
// file: only the first is the journal.
TEST(Service, StderrIsTheJournalOnlyWhileItIsThatFile) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const int saved = ::dup(STDERR_FILENO);
    ASSERT_GE(saved, 0);
    ASSERT_EQ(::dup2(pipe_fds[1], STDERR_FILENO), STDERR_FILENO);
    struct stat st {};
    ASSERT_EQ(::fstat(STDERR_FILENO, &st), 0);
    const std::string stream = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);

    ::unsetenv("JOURNAL_STREAM");
    const bool without = dnsd::stderr_is_journal();
    ::setenv("JOURNAL_STREAM", stream.c_str(), 1);
    const bool with = dnsd::stderr_is_journal();
    const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(devnull, STDERR_FILENO);  // dnsd 2>/dev/null inside a unit: no longer the journal
    const bool redirected = dnsd::stderr_is_journal();
    ::unsetenv("JOURNAL_STREAM");

    ::dup2(saved, STDERR_FILENO);
    for (int fd : {saved, devnull, pipe_fds[0], pipe_fds[1]}) ::close(fd);
    EXPECT_FALSE(without);
    EXPECT_TRUE(with);
    EXPECT_FALSE(redirected);
}
