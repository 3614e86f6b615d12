// dnsd --http end to end (issue 15): a scripted query mix over UDP and TCP, then /metrics
// read back and every counter checked against what was sent (types, rcodes, a truncated
// answer, malformed and dropped packets, a refused transfer, reloads), the exposition
// checked by promtool, and /healthz and / read as a client would.
#include <signal.h>

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

// oxford and cambridge fall back to each other; "big" has 40 smarthosts, so that its MX
// answer cannot fit 512 octets and is truncated for a client without EDNS.
// oxford_name: another name makes a broken inventory whose error quotes it.
std::string inventory(std::uint32_t serial, const std::string& oxford_name = "oxford") {
    std::string big;
    for (int i = 0; i < 40; ++i)
        big += std::string(i ? ", " : "") + R"({ "name": "h)" + std::to_string(i) + R"(", "ipv4": ["192.0.2.)" +
               std::to_string(i + 100) + R"("] })";
    return std::string(R"({ "zone": "lab.test", "ttl": 300, "serial": )") + std::to_string(serial) + R"(,
  "nameservers": [ { "name": "ns1", "ipv4": ["192.0.2.53"] } ],
  "sites": [
    { "name": ")" +
           oxford_name + R"(", "smarthosts": [ { "name": "mail1", "ipv4": ["192.0.2.11"] },
                                        { "name": "mail2", "ipv4": ["192.0.2.12"] } ], "fallback": ["cambridge"] },
    { "name": "cambridge", "smarthosts": [ { "name": "mail", "ipv4": ["198.51.100.25"] } ], "fallback": ["oxford"] },
    { "name": "big", "smarthosts": [ )" +
           big + R"( ], "fallback": ["oxford"] } ] })";
}

struct Running {
    TempDir dir;
    std::string sites = dir / "sites.json";
    std::unique_ptr<Dnsd> dnsd;
    std::uint16_t http = 0;

    explicit Running(std::vector<std::string> extra = {}) {
        write_text(sites, inventory(2026120601));
        std::vector<std::string> args = {"--inventory", sites, "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"};
        args.insert(args.end(), extra.begin(), extra.end());
        dnsd = std::make_unique<Dnsd>(DNSD_BIN, args);
        if (auto line = dnsd->process().wait_for_line("dnsd: http on ", 1s)) http = http_port_of(*line);
    }
    std::uint16_t port() const { return dnsd->port(); }
    std::map<std::string, double> metrics() const {
        auto r = http_get("127.0.0.1", http, "/metrics");
        return r && r->status == 200 ? parse_samples(r->body) : std::map<std::string, double>{};
    }
};

double at(const std::map<std::string, double>& m, const std::string& name, const std::string& labels = "") {
    auto it = m.find(sample_key(name, labels));
    return it == m.end() ? -1 : it->second;
}

// Sum of every sample of a family whose labels include all of want ("a=1,b=2").
double sum_of(const std::map<std::string, double>& m, const std::string& name, const std::string& want = "") {
    const std::string wanted = sample_key("", want);  // {a="1",b="2"}
    std::vector<std::string> parts;
    if (wanted.size() > 2) {
        std::string inner = wanted.substr(1, wanted.size() - 2), part;
        std::istringstream in(inner);
        while (std::getline(in, part, ',')) parts.push_back(part);
    }
    double total = 0;
    for (const auto& [key, value] : m) {
        if (key.compare(0, name.size() + 1, name + "{") != 0 && key != name) continue;
        bool all = true;
        for (const auto& p : parts) all = all && key.find(p) != std::string::npos;
        if (all) total += value;
    }
    return total;
}

std::size_t udp_size(std::uint16_t port, std::vector<std::uint8_t> q, bool* tc = nullptr) {
    auto reply = udp_exchange_at("127.0.0.1", port, q);
    if (!reply) return 0;
    if (tc) *tc = dnstest::decode(*reply).tc;
    return reply->size();
}

}  // namespace

