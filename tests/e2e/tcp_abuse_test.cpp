// dnsd's TCP side under abuse (RFC 7766 §6.2.3, §10): a client that never sends, a
// slowloris sender, pipeliners that never read, idle connections near the cap, a length
// prefix that is not a DNS message, 1,000 idle connections beside UDP traffic, and clients
// queued while dnsd is out of descriptors. Each test starts its own dnsd on 127.0.0.1 port 0
// with a throw-away zone and stops it by PID.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <thread>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint16_t kA = 1, kTXT = 16;

// www has one A record; big has four 240-byte TXT strings, about 1 KB an answer.
std::string zone_text() {
    std::string z =
        "$ORIGIN abuse.test.\n$TTL 60\n@ IN SOA ns hostmaster 1 3600 600 1209600 60\n@ IN NS ns\n"
        "ns IN A 192.0.2.53\nwww IN A 192.0.2.80\n";
    for (int i = 0; i < 4; ++i) z += "big IN TXT \"" + std::to_string(i) + std::string(239, 'x') + "\"\n";
    return z;
}

// A dnsd serving the throw-away zone with extra options.
struct Server {
    explicit Server(std::vector<std::string> extra) : dnsd(DNSD_BIN, args(dir, std::move(extra))) {}
    static std::vector<std::string> args(const TempDir& dir, std::vector<std::string> extra) {
        write_text(dir / "abuse.test.zone", zone_text());
        std::vector<std::string> a = {"--zone", dir / "abuse.test.zone", "--listen", "127.0.0.1:0"};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
    TempDir dir;
    Dnsd dnsd;
};

Bytes query(const char* name, std::uint16_t type, std::uint16_t id) {
    dnstest::QueryOptions o;
    o.id = id;
    return dnstest::query(name, type, o);
}

// One www A query over c, answered with id and one record.
bool ask(TcpConnection& c, std::uint16_t id, std::chrono::milliseconds timeout = 2s) {
    if (!c.send(framed(query("www.abuse.test", kA, id)))) return false;
    auto answer = c.read_frame(timeout);
    if (!answer) return false;
    dnstest::Decoded d = dnstest::decode(*answer);
    return d.id == id && d.answer.size() == 1;
}

bool udp_ask(std::uint16_t port, std::uint16_t id) {
    auto answer = udp_exchange_at("127.0.0.1", port, query("www.abuse.test", kA, id));
    return answer && dnstest::decode(*answer).id == id;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The server closed it already (EOF or reset); never waits.
bool closed_now(TcpConnection& c) { return c.closed_by_peer(0ms); }

// A field of /proc/PID/status in KiB (VmHWM: the peak resident set).
long status_kib(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
    return -1;
}

// Entries of /proc/PID/<dir>: "fd" for open descriptors, "task" for threads.
std::size_t proc_entries(pid_t pid, const char* dir) {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/" + dir, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++n;
    return n;
}

std::size_t open_files(pid_t pid) { return proc_entries(pid, "fd"); }

// Every thread of pid is sleeping (state S in /proc/PID/task/TID/stat): waiting for a
// signal, a packet or work, not running.
bool all_threads_asleep(pid_t pid) {
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        std::ifstream stat(it->path() / "stat");
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        const std::size_t name_end = text.rfind(')');  // the name in parentheses may hold anything
        if (name_end == std::string::npos || name_end + 2 >= text.size() || text[name_end + 2] != 'S') return false;
    }
    return !ec;
}

// Waits until pred() holds, checking every 20 ms; false if it still does not at the deadline.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!pred()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

// This process needs a descriptor per client connection: the soft limit goes to the hard one.
rlim_t raise_own_file_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
    if (lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) ::getrlimit(RLIMIT_NOFILE, &lim);
    }
    return lim.rlim_cur;
}

