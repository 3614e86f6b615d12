// The server's parts without a process: listen-address parsing, the TCP session (framing,
// pipelining, partial I/O, limits, streams), the query log line, and a Server in this
// process for table swaps and the zone-transfer hook.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "dnsd/net/endpoint.hpp"
#include "dnsd/net/log.hpp"
#include "dnsd/net/server.hpp"
#include "dnsd/net/tcp_session.hpp"
#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"

using dnsd::TcpSession;
using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

// ---- listen addresses -------------------------------------------------------------

TEST(Endpoint, ParsesIpv4AndBracketedIpv6) {
    auto v4 = dnsd::parse_endpoint("127.0.0.1:5353");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4.value().family(), AF_INET);
    EXPECT_EQ(v4.value().port(), 5353);
    EXPECT_EQ(v4.value().len, sizeof(sockaddr_in));
    EXPECT_EQ(v4.value().text(), "127.0.0.1:5353");

    auto v6 = dnsd::parse_endpoint("[::1]:53");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6.value().family(), AF_INET6);
    EXPECT_EQ(v6.value().port(), 53);
    EXPECT_EQ(v6.value().text(), "[::1]:53");

    auto any = dnsd::parse_endpoint("0.0.0.0:0");
    ASSERT_TRUE(any);
    EXPECT_EQ(any.value().port(), 0);
    EXPECT_EQ(dnsd::parse_endpoint("[2001:DB8::25]:65535").value().text(), "[2001:db8::25]:65535");
}

TEST(Endpoint, RejectsWhatIsNotAddrPort) {
    struct Case {
        const char* text;
        const char* why;
    } cases[] = {
        {"", "expected ADDR:PORT"},
        {"127.0.0.1", "expected ADDR:PORT"},
        {"127.0.0.1:", "the port must be a number from 0 to 65535"},
        {"127.0.0.1:65536", "the port must be a number from 0 to 65535"},
        {"127.0.0.1:53x", "the port must be a number from 0 to 65535"},
        {"127.0.0.1:-1", "the port must be a number from 0 to 65535"},
        {"localhost:53", "not an IPv4 address"},
        {"256.0.0.1:53", "not an IPv4 address"},
        {"::1:53", "an IPv6 address goes in brackets: [ADDR]:PORT"},
        {"[::1:53", "missing ']' after the IPv6 address"},
        {"[::1]53", "expected [ADDR]:PORT"},
        {"[::1]", "expected [ADDR]:PORT"},
        {"[127.0.0.1]:53", "not an IPv6 address"},
    };
    for (const Case& c : cases) {
        auto r = dnsd::parse_endpoint(c.text);
        ASSERT_FALSE(r) << c.text;
        EXPECT_EQ(r.errors().front().message, '"' + std::string(c.text) + "\": " + c.why);
    }
}

TEST(Endpoint, FromKernelAddress) {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(40000);
    inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
    auto ep = dnsd::endpoint_of(reinterpret_cast<sockaddr*>(&sin6), sizeof sin6);
    EXPECT_EQ(ep.text(), "[::1]:40000");
    ep.set_port(7);
    EXPECT_EQ(ep.port(), 7);
}

// ---- the TCP session ----------------------------------------------------------------

