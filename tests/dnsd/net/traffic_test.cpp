// The workers' counters (dnsd/net/traffic.hpp): slots, labels, and what one query adds.
#include "dnsd/net/traffic.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace dnsd {
namespace {

TEST(Traffic, TypesRcodesAndSizesFallIntoTheirSlots) {
    EXPECT_EQ(type_label(Traffic::type_slot(1)), "A");
    EXPECT_EQ(type_label(Traffic::type_slot(15)), "MX");
    EXPECT_EQ(type_label(Traffic::type_slot(252)), "AXFR");
    EXPECT_EQ(type_label(Traffic::type_slot(99)), "other");
    EXPECT_EQ(type_label(Traffic::type_slot(0)), "other");
    EXPECT_EQ(rcode_label(Traffic::rcode_slot(3)), "NXDOMAIN");
    EXPECT_EQ(rcode_label(Traffic::rcode_slot(9)), "NOTAUTH");
    EXPECT_EQ(rcode_label(Traffic::rcode_slot(16)), "BADVERS");
    EXPECT_EQ(rcode_label(Traffic::rcode_slot(6)), "other");
    // Upper bounds 32, 64, ...: a size on a bound is in that bound's bucket.
    EXPECT_EQ(Traffic::size_slot(1), 0u);
    EXPECT_EQ(Traffic::size_slot(32), 0u);
    EXPECT_EQ(Traffic::size_slot(33), 1u);
    EXPECT_EQ(Traffic::size_slot(512), 4u);
    EXPECT_EQ(Traffic::size_slot(513), 5u);
    EXPECT_EQ(Traffic::size_slot(65535), Traffic::kSizeBuckets - 1);
    EXPECT_EQ(Traffic::size_slot(1u << 20), Traffic::kSizeBuckets - 1);
}

TEST(Traffic, AQueryCountsOnceWhereItBelongs) {
    Traffic t;
    QueryInfo mx{.qtype = 15, .rcode = 0, .truncated = true};
    t.query(Transport::Udp, mx, 500);
    QueryInfo bad{.qtype = 1, .rcode = 1};
    bad.malformed = ParseStatus::TrailingData;
    t.query(Transport::Tcp, bad, 40);
    QueryInfo dropped;
    dropped.dropped = Dropped::Response;
    t.query(Transport::Udp, dropped, 0);
    t.tcp_opened();
    t.tcp_closed(CloseReason::IdleTimeout);
    t.send_failed();

    Traffic::Totals sum;
    t.add_to(sum);
    t.add_to(sum);  // a second worker with the same counts
    EXPECT_EQ(sum.queries[0][Traffic::type_slot(15)][0], 2u);
    EXPECT_EQ(sum.queries[1][Traffic::type_slot(1)][1], 2u);
    EXPECT_EQ(sum.truncated[0], 2u);
    EXPECT_EQ(sum.truncated[1], 0u);
    EXPECT_EQ(sum.sizes[0][4], 2u);
    EXPECT_EQ(sum.bytes[0], 1000u);
    EXPECT_EQ(sum.bytes[1], 80u);
    EXPECT_EQ(sum.malformed[1][static_cast<std::size_t>(ParseStatus::TrailingData)], 2u);
    EXPECT_EQ(sum.dropped[0][static_cast<std::size_t>(Dropped::Response)], 2u);
    EXPECT_EQ(malformed_label(static_cast<std::size_t>(ParseStatus::TrailingData)), "trailing_data");
    EXPECT_EQ(dropped_label(static_cast<std::size_t>(Dropped::Response)), "response");
    EXPECT_EQ(sum.opened, 2u);
    EXPECT_EQ(sum.closed[static_cast<std::size_t>(CloseReason::IdleTimeout)], 2u);
    EXPECT_EQ(close_label(static_cast<std::size_t>(CloseReason::IdleTimeout)), "idle_timeout");
    EXPECT_EQ(sum.send_failed, 2u);
    std::uint64_t queries = 0;
    for (auto& x : sum.queries)
        for (auto& y : x)
            for (auto v : y) queries += v;
    EXPECT_EQ(queries, 4u);  // the dropped packet is not a query answered
}

// One writer, one reader on another thread: the reader sees counts only grow, and the
// last one whole (no torn or lost increments from the writer's side).
TEST(Traffic, AReaderOnAnotherThreadSeesTheWritersCounts) {
    Traffic t;
    constexpr int kQueries = 200000;
    std::thread writer([&] {
        QueryInfo a{.qtype = 1};
        for (int i = 0; i < kQueries; ++i) t.query(Transport::Udp, a, 100);
    });
    std::uint64_t last = 0;
    bool monotonic = true;
    for (int i = 0; i < 1000; ++i) {
        Traffic::Totals s;
        t.add_to(s);
        monotonic = monotonic && s.queries[0][0][0] >= last;
        last = s.queries[0][0][0];
    }
    writer.join();
    Traffic::Totals s;
    t.add_to(s);
    EXPECT_TRUE(monotonic);
    EXPECT_EQ(s.queries[0][0][0], static_cast<std::uint64_t>(kQueries));
    EXPECT_EQ(s.bytes[0], 100u * kQueries);
}

}  // namespace
}  // namespace dnsd
