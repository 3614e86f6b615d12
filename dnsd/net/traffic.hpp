// What the workers count for /metrics (issue 15): queries by transport, type and rcode,
// truncated answers, answer sizes, dropped and malformed packets, TCP connections. Each
// worker owns one Traffic and is its only writer: a count is a plain load and store of a
// relaxed atomic (no locked instruction, no cache line shared with another worker), and a
// scrape reads every worker's counters and adds them up (Traffic::Totals), so the packet
// path pays a few increments in memory it already owns (DESIGN "Hot path").
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dnsd/answer/respond.hpp"

namespace dnsd {

// One counter with one writer. A relaxed load and store compile to plain moves; a reader on
// another thread sees some recent value, never a torn one.
class Count {
public:
    void add(std::uint64_t n = 1) noexcept {
        v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    std::uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> v_{0};
};

// Why a TCP connection was closed.
enum class CloseReason : std::uint8_t {
    Peer,         // the client closed, or sent what is not a DNS query (RFC 7766 §6.2.3)
    Error,        // a socket error
    IdleTimeout,  // no query within the idle timeout (shorter under pressure)
    IoTimeout,    // a query that did not arrive whole, or answers not read, in time
    Evicted,      // idle, and its slot went to a new client at the cap
    OutputLimit,  // answers piled up unread beyond max_pending_output
    Refused,      // at the cap with no idle connection to give up: closed on accept
    Shutdown,     // dnsd stopped
    Count_,
};

// Cache-line aligned, so that two workers' counters never share a line.
class alignas(64) Traffic {
public:
    // The query types with a label of their own; the rest are "other" (cardinality stays
    // bounded whatever clients send, as CoreDNS does).
    static constexpr std::array<std::uint16_t, 12> kTypes = {1, 2, 5, 6, 12, 15, 16, 28, 33, 251, 252, 255};
    static constexpr std::size_t kTypeSlots = kTypes.size() + 1;
    // NOERROR..REFUSED, NOTAUTH (RFC 8945 TSIG errors), BADVERS (RFC 6891), then "other".
    static constexpr std::array<std::uint8_t, 8> kRcodes = {0, 1, 2, 3, 4, 5, 9, 16};
    static constexpr std::size_t kRcodeSlots = kRcodes.size() + 1;
    // Answer sizes: buckets with upper bounds 32, 64, ... 32768 octets (powers of two, as
    // CoreDNS's coredns_dns_response_size_bytes), then +Inf.
    static constexpr std::size_t kSizeBuckets = 12;
    static constexpr std::size_t kMalformedSlots = 8;  // ParseStatus values; Ok unused
    static constexpr std::size_t kDroppedSlots = 4;    // Dropped values; No unused
    static constexpr std::size_t kCloseSlots = static_cast<std::size_t>(CloseReason::Count_);

    static constexpr std::size_t type_slot(std::uint16_t type) noexcept {
        for (std::size_t i = 0; i < kTypes.size(); ++i)
            if (kTypes[i] == type) return i;
        return kTypes.size();
    }
    static constexpr std::size_t rcode_slot(std::uint8_t rcode) noexcept {
        for (std::size_t i = 0; i < kRcodes.size(); ++i)
            if (kRcodes[i] == rcode) return i;
        return kRcodes.size();
    }
    // The bucket of an answer of len octets: the smallest 2^(5+i) >= len.
    static constexpr std::size_t size_slot(std::size_t len) noexcept {
        const std::size_t width = len <= 32 ? 5 : static_cast<std::size_t>(std::bit_width(len - 1));
        return width - 5 < kSizeBuckets ? width - 5 : kSizeBuckets - 1;
    }

    // One query that respond() (and the signed-query hook) answered, or did not: len 0.
    void query(Transport transport, const QueryInfo& info, std::size_t len) noexcept {
        const auto t = static_cast<std::size_t>(transport);
        if (info.malformed != ParseStatus::Ok) malformed_[t][static_cast<std::size_t>(info.malformed)].add();
        if (len == 0) {
            dropped_[t][static_cast<std::size_t>(info.dropped)].add();
            return;
        }
        queries_[t][type_slot(info.qtype)][rcode_slot(info.rcode)].add();
        if (info.truncated) truncated_[t].add();
        sizes_[t][size_slot(len)].add();
        bytes_[t].add(len);
    }
    // A UDP answer the socket did not take (a full send buffer, an unreachable peer).
    void send_failed() noexcept { send_failed_.add(); }
    void tcp_opened() noexcept { opened_.add(); }
    void tcp_closed(CloseReason why) noexcept { closed_[static_cast<std::size_t>(why)].add(); }

    // Every worker's counters added up, at scrape time.
    struct Totals {
        std::uint64_t queries[2][kTypeSlots][kRcodeSlots] = {};
        std::uint64_t truncated[2] = {};
        std::uint64_t sizes[2][kSizeBuckets] = {};  // per bucket, not cumulative
        std::uint64_t bytes[2] = {};
        std::uint64_t malformed[2][kMalformedSlots] = {};
        std::uint64_t dropped[2][kDroppedSlots] = {};
        std::uint64_t send_failed = 0;
        std::uint64_t opened = 0;
        std::uint64_t closed[kCloseSlots] = {};
    };
    void add_to(Totals& totals) const noexcept;

private:
    Count queries_[2][kTypeSlots][kRcodeSlots];
    Count truncated_[2];
    Count sizes_[2][kSizeBuckets];
    Count bytes_[2];
    Count malformed_[2][kMalformedSlots];
    Count dropped_[2][kDroppedSlots];
    Count send_failed_;
    Count opened_;
    Count closed_[kCloseSlots];
};

static_assert(alignof(Traffic) >= 64 && sizeof(Traffic) % 64 == 0, "one worker's counters, whole cache lines");

// Label values, as /metrics shows them.
std::string_view transport_label(std::size_t transport);  // "udp", "tcp"
std::string_view type_label(std::size_t slot);            // "A", ..., "other"
std::string_view rcode_label(std::size_t slot);           // "NOERROR", ..., "other"
std::string_view malformed_label(std::size_t slot);       // "question_count", ...
std::string_view dropped_label(std::size_t slot);         // "short", "response", "no_room"
std::string_view close_label(std::size_t slot);           // "peer", "idle_timeout", ...

}  // namespace dnsd
