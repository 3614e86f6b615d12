// The prober thread against fake SMTP servers on 127.0.0.x, with short intervals: reaction
// within the bounds of issue 19, hysteresis under flapping, spread and concurrency of the
// probes as the servers saw them, reloads that keep state, a quick stop. Waits are bounded
// and poll a condition; every timing bound asserted is the one the prober promises.
#include "dnsd/health/prober.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dnsd/health/hysteresis.hpp"
#include "tests/support/smtp_listener.hpp"

using namespace std::chrono_literals;
using dnsd::health::Change;
using dnsd::health::Check;
using dnsd::health::Prober;
using dnsd::health::Settings;
using dnsd::health::Target;
using testsupport::SmtpListener;
using testsupport::SmtpMode;
using Clock = std::chrono::steady_clock;

namespace {

Target target(std::string host, const std::string& endpoint) {
    return Target{std::move(host), dnsd::parse_endpoint(endpoint).value()};
}

// What the prober reported, with the time it arrived.
class Recorder {
public:
    struct Event {
        Clock::time_point at;
        Change change;
    };

    Prober::OnChange on_change() {
        return [this](std::span<const Change> changes) {
            std::lock_guard lock(mutex_);
            for (const Change& c : changes) events_.push_back({Clock::now(), c});
            changed_.notify_all();
        };
    }
    Prober::Log log() {
        return [this](std::string_view line) {
            std::lock_guard lock(mutex_);
            lines_.emplace_back(line);
        };
    }
    std::vector<Event> events() const {
        std::lock_guard lock(mutex_);
        return events_;
    }
    std::vector<std::string> lines() const {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    // The first change of target to up (or down) at or after event index from.
    std::optional<Event> wait_for(std::size_t index, bool up, std::chrono::milliseconds timeout,
                                  std::size_t from = 0) const {
        std::unique_lock lock(mutex_);
        std::optional<Event> found;
        changed_.wait_for(lock, timeout, [&] {
            for (std::size_t i = from; i < events_.size(); ++i)
                if (events_[i].change.target == index && events_[i].change.up == up) return found = events_[i], true;
            return false;
        });
        return found;
    }

private:
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<Event> events_;
    std::vector<std::string> lines_;
};

Settings quick(Check check, std::chrono::milliseconds interval, std::chrono::milliseconds timeout) {
    Settings s;
    s.check = check;
    s.interval = interval;
    s.timeout = timeout;
    return s;
}

std::unique_ptr<Prober> start(const Settings& s, std::vector<Target> targets, Recorder& r) {
    auto p = Prober::start(s, std::move(targets), r.on_change(), r.log());
    EXPECT_TRUE(p);
    return p ? std::move(p).value() : nullptr;
}

// issue 19: dead -> down within interval + fall*(interval + timeout); back -> up within
// interval + rise*interval.
std::chrono::milliseconds down_bound(const Settings& s) { return s.interval + s.fall * (s.interval + s.timeout); }
std::chrono::milliseconds up_bound(const Settings& s) { return s.interval + s.rise * s.interval; }

}  // namespace

TEST(Prober, RejectsSettingsThatCannotWork) {
    Settings s;
    s.interval = 0ms;
    s.fall = 0;
    auto p = Prober::start(s, {target("mail.test.", "127.0.0.1:25"), Target{"nowhere.test.", {}}}, {}, {});
    ASSERT_FALSE(p);
    ASSERT_EQ(p.errors().size(), 3u);
    EXPECT_EQ(p.errors()[0].message, "health: the interval must be positive");
    EXPECT_EQ(p.errors()[1].message, "health: fall must be at least 1");
    EXPECT_EQ(p.errors()[2].message, "health: nowhere.test.: the target has no IPv4 or IPv6 address");
}

TEST(Prober, TcpTargetGoesDownWhenRefusedAndUpWhenBackWithinTheBounds) {
    SmtpListener l("127.0.0.6");
    ASSERT_TRUE(l.listening());
    const Settings s = quick(Check::Tcp, 200ms, 100ms);
    Recorder r;
    auto p = start(s, {target("mail.test.", l.endpoint())}, r);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->states(), std::vector<bool>{true});
    ASSERT_TRUE(l.wait_for_connections(3, 2s));  // three passing probes change nothing
    EXPECT_TRUE(r.events().empty());

