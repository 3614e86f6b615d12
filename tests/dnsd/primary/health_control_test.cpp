// HealthControl against real listeners on 127.0.0.x: the log lines of a change, and the
// fail-open lines of exactly the MX sets whose fallback changed (README "Health"), found
// from the sets that name the changed hosts. Waits are bounded and poll a condition.
#include "dnsd/primary/health_control.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dnsd/primary/publisher.hpp"
#include "tests/dnsd/answer/respond_fixture.hpp"
#include "tests/support/smtp_listener.hpp"

using namespace std::chrono_literals;
using dnsdtest::mx;
using dnsdtest::N;
using dnsdtest::v4;
using testsupport::SmtpListener;

namespace {

// oxford and cambridge fall back to each other; york stands alone. Each host's address is
// its listener's.
zonegen::Zone ring_zone(const char* oxford, const char* cambridge, const char* york) {
    zonegen::ZoneBuilder b(N("smarthost.local"));
    auto at = [&](const char* owner, zonegen::Rdata rd) { b.add(N(owner), 300, std::move(rd)); };
    at("smarthost.local",
       zonegen::Soa{N("ns1.smarthost.local"), N("hostmaster.smarthost.local"), 1, 3600, 600, 1209600, 300});
    at("smarthost.local", zonegen::Ns{N("ns1.smarthost.local")});
    at("ns1.smarthost.local", v4("192.0.2.53"));  // not an MX target: never probed
    at("oxford.smarthost.local", mx(10, "mail.oxford.smarthost.local"));
    at("oxford.smarthost.local", mx(20, "mail.cambridge.smarthost.local"));
    at("cambridge.smarthost.local", mx(10, "mail.cambridge.smarthost.local"));
    at("cambridge.smarthost.local", mx(20, "mail.oxford.smarthost.local"));
    at("york.smarthost.local", mx(10, "mail.york.smarthost.local"));
    at("mail.oxford.smarthost.local", v4(oxford));
    at("mail.cambridge.smarthost.local", v4(cambridge));
    at("mail.york.smarthost.local", v4(york));
    auto z = std::move(b).finish();
    EXPECT_TRUE(z.ok());
    return std::move(z).value();
}

class Lines {
public:
    dnsd::HealthControl::Say say() {
        return [this](std::string_view line) {
            std::lock_guard lock(mutex_);
            lines_.emplace_back(line);
        };
    }
    std::size_t count(const std::string& line) const {
        std::lock_guard lock(mutex_);
        return static_cast<std::size_t>(std::count(lines_.begin(), lines_.end(), line));
    }
    std::size_t count_containing(const std::string& part) const {
        std::lock_guard lock(mutex_);
        return static_cast<std::size_t>(std::count_if(lines_.begin(), lines_.end(), [&](const std::string& l) {
            return l.find(part) != std::string::npos;
        }));
    }
    bool wait_for(const std::string& line, std::chrono::milliseconds timeout = 5s) const {
        for (auto end = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < end;) {
            if (count(line) > 0) return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }
    std::string all() const {
        std::lock_guard lock(mutex_);
        std::string out;
        for (const std::string& l : lines_) out += l + '\n';
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

}  // namespace

TEST(HealthControl, LogsTheFallbackOfExactlyTheSetsThatNameTheChangedHosts) {
    SmtpListener oxford("127.0.0.2"), cambridge("127.0.0.3"), york("127.0.0.4");
    ASSERT_TRUE(oxford.listening() && cambridge.listening() && york.listening());
    std::vector<zonegen::Zone> zones;
    zones.push_back(ring_zone("127.0.0.2", "127.0.0.3", "127.0.0.4"));
    auto table = dnsd::AnswerTable::compile(zones, {.health_ttl = 30});
    ASSERT_TRUE(table.ok());
    dnsd::HostHealthMap hosts;
    hosts[std::string(N("mail.oxford.smarthost.local").wire())] = {true, oxford.port()};
    hosts[std::string(N("mail.cambridge.smarthost.local").wire())] = {true, cambridge.port()};
    hosts[std::string(N("mail.york.smarthost.local").wire())] = {true, york.port()};

    Lines lines;
    dnsd::Publisher publisher(std::nullopt, lines.say());  // not attached: the answers are not under test
    dnsd::HealthOptions options;
    options.settings.check = dnsd::health::Check::Tcp;
    options.settings.interval = 100ms;
    options.settings.timeout = 500ms;
    options.settings.fall = 1;
    options.settings.rise = 1;
    auto control = dnsd::HealthControl::start(options, table.value(), hosts, publisher, lines.say());
    ASSERT_TRUE(control.ok());

    const std::string fail_open = " MX: every target is down; serving all of them (fail open)";
    const std::string back = " MX: a target is back; serving the live ones";
    // One host of the ring down: both sets still have a live target.
    oxford.stop();
    const std::string oxford_down = "health: mail.oxford.smarthost.local. 127.0.0.2 down (";
    for (auto end = std::chrono::steady_clock::now() + 5s;
         lines.count_containing(oxford_down) == 0 && std::chrono::steady_clock::now() < end;)
        std::this_thread::sleep_for(10ms);
    ASSERT_EQ(lines.count_containing(oxford_down), 1u) << lines.all();
    std::this_thread::sleep_for(300ms);  // three intervals: time for a wrong line to show
    EXPECT_EQ(lines.count_containing(" MX: "), 0u) << lines.all();

    // Both down: both sets fall back, once each; york's never does.
    cambridge.stop();
    ASSERT_TRUE(lines.wait_for("health: oxford.smarthost.local." + fail_open)) << lines.all();
    ASSERT_TRUE(lines.wait_for("health: cambridge.smarthost.local." + fail_open)) << lines.all();
    oxford.restart();
    ASSERT_TRUE(lines.wait_for("health: oxford.smarthost.local." + back)) << lines.all();
    ASSERT_TRUE(lines.wait_for("health: cambridge.smarthost.local." + back)) << lines.all();
    std::this_thread::sleep_for(300ms);
    control.value().reset();
    EXPECT_EQ(lines.count("health: oxford.smarthost.local." + fail_open), 1u) << lines.all();
    EXPECT_EQ(lines.count("health: cambridge.smarthost.local." + fail_open), 1u) << lines.all();
    EXPECT_EQ(lines.count("health: oxford.smarthost.local." + back), 1u) << lines.all();
    EXPECT_EQ(lines.count("health: cambridge.smarthost.local." + back), 1u) << lines.all();
    EXPECT_EQ(lines.count_containing("york"), 0u) << lines.all();
}
