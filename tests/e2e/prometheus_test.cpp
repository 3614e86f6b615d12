// A real Prometheus server scrapes dnsd (issue 15): Debian's prometheus, started by the
// test on loopback with its own configuration and data directory in a temporary folder
// and a free port, scrapes dnsd --http every second; its HTTP query API must then return
// dnsd_queries_total with the count of the queries sent. Stopped by its PID.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/peers.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;
using namespace std::chrono_literals;

TEST(Prometheus, ScrapesDnsdAndItsQueryApiReturnsTheQueries) {
    Dnsd dnsd(DNSD_BIN, {"--inventory", std::string(SMARTHOST_SOURCE_DIR) + "/sites.json", "--listen", "127.0.0.1:0",
                         "--http", "127.0.0.1:0"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    auto line = dnsd.process().wait_for_line("dnsd: http on ", 1s);
    ASSERT_TRUE(line);
    const std::uint16_t http = http_port_of(*line);
    for (int i = 0; i < 7; ++i)
        ASSERT_TRUE(udp_exchange_at("127.0.0.1", dnsd.port(), dnstest::query("oxford.smarthost.local", 15)));

    TempDir dir;
    write_text(dir / "prometheus.yml",
               "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
               "scrape_configs:\n  - job_name: dnsd\n    static_configs:\n"
               "      - targets: ['127.0.0.1:" +
                   std::to_string(http) + "']\n");
    const std::uint16_t api = free_port();
    ASSERT_NE(api, 0);
    Process prometheus("prometheus",
                       {"--config.file=" + (dir / "prometheus.yml"), "--storage.tsdb.path=" + (dir / "data"),
                        "--web.listen-address=127.0.0.1:" + std::to_string(api)});
    ASSERT_TRUE(prometheus.started()) << prometheus.start_error();

    // The first scrape comes within a scrape interval of the start; allow a slow machine 30 s.
    const std::string query =
        "/api/v1/query?query=sum(dnsd_queries_total%7Btransport%3D%22udp%22%2Ctype%3D%22MX%22%7D)";
    std::string body;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto reply = http_get("127.0.0.1", api, query, 2s);
        if (reply && reply->status == 200 && reply->body.find("\"result\":[{") != std::string::npos) {
            body = reply->body;
            break;
        }
        std::this_thread::sleep_for(250ms);
    }
    ASSERT_FALSE(body.empty()) << prometheus.err();
    // {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[T,"7"]}]}}
    EXPECT_NE(body.find("\"status\":\"success\""), std::string::npos) << body;
    EXPECT_NE(body.find(",\"7\"]"), std::string::npos) << body;
    // And the target is up as Prometheus sees it.
    auto up = http_get("127.0.0.1", api, "/api/v1/query?query=up%7Bjob%3D%22dnsd%22%7D");
    ASSERT_TRUE(up);
    EXPECT_NE(up->body.find(",\"1\"]"), std::string::npos) << up->body;
    EXPECT_TRUE(prometheus.stop(20s).has_value());
}