    const auto died = Clock::now();
    l.stop();
    const auto down = r.wait_for(0, false, 3s);
    ASSERT_TRUE(down);
    EXPECT_LE(down->at - died, down_bound(s));
    EXPECT_EQ(down->change.reason, "3 failures: connection refused");
    EXPECT_EQ(p->states(), std::vector<bool>{false});

    const auto back = Clock::now();
    ASSERT_TRUE(l.restart());
    const auto up = r.wait_for(0, true, 3s);
    ASSERT_TRUE(up);
    EXPECT_LE(up->at - back, up_bound(s));
    EXPECT_EQ(up->change.reason, "2 successes");
    EXPECT_EQ(p->states(), std::vector<bool>{true});
    EXPECT_EQ(r.events().size(), 2u);
}

// A 421 greeting and a server that never greets both take the address down, each with its
// reason; the address beside them that greets with a multi-line 220 stays up, and no
// server was written to before its greeting was complete, and every greeted one got QUIT.
TEST(Prober, SmtpCountsA421AndASilentServerAsDown) {
    SmtpListener busy("127.0.0.7"), silent("127.0.0.8"), fine("127.0.0.9");
    ASSERT_TRUE(busy.listening() && silent.listening() && fine.listening());
    busy.set_greetings({"421-mail.test busy\r\n421 try later\r\n"}, 10ms);
    silent.set_mode(SmtpMode::Silent);
    fine.set_greetings({"220-mail.test ESMTP\r\n220-postscreen\r\n220 mail.test\r\n"}, 30ms);
    const Settings s = quick(Check::Smtp, 200ms, 150ms);
    Recorder r;
    const auto t0 = Clock::now();
    auto p = start(s,
                   {target("busy.test.", busy.endpoint()), target("silent.test.", silent.endpoint()),
                    target("fine.test.", fine.endpoint())},
                   r);
    ASSERT_TRUE(p);
    const auto down_busy = r.wait_for(0, false, 3s);
    const auto down_silent = r.wait_for(1, false, 3s);
    ASSERT_TRUE(down_busy && down_silent);
    EXPECT_EQ(down_busy->change.reason, "3 failures: greeting 421 try later");
    EXPECT_EQ(down_silent->change.reason, "3 failures: timeout waiting for the greeting");
    // Dead from the start: the bound counts from there.
    EXPECT_LE(down_busy->at - t0, down_bound(s));
    EXPECT_LE(down_silent->at - t0, down_bound(s));
    ASSERT_TRUE(fine.wait_for_connections(4, 2s));
    p.reset();
    EXPECT_EQ(r.events().size(), 2u);

    ASSERT_TRUE(busy.wait_none_open(2s) && fine.wait_none_open(2s) && silent.wait_none_open(2s));
    for (const SmtpListener* l : {&busy, &fine}) {
        for (const auto& session : l->sessions()) {
            if (!session.client_closed) continue;  // cut short when the prober stopped
            EXPECT_FALSE(session.wrote_before_greeting) << l->endpoint();
            EXPECT_TRUE(!session.greeted || session.quit) << l->endpoint();
        }
    }
    for (const auto& session : silent.sessions()) EXPECT_EQ(session.received, "");
}