// Round trips of `count` sequential UDP queries from one socket, in microseconds, sorted;
// a query unanswered within a second counts as a second.
std::vector<double> udp_round_trips(std::uint16_t port, int count) {
    std::vector<double> rtt;
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) return rtt;
    std::uint8_t buf[1500];
    for (int i = 0; i < count; ++i) {
        auto id = static_cast<std::uint16_t>(i);
        Bytes q = query("www.abuse.test", kA, id);
        auto start = Clock::now();
        double took = 1e6;
        if (::send(fd, q.data(), q.size(), 0) == static_cast<ssize_t>(q.size())) {
            for (;;) {
                pollfd p{fd, POLLIN, 0};
                int left = 1000 - static_cast<int>(seconds_since(start) * 1000);
                if (left <= 0 || ::poll(&p, 1, left) != 1) break;
                ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                if (n >= 12 && buf[0] == (id >> 8) && buf[1] == (id & 0xff) && (buf[2] & 0x80)) {
                    took = seconds_since(start) * 1e6;
                    break;
                }
            }
        }
        rtt.push_back(took);
    }
    ::close(fd);
    std::sort(rtt.begin(), rtt.end());
    return rtt;
}

// Milliseconds from connecting a new TCP client to its first answer; nullopt if it was not
// answered within 1 s.
std::optional<double> new_client_answered_ms(std::uint16_t port) {
    const auto asked = Clock::now();
    TcpConnection fresh("127.0.0.1", port);
    if (!ask(fresh, 1, 1s)) return std::nullopt;
    return seconds_since(asked) * 1000;
}

double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 1e9;
    auto rank = static_cast<std::size_t>(p * static_cast<double>(sorted.size()) + 0.999999);
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

// RFC 7766 §6.2.3: a client that connects and says nothing is closed after --idle-timeout;
// a query restarts the clock, so a client that asked later is still open then.
TEST(DnsdTcpAbuse, SilentClientClosedAfterIdleTimeout) {
    Server s({"--idle-timeout", "2"});
    ASSERT_TRUE(s.dnsd.ready()) << s.dnsd.process().err();
    auto start = Clock::now();
    TcpConnection silent("127.0.0.1", s.dnsd.port());
    TcpConnection asker("127.0.0.1", s.dnsd.port());
    ASSERT_TRUE(silent.connected() && asker.connected());
    std::this_thread::sleep_for(1s);
    ASSERT_TRUE(ask(asker, 1));
    EXPECT_TRUE(silent.closed_by_peer(6s));
    double closed_after = seconds_since(start);
    EXPECT_GE(closed_after, 1.9);
    EXPECT_LE(closed_after, 4.0);
    EXPECT_FALSE(closed_now(asker)) << "its query restarted its idle clock";
    EXPECT_TRUE(asker.closed_by_peer(5s));
    EXPECT_GE(seconds_since(start), 2.9);
    std::cout << "silent client closed after " << closed_after << " s (--idle-timeout 2)\n";
    EXPECT_EQ(s.dnsd.process().stop(), 0);
}

// A slowloris sender: one byte every 400 ms keeps bytes arriving well inside the idle
// timeout, but a query must arrive whole within --idle-timeout of its first byte, so the
// connection is closed about then. A query split over a pause shorter than that is fine.
TEST(DnsdTcpAbuse, SlowlorisSenderIsClosed) {
    Server s({"--idle-timeout", "2"});
    ASSERT_TRUE(s.dnsd.ready()) << s.dnsd.process().err();
    {
        TcpConnection slow("127.0.0.1", s.dnsd.port());
        Bytes f = framed(query("www.abuse.test", kA, 1));
        ASSERT_GT(f.size(), 30u);  // over 12 s at this pace
        auto start = Clock::now();
        std::size_t sent = 0;
        bool closed = false;
        while (!closed && seconds_since(start) < 12) {
            if (sent < f.size() && slow.send(Bytes{f[sent]})) ++sent;
            closed = slow.closed_by_peer(400ms);
        }
        double closed_after = seconds_since(start);
        EXPECT_TRUE(closed) << "still open after " << sent << " bytes";
        EXPECT_GE(closed_after, 1.9);
        EXPECT_LE(closed_after, 4.5);
        EXPECT_GE(sent, 4u) << "bytes kept arriving before the close";
        EXPECT_LT(sent, f.size());
        std::cout << "slowloris closed after " << closed_after << " s and " << sent << " bytes\n";
    }
    {
        TcpConnection paused("127.0.0.1", s.dnsd.port());
        Bytes f = framed(query("www.abuse.test", kA, 2));
        ASSERT_TRUE(paused.send(Bytes(f.begin(), f.begin() + 9)));
        std::this_thread::sleep_for(1s);
        ASSERT_TRUE(paused.send(Bytes(f.begin() + 9, f.end())));
        auto answer = paused.read_frame();
        ASSERT_TRUE(answer);
        EXPECT_EQ(dnstest::decode(*answer).id, 2);
    }
    EXPECT_EQ(s.dnsd.process().stop(), 0);
}

