// dnsd --health --state-dir as the hidden primary of NSD, Knot and BIND (issue 19, third
// "Must show"): the smarthosts are fake SMTP servers on 127.0.0.x; when one site's tier-1
// servers stop, dnsd withdraws them under a new serial, sends NOTIFY, and every secondary
// serves that serial, answering every name and type as dnsd does, within 5 s of dnsd's
// change. A restart of dnsd with the same state directory never serves a lower serial
// (RFC 1982 §3.2), and when the servers return the secondaries follow again.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/dns_decode.hpp"
#include "tests/support/peers.hpp"
#include "tests/support/process.hpp"
#include "tests/support/same_answers.hpp"
#include "tests/support/shell.hpp"
#include "tests/support/smtp_listener.hpp"
#include "zonegen/core/serial.hpp"

using namespace testsupport;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kInventory = SMARTHOST_TEST_DATA "/xfr/health-sites.json";
const std::string kZone = "lab.test";
constexpr std::uint16_t kMx = 15;
constexpr std::uint16_t kAxfr = 252;
// The inventory's smarthosts; the first two are oxford's tier 1, the ones that stop.
const char* const kAddresses[] = {"127.0.0.11", "127.0.0.12", "127.0.0.21", "127.0.0.31", "127.0.0.32"};
const char* const kOxfordHosts[] = {"mail1.oxford.lab.test. 127.0.0.11", "mail2.oxford.lab.test. 127.0.0.12"};
// The promise for a change reaching the secondaries.
constexpr auto kFollowLimit = std::chrono::seconds(5);
// interval + fall x (interval + timeout) = 1 + 2 x 2 s is the most dnsd may take to see a
// server go; twice that bounds the wait for its log line.
constexpr auto kReaction = std::chrono::seconds(10);

