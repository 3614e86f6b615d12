// What --http answers (dnsd/primary/monitor.hpp, metrics.hpp, status_page.hpp), without
// HTTP: /healthz before, while and after serving; /metrics and / from a running server.
#include "dnsd/primary/monitor.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "dnsd/primary/metrics.hpp"
#include "dnsd/primary/status_page.hpp"
#include "tests/dnsd/answer/respond_fixture.hpp"
#include "tests/support/http_client.hpp"

using dnsdtest::mx;
using dnsdtest::N;
using dnsdtest::v4;

namespace {

std::shared_ptr<const dnsd::AnswerTable> table() {
    zonegen::ZoneBuilder b(N("smarthost.local"));
    auto at = [&](const char* owner, zonegen::Rdata rd) { b.add(N(owner), 300, std::move(rd)); };
    at("smarthost.local",
       zonegen::Soa{N("ns1.smarthost.local"), N("hostmaster.smarthost.local"), 42, 3600, 600, 1209600, 300});
    at("smarthost.local", zonegen::Ns{N("ns1.smarthost.local")});
    at("ns1.smarthost.local", v4("192.0.2.53"));
    at("oxford.smarthost.local", mx(10, "mail1.oxford.smarthost.local"));
    at("oxford.smarthost.local", mx(10, "mail2.oxford.smarthost.local"));
    at("oxford.smarthost.local", mx(20, "mail.cambridge.smarthost.local"));
    at("mail1.oxford.smarthost.local", v4("192.0.2.25"));
    at("mail2.oxford.smarthost.local", v4("192.0.2.26"));
    at("mail.cambridge.smarthost.local", v4("198.51.100.25"));
    auto z = std::move(b).finish();
    EXPECT_TRUE(z.ok());
    std::vector<zonegen::Zone> zones{std::move(z).value()};
    return dnsd::AnswerTable::compile(zones).value();
}

std::unique_ptr<dnsd::Server> server() {
    dnsd::ServerOptions o;
    o.listen.push_back(dnsd::parse_endpoint("127.0.0.1:0").value());
    auto s = dnsd::Server::start(std::move(o), table());
    return s ? std::move(s).value() : nullptr;
}

}  // namespace

TEST(Monitor, HealthzIs503UntilServingAndAgainOnceStopping) {
    auto activity = std::make_shared<dnsd::Activity>();
    dnsd::Monitor monitor(activity);
    auto before = monitor.handle("/healthz");
    EXPECT_EQ(before.status, 503u);
    EXPECT_EQ(before.body, "starting\n");
    auto s = server();
    ASSERT_TRUE(s);
    monitor.serving(*s, nullptr);
    auto during = monitor.handle("/healthz");
    EXPECT_EQ(during.status, 200u);
    EXPECT_EQ(during.body, "ok\n");
    monitor.stopped();
    auto after = monitor.handle("/healthz");
    EXPECT_EQ(after.status, 503u);
    EXPECT_EQ(after.body, "stopping\n");
    EXPECT_EQ(monitor.handle("/elsewhere").status, 404u);
}

TEST(Monitor, MetricsAndThePageComeFromTheServedTable) {
    auto activity = std::make_shared<dnsd::Activity>();
    dnsd::Monitor monitor(activity);
    // Before serving: the build info only, and a page that says so.
    auto early = testsupport::parse_samples(monitor.handle("/metrics").body);
    EXPECT_EQ(early.count(testsupport::sample_key("dnsd_zone_serial", "zone=smarthost.local")), 0u);
    EXPECT_EQ(early.at(testsupport::sample_key("dnsd_build_info", std::string("version=") + SMARTHOST_VERSION)), 1);
    EXPECT_NE(monitor.handle("/").body.find("Starting"), std::string::npos);

    auto s = server();
    ASSERT_TRUE(s);
    activity->loaded(*s->table(), std::chrono::milliseconds(1500), false);
    activity->reload_failed("sites.json:3:1: <oops> & more");
    monitor.serving(*s, nullptr);
    auto metrics = monitor.handle("/metrics");
    EXPECT_EQ(metrics.content_type, dnsd::kMetricsContentType);
    auto m = testsupport::parse_samples(metrics.body);
    EXPECT_EQ(m.at(testsupport::sample_key("dnsd_zone_serial", "zone=smarthost.local")), 42);
    EXPECT_EQ(m.at(testsupport::sample_key("dnsd_zone_records", "zone=smarthost.local")), 9);  // SOA, NS, 3 MX, 4 A
    EXPECT_EQ(m.at(testsupport::sample_key("dnsd_load_duration_seconds")), 1.5);
    EXPECT_EQ(m.at(testsupport::sample_key("dnsd_reloads_total", "result=failure")), 1);
    EXPECT_EQ(m.at(testsupport::sample_key("dnsd_reloads_total", "result=success")), 0);
    EXPECT_EQ(m.count(testsupport::sample_key("dnsd_health_up")), 0u);

    auto page = monitor.handle("/");
    EXPECT_EQ(page.status, 200u);
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("sites.json:3:1: &lt;oops&gt; &amp; more"), std::string::npos) << page.body;
    EXPECT_EQ(page.body.find("<oops>"), std::string::npos);
    // The tiers in preference order, each host once.
    const auto tier1 = page.body.find("tier 1<br>MX 10");
    const auto tier2 = page.body.find("tier 2<br>MX 20");
    ASSERT_NE(tier1, std::string::npos) << page.body;
    ASSERT_NE(tier2, std::string::npos) << page.body;
    EXPECT_LT(tier1, page.body.find("mail1.oxford.smarthost.local"));
    EXPECT_LT(page.body.find("mail2.oxford.smarthost.local"), tier2);
    EXPECT_GT(page.body.find("mail.cambridge.smarthost.local"), tier2);
    EXPECT_NE(page.body.find("<code>42</code>"), std::string::npos);
    monitor.stopped();
}

TEST(StatusPage, EscapesEveryCharacterHtmlGivesMeaningTo) {
    EXPECT_EQ(dnsd::html_escape(R"(<a href="x" title='y'>&amp;</a>)"),
              "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
    EXPECT_EQ(dnsd::html_escape("mail1.oxford"), "mail1.oxford");
}