// RFC 7766 §10: clients that pipeline thousands of queries for 1 KB answers and never read
// are dropped once their unread answers pass the per-connection bound; dnsd's peak memory
// grows by far less than the answers they asked for, and others are answered meanwhile.
TEST(DnsdTcpAbuse, PipelinersThatNeverReadAreBoundedAndDropped) {
    Server s({"--idle-timeout", "2"});
    ASSERT_TRUE(s.dnsd.ready()) << s.dnsd.process().err();
    const pid_t pid = s.dnsd.process().pid();
    {
        TcpConnection warm("127.0.0.1", s.dnsd.port());
        ASSERT_TRUE(ask(warm, 1));
        auto big = warm.send(framed(query("big.abuse.test", kTXT, 2))) ? warm.read_frame() : std::nullopt;
        ASSERT_TRUE(big);
        ASSERT_GT(big->size(), 1000u);
    }
    const long hwm_before = status_kib(pid, "VmHWM");
    ASSERT_GT(hwm_before, 0);

    constexpr int kHogs = 5, kQueries = 8000;
    constexpr double kAnswerBytes = 1000.0 * kHogs * kQueries;  // what the hogs ask for
    Bytes one = framed(query("big.abuse.test", kTXT, 3));
    Bytes burst;
    for (int i = 0; i < kQueries; ++i) burst.insert(burst.end(), one.begin(), one.end());

    struct Hog {
        int fd = -1;
        std::size_t sent = 0;
        bool dropped = false;
    };
    std::vector<Hog> hogs(kHogs);
    for (Hog& h : hogs) {
        h.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        int small = 4096;
        ::setsockopt(h.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(s.dnsd.port());
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_TRUE(::connect(h.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 || errno == EINPROGRESS);
    }

    // Push queries without ever reading; a hang-up (FIN or reset) shows up as POLLRDHUP,
    // POLLHUP or POLLERR with the answers still unread. Check a bystander in between.
    int bystanders = 0, bystanders_answered = 0;
    auto start = Clock::now();
    auto next_bystander = start;
    while (seconds_since(start) < 20) {
        bool all_dropped = true;
        for (Hog& h : hogs) {
            if (h.dropped) continue;
            pollfd p{h.fd, POLLOUT | POLLRDHUP, 0};
            ::poll(&p, 1, 0);
            if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
                h.dropped = true;
                continue;
            }
            all_dropped = false;
            if (h.sent < burst.size() && (p.revents & POLLOUT)) {
                ssize_t n = ::send(h.fd, burst.data() + h.sent, burst.size() - h.sent, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n > 0) h.sent += static_cast<std::size_t>(n);
                if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) h.dropped = true;
            }
        }
        if (all_dropped) break;
        if (Clock::now() >= next_bystander) {
            ++bystanders;
            TcpConnection c("127.0.0.1", s.dnsd.port());
            auto id = static_cast<std::uint16_t>(100 + bystanders);
            if (udp_ask(s.dnsd.port(), id) && ask(c, id)) ++bystanders_answered;
            next_bystander = Clock::now() + 100ms;
        }
        std::this_thread::sleep_for(5ms);
    }
    double took = seconds_since(start);
    const long hwm_after = status_kib(pid, "VmHWM");
    std::size_t queries_sent = 0;
    for (Hog& h : hogs) {
        EXPECT_TRUE(h.dropped) << "a hog still connected after " << took << " s";
        queries_sent += h.sent / one.size();
        ::close(h.fd);
    }
    EXPECT_GE(bystanders, 1);
    EXPECT_EQ(bystanders_answered, bystanders);
    // The hogs did pipeline thousands of queries (into dnsd and the kernel's buffers).
    EXPECT_GT(queries_sent, static_cast<std::size_t>(kHogs * 200));
    const double grew = static_cast<double>(hwm_after - hwm_before) * 1024;
    EXPECT_LT(grew, 16.0 * 1024 * 1024) << "peak memory grew by " << grew << " bytes";
    EXPECT_LT(grew, kAnswerBytes / 2);
    std::cout << kHogs << " hogs dropped in " << took << " s after " << queries_sent
              << " queries sent; dnsd peak memory grew by " << grew / 1024 << " KiB; " << bystanders_answered
              << " bystanders answered\n";
    ASSERT_TRUE(udp_ask(s.dnsd.port(), 9));
    TcpConnection after("127.0.0.1", s.dnsd.port());
    EXPECT_TRUE(ask(after, 10));
    EXPECT_EQ(s.dnsd.process().stop(), 0);
}

