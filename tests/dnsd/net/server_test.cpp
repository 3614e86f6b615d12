// A Server in this process: one port for UDP and TCP, table swaps seen by the next query,
// and the zone-transfer hook streaming instead of respond()'s REFUSED.
#include "dnsd/net/server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/dnsd/net/stream_fixture.hpp"
#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"

using namespace std::chrono_literals;
using nettest::Bytes;
using nettest::FakeStream;
using nettest::message;

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
    auto table = dnsd::AnswerTable::compile(zones);
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
    EXPECT_EQ(server->bound_text(),
              "udp 127.0.0.1:" + std::to_string(port) + " tcp 127.0.0.1:" + std::to_string(port));
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
