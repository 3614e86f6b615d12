// The status page in a real browser (issue 15): Debian's chromium, headless, renders dnsd's
// / and its DOM is read back: the tiers as served, and with --health a smarthost shown down
// once its listener stops (listeners on 127.0.0.x as in health_test.cpp). A screenshot of
// the example inventory's page must come out as a PNG. Chromium runs with its own profile
// in a temporary directory, is bounded in time, and is stopped by its PID.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/health_lab.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"
#include "tests/support/smtp_listener.hpp"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

// chromium's DOM of url after the page loaded, or its error output.
RunResult chromium(const TempDir& profile, const std::vector<std::string>& extra, const std::string& url) {
    std::vector<std::string> args = {"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                     "--user-data-dir=" + (profile / "chromium")};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(url);
    return run("chromium", args, 60s);
}

// The page's text without tags and with runs of white space as one space.
std::string text_of(const std::string& html) {
    std::string text = std::regex_replace(html, std::regex("<style>[\\s\\S]*?</style>|<[^>]*>"), " ");
    return std::regex_replace(text, std::regex("\\s+"), " ");
}

using Lab = HealthLab;  // tests/support/health_lab.hpp

}  // namespace

TEST(StatusPage, ChromiumShowsTheTiersAndAHostThatIsDown) {
    Lab lab;
    ASSERT_TRUE(lab.mail1.listening() && lab.mail2.listening() && lab.cambridge.listening());
    Dnsd dnsd(DNSD_BIN, {"--inventory", lab.inventory, "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--health",
                         "smtp", "--health-interval", "1", "--health-timeout", "1", "--health-fall", "2"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    auto line = dnsd.process().wait_for_line("dnsd: http on ", 1s);
    ASSERT_TRUE(line);
    const std::string url = "http://127.0.0.1:" + std::to_string(http_port_of(*line)) + "/";

    lab.mail1.stop();
    ASSERT_TRUE(dnsd.process().wait_for_line("dnsd: health: mail1.oxford.lab.test. 127.0.0.11 down", 8s))
        << dnsd.process().err();

    TempDir profile;
    RunResult dom = chromium(profile, {"--dump-dom"}, url);
    ASSERT_EQ(dom.status, 0) << dom.err;
    const std::string text = text_of(dom.out);
    // oxford's tiers as served: mail1 withdrawn and down, mail2 up, cambridge's host next.
    EXPECT_NE(text.find("oxford.lab.test tier 1 MX 10 mail1.oxford.lab.test down since"), std::string::npos) << text;
    EXPECT_NE(text.find("127.0.0.11 (withdrawn)"), std::string::npos) << text;
    EXPECT_NE(text.find("mail2.oxford.lab.test up since"), std::string::npos) << text;
    EXPECT_NE(text.find("tier 2 MX 20 mail.cambridge.lab.test up since"), std::string::npos) << text;
    EXPECT_NE(text.find("cambridge.lab.test tier 1 MX 10 mail.cambridge.lab.test up"), std::string::npos) << text;
    EXPECT_NE(text.find("health checks on"), std::string::npos) << text;
    EXPECT_EQ(dom.out.find("<script"), std::string::npos) << "no script needed";
}

TEST(StatusPage, TheExampleInventoryRendersToAScreenshot) {
    Dnsd dnsd(DNSD_BIN, {"--inventory", std::string(SMARTHOST_SOURCE_DIR) + "/sites.json", "--listen", "127.0.0.1:0",
                         "--http", "127.0.0.1:0"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    auto line = dnsd.process().wait_for_line("dnsd: http on ", 1s);
    ASSERT_TRUE(line);
    const std::string url = "http://127.0.0.1:" + std::to_string(http_port_of(*line)) + "/";
    TempDir profile;
    const std::string png = profile / "status.png";
    // A phone's width: the page must be readable there.
    RunResult shot = chromium(profile, {"--screenshot=" + png, "--window-size=412,1600", "--hide-scrollbars"}, url);
    ASSERT_EQ(shot.status, 0) << shot.err;
    const std::string bytes = read_text(png);
    ASSERT_GT(bytes.size(), 1000u);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    RunResult dom = chromium(profile, {"--dump-dom"}, url);
    ASSERT_EQ(dom.status, 0) << dom.err;
    EXPECT_NE(text_of(dom.out).find("oxford.smarthost.local tier 1 MX 10 mail1.oxford.smarthost.local"),
              std::string::npos)
        << text_of(dom.out);
}