// RFC 7766 §6.2.3: above 3/4 of --max-connections, idle connections are closed after a
// second instead of --idle-timeout, oldest first, until the count is back at 3/4; the
// rest keep the full timeout, and a new client is still answered.
TEST(DnsdTcpAbuse, IdleConnectionsGoSoonerNearTheCap) {
    Server s({"--max-connections", "16", "--idle-timeout", "20"});
    ASSERT_TRUE(s.dnsd.ready()) << s.dnsd.process().err();
    const pid_t pid = s.dnsd.process().pid();
    const std::size_t files_before = open_files(pid);
    auto start = Clock::now();
    std::vector<std::unique_ptr<TcpConnection>> idle;
    for (int i = 0; i < 15; ++i) {
        idle.push_back(std::make_unique<TcpConnection>("127.0.0.1", s.dnsd.port()));
        ASSERT_TRUE(idle.back()->connected());
    }
    ASSERT_TRUE(eventually([&] { return open_files(pid) >= files_before + 15; }, 5s)) << "not all accepted";

    std::vector<bool> closed(idle.size());
    auto poll_closed = [&] {
        for (std::size_t i = 0; i < idle.size(); ++i)
            if (!closed[i] && closed_now(*idle[i])) closed[i] = true;
        return static_cast<int>(std::count(closed.begin(), closed.end(), true));
    };
    ASSERT_TRUE(eventually([&] { return poll_closed() >= 3; }, 5s));
    double first_closes = seconds_since(start);
    EXPECT_GE(first_closes, 0.9);
    EXPECT_LE(first_closes, 5.0) << "much sooner than --idle-timeout 20";
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(poll_closed(), 3) << "only down to 3/4 of the cap (12 of 16)";
    EXPECT_TRUE(closed[0] && closed[1] && closed[2]) << "oldest first";

    // 13 of 16 again: the new client is answered, and the oldest idle one goes next.
    TcpConnection fresh("127.0.0.1", s.dnsd.port());
    auto asked = Clock::now();
    ASSERT_TRUE(ask(fresh, 1, 1s));
    double answered_in = seconds_since(asked);
    EXPECT_LT(answered_in, 1.0);
    ASSERT_TRUE(eventually([&] { return poll_closed() >= 4; }, 4s));
    EXPECT_TRUE(closed[3]);
    EXPECT_TRUE(ask(fresh, 2));
    EXPECT_EQ(poll_closed(), 4);
    std::cout << "near the cap: 3 of 15 idle connections closed after " << first_closes
              << " s (--idle-timeout 20); new client answered in " << answered_in * 1000 << " ms\n";
    EXPECT_EQ(s.dnsd.process().stop(), 0);
}