long long ms(Clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

bool serial_ge(std::uint32_t a, std::uint32_t b) { return a == b || zonegen::serial_gt(a, b); }

class HealthSecondaries : public ::testing::Test {
protected:
    void SetUp() override {
        // dnsd probes one --health-port on every address, so all listeners share a port;
        // a port free on 127.0.0.1 may be taken on another address, hence the retries.
        for (int attempt = 0; attempt < 20 && listeners_.empty(); ++attempt) {
            const std::uint16_t port = free_port();
            std::vector<std::unique_ptr<SmtpListener>> all;
            for (const char* a : kAddresses) {
                all.push_back(std::make_unique<SmtpListener>(a, port));
                if (!all.back()->listening()) break;
            }
            if (all.size() == std::size(kAddresses) && all.back()->listening()) {
                listeners_ = std::move(all);
                smtp_port_ = port;
            }
        }
        ASSERT_FALSE(listeners_.empty()) << "no common free port for the fake smarthosts";
        dnsd_port_ = free_port();
        for (int i = 0; i < 3; ++i) peer_ports_.push_back(free_port());
    }

    // Starts dnsd; a restart uses the same port, so the secondaries find it again.
    void start_dnsd() {
        std::vector<std::string> args = {
            "--inventory",       kInventory,  "--listen",         "127.0.0.1:" + std::to_string(dnsd_port_),
            "--allow-transfer",  "127.0.0.1", "--state-dir",      state_.path(),
            "--health",          "smtp",      "--health-port",    std::to_string(smtp_port_),
            "--health-interval", "1",         "--health-timeout", "1",
            "--health-fall",     "2",         "--health-rise",    "1",
            "--health-ttl",      "5"};
        for (std::uint16_t p : peer_ports_) args.insert(args.end(), {"--notify", "127.0.0.1:" + std::to_string(p)});
        dnsd_ = std::make_unique<Dnsd>(DNSD_BIN, args);
        ASSERT_TRUE(dnsd_->ready()) << dnsd_->process().err();
        ASSERT_EQ(dnsd_->port(), dnsd_port_);
    }

    std::uint32_t dnsd_serial() {
        auto s = soa_serial(dnsd_port_, kZone);
        EXPECT_TRUE(s) << "dnsd does not answer the SOA\n" << dnsd_->process().err();
        return s.value_or(0);
    }

    // The names to compare: every owner, in dnsd's transfer now and in its first one.
    std::vector<std::string> names() {
        Transfer t = transfer_from(dnsd_port_, dnstest::query(kZone, kAxfr));
        EXPECT_TRUE(t.complete) << t.error;
        for (const auto& n : names_in(t, kZone)) names_.insert(n);
        return {names_.begin(), names_.end()};
    }

    // Waits (bounded) for dnsd to log each line with "health: HOST ADDRESS state (" from
    // stderr line from on; returns when the last arrived, or nullopt.
    std::optional<Clock::time_point> wait_for_changes(const std::string& state, std::size_t from) {
        for (const char* host : kOxfordHosts) {
            auto line = dnsd_->process().wait_for_line(std::string("health: ") + host + " " + state + " (", kReaction,
                                                       from);
            if (!line) {
                ADD_FAILURE() << "dnsd did not log " << host << " " << state << "\n" << dnsd_->process().err();
                return std::nullopt;
            }
            if (state == "down") {
                EXPECT_NE(line->find("connection refused"), std::string::npos) << *line;
            }
        }
        return Clock::now();
    }

    // Waits (bounded) until dnsd answers oxford's MX with tier 1 in it, or without it.
    std::string wait_for_oxford_mx(bool tier1) {
        std::string mx;
        const auto deadline = Clock::now() + std::chrono::seconds(3);
        do {
            mx = essence(dnsd_port_, "oxford." + kZone, kMx);
            const bool has = mx.find("mail1.oxford") != std::string::npos &&
                             mx.find("mail2.oxford") != std::string::npos;
            const bool none = mx.find("mail1.oxford") == std::string::npos &&
                              mx.find("mail2.oxford") == std::string::npos;
            if (tier1 ? has : none) return mx;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        } while (Clock::now() < deadline);
        ADD_FAILURE() << "dnsd's oxford MX is not " << (tier1 ? "full" : "without tier 1") << ":\n" << mx;
        return mx;
    }

    // Polls every secondary until it serves serial; per secondary, how long after since it
    // first did (nullopt: not within limit, which fails).
    std::vector<std::optional<Clock::duration>> followed(std::uint32_t serial, Clock::time_point since,
                                                         Clock::duration limit) {
        std::vector<std::optional<Clock::duration>> took(peers_.size());
        auto pending = [&] { return std::any_of(took.begin(), took.end(), [](const auto& t) { return !t; }); };
        while (pending() && Clock::now() - since < limit) {
            for (std::size_t i = 0; i < peers_.size(); ++i)
                if (!took[i] && soa_serial(peers_[i]->port(), kZone) == serial) took[i] = Clock::now() - since;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        for (std::size_t i = 0; i < peers_.size(); ++i)
            EXPECT_TRUE(took[i]) << peers_[i]->name() << " did not serve serial " << serial << " within " << ms(limit)
                                 << " ms\n"
                                 << peers_[i]->log() << "\ndnsd:\n"
                                 << dnsd_->process().err();
        return took;
    }

    void report(const std::string& what, std::uint32_t serial,
                const std::vector<std::optional<Clock::duration>>& took) {
        std::cout << "health-secondaries: " << what << ", serial " << serial << ":";
        for (std::size_t i = 0; i < peers_.size(); ++i)
            std::cout << " " << peers_[i]->name() << " "
                      << (took[i] ? std::to_string(ms(*took[i])) + " ms" : "never");
        std::cout << std::endl;
    }

    void expect_all_match() {
        const auto n = names();
        for (const auto& peer : peers_) expect_same_answers(n, dnsd_port_, *peer);
    }

    std::uint32_t state_file_serial() {
        const std::string text = read_text(state_ / (kZone + ".serial"));
        EXPECT_EQ(text.rfind("serial ", 0), 0u) << text;
        return static_cast<std::uint32_t>(std::stoul(text.substr(7)));
    }

    TempDir state_;
    std::uint16_t smtp_port_ = 0;
    std::vector<std::unique_ptr<SmtpListener>> listeners_;
    std::uint16_t dnsd_port_ = 0;
    std::vector<std::uint16_t> peer_ports_;
    std::set<std::string> names_;
    std::unique_ptr<Dnsd> dnsd_;
    std::vector<std::unique_ptr<PeerServer>> peers_;  // last: stopped first
};

}  // namespace

TEST_F(HealthSecondaries, DownHostReachesNsdKnotAndBindWithin5sAndRestartKeepsTheSerial) {
    ASSERT_NO_FATAL_FAILURE(start_dnsd());
    using Launcher = std::unique_ptr<PeerServer> (*)(const SecondarySpec&, std::string*);
    const Launcher launchers[] = {&PeerServer::nsd_secondary, &PeerServer::knot_secondary,
                                  &PeerServer::bind_secondary};
    for (std::size_t i = 0; i < std::size(launchers); ++i) {
        std::string why;
        auto peer = launchers[i]({kZone, dnsd_port_, std::nullopt, peer_ports_[i]}, &why);
        ASSERT_TRUE(peer) << why << "\ndnsd:\n" << dnsd_->process().err();
        peers_.push_back(std::move(peer));
    }

    // Everything up: the secondaries hold dnsd's first version.
    const std::string full_mx = wait_for_oxford_mx(true);
    const std::uint32_t first = dnsd_serial();
    EXPECT_EQ(state_file_serial(), first);
    followed(first, Clock::now(), std::chrono::seconds(10));
    expect_all_match();
    ASSERT_FALSE(HasFailure());

    // Oxford's tier 1 stops: connects are refused.
    std::size_t from = dnsd_->process().err_line_count();
    listeners_[0]->stop();
    listeners_[1]->stop();
    const auto changed = wait_for_changes("down", from);
    ASSERT_TRUE(changed);
    const std::string down_mx = wait_for_oxford_mx(false);
    EXPECT_NE(down_mx.find("mail.cambridge.lab.test."), std::string::npos) << down_mx;
    const std::uint32_t down = dnsd_serial();
    EXPECT_TRUE(zonegen::serial_gt(down, first)) << down << " after " << first;
    EXPECT_EQ(state_file_serial(), down);
    const auto took = followed(down, *changed, kFollowLimit);
    report("tier 1 down, after dnsd's change", down, took);
    expect_all_match();
    ASSERT_FALSE(HasFailure());

    // dnsd restarts with the servers still down: it starts with every address up (a
    // different zone), so the serial must go up, never back to the inventory's.
    const auto status = dnsd_->process().stop();
    EXPECT_EQ(status, 0) << dnsd_->process().err();
    dnsd_.reset();
    ASSERT_NO_FATAL_FAILURE(start_dnsd());
    const std::uint32_t restarted = dnsd_serial();
    EXPECT_TRUE(serial_ge(restarted, down)) << restarted << " after " << down;
    const auto changed_again = wait_for_changes("down", 0);
    ASSERT_TRUE(changed_again);
    EXPECT_EQ(wait_for_oxford_mx(false), down_mx);
    const std::uint32_t down_again = dnsd_serial();
    EXPECT_TRUE(serial_ge(down_again, restarted)) << down_again << " after " << restarted;
    EXPECT_TRUE(zonegen::serial_gt(down_again, down)) << down_again << " after " << down;
    report("after the restart", down_again, followed(down_again, *changed_again, std::chrono::seconds(10)));
    expect_all_match();
    ASSERT_FALSE(HasFailure());

    // The servers return: dnsd serves the full tiers again and the secondaries follow.
    from = dnsd_->process().err_line_count();
    ASSERT_TRUE(listeners_[0]->restart());
    ASSERT_TRUE(listeners_[1]->restart());
    const auto back = wait_for_changes("up", from);
    ASSERT_TRUE(back);
    EXPECT_EQ(wait_for_oxford_mx(true), full_mx);
    const std::uint32_t up = dnsd_serial();
    EXPECT_TRUE(zonegen::serial_gt(up, down_again)) << up << " after " << down_again;
    report("tier 1 back, after dnsd's change", up, followed(up, *back, std::chrono::seconds(10)));
    expect_all_match();
}
