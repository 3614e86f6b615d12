// The TCP session without sockets: framing, pipelining, partial reads and writes, the
// output limit, and streams (zone transfers) interleaved with the queries behind them.
#include "dnsd/net/tcp_session.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "tests/dnsd/net/stream_fixture.hpp"

using dnsd::TcpSession;
using nettest::Bytes;
using nettest::FakeStream;
using nettest::message;

namespace {

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

// A response where a query belongs (QR set, RFC 1035 §4.1.1): the answers before it are
// sent, then the session finishes. QR is judged from the first three octets of the message,
// before the rest has come.
TEST(TcpSession, AResponseEndsTheConversation) {
    Harness h;
    Bytes response = message(2, 60000);
    response[2] = 0x81;
    Bytes input = concat({frame(message(1)), frame(response), frame(message(3))});
    input.resize(2 + 20 + 2 + 3);  // the first query, then only the response's length, ID and flags
    ASSERT_TRUE(h.feed(input));
    EXPECT_EQ(h.handler.answered, 1);
    EXPECT_FALSE(h.session.wants_input());
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