// A length prefix under 12 is not a DNS message (RFC 1035 §4.1.1): the answers to the
// complete queries before it are sent, nothing after it is answered, and the connection
// is closed.
TEST(DnsdTcpAbuse, ShortLengthPrefixClosesAfterEarlierAnswers) {
    Server s({});
    ASSERT_TRUE(s.dnsd.ready()) << s.dnsd.process().err();
    for (std::uint8_t len : {0, 1, 11}) {
        TcpConnection c("127.0.0.1", s.dnsd.port());
        Bytes bytes = framed(query("www.abuse.test", kA, 1));
        Bytes second = framed(query("big.abuse.test", kTXT, 2));
        bytes.insert(bytes.end(), second.begin(), second.end());
        bytes.insert(bytes.end(), {0x00, len});
        bytes.insert(bytes.end(), len, 0);
        Bytes after = framed(query("www.abuse.test", kA, 3));
        bytes.insert(bytes.end(), after.begin(), after.end());
        ASSERT_TRUE(c.send(bytes));
        auto a1 = c.read_frame();
        auto a2 = c.read_frame();
        ASSERT_TRUE(a1 && a2) << "length " << int(len);
        EXPECT_EQ(dnstest::decode(*a1).id, 1);
        EXPECT_EQ(dnstest::decode(*a2).id, 2);
        std::size_t extra = 0;
        EXPECT_TRUE(c.closed_by_peer(2s, &extra)) << "length " << int(len);
        EXPECT_EQ(extra, 0u) << "the query after the bad prefix was answered";
    }
    {  // the bad prefix in a later segment, once the client has its answer
        TcpConnection c("127.0.0.1", s.dnsd.port());
        ASSERT_TRUE(ask(c, 4));
        ASSERT_TRUE(c.send(Bytes{0x00, 0x05}));
        EXPECT_TRUE(c.closed_by_peer(2s));
    }
    EXPECT_TRUE(udp_ask(s.dnsd.port(), 5));
    EXPECT_EQ(s.dnsd.process().stop(), 0);
}

namespace {

// n connections to port that never send anything.
std::vector<std::unique_ptr<TcpConnection>> open_idle(std::uint16_t port, int n) {
    std::vector<std::unique_ptr<TcpConnection>> conns;
    conns.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) conns.push_back(std::make_unique<TcpConnection>("127.0.0.1", port));
    return conns;
}

}  // namespace