TEST(Metrics, EveryCounterMatchesTheScriptedQueryMix) {
    Running r;
    ASSERT_TRUE(r.dnsd->ready()) << r.dnsd->process().err();
    ASSERT_NE(r.http, 0) << r.dnsd->process().err();
    const std::uint16_t port = r.port();

    // UDP: each kind a known number of times, the answer sizes added up.
    std::size_t bytes = 0, answered = 0;
    auto send = [&](int times, const char* name, std::uint16_t type) {
        for (int i = 0; i < times; ++i) {
            const std::size_t n = udp_size(port, dnstest::query(name, type));
            ASSERT_GT(n, 0u) << name;
            bytes += n;
            ++answered;
        }
    };
    send(5, "mail1.oxford.lab.test", 1);   // A, NOERROR
    send(3, "oxford.lab.test", 15);        // MX, NOERROR
    send(2, "mail1.oxford.lab.test", 28);  // AAAA, NOERROR (no data)
    send(1, "oxford.lab.test", 99);        // SPF: folded into "other"
    send(2, "nowhere.lab.test", 1);        // NXDOMAIN
    send(1, "example.org", 1);             // REFUSED: not our zone
    bool tc = false;
    const std::size_t truncated = udp_size(port, dnstest::query("big.lab.test", 15), &tc);  // no EDNS: 512
    ASSERT_TRUE(tc);
    bytes += truncated;
    ++answered;
    // Malformed: QDCOUNT 2 with one question (RFC 9619): FORMERR.
    auto two = dnstest::query("oxford.lab.test", 15);
    two[5] = 2;
    const std::size_t formerr = udp_size(port, two);
    ASSERT_GT(formerr, 0u);
    bytes += formerr;
    ++answered;
    // Dropped: too short for a header, and a response (QR set).
    const std::vector<std::uint8_t> shorty = {1, 2, 3, 4, 5};
    EXPECT_EQ(udp_size(port, shorty), 0u);
    auto response = dnstest::query("oxford.lab.test", 15);
    response[2] |= 0x80;
    EXPECT_EQ(udp_size(port, response), 0u);

    // TCP: two pipelined A queries, then a refused AXFR (no --allow-transfer), then close.
    {
        TcpConnection c("127.0.0.1", port);
        ASSERT_TRUE(c.connected());
        ASSERT_TRUE(c.send(framed(dnstest::query("mail1.oxford.lab.test", 1))));
        ASSERT_TRUE(c.send(framed(dnstest::query("mail2.oxford.lab.test", 1))));
        ASSERT_TRUE(c.read_frame());
        ASSERT_TRUE(c.read_frame());
        ASSERT_TRUE(c.send(framed(dnstest::query("lab.test", 252))));
        auto refused = c.read_frame();
        ASSERT_TRUE(refused);
        EXPECT_EQ(dnstest::decode(*refused).rcode, 5);
    }
    // A reload that works, then one that fails.
    write_text(r.sites, inventory(2026120602));
    r.dnsd->process().signal(SIGHUP);
    ASSERT_TRUE(r.dnsd->process().wait_for_line("dnsd: reloaded", 10s));
    write_text(r.sites, inventory(2026120603, "<b>ox</b>"));
    r.dnsd->process().signal(SIGHUP);
    ASSERT_TRUE(r.dnsd->process().wait_for_line("dnsd: reload failed", 10s));

    // The TCP close is seen by the worker at its next event: wait for it, bounded.
    std::map<std::string, double> m;
    for (int i = 0; i < 50; ++i) {
        m = r.metrics();
        if (at(m, "dnsd_tcp_connections_closed_total", "reason=peer") == 1) break;
        std::this_thread::sleep_for(50ms);
    }
    ASSERT_FALSE(m.empty());
    auto q = [&](const char* transport, const char* type, const char* rcode) {
        return at(m, "dnsd_queries_total",
                  std::string("transport=") + transport + ",type=" + type + ",rcode=" + rcode);
    };
    EXPECT_EQ(q("udp", "A", "NOERROR"), 5);
    EXPECT_EQ(q("udp", "MX", "NOERROR"), 3 + 1);  // the truncated one too
    EXPECT_EQ(q("udp", "AAAA", "NOERROR"), 2);
    EXPECT_EQ(q("udp", "other", "NOERROR"), 1);
    EXPECT_EQ(q("udp", "A", "NXDOMAIN"), 2);
    EXPECT_EQ(q("udp", "A", "REFUSED"), 1);
    EXPECT_EQ(sum_of(m, "dnsd_queries_total", "transport=udp,rcode=FORMERR"), 1);
    EXPECT_EQ(sum_of(m, "dnsd_queries_total", "transport=udp"), static_cast<double>(answered));
    EXPECT_EQ(q("tcp", "A", "NOERROR"), 2);
    EXPECT_EQ(q("tcp", "AXFR", "REFUSED"), 1);
    EXPECT_EQ(sum_of(m, "dnsd_queries_total", "transport=tcp"), 3);
    EXPECT_EQ(at(m, "dnsd_truncated_answers_total", "transport=udp"), 1);
    EXPECT_EQ(at(m, "dnsd_truncated_answers_total", "transport=tcp"), 0);
    EXPECT_EQ(at(m, "dnsd_malformed_queries_total", "transport=udp,reason=question_count"), 1);
    EXPECT_EQ(sum_of(m, "dnsd_malformed_queries_total"), 1);
    EXPECT_EQ(at(m, "dnsd_dropped_packets_total", "transport=udp,reason=short"), 1);
    EXPECT_EQ(at(m, "dnsd_dropped_packets_total", "transport=udp,reason=response"), 1);
    EXPECT_EQ(sum_of(m, "dnsd_dropped_packets_total"), 2);
    // The histogram holds every answer sent, and their octets add up to what arrived.
    EXPECT_EQ(at(m, "dnsd_answer_size_bytes_count", "transport=udp"), static_cast<double>(answered));
    EXPECT_EQ(at(m, "dnsd_answer_size_bytes_sum", "transport=udp"), static_cast<double>(bytes));
    EXPECT_EQ(at(m, "dnsd_answer_size_bytes_bucket", "transport=udp,le=+Inf"), static_cast<double>(answered));
    EXPECT_EQ(at(m, "dnsd_answer_size_bytes_bucket", "transport=udp,le=16384"), static_cast<double>(answered));
    EXPECT_EQ(at(m, "dnsd_tcp_connections_opened_total"), 1);
    EXPECT_EQ(at(m, "dnsd_tcp_connections_closed_total", "reason=peer"), 1);
    EXPECT_EQ(at(m, "dnsd_tcp_connections"), 0);
    EXPECT_EQ(at(m, "dnsd_transfers_total", "type=axfr,result=refused"), 1);
    EXPECT_EQ(sum_of(m, "dnsd_transfers_total"), 1);
    EXPECT_EQ(at(m, "dnsd_reloads_total", "result=success"), 1);
    EXPECT_EQ(at(m, "dnsd_reloads_total", "result=failure"), 1);
    EXPECT_EQ(at(m, "dnsd_zone_serial", "zone=lab.test"), 2026120602);  // the failed reload changed nothing
    EXPECT_GT(at(m, "dnsd_zone_records", "zone=lab.test"), 40);
    EXPECT_EQ(at(m, "dnsd_build_info", std::string("version=") + SMARTHOST_VERSION), 1);
    EXPECT_GT(at(m, "dnsd_reload_last_success_timestamp_seconds"), at(m, "dnsd_start_time_seconds") - 1);

    // The page tells the failed reload, escaped.
    auto page = http_get("127.0.0.1", r.http, "/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_NE(page->body.find("Failed"), std::string::npos);
    EXPECT_NE(page->body.find("&lt;b&gt;ox&lt;/b&gt;"), std::string::npos) << page->body;
    EXPECT_EQ(page->body.find("<b>ox</b>"), std::string::npos) << "the error must be escaped";
    EXPECT_NE(page->body.find("2026120602"), std::string::npos);
}

TEST(Metrics, PromtoolFindsNothingToLintWithHealthOnAndOff) {
    for (bool health : {false, true}) {
        // With health on the example's TEST-NET addresses cannot be judged or time out:
        // either way the health families are there, which is what promtool is to read.
        std::vector<std::string> extra;
        if (health) extra = {"--health", "tcp", "--health-interval", "1", "--health-timeout", "1"};
        Running r(extra);
        ASSERT_TRUE(r.dnsd->ready()) << r.dnsd->process().err();
        udp_size(r.port(), dnstest::query("oxford.lab.test", 15));
        if (health) std::this_thread::sleep_for(1500ms);  // a probe or two
        auto reply = http_get("127.0.0.1", r.http, "/metrics");
        ASSERT_TRUE(reply);
        EXPECT_EQ(reply->status, 200);
        EXPECT_EQ(reply->content_type, "text/plain; version=0.0.4; charset=utf-8");
        if (health) {
            EXPECT_NE(reply->body.find(
                          "dnsd_health_up{host=\"mail1.oxford.lab.test\",site=\"oxford\",address=\"192.0.2.11\"}"),
                      std::string::npos)
                << reply->body;
            EXPECT_NE(reply->body.find("dnsd_health_probe_duration_seconds_count"), std::string::npos);
        }
        write_text(r.dir / "metrics.txt", reply->body);
        CommandResult lint = run_shell("promtool check metrics < " + shell_quote(r.dir / "metrics.txt") + " 2>&1");
        EXPECT_EQ(lint.exit_code, 0) << lint.out;
        EXPECT_EQ(lint.out, "") << lint.out;
    }
}

TEST(Metrics, HealthzIsOkWhileServingAndUnknownPathsAre404) {
    Running r;
    ASSERT_TRUE(r.dnsd->ready()) << r.dnsd->process().err();
    auto ok = http_get("127.0.0.1", r.http, "/healthz");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(ok->body, "ok\n");
    auto missing = http_get("127.0.0.1", r.http, "/nothing-here");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(r.dnsd->process().stop(), 0);
}