// Target i of N is first probed about i*interval/N after start, and the probes of one
// address start at least 0.9 x interval apart, as the servers saw them.
TEST(Prober, SpreadsFirstProbesOverTheIntervalAndSpacesRepeats) {
    constexpr std::size_t n = 8;
    std::vector<std::unique_ptr<SmtpListener>> ls;
    std::vector<Target> targets;
    for (std::size_t i = 0; i < n; ++i) {
        ls.push_back(std::make_unique<SmtpListener>("127.0.0." + std::to_string(20 + i)));
        ASSERT_TRUE(ls.back()->listening());
        targets.push_back(target("mail" + std::to_string(i) + ".test.", ls.back()->endpoint()));
    }
    const Settings s = quick(Check::Tcp, 800ms, 200ms);
    Recorder r;
    const auto t0 = Clock::now();
    auto p = start(s, targets, r);
    ASSERT_TRUE(p);
    for (auto& l : ls) ASSERT_TRUE(l->wait_for_connections(3, 4s));
    p.reset();
    for (std::size_t i = 0; i < n; ++i) {
        const auto sessions = ls[i]->sessions();
        const auto first = sessions[0].accepted - t0;
        EXPECT_GE(first, s.interval * i / n) << i;
        EXPECT_LE(first, s.interval * i / n + 60ms) << i;
        for (std::size_t k = 1; k < sessions.size(); ++k)
            EXPECT_GE(sessions[k].accepted - sessions[k - 1].accepted, s.interval * 9 / 10) << i << ' ' << k;
    }
    EXPECT_TRUE(r.events().empty());
}

// Six targets on one silent server (one connection each, held until the timeout): with
// max_in_flight 2 the server never sees more than two at once, and does see two.
TEST(Prober, KeepsAtMostMaxInFlightProbesOpen) {
    SmtpListener l("127.0.0.10");
    ASSERT_TRUE(l.listening());
    l.set_mode(SmtpMode::Silent);
    Settings s = quick(Check::Smtp, 300ms, 250ms);
    s.max_in_flight = 2;
    std::vector<Target> targets;
    targets.reserve(6);
    for (int i = 0; i < 6; ++i) targets.push_back(target("mail" + std::to_string(i) + ".test.", l.endpoint()));
    Recorder r;
    auto p = start(s, targets, r);
    ASSERT_TRUE(p);
    ASSERT_TRUE(l.wait_for_connections(10, 5s));
    p.reset();
    EXPECT_EQ(l.max_open(), 2u);
}

// A server that greets 421 three times and then 220 twice, over and over: with fall 3 and
// rise 2 the prober goes down on every third failure and up on every second success, and
// the changes are exactly what the hysteresis makes of the greetings the server sent.
TEST(Prober, FollowsAFlappingServerExactlyAsTheHysteresisAllows) {
    SmtpListener l("127.0.0.11");
    ASSERT_TRUE(l.listening());
    l.set_greetings({"421 a\r\n", "421 b\r\n", "421 c\r\n", "220 d\r\n", "220 e\r\n"}, 0ms);
    const Settings s = quick(Check::Smtp, 60ms, 50ms);
    Recorder r;
    auto p = start(s, {target("flap.test.", l.endpoint())}, r);
    ASSERT_TRUE(p);
    ASSERT_TRUE(l.wait_for_connections(16, 5s));
    p.reset();
    const auto events = r.events();
    const auto sessions = l.sessions();
    // The last connection may have been cut short by the stop: both readings are allowed.
    auto replay = [&](std::size_t count) {
        dnsd::health::Hysteresis h;
        std::vector<bool> changes;
        for (std::size_t i = 0; i < count; ++i)
            if (h.record(sessions[i].greeting.starts_with("220 "), s.fall, s.rise)) changes.push_back(h.up);
        return changes;
    };
    std::vector<bool> seen;
    seen.reserve(events.size());
    for (const auto& e : events) seen.push_back(e.change.up);
    EXPECT_TRUE(seen == replay(sessions.size()) || seen == replay(sessions.size() - 1));
    EXPECT_GE(seen.size(), 6u);
    for (const auto& e : events)
        EXPECT_EQ(e.change.reason, e.change.up ? "2 successes" : "3 failures: greeting 421 c");
}