// MUST SHOW: with 1,000 idle TCP connections open (--max-connections 2000, so all stay
// open and under the 3/4 pressure mark), UDP queries are answered with a p99 round trip
// under 10 ms and a new TCP query within 1 s. dnsd raises its own descriptor limit.
TEST(DnsdTcpAbuse, ThousandIdleConnectionsDoNotSlowUdpOrTcp) {
    ASSERT_GE(raise_own_file_limit(), 1200u) << "needs a hard RLIMIT_NOFILE of at least 1200 (ulimit -Hn)";
    Server s({"--max-connections", "2000", "--idle-timeout", "120"});
    ASSERT_TRUE(s.dnsd.ready()) << s.dnsd.process().err();
    const pid_t pid = s.dnsd.process().pid();
    const std::size_t files_before = open_files(pid);

    auto conns = open_idle(s.dnsd.port(), 1000);
    for (auto& c : conns) ASSERT_TRUE(c->connected());
    ASSERT_TRUE(eventually([&] { return open_files(pid) >= files_before + 1000; }, 10s))
        << "dnsd holds " << open_files(pid) - files_before << " connections";

    auto rtt = udp_round_trips(s.dnsd.port(), 2000);
    ASSERT_EQ(rtt.size(), 2000u);
    const double p50 = percentile(rtt, 0.50), p99 = percentile(rtt, 0.99), max = rtt.back();
    EXPECT_LT(max, 1e6) << "a UDP query was not answered";
    EXPECT_LT(p99, 10'000.0) << "p99 " << p99 << " us";

    const std::optional<double> fresh = new_client_answered_ms(s.dnsd.port());
    ASSERT_TRUE(fresh) << "a new TCP client was not answered";
    const double tcp_ms = *fresh;
    EXPECT_LT(tcp_ms, 1000.0);

    int still_open = 0;
    for (auto& c : conns) still_open += closed_now(*c) ? 0 : 1;
    EXPECT_EQ(still_open, 1000);
    EXPECT_GE(open_files(pid), files_before + 1000);

    RecordProperty("udp_p50_us", std::to_string(p50));
    RecordProperty("udp_p99_us", std::to_string(p99));
    RecordProperty("tcp_new_query_ms", std::to_string(tcp_ms));
    std::cout << "1000 idle TCP connections: 2000 UDP queries p50 " << p50 << " us, p99 " << p99 << " us, max " << max
              << " us; new TCP connection answered in " << tcp_ms << " ms\n";
    EXPECT_EQ(s.dnsd.process().stop(), 0);
}

// The same 1,000 clients against the default cap (256): dnsd never holds more than the
// cap (each one past it replaces the oldest idle one), the pressure rule brings idle ones
// down to 3/4 of the cap, and UDP and a new TCP client are still answered promptly.
TEST(DnsdTcpAbuse, ThousandConnectionsAgainstTheDefaultCap) {
    ASSERT_GE(raise_own_file_limit(), 1200u) << "needs a hard RLIMIT_NOFILE of at least 1200 (ulimit -Hn)";
    Server s({});
    ASSERT_TRUE(s.dnsd.ready()) << s.dnsd.process().err();
    const pid_t pid = s.dnsd.process().pid();
    const std::size_t files_before = open_files(pid);

    auto conns = open_idle(s.dnsd.port(), 1000);
    std::size_t peak = 0;
    auto held = [&] {
        std::size_t n = open_files(pid) - files_before;
        peak = std::max(peak, n);
        return n;
    };
    ASSERT_TRUE(eventually([&] { return held() <= 192; }, 8s)) << "dnsd holds " << held();
    EXPECT_LE(peak, 257u) << "a connection just accepted at the cap, before the oldest idle one goes";

    // Not the must-show figure (that is the test above): a looser bound, as dnsd may still be
    // closing the last evicted connections while this runs.
    auto rtt = udp_round_trips(s.dnsd.port(), 500);
    const double p99 = percentile(rtt, 0.99);
    EXPECT_LT(p99, 50'000.0);
    EXPECT_LT(rtt.back(), 1e6) << "a UDP query was not answered";
    const std::optional<double> fresh = new_client_answered_ms(s.dnsd.port());
    ASSERT_TRUE(fresh) << "a new TCP client was not answered";
    const double tcp_ms = *fresh;
    EXPECT_LT(tcp_ms, 1000.0);

    int still_open = 0;
    for (auto& c : conns) still_open += closed_now(*c) ? 0 : 1;
    EXPECT_LE(still_open, 192);
    EXPECT_GE(still_open, 150) << "the pressure rule stops at 3/4 of the cap";
    std::cout << "1000 clients, default cap 256: " << still_open << " left open; UDP p99 " << p99
              << " us; new TCP connection answered in " << tcp_ms << " ms\n";
    EXPECT_EQ(s.dnsd.process().stop(), 0);
}

namespace {

// utime + stime of pid in seconds (/proc/PID/stat fields 14 and 15, after the command).
double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    long ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i)
        if (i >= 14) ticks += std::stol(field);
    return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The RLIMIT_NOFILE that leaves pid exactly one free descriptor number: the second lowest
// number it does not use (a limit bounds the numbers, not the count).
rlim_t limit_leaving_one_free(pid_t pid) {
    std::vector<bool> used;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        auto fd = static_cast<std::size_t>(std::stoul(it->path().filename().string()));
        if (fd >= used.size()) used.resize(fd + 1);
        used[fd] = true;
    }
    for (std::size_t fd = 0, free_seen = 0;; ++fd)
        if ((fd >= used.size() || !used[fd]) && ++free_seen == 2) return fd;
}

}  // namespace

