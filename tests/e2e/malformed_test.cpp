// The malformed-input contract against a running dnsd: every packet of malformed_cases.hpp,
// over UDP and over TCP, is dropped or answered exactly as the table says (FORMERR, NOTIMP,
// BADVERS, NODATA or the answer), and a valid query right after each, over UDP and over
// TCP, is answered correctly. Also a 64 KiB message over TCP. One dnsd serves the whole
// run, so a crash anywhere shows.
#include <gtest/gtest.h>

#include "tests/dnsd/answer/malformed_cases.hpp"
#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;
using malformed::Expect;

namespace {

constexpr const char* kZone =
    "$ORIGIN example.test.\n"
    "@    300 IN SOA ns admin 1 2 3 4 5\n"
    "@    300 IN NS  ns\n"
    "ns   300 IN A   192.0.2.1\n"
    "site 300 IN MX  10 ns\n";

// A valid query with its own ID, so that a late answer to the case before cannot pass for it.
malformed::Case valid_query() {
    dnstest::QueryOptions o;
    o.id = 0x5151;
    o.rd = true;
    return {"valid query", dnstest::query("site.example.test", malformed::kMx, o), Expect::Answer, std::nullopt};
}

void expect_alive(std::uint16_t port, const std::string& after) {
    const malformed::Case valid = valid_query();
    auto r = udp_exchange_at("127.0.0.1", port, valid.bytes);
    ASSERT_TRUE(r) << "no UDP answer to a valid query after: " << after;
    EXPECT_EQ(malformed::mismatch(valid, *r), "") << "UDP, after: " << after;
    TcpConnection conn("127.0.0.1", port);
    ASSERT_TRUE(conn.connected()) << "after: " << after;
    ASSERT_TRUE(conn.send(framed(valid.bytes)));
    r = conn.read_frame();
    ASSERT_TRUE(r) << "no TCP answer to a valid query after: " << after;
    EXPECT_EQ(malformed::mismatch(valid, *r), "") << "TCP, after: " << after;
}

void check(const malformed::Case& c, const std::optional<Bytes>& response, bool tcp) {
    const std::string what = std::string(c.what) + (tcp ? " over tcp" : " over udp");
    if (c.on(tcp) == Expect::Drop) {
        EXPECT_FALSE(response) << what;
        return;
    }
    ASSERT_TRUE(response) << what << ": no response";
    EXPECT_EQ(malformed::mismatch(c, *response, tcp), "") << what;
}

class DnsdMalformed : public ::testing::Test {
protected:
    void SetUp() override {
        write_text(dir_ / "example.test.zone", kZone);
        dnsd_ = std::make_unique<Dnsd>(DNSD_BIN, std::vector<std::string>{"--zone", dir_ / "example.test.zone",
                                                                          "--listen", "127.0.0.1:0"});
        ASSERT_TRUE(dnsd_->ready()) << dnsd_->process().err();
        port_ = dnsd_->port();
    }
    void TearDown() override {
        if (dnsd_ && dnsd_->ready()) {
            auto status = dnsd_->process().stop();
            EXPECT_EQ(status, 0) << "dnsd did not stop cleanly:\n" << dnsd_->process().err();
        }
    }
    TempDir dir_;
    std::unique_ptr<Dnsd> dnsd_;
    std::uint16_t port_ = 0;
};

}  // namespace

TEST_F(DnsdMalformed, EveryCaseOverUdpThenAValidQuery) {
    for (const auto& c : malformed::cases()) {
        // A dropped packet is judged by silence, so a short wait is enough: dnsd answers
        // loopback queries in well under a millisecond.
        auto r = udp_exchange_at("127.0.0.1", port_, c.bytes, std::chrono::milliseconds(300));
        check(c, r, false);
        expect_alive(port_, c.what);
    }
}

TEST_F(DnsdMalformed, EveryCaseOverTcpThenAValidQuery) {
    for (const auto& c : malformed::cases()) {
        // Messages shorter than a header: dnsd closes the connection unanswered (e2e_tcp_test).
        TcpConnection conn("127.0.0.1", port_);
        ASSERT_TRUE(conn.connected());
        ASSERT_TRUE(conn.send(framed(c.bytes)));
        auto r = conn.read_frame(std::chrono::milliseconds(c.on(true) == Expect::Drop ? 300 : 2000));
        check(c, r, true);
        expect_alive(port_, c.what);
    }
}

TEST_F(DnsdMalformed, SixtyFourKibOverTcp) {
    // A valid question followed by garbage up to the largest TCP message: FORMERR.
    dnstest::Packet p;
    p.header(0x4242, 0x0100, 1, 0, 0, 0).name("site.example.test").u16(15).u16(1);
    while (p.size() < 65535) p.u8(0xAB);
    TcpConnection conn("127.0.0.1", port_);
    ASSERT_TRUE(conn.send(framed(p)));
    auto r = conn.read_frame(std::chrono::seconds(3));
    ASSERT_TRUE(r);
    auto d = dnstest::decode(*r);
    EXPECT_EQ(d.rcode, 1);
    // The same connection still works.
    ASSERT_TRUE(conn.send(framed(dnstest::query("site.example.test", 15))));
    auto again = conn.read_frame();
    ASSERT_TRUE(again);
    EXPECT_EQ(dnstest::decode(*again).answer.size(), 1u);
    expect_alive(port_, "64 KiB over TCP");
}
