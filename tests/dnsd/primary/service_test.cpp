// dnsd/primary/service.cpp in this process: the notifications arrive on a datagram socket
// the test owns (NOTIFY_SOCKET, as systemd sets it) with the fields systemd reads, nothing
// is sent without NOTIFY_SOCKET, and JOURNAL_STREAM is believed only for the very file
// that stderr is.
#include "dnsd/primary/service.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>

#include "tests/support/sd_notify.hpp"
#include "tests/support/shell.hpp"

using namespace std::chrono_literals;
using testsupport::monotonic_usec;
using testsupport::notify_field;
using testsupport::NotifySocket;
using testsupport::TempDir;

namespace {

// NOTIFY_SOCKET names the socket while a test runs, as systemd sets it for a service.
class NotifyEnv {
public:
    explicit NotifyEnv(const NotifySocket& socket) { ::setenv("NOTIFY_SOCKET", socket.path().c_str(), 1); }
    ~NotifyEnv() { ::unsetenv("NOTIFY_SOCKET"); }
    NotifyEnv(const NotifyEnv&) = delete;
    NotifyEnv& operator=(const NotifyEnv&) = delete;
};

}  // namespace

TEST(Service, NotificationsCarryWhatSystemdReads) {
    TempDir dir;
    NotifySocket socket(dir / "notify");
    ASSERT_TRUE(socket.bound());
    NotifyEnv env(socket);

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
    ::unsetenv("NOTIFY_SOCKET");  // the socket is there; no variable names it
    dnsd::notify_ready("x");
    dnsd::notify_reloading();
    dnsd::notify_stopping();
    EXPECT_FALSE(socket.next(200ms));
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
