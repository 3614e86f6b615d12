// dnsd's TCP side end to end (RFC 7766): pipelined queries in one write answered in order,
// a query dribbled in byte by byte, a too-short message closing the connection, the
// connection cap, the idle timeout, a client that never reads, and several workers on
// IPv4 and IPv6. Each test starts and stops its own dnsd by PID.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;

namespace {

// Writes a file in dir and returns its path.
std::string put(const TempDir& dir, const std::string& name, const std::string& content) {
    write_text(dir / name, content);
    return dir / name;
}

const std::string kZone = SMARTHOST_TEST_DATA "/e2e/smarthost.local.zone";
constexpr std::uint16_t kMX = 15, kTXT = 16, kA = 1, kAAAA = 28;

Bytes query(const std::string& name, std::uint16_t type, std::uint16_t id) {
    dnstest::QueryOptions o;
    o.id = id;
    return dnstest::query(name, type, o);
}

std::vector<std::string> args(std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {"--zone", kZone, "--listen", "127.0.0.1:0"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

bool ipv6_loopback_works() {
    int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
    if (fd < 0) return false;
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = in6addr_loopback;
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&sin6), sizeof sin6) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

// RFC 7766 §6.2.1.1: queries sent back to back in one segment are all answered, and dnsd
// answers them in the order they came.
TEST(DnsdTcpE2e, PipelinedQueriesInOneWriteAnsweredInOrder) {
    Dnsd dnsd(DNSD_BIN, args());
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    TcpConnection c("127.0.0.1", dnsd.port());
    Bytes burst;
    struct Q {
        const char* name;
        std::uint16_t type;
    } qs[] = {{"oxford.smarthost.local", kMX},
              {"big.smarthost.local", kTXT},
              {"mail.oxford.smarthost.local", kAAAA},
              {"nothing.smarthost.local", kA},
              {"cambridge.smarthost.local", kMX}};
    for (std::uint16_t i = 0; i < 5; ++i) {
        Bytes f = framed(query(qs[i].name, qs[i].type, static_cast<std::uint16_t>(100 + i)));
        burst.insert(burst.end(), f.begin(), f.end());
    }
    ASSERT_TRUE(c.send(burst));
    std::size_t expected_answers[] = {2, 40, 1, 0, 2};
    for (std::uint16_t i = 0; i < 5; ++i) {
        auto answer = c.read_frame();
        ASSERT_TRUE(answer) << "answer " << i;
        dnstest::Decoded d = dnstest::decode(*answer);
        EXPECT_EQ(d.id, 100 + i);
        EXPECT_EQ(d.answer.size(), expected_answers[i]) << qs[i].name;
    }
    EXPECT_EQ(dnsd.process().stop(), 0);
}

TEST(DnsdTcpE2e, PartialWritesAndShortMessages) {
    Dnsd dnsd(DNSD_BIN, args());
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    {
        TcpConnection c("127.0.0.1", dnsd.port());
        Bytes f = framed(query("oxford.smarthost.local", kMX, 7));
        for (std::uint8_t b : f) {
            ASSERT_TRUE(c.send(Bytes{b}));
            std::this_thread::sleep_for(2ms);
        }
        auto answer = c.read_frame();
        ASSERT_TRUE(answer);
        EXPECT_EQ(dnstest::decode(*answer).answer.size(), 2u);
    }
    {
        // A message shorter than a header: the query before it is answered, then the
        // connection closes.
        TcpConnection c("127.0.0.1", dnsd.port());
        Bytes bytes = framed(query("oxford.smarthost.local", kMX, 8));
        bytes.insert(bytes.end(), {0x00, 0x05, 1, 2, 3, 4, 5});
        ASSERT_TRUE(c.send(bytes));
        auto answer = c.read_frame();
        ASSERT_TRUE(answer);
        EXPECT_EQ(dnstest::decode(*answer).id, 8);
        EXPECT_TRUE(c.closed_by_peer(2s));
    }
    EXPECT_EQ(dnsd.process().stop(), 0);
}

// A connection that carries something other than a query (a response, or a megabyte of
// 0xff behind a valid length) gets the answers it is owed and is then closed within 100 ms,
// as NSD does, while a client on another connection is answered throughout.
TEST(DnsdTcpE2e, NotAQueryClosesTheConnectionAfterTheOwedAnswers) {
    Dnsd dnsd(DNSD_BIN, args({"--idle-timeout", "30"}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    std::atomic<bool> done{false};
    std::atomic<int> answered{0}, unanswered{0};
    std::thread other([&] {
        TcpConnection c("127.0.0.1", dnsd.port());
        for (std::uint16_t id = 1; !done; ++id) {
            if (!c.send(framed(query("oxford.smarthost.local", kMX, id)))) break;
            auto a = c.read_frame(1s);
            if (a && dnstest::decode(*a).id == id)
                ++answered;
            else
                ++unanswered;
            std::this_thread::sleep_for(1ms);
        }
    });

    // The other client is answered before the bad connections start, and throughout: the
    // loop below can take only milliseconds, less than that thread needs to start.
    for (int i = 0; i < 200 && answered.load() == 0; ++i) std::this_thread::sleep_for(10ms);
    if (answered.load() == 0) {
        done = true;
        other.join();
        FAIL() << "the other client got no answer within 2 s";
    }

    Bytes response = query("oxford.smarthost.local", kMX, 9);
    response[2] |= 0x80;  // QR: a response where a query belongs
    Bytes garbage = framed(Bytes(65535, 0xff));
    for (const Bytes& bad : {framed(response), garbage}) {
        TcpConnection c("127.0.0.1", dnsd.port());
        Bytes bytes = framed(query("oxford.smarthost.local", kMX, 8));
        bytes.insert(bytes.end(), bad.begin(), bad.end());
        if (bad.size() == garbage.size())  // the rest of a megabyte of 0xff
            for (int i = 0; i < 15; ++i) bytes.insert(bytes.end(), garbage.begin(), garbage.end());
        // The megabyte may not all be taken once dnsd stops reading: what counts is the close.
        std::thread writer([&c, bytes] { c.send(bytes); });
        auto answer = c.read_frame();
        const auto answered_at = std::chrono::steady_clock::now();
        ASSERT_TRUE(answer);
        EXPECT_EQ(dnstest::decode(*answer).id, 8);
        EXPECT_TRUE(c.closed_by_peer(2s));
        const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                 answered_at);
        EXPECT_LT(after.count(), 100) << "closed " << after.count() << " ms after the answer";
        writer.join();
    }
    const int before_close = answered.load();
    for (int i = 0; i < 200 && answered.load() == before_close; ++i) std::this_thread::sleep_for(10ms);
    done = true;
    other.join();
    EXPECT_GT(answered.load(), before_close) << "the other client was not answered after the closes";
    EXPECT_EQ(unanswered.load(), 0);
    EXPECT_EQ(dnsd.process().stop(), 0);
}

// At the cap the least recently active idle connection makes room for the new one; idle
// connections are closed after --idle-timeout (RFC 7766 §6.2.3).
TEST(DnsdTcpE2e, ConnectionCapAndIdleTimeout) {
    Dnsd dnsd(DNSD_BIN, args({"--max-connections", "2", "--idle-timeout", "2"}));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    auto ask = [&](TcpConnection& c, std::uint16_t id) {
        if (!c.send(framed(query("oxford.smarthost.local", kMX, id)))) return false;
        auto answer = c.read_frame();
        return answer && dnstest::decode(*answer).id == id;
    };
    TcpConnection first("127.0.0.1", dnsd.port());
    ASSERT_TRUE(ask(first, 1));
    TcpConnection second("127.0.0.1", dnsd.port());
    ASSERT_TRUE(ask(second, 2));
    TcpConnection third("127.0.0.1", dnsd.port());
    ASSERT_TRUE(ask(third, 3));
    EXPECT_TRUE(first.closed_by_peer(1s)) << "the oldest idle connection gives way";
    EXPECT_TRUE(ask(second, 4));
    EXPECT_TRUE(ask(third, 5));

    auto idle_since = std::chrono::steady_clock::now();
    EXPECT_TRUE(second.closed_by_peer(5s));
    EXPECT_TRUE(third.closed_by_peer(5s));
    EXPECT_GE(std::chrono::steady_clock::now() - idle_since, 1500ms);
    EXPECT_EQ(dnsd.process().stop(), 0);
}

// A client that keeps sending but never reads is dropped once its unread answers pass the
// server's bound; everyone else is still served.
TEST(DnsdTcpE2e, ClientThatNeverReadsIsDropped) {
    TempDir dir;
    std::string zone = "$ORIGIN huge.test.\n$TTL 60\n@ IN SOA ns hostmaster 1 3600 600 1209600 60\n@ IN NS ns\n";
    for (int i = 0; i < 200; ++i) zone += "@ IN TXT \"" + std::to_string(1000 + i) + std::string(240, 'x') + "\"\n";
    std::string path = put(dir, "huge.test.zone", zone);
    Dnsd dnsd(DNSD_BIN, {"--zone", path, "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();

    TcpConnection hog("127.0.0.1", dnsd.port(), /*receive_buffer=*/4096);
    Bytes first = framed(query("huge.test", kTXT, 1));
    Bytes burst;
    constexpr int kQueries = 400;
    for (int i = 0; i < kQueries; ++i) burst.insert(burst.end(), first.begin(), first.end());
    ASSERT_TRUE(hog.send(burst));

    // Meanwhile another client is answered.
    TcpConnection other("127.0.0.1", dnsd.port());
    ASSERT_TRUE(other.send(framed(query("huge.test", kTXT, 2))));
    auto answer = other.read_frame(5s);
    ASSERT_TRUE(answer);
    std::size_t frame_size = answer->size() + 2;
    EXPECT_GT(frame_size, 50000u);

    std::this_thread::sleep_for(1s);  // let the server fill its buffers and give up
    std::size_t received = 0;
    EXPECT_TRUE(hog.closed_by_peer(30s, &received));
    EXPECT_LT(received, kQueries * frame_size) << "every answer arrived: the client was never dropped";
    EXPECT_EQ(dnsd.process().stop(), 0);
}

// Two workers share each address (SO_REUSEPORT); IPv4 and IPv6 are both served.
TEST(DnsdTcpE2e, SeveralWorkersOnIpv4AndIpv6) {
    bool v6 = ipv6_loopback_works();
    std::vector<std::string> a = {"--zone", kZone, "--threads", "2", "--listen", "127.0.0.1:0"};
    if (v6) a.insert(a.end(), {"--listen", "[::1]:0"});
    Dnsd dnsd(DNSD_BIN, a);
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    ASSERT_EQ(dnsd.info().udp.size(), v6 ? 2u : 1u);
    EXPECT_EQ(dnsd.info().tcp, dnsd.info().udp);

    std::vector<std::pair<std::string, std::uint16_t>> targets = {{"127.0.0.1", dnsd.port()}};
    if (v6) {
        EXPECT_EQ(dnsd.info().udp[1].rfind("[::1]:", 0), 0u);
        targets.push_back({"::1", port_of(dnsd.info().udp[1])});
    }
    for (const auto& [host, port] : targets) {
        for (std::uint16_t i = 0; i < 40; ++i) {  // fresh source ports spread over the workers
            auto udp = udp_exchange_at(host, port, query("oxford.smarthost.local", kMX, i));
            ASSERT_TRUE(udp) << host << " udp " << i;
            EXPECT_EQ(dnstest::decode(*udp).answer.size(), 2u);
            TcpConnection c(host, port);
            ASSERT_TRUE(c.send(framed(query("oxford.smarthost.local", kMX, i))));
            auto tcp = c.read_frame();
            ASSERT_TRUE(tcp) << host << " tcp " << i;
            EXPECT_EQ(dnstest::decode(*tcp).id, i);
        }
    }
    EXPECT_EQ(dnsd.process().stop(), 0);
}