namespace {

// A query-shaped message: the ID, then filler up to size.
Bytes message(std::uint16_t id, std::size_t size = 20) {
    Bytes m(size, 0xab);
    m[0] = static_cast<std::uint8_t>(id >> 8);
    m[1] = static_cast<std::uint8_t>(id);
    return m;
}

Bytes frame(const Bytes& m) {
    Bytes f{static_cast<std::uint8_t>(m.size() >> 8), static_cast<std::uint8_t>(m.size())};
    f.insert(f.end(), m.begin(), m.end());
    return f;
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// Yields count messages of size bytes, IDs from first_id on.
class FakeStream final : public dnsd::MessageStream {
public:
    FakeStream(std::uint16_t first_id, int count, std::size_t size, int* pulled)
        : id_(first_id), left_(count), size_(size), pulled_(pulled) {}
    std::size_t next(std::span<std::uint8_t> out) override {
        if (left_ == 0) return 0;
        --left_;
        ++*pulled_;
        Bytes m = message(id_++, size_);
        std::memcpy(out.data(), m.data(), m.size());
        return m.size();
    }

private:
    std::uint16_t id_;
    int left_;
    std::size_t size_;
    int* pulled_;
};

// Echoes each query as its answer; a query with ID 0xAAAA is answered by a stream instead.
class EchoHandler final : public dnsd::QueryHandler {
public:
    std::size_t answer(std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                       std::unique_ptr<dnsd::MessageStream>& stream) override {
        ++answered;
        if (query[0] == 0xAA && query[1] == 0xAA) {
            stream = std::make_unique<FakeStream>(0x5000, stream_count, stream_size, &pulled);
            return 0;
        }
        std::memcpy(out.data(), query.data(), query.size());
        return query.size();
    }
    int answered = 0;
    int pulled = 0;
    int stream_count = 3;
    std::size_t stream_size = 100;
};

struct Harness {
    explicit Harness(std::size_t max_output = 1 << 20) : session(max_output) {}

    // Feeds bytes as the socket would, in reads of at most chunk bytes.
    bool feed(const Bytes& bytes, std::size_t chunk = 1 << 20) {
        for (std::size_t at = 0; at < bytes.size();) {
            auto space = session.input_space();
            if (space.empty()) return false;
            std::size_t n = std::min({chunk, space.size(), bytes.size() - at});
            std::memcpy(space.data(), bytes.data() + at, n);
            session.received(n);
            at += n;
            if (!session.process(handler, scratch)) return false;
        }
        return true;
    }
    // Takes up to n bytes of output, as a socket write would.
    Bytes drain(std::size_t n = SIZE_MAX) {
        auto out = session.output();
        n = std::min(n, out.size());
        Bytes got(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
        session.sent(n);
        EXPECT_TRUE(session.process(handler, scratch));
        return got;
    }
    Bytes drain_all() {
        Bytes all;
        while (!session.output().empty()) {
            Bytes part = drain();
            all.insert(all.end(), part.begin(), part.end());
        }
        return all;
    }

    TcpSession session;
    EchoHandler handler;
    Bytes scratch = Bytes(TcpSession::kMaxFrame);
};

}  // namespace

TEST(TcpSession, AnswersOneFramedQuery) {
    Harness h;
    EXPECT_TRUE(h.session.idle());
    ASSERT_TRUE(h.feed(frame(message(1))));
    EXPECT_EQ(h.drain_all(), frame(message(1)));
    EXPECT_TRUE(h.session.idle());
    EXPECT_FALSE(h.session.finished());
}

// RFC 7766 §6.2.1.1: several queries in one segment are all answered, in order.
TEST(TcpSession, PipelinedQueriesAnsweredInOrder) {
    Harness h;
    ASSERT_TRUE(h.feed(concat({frame(message(1)), frame(message(2, 300)), frame(message(3))})));
    EXPECT_EQ(h.handler.answered, 3);
    EXPECT_EQ(h.drain_all(), concat({frame(message(1)), frame(message(2, 300)), frame(message(3))}));
}

TEST(TcpSession, ByteByByteInputAndOutput) {
    Harness h;
    Bytes in = concat({frame(message(7, 600)), frame(message(8))});
    for (std::size_t i = 0; i + 1 < 2 + 600; ++i) {
        ASSERT_TRUE(h.feed(Bytes{in[i]}));
        EXPECT_EQ(h.handler.answered, 0) << "answered before the last byte, at " << i;
        EXPECT_FALSE(h.session.idle());
    }
    ASSERT_TRUE(h.feed(Bytes(in.begin() + 601, in.end()), 1));
    EXPECT_EQ(h.handler.answered, 2);
    Bytes out;
    while (!h.session.output().empty()) {
        Bytes b = h.drain(1);
        out.insert(out.end(), b.begin(), b.end());
    }
    EXPECT_EQ(out, concat({frame(message(7, 600)), frame(message(8))}));
}

TEST(TcpSession, LargestMessageFits) {
    Harness h;
    Bytes big = message(9, TcpSession::kMaxMessage);
    ASSERT_TRUE(h.feed(frame(big), 1000));
    EXPECT_EQ(h.drain_all(), frame(big));
}

// What the event loop times a connection by: queries() counts whole queries only, so the
// bytes of an unfinished one never restart its clock; owes_output() tells answers waiting
// (or a stream) from a query half read.
TEST(TcpSession, CountsWholeQueriesAndTellsWhatIsOwed) {
    Harness h;
    Bytes in = concat({frame(message(1)), frame(message(2, 40))});
    ASSERT_TRUE(h.feed(Bytes(in.begin(), in.begin() + 24)));  // the first and 2 bytes of the second
    EXPECT_EQ(h.session.queries(), 1u);
    EXPECT_TRUE(h.session.owes_output());
    h.drain_all();
    EXPECT_FALSE(h.session.owes_output());
    EXPECT_FALSE(h.session.idle()) << "half a query is not idle";
    for (std::size_t i = 24; i + 1 < in.size(); ++i) ASSERT_TRUE(h.feed(Bytes{in[i]}));
    EXPECT_EQ(h.session.queries(), 1u);
    ASSERT_TRUE(h.feed(Bytes{in.back()}));
    EXPECT_EQ(h.session.queries(), 2u);
    EXPECT_TRUE(h.session.owes_output());
    h.drain_all();
    EXPECT_TRUE(h.session.idle());
    h.handler.stream_count = 2;
    ASSERT_TRUE(h.feed(frame(message(0xAAAA))));
    EXPECT_TRUE(h.session.owes_output());
}

// A length below the 12-byte header is not a DNS message: earlier answers are still
// delivered, nothing after it is read, and the connection finishes.
TEST(TcpSession, ShortMessageEndsTheConversation) {
    Harness h;
    Bytes short_frame{0x00, 0x0b};
    short_frame.resize(2 + 11, 0);
    ASSERT_TRUE(h.feed(concat({frame(message(1)), short_frame, frame(message(2))})));
    EXPECT_EQ(h.handler.answered, 1);
    EXPECT_FALSE(h.session.wants_input());
    EXPECT_TRUE(h.session.input_space().empty());
    EXPECT_FALSE(h.session.finished());
    EXPECT_EQ(h.drain_all(), frame(message(1)));
    EXPECT_TRUE(h.session.finished());
}

TEST(TcpSession, ZeroLengthAlsoEndsIt) {
    Harness h;
    ASSERT_TRUE(h.feed(Bytes{0, 0}));
    EXPECT_EQ(h.handler.answered, 0);
    EXPECT_TRUE(h.session.finished());
}

// The peer half-closes: complete queries are answered, a partial one is dropped, and the
// session finishes once the answers are out.
TEST(TcpSession, EndOfInputAnswersWhatIsComplete) {
    Harness h;
    Bytes partial = frame(message(2));
    partial.resize(10);
    ASSERT_TRUE(h.feed(concat({frame(message(1)), partial})));
    h.session.input_closed();
    ASSERT_TRUE(h.session.process(h.handler, h.scratch));
    EXPECT_FALSE(h.session.finished());
    EXPECT_EQ(h.drain_all(), frame(message(1)));
    EXPECT_TRUE(h.session.finished());
    EXPECT_EQ(h.handler.answered, 1);
}

// A client that sends but never reads is dropped once its unread answers pass the limit.
TEST(TcpSession, OutputOverTheLimitDropsTheClient) {
    Harness h(TcpSession::kMaxFrame + 1000);
    Bytes q = frame(message(1, 4000));
    int accepted = 0;
    while (h.feed(q)) {
        ++accepted;
        ASSERT_LT(accepted, 1000) << "never dropped";
    }
    // 4002-byte frames: 16 fit in 65537 + 1000 bytes, the 17th is over.
    EXPECT_EQ(accepted, 16);
}

TEST(TcpSession, LimitIsNeverBelowOneFrame) {
    Harness h(10);
    EXPECT_TRUE(h.feed(frame(message(1, TcpSession::kMaxMessage))));
    EXPECT_FALSE(h.feed(frame(message(2))));
}

// A stream (a zone transfer) is pulled only while output is short, and the queries after
// it wait for it to finish: answers stay in order (RFC 7766 §6.2.1.1).
TEST(TcpSession, StreamRunsBeforeLaterQueriesAndFollowsTheReader) {
    Harness h;
    h.handler.stream_count = 10;
    h.handler.stream_size = 10000;
    ASSERT_TRUE(h.feed(concat({frame(message(1)), frame(message(0xAAAA)), frame(message(2))})));
    EXPECT_EQ(h.handler.answered, 2);  // query 2 waits for the stream
    EXPECT_LT(h.handler.pulled, 10);
    EXPECT_LT(h.session.output().size(), TcpSession::kStreamLowWater + 10002 + 100);
    EXPECT_FALSE(h.session.idle());

    Bytes expected = frame(message(1));
    for (std::uint16_t i = 0; i < 10; ++i) expected = concat({expected, frame(message(0x5000 + i, 10000))});
    expected = concat({expected, frame(message(2))});
    EXPECT_EQ(h.drain_all(), expected);
    EXPECT_EQ(h.handler.pulled, 10);
    EXPECT_EQ(h.handler.answered, 3);
    EXPECT_TRUE(h.session.idle());
}

TEST(TcpSession, StopsReadingWhileAStreamHoldsAFullFrameBack) {
    Harness h;
    h.handler.stream_count = 100;
    h.handler.stream_size = 60000;
    ASSERT_TRUE(h.feed(frame(message(0xAAAA))));
    Bytes waiting = frame(message(3, TcpSession::kMaxMessage));
    ASSERT_TRUE(h.feed(waiting));
    EXPECT_FALSE(h.session.wants_input());
    EXPECT_TRUE(h.session.input_space().empty());
    Bytes all = h.drain_all();
    EXPECT_EQ(all.size(), 100 * 60002u + TcpSession::kMaxFrame);
    EXPECT_TRUE(h.session.wants_input());
}

TEST(TcpSession, EndOfInputWaitsForTheStreamAndTheQueriesBehindIt) {
    Harness h;
    ASSERT_TRUE(h.feed(concat({frame(message(0xAAAA)), frame(message(4))})));
    h.session.input_closed();
    ASSERT_TRUE(h.session.process(h.handler, h.scratch));
    Bytes all = h.drain_all();
    EXPECT_EQ(all.size(), 3 * 102u + 22u);
    EXPECT_EQ(h.handler.answered, 2);
    EXPECT_TRUE(h.session.finished());
}

// ---- the query log line ---------------------------------------------------------------

namespace {

Bytes question(std::initializer_list<std::string_view> labels, std::uint16_t qtype) {
    Bytes q(12, 0);
    q[5] = 1;  // QDCOUNT
    for (std::string_view l : labels) {
        q.push_back(static_cast<std::uint8_t>(l.size()));
        q.insert(q.end(), l.begin(), l.end());
    }
    q.push_back(0);
    q.push_back(static_cast<std::uint8_t>(qtype >> 8));
    q.push_back(static_cast<std::uint8_t>(qtype));
    q.push_back(0);
    q.push_back(1);
    return q;
}

std::string line(dnsd::Transport t, const char* peer, const Bytes& q, dnsd::QueryInfo info, std::size_t len,
                 std::size_t cap = 600) {
    std::vector<char> buf(cap);
    std::size_t n = dnsd::format_query_line(buf, t, dnsd::parse_endpoint(peer).value(), q, info, len);
    return std::string(buf.data(), n);
}

}  // namespace

TEST(QueryLog, OneLinePerQuery) {
    dnsd::QueryInfo info;
    info.qtype = 15;
    EXPECT_EQ(line(dnsd::Transport::Udp, "127.0.0.1:40000", question({"Oxford", "smarthost", "local"}, 15), info, 183),
              "dnsd: query udp 127.0.0.1:40000 Oxford.smarthost.local. MX NOERROR 183\n");
    info.qtype = 16;
    info.truncated = true;
    EXPECT_EQ(line(dnsd::Transport::Udp, "[::1]:53", question({"big"}, 16), info, 500),
              "dnsd: query udp [::1]:53 big. TXT NOERROR 500 TC\n");
    info = {};
    info.qtype = 252;
    info.rcode = 5;
    EXPECT_EQ(line(dnsd::Transport::Tcp, "127.0.0.1:1", question({}, 252), info, 40),
              "dnsd: query tcp 127.0.0.1:1 . AXFR REFUSED 40\n");
}

TEST(QueryLog, UnusualInputStaysReadable) {
    dnsd::QueryInfo info;
    info.qtype = 65;
    info.rcode = 9;
    EXPECT_EQ(line(dnsd::Transport::Udp, "127.0.0.1:5", question({"a.b", std::string_view("c\0", 2)}, 65), info, 0),
              "dnsd: query udp 127.0.0.1:5 a\\.b.c\\000. TYPE65 dropped\n");
    EXPECT_EQ(line(dnsd::Transport::Udp, "127.0.0.1:5", question({"x"}, 1), info, 30),
              "dnsd: query udp 127.0.0.1:5 x. TYPE65 RCODE9 30\n");
    Bytes cut = question({"oxford"}, 1);
    cut.resize(15);  // the label runs past the end
    EXPECT_EQ(line(dnsd::Transport::Udp, "127.0.0.1:5", cut, info, 0),
              "dnsd: query udp 127.0.0.1:5 - TYPE65 dropped\n");
    // A small buffer cuts the line short but keeps the newline.
    EXPECT_EQ(line(dnsd::Transport::Udp, "127.0.0.1:5", cut, info, 0, 12), "dnsd: query\n");
}

// ---- the server in this process: table swaps and the transfer hook -----------------------

namespace {

std::shared_ptr<const dnsd::AnswerTable> table_with_serial(std::uint32_t serial) {
    auto name = [](const char* s) { return *zonegen::Name::parse(s); };
    zonegen::ZoneBuilder b(name("example.test"));
    b.add(name("example.test"), 300,
          zonegen::Soa{name("ns.example.test"), name("hostmaster.example.test"), serial, 3600, 600, 86400, 300});
    b.add(name("example.test"), 300, zonegen::Ns{name("ns.example.test")});
    b.add(name("ns.example.test"), 300, zonegen::A{{192, 0, 2, 53}});
    auto zone = std::move(b).finish();
    EXPECT_TRUE(zone);
    std::vector<zonegen::Zone> zones;
    zones.push_back(std::move(zone).value());
    auto table = dnsd::AnswerTable::compile(std::move(zones));
    EXPECT_TRUE(table);
    return table.value();
}

std::unique_ptr<dnsd::Server> start_server(std::shared_ptr<const dnsd::AnswerTable> table,
                                           dnsd::TransferHook hook = {}) {
    dnsd::ServerOptions o;
    o.listen.push_back(dnsd::parse_endpoint("127.0.0.1:0").value());
    o.transfer = std::move(hook);
    auto server = dnsd::Server::start(std::move(o), std::move(table));
    EXPECT_TRUE(server);
    return server ? std::move(server).value() : nullptr;
}

std::string soa_serial(std::uint16_t port) {
    auto answer = testsupport::udp_exchange_at("127.0.0.1", port, dnstest::query("example.test", 6));
    if (!answer) return "no answer";
    auto d = dnstest::decode(*answer);
    if (d.answer.size() != 1) return "no SOA";
    auto end = d.answer[0].rfind(" 3600 600 86400 300");
    auto start = d.answer[0].rfind(' ', end - 1);
    return d.answer[0].substr(start + 1, end - start - 1);
}

}  // namespace

TEST(Server, BindsOnePortForUdpAndTcpAndSwapsTables) {
    auto server = start_server(table_with_serial(1));
    ASSERT_TRUE(server);
    ASSERT_EQ(server->bound().size(), 1u);
    std::uint16_t port = server->bound()[0].port();
    EXPECT_NE(port, 0);
    EXPECT_EQ(server->bound_text(), "udp 127.0.0.1:" + std::to_string(port) + " tcp 127.0.0.1:" + std::to_string(port));
    EXPECT_EQ(soa_serial(port), "1");
    server->set_table(table_with_serial(2));
    EXPECT_EQ(soa_serial(port), "2");
    EXPECT_EQ(server->table()->zones().front().serial(), 2u);
    server->stop();
    server->stop();  // idempotent
    EXPECT_FALSE(testsupport::udp_exchange_at("127.0.0.1", port, dnstest::query("example.test", 6), 300ms));
}

// Without a transfer hook an AXFR gets respond()'s REFUSED; with one, the hook's stream is
// sent instead, from the snapshot taken when the query arrived.
TEST(Server, TransferHookStreamsInsteadOfRefusing) {
    auto plain = start_server(table_with_serial(1));
    ASSERT_TRUE(plain);
    testsupport::TcpConnection c1("127.0.0.1", plain->bound()[0].port());
    ASSERT_TRUE(c1.send(testsupport::framed(dnstest::query("example.test", 252))));
    auto refused = c1.read_frame();
    ASSERT_TRUE(refused);
    EXPECT_EQ(dnstest::decode(*refused).rcode, 5);

    int pulled = 0;
    std::string peer;
    std::uint32_t snapshot_serial = 0;
    auto hook = [&](std::shared_ptr<const dnsd::AnswerTable> snapshot, std::span<const std::uint8_t> query,
                    const dnsd::Endpoint& from) {
        snapshot_serial = snapshot->zones().front().serial();
        peer = from.text();
        EXPECT_GE(query.size(), 12u);
        return std::make_unique<FakeStream>(0x7000, 3, 200, &pulled);
    };
    auto hooked = start_server(table_with_serial(7), hook);
    ASSERT_TRUE(hooked);
    testsupport::TcpConnection c2("127.0.0.1", hooked->bound()[0].port());
    Bytes two = testsupport::framed(dnstest::query("example.test", 252));
    Bytes soa = testsupport::framed(dnstest::query("example.test", 6));
    two.insert(two.end(), soa.begin(), soa.end());
    ASSERT_TRUE(c2.send(two));
    for (std::uint16_t i = 0; i < 3; ++i) {
        auto m = c2.read_frame();
        ASSERT_TRUE(m);
        EXPECT_EQ(*m, message(0x7000 + i, 200));
    }
    auto after = c2.read_frame();  // the query behind the transfer, answered after it
    ASSERT_TRUE(after);
    EXPECT_EQ(dnstest::decode(*after).answer.size(), 1u);
    hooked->stop();
    EXPECT_EQ(pulled, 3);
    EXPECT_EQ(snapshot_serial, 7u);
    EXPECT_EQ(peer.rfind("127.0.0.1:", 0), 0u) << peer;
}
