// One TCP client's DNS conversation without the socket (RFC 7766): two-byte length framing
// (RFC 1035 §4.2.2), pipelined queries answered in the order they arrive (RFC 7766
// §6.2.1.1), reads and writes of any size, and bounded output. The event loop only moves
// bytes between the socket and this object, so every rule here is tested without one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace dnsd {

// The rest of an answer that takes more than one message: a zone transfer (RFC 5936 §2.2).
// The session pulls one message at a time, and only while its output is short, so a slow
// secondary slows its own stream without the zone piling up in memory.
class MessageStream {
public:
    virtual ~MessageStream() = default;
    // Writes the next message into out (which holds 65535 bytes) and returns its length;
    // 0 when the stream is complete.
    virtual std::size_t next(std::span<std::uint8_t> out) = 0;
};

class QueryHandler {
public:
    virtual ~QueryHandler() = default;
    // Answers one query into out (at least 512 bytes) and returns the length, 0 for no
    // answer. Setting stream makes its messages follow that answer before the next query.
    virtual std::size_t answer(std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                               std::unique_ptr<MessageStream>& stream) = 0;
};

class TcpSession {
public:
    static constexpr std::size_t kMaxMessage = 65535;          // the length field's range
    static constexpr std::size_t kMaxFrame = 2 + kMaxMessage;  // a message with its length
    static constexpr std::size_t kMinQuery = 12;               // the header, RFC 1035 §4.1.1
    static constexpr std::size_t kStreamLowWater = 32 * 1024;  // pull stream messages below this

    // max_output: pending output beyond this means the client is not reading; the
    // connection is dropped. Never less than one full frame.
    explicit TcpSession(std::size_t max_output);

    // Where the next read from the socket goes; empty when no input is wanted now (the peer
    // closed, or a stream is being sent and a full frame of later queries already waits).
    std::span<std::uint8_t> input_space();
    void received(std::size_t n);
    void input_closed();  // the peer sent FIN: answer what is complete, then finish

    // Answers every complete query, in order, into the output. scratch holds a frame
    // (kMaxFrame bytes). Returns false when the connection must be dropped now: output over
    // the limit. A length below 12 bytes is not a DNS message, and a message with QR set is
    // not a query: the session stops reading and finishes after sending the answers before it.
    bool process(QueryHandler& handler, std::span<std::uint8_t> scratch);

    std::span<const std::uint8_t> output() const { return {out_.data() + out_begin_, out_.size() - out_begin_}; }
    void sent(std::size_t n);  // n bytes of output() were written; call process() again

    bool wants_input() const { return !input_closed_ && in_end_ - in_begin_ < kMaxFrame; }
    // Nothing half read, nothing to send, no stream: may be closed without losing an answer
    // (RFC 7766 §6.2.3, a server under pressure closes idle connections first).
    bool idle() const { return in_end_ == in_begin_ && output().empty() && !stream_; }
    // The peer is done sending and everything owed to it is written: close the connection.
    bool finished() const { return input_closed_ && output().empty() && !stream_; }
    // Answers are waiting to be written, or a stream has more to send.
    bool owes_output() const { return !output().empty() || stream_; }
    // Complete queries taken off the input so far: the event loop times each query from
    // its first byte, and needs to see when one has ended.
    std::uint64_t queries() const { return queries_; }

private:
    void append_frame(std::span<std::uint8_t> scratch, std::size_t len);
    void pump_stream(std::span<std::uint8_t> scratch);

    std::size_t max_output_;
    std::vector<std::uint8_t> in_;
    std::size_t in_begin_ = 0, in_end_ = 0;  // unconsumed input is in_[in_begin_, in_end_)
    std::vector<std::uint8_t> out_;
    std::size_t out_begin_ = 0;  // unsent output is out_[out_begin_, end)
    std::unique_ptr<MessageStream> stream_;
    bool input_closed_ = false;
    std::uint64_t queries_ = 0;
};

}  // namespace dnsd