// A host that is down for two intervals and up for two, again and again, never has three
// failures in a row: with fall 3 it never leaves the answers.
TEST(Prober, AHostFlappingFasterThanFallStaysUp) {
    SmtpListener l("127.0.0.12");
    ASSERT_TRUE(l.listening());
    const Settings s = quick(Check::Tcp, 150ms, 100ms);
    Recorder r;
    auto p = start(s, {target("flap.test.", l.endpoint())}, r);
    ASSERT_TRUE(p);
    for (int cycle = 0; cycle < 6; ++cycle) {
        // Shorter than two intervals, so no phase can hold three probe starts.
        std::this_thread::sleep_for(2 * s.interval - 50ms);
        l.stop();
        std::this_thread::sleep_for(2 * s.interval - 50ms);
        ASSERT_TRUE(l.restart());
    }
    p.reset();
    EXPECT_GE(l.connections(), 6u);  // the prober was probing all along
    EXPECT_TRUE(r.events().empty());
}

// After a reload, an unchanged target keeps its state (down stays down, and comes back
// through rise like before), a new one starts up even on an address that is down for
// another host's entry, and changes name positions in the new list.
TEST(Prober, SetTargetsKeepsTheStateOfUnchangedTargets) {
    SmtpListener a("127.0.0.13"), b("127.0.0.14"), c("127.0.0.15");
    ASSERT_TRUE(a.listening() && b.listening() && c.listening());
    Settings s = quick(Check::Tcp, 150ms, 100ms);
    s.fall = 2;
    Recorder r;
    auto p = start(s, {target("a.test.", a.endpoint()), target("b.test.", b.endpoint())}, r);
    ASSERT_TRUE(p);
    a.stop();
    ASSERT_TRUE(r.wait_for(0, false, 2s));
    EXPECT_EQ(p->states(), (std::vector<bool>{false, true}));

    const auto before = r.events().size();
    const auto up = p->set_targets({target("c.test.", c.endpoint()), target("b.test.", b.endpoint()),
                                    target("a.test.", a.endpoint()), target("a2.test.", a.endpoint())});
    EXPECT_EQ(up, (std::vector<bool>{true, true, false, true}));
    EXPECT_EQ(p->states(), up);
    ASSERT_TRUE(r.wait_for(3, false, 2s, before));  // a2 is probed on its own and fails
    ASSERT_TRUE(a.restart());
    const auto back = r.wait_for(2, true, 2s, before);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->change.reason, "2 successes");
    ASSERT_TRUE(r.wait_for(3, true, 2s, before));
    EXPECT_EQ(p->states(), (std::vector<bool>{true, true, true, true}));
    EXPECT_EQ(p->set_targets({}), std::vector<bool>{});
    EXPECT_EQ(p->states(), std::vector<bool>{});
}

// No route from here: the address stays up and is logged once, however often it is probed.
TEST(Prober, AnAddressItCannotJudgeStaysUpAndIsLoggedOnce) {
    SmtpListener l("127.0.0.16");
    ASSERT_TRUE(l.listening());
    const Settings s = quick(Check::Tcp, 100ms, 100ms);
    Recorder r;
    auto p = start(s, {target("mail.test.", l.endpoint()), target("v6only.test.", "224.0.0.1:25")}, r);
    ASSERT_TRUE(p);
    ASSERT_TRUE(l.wait_for_connections(5, 3s));  // the other target was probed four times too
    EXPECT_EQ(p->states(), (std::vector<bool>{true, true}));
    p.reset();
    EXPECT_TRUE(r.events().empty());
    EXPECT_EQ(r.lines(), std::vector<std::string>{
                             "health: v6only.test. 224.0.0.1 cannot judge: no route (ENETUNREACH); kept up"});
}

TEST(Prober, StopsPromptlyWithProbesInFlight) {
    SmtpListener l("127.0.0.17");
    ASSERT_TRUE(l.listening());
    l.set_mode(SmtpMode::Silent);
    const Settings s = quick(Check::Smtp, 1000ms, 5000ms);
    Recorder r;
    auto p = start(s, {target("a.test.", l.endpoint()), target("b.test.", l.endpoint())}, r);
    ASSERT_TRUE(p);
    ASSERT_TRUE(l.wait_for_connections(1, 2s));
    const auto t0 = Clock::now();
    p.reset();
    EXPECT_LT(Clock::now() - t0, 100ms);
    EXPECT_TRUE(l.wait_none_open(1s));  // its socket was closed
}
