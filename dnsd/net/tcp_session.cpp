// TCP framing and pipelining for one connection (RFC 7766 §6.2.1.1, §8).
#include "dnsd/net/tcp_session.hpp"

#include <algorithm>
#include <cstring>

namespace dnsd {

TcpSession::TcpSession(std::size_t max_output) : max_output_(std::max(max_output, kMaxFrame)) {}

std::span<std::uint8_t> TcpSession::input_space() {
    if (!wants_input()) return {};
    if (in_begin_ > 0) {  // keep the unconsumed tail at the front so a frame is contiguous
        std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
        in_end_ -= in_begin_;
        in_begin_ = 0;
    }
    if (in_end_ == in_.size()) in_.resize(std::min(kMaxFrame, std::max<std::size_t>(4096, 2 * in_.size())));
    return {in_.data() + in_end_, in_.size() - in_end_};
}

void TcpSession::received(std::size_t n) { in_end_ = std::min(in_end_ + n, in_.size()); }

void TcpSession::input_closed() { input_closed_ = true; }

void TcpSession::append_frame(std::span<std::uint8_t> scratch, std::size_t len) {
    scratch[0] = static_cast<std::uint8_t>(len >> 8);
    scratch[1] = static_cast<std::uint8_t>(len & 0xff);
    out_.insert(out_.end(), scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(2 + len));
}

void TcpSession::pump_stream(std::span<std::uint8_t> scratch) {
    while (stream_ && output().size() < kStreamLowWater) {
        std::size_t len = stream_->next(scratch.subspan(2, kMaxMessage));
        if (len == 0) {
            stream_.reset();
            break;
        }
        append_frame(scratch, std::min(len, kMaxMessage));
    }
}

bool TcpSession::process(QueryHandler& handler, std::span<std::uint8_t> scratch) {
    for (;;) {
        pump_stream(scratch);
        if (stream_) break;  // later queries wait their turn: answers stay in order
        std::size_t avail = in_end_ - in_begin_;
        if (avail < 2) break;
        const std::uint8_t* frame = in_.data() + in_begin_;
        std::size_t len = static_cast<std::size_t>(frame[0]) << 8 | frame[1];
        // Not a DNS message, or a response (QR set, RFC 1035 §4.1.1) where only queries may
        // come: the peer is broken or hostile, and nothing after it can be trusted either.
        // The answers owed are sent, then the connection closes (as NSD does), and the slot
        // goes to a real client. QR is read as soon as its octet is in: 64 KiB of garbage
        // is not waited for.
        if (len < kMinQuery || (avail >= 5 && (frame[4] & 0x80) != 0)) {
            in_begin_ = in_end_ = 0;
            input_closed_ = true;
            break;
        }
        if (avail < 2 + len) break;
        std::unique_ptr<MessageStream> stream;
        std::size_t answer = handler.answer({frame + 2, len}, scratch.subspan(2, kMaxMessage), stream);
        in_begin_ += 2 + len;
        ++queries_;
        if (answer > 0) append_frame(scratch, std::min(answer, kMaxMessage));
        stream_ = std::move(stream);
        if (output().size() > max_output_) return false;
    }
    // Without a stream the loop stopped at a partial frame (or none); after EOF it can never
    // complete, so it is dropped.
    if (in_begin_ == in_end_ || (input_closed_ && !stream_)) in_begin_ = in_end_ = 0;
    return true;
}

void TcpSession::sent(std::size_t n) {
    out_begin_ += std::min(n, out_.size() - out_begin_);
    if (out_begin_ == out_.size()) {
        out_.clear();
        out_begin_ = 0;
    } else if (out_begin_ >= kMaxFrame) {  // reclaim the front now and then, not per write
        out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_begin_));
        out_begin_ = 0;
    }
}

}  // namespace dnsd