// Out of descriptors, accept() fails while the client stays queued and the listener stays
// ready: dnsd stops listening for a moment instead of spinning on it, says why once, keeps
// answering UDP, and takes the queued clients once it can. No TCP query is served while
// the limit is tight: under the sanitizers, their runtime checks of TCP's polymorphic
// handler need a pipe of their own and would report a false error without one.
TEST(DnsdTcpAbuse, OutOfDescriptorsPausesAcceptingWithoutSpinning) {
    Server s({});
    ASSERT_TRUE(s.dnsd.ready()) << s.dnsd.process().err();
    const pid_t pid = s.dnsd.process().pid();
    // dnsd's threads (main, the worker, the retirer) all exist before the ready line, so none
    // starts under the tight limit: under the sanitizers a thread that starts with no
    // descriptor free trips UBSan's own check (it needs a pipe). The retirer frees the
    // parsed zone after the load; the limit waits until it has done so and every thread
    // sleeps, so that it cannot meet the limit either.
    ASSERT_EQ(proc_entries(pid, "task"), 3u);
    ASSERT_TRUE(eventually([&] { return all_threads_asleep(pid); }, 5s));
    rlimit before{};
    ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, nullptr, &before), 0);
    // Room for one more descriptor, set from outside as a leak elsewhere would. The first
    // client takes it (accepted in order); the others wait in the backlog.
    const std::size_t files = open_files(pid);
    rlimit tight = before;
    tight.rlim_cur = limit_leaving_one_free(pid);
    ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &tight, nullptr), 0);
    std::vector<std::unique_ptr<TcpConnection>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<TcpConnection>("127.0.0.1", s.dnsd.port()));
        ASSERT_TRUE(clients.back()->connected());  // the kernel completes the handshake either way
    }
    ASSERT_TRUE(eventually([&] { return open_files(pid) == files + 1; }, 2s))
        << open_files(pid) << " open, " << files << " before:\n"
        << s.dnsd.process().err();
    for (int i = 1; i < 4; ++i)  // queued: the bytes wait in the kernel with the connection
        ASSERT_TRUE(clients[i]->send(framed(query("www.abuse.test", kA, static_cast<std::uint16_t>(10 + i)))));

    const double cpu_before = cpu_seconds(pid);
    std::this_thread::sleep_for(1s);
    const double spent = cpu_seconds(pid) - cpu_before;
    EXPECT_LT(spent, 0.25) << "dnsd used " << spent << " s of CPU in 1 s with clients it cannot accept";
    ASSERT_EQ(open_files(pid), files + 1) << s.dnsd.process().err();
    EXPECT_TRUE(udp_ask(s.dnsd.port(), 2));
    EXPECT_FALSE(clients[1]->read_frame(0ms));

    ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &before, nullptr), 0);
    const auto freed = Clock::now();
    for (int i = 1; i < 4; ++i) {
        auto answer = clients[i]->read_frame(2s);
        ASSERT_TRUE(answer) << "queued client " << i << " not answered after the limit was raised";
        EXPECT_EQ(dnstest::decode(*answer).id, 10 + i);
    }
    const double resumed_ms = seconds_since(freed) * 1000;
    EXPECT_LT(resumed_ms, 1000.0);
    EXPECT_TRUE(ask(*clients[0], 3)) << "the client accepted before the pause";
    EXPECT_EQ(s.dnsd.process().stop(), 0);
    const std::string log = s.dnsd.process().err();
    std::size_t lines = 0;
    for (std::size_t at = log.find("accept: Too many open files"); at != std::string::npos;
         at = log.find("accept: Too many open files", at + 1))
        ++lines;
    EXPECT_EQ(lines, 1u) << log;
    std::cout << "out of descriptors: " << spent << " s CPU in 1 s paused; queued clients answered " << resumed_ms
              << " ms after the limit was raised\n";
}
