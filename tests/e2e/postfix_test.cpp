// A real Postfix relaying through dnsd's MX tiers (issue 19, "Must show"): relayhost is the
// site name without brackets, so Postfix looks up its MX records, tries tier 1 and falls
// back to tier 2. Everything runs in network namespaces this test creates: tier 1's
// addresses are black-holed (frames go to a MAC address nobody owns, through a veth whose
// peer sits in a second namespace that answers nothing), so connects to them time out as
// they do when a smarthost's machine is gone; tier 2 is two smtp-sink listeners; dnsd
// answers on port 53 and is the namespace's resolver. Without --health the burst waits on
// connect timeouts; with --health dnsd withdraws tier 1 and the same burst goes straight
// to tier 2. Both delivery times are printed. Needs root (namespaces, port 25).
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include "tests/support/netns.hpp"
#include "tests/support/postfix.hpp"
#include "tests/support/process.hpp"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

const std::string kInventory = SMARTHOST_TEST_DATA "/postfix/sites.json";
const std::string kSite = "oxford.smarthost.test";  // tier 1: oxford's hosts, tier 2: cambridge's
const std::vector<std::string> kTier1 = {"10.19.1.25", "10.19.1.26"};
const std::vector<std::string> kTier2 = {"10.19.2.25", "10.19.2.26"};
const std::string kNameserver = "10.19.2.53";
const std::string kDeadMac = "02:00:00:00:19:99";  // locally administered, on no interface
constexpr int kBurst = 10;
constexpr auto kConnectTimeout = 5s;  // Postfix's smtp_connect_timeout here (default 30 s)

struct Delivery {
    bool complete = false;
    double seconds = 0;
    std::size_t sent = 0;                    // "status=sent" lines in Postfix's log
    std::size_t received = 0;                // messages the smtp-sinks dumped
    std::vector<std::string> timeouts;       // Postfix's "Connection timed out" lines
    std::vector<std::string> not_via_tier2;  // sent lines that name another relay
};

class PostfixThroughDnsd : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(::geteuid(), 0u) << "this test must run as root (CI does): it creates network namespaces, "
                                      "runs Postfix and listens on port 25 inside them";
        const std::string id = std::to_string(::getpid());
        sender_ = std::make_unique<NetNamespace>("smarthost-postfix-" + id);
        ASSERT_TRUE(sender_->ok()) << sender_->error();
        void_ = std::make_unique<NetNamespace>("smarthost-void-" + id);
        ASSERT_TRUE(void_->ok()) << void_->error();

        // One veth pair, created straight into the two namespaces (its names never exist
        // on the host). The sender's end carries the live addresses (tier 2, the
        // nameserver) and routes tier 1's subnet; the other end is up with no address, so
        // nothing there ever answers.
        std::string why;
        ASSERT_TRUE(sender_->ip(
            {"link", "add", "tiers", "type", "veth", "peer", "name", "void", "netns", void_->name()}, &why))
            << why;
        ASSERT_TRUE(void_->ip({"link", "set", "void", "up"}, &why)) << why;
        ASSERT_TRUE(sender_->ip({"link", "set", "tiers", "up"}, &why)) << why;
        ASSERT_TRUE(sender_->ip({"addr", "add", "10.19.1.254/24", "dev", "tiers"}, &why)) << why;
        for (const auto& a : kTier2)
            ASSERT_TRUE(sender_->ip({"addr", "add", a + "/24", "dev", "tiers"}, &why)) << why;
        ASSERT_TRUE(sender_->ip({"addr", "add", kNameserver + "/24", "dev", "tiers"}, &why)) << why;
        // A permanent neighbour entry: no ARP (which would fail the connect with
        // EHOSTUNREACH after 3 s); the SYNs leave for a MAC nobody owns and are lost, so
        // the connect waits for its own timeout. (`ip route add blackhole` would fail it at
        // once, which is not what a dead machine does.)
        for (const auto& a : kTier1)
            ASSERT_TRUE(
                sender_->ip({"neigh", "add", a, "lladdr", kDeadMac, "dev", "tiers", "nud", "permanent"}, &why))
                << why;
        ASSERT_TRUE(sender_->set_resolver(kNameserver, &why)) << why;

        for (const auto& a : kTier1) {
            auto c = sender_->connect(a, 25, 1s);
            ASSERT_EQ(c.kind, ConnectOutcome::pending)
                << "a connect to tier 1's " << a << ":25 must still wait after 1 s, but " << c.describe();
        }
        for (const auto& a : kTier2) {
            sinks_.push_back(std::make_unique<SmtpSink>(*sender_, a));
            ASSERT_TRUE(sinks_.back()->ok()) << sinks_.back()->error();
        }
    }

    void start_dnsd(const std::vector<std::string>& extra) {
        std::vector<std::string> args = {"--inventory", kInventory, "--listen", kNameserver + ":53"};
        args.insert(args.end(), extra.begin(), extra.end());
        dnsd_ = std::make_unique<Dnsd>("ip", sender_->exec_args(DNSD_BIN, args));
        ASSERT_TRUE(dnsd_->ready()) << dnsd_->process().err();
    }

    // The MX targets of the site as a resolver in the namespace gets them, sorted; empty
    // if dig got no answer.
    std::vector<std::string> mx_targets() const {
        auto r = sender_->run("dig", {"+short", "+tries=1", "+time=2", "MX", kSite});
        std::vector<std::string> targets;
        std::size_t start = 0;
        for (std::size_t nl; (nl = r.out.find('\n', start)) != std::string::npos; start = nl + 1) {
            std::string line = r.out.substr(start, nl - start);
            auto sp = line.find(' ');
            if (sp != std::string::npos) targets.push_back(line.substr(sp + 1));
        }
        std::sort(targets.begin(), targets.end());
        return targets;
    }

    void start_postfix() {
        postfix_ = std::make_unique<PostfixInstance>(
            *sender_,
            std::vector<std::string>{"relayhost = " + kSite,
                                     "smtp_connect_timeout = " + std::to_string(kConnectTimeout.count()) + "s"});
        ASSERT_TRUE(postfix_->ok()) << postfix_->error();
    }

    std::size_t received() const {
        std::size_t n = 0;
        for (const auto& s : sinks_) n += s->messages();
        return n;
    }

    // Submits the burst and waits (bounded) until Postfix has sent every message and the
    // sinks hold them all.
    Delivery deliver_burst() {
        Delivery d;
        const auto start = std::chrono::steady_clock::now();
        auto submitted = postfix_->submit(kBurst, "someone@example.test");
        EXPECT_EQ(submitted.status, 0) << "smtp-source: " << submitted.out << submitted.err << "\n"
                                       << postfix_->log();
        const auto deadline = start + 90s;
        while (std::chrono::steady_clock::now() < deadline) {
            d.sent = postfix_->log_lines("status=sent").size();
            d.received = received();
            if (d.sent >= kBurst && d.received >= kBurst) {
                d.complete = true;
                break;
            }
            std::this_thread::sleep_for(50ms);
        }
        d.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        d.timeouts = postfix_->log_lines("Connection timed out");
        for (const auto& line : postfix_->log_lines("status=sent"))
            if (line.find("relay=mail1.cambridge.smarthost.test[10.19.2.25]:25") == std::string::npos &&
                line.find("relay=mail2.cambridge.smarthost.test[10.19.2.26]:25") == std::string::npos)
                d.not_via_tier2.push_back(line);
        return d;
    }

    // Postfix stops completely: afterwards only the processes this test holds (dnsd, the
    // sinks) are left in the namespace.
    void expect_postfix_gone() {
        postfix_.reset();
        std::vector<pid_t> ours = {dnsd_->process().pid()};
        for (const auto& s : sinks_) ours.push_back(s->pid());
        std::sort(ours.begin(), ours.end());
        std::vector<pid_t> left;
        for (auto deadline = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < deadline;) {
            left = sender_->pids();
            std::sort(left.begin(), left.end());
            if (left == ours) break;
            std::this_thread::sleep_for(100ms);
        }
        EXPECT_EQ(left, ours) << "processes left in " << sender_->name() << " after postfix stop";
    }

    void report(const char* how, const Delivery& d) {
        std::cout << "postfix e2e: " << kBurst << " messages delivered in " << d.seconds << " s " << how << " ("
                  << d.timeouts.size() << " connect timeouts in Postfix's log, smtp_connect_timeout "
                  << kConnectTimeout.count() << " s)\n";
        RecordProperty("delivery_seconds", std::to_string(d.seconds));
        RecordProperty("connect_timeouts", std::to_string(d.timeouts.size()));
    }

    // Destroyed in reverse order: Postfix, the sinks and dnsd stop before their namespace goes.
    std::unique_ptr<NetNamespace> void_;
    std::unique_ptr<NetNamespace> sender_;
    std::vector<std::unique_ptr<SmtpSink>> sinks_;
    std::unique_ptr<Dnsd> dnsd_;
    std::unique_ptr<PostfixInstance> postfix_;
};

}  // namespace

TEST_F(PostfixThroughDnsd, WithoutHealthTheBurstWaitsOnConnectTimeouts) {
    ASSERT_NO_FATAL_FAILURE(start_dnsd({}));
    const std::vector<std::string> all = {"mail1.cambridge.smarthost.test.", "mail1.oxford.smarthost.test.",
                                          "mail2.cambridge.smarthost.test.", "mail2.oxford.smarthost.test."};
    ASSERT_EQ(mx_targets(), all);
    ASSERT_NO_FATAL_FAILURE(start_postfix());

    const Delivery d = deliver_burst();
    report("without --health", d);
    ASSERT_TRUE(d.complete) << d.sent << " sent, " << d.received << " received\n" << postfix_->log();
    EXPECT_TRUE(d.not_via_tier2.empty()) << d.not_via_tier2.front();
    // Each delivery tried tier 1 first and waited for its connects to time out.
    EXPECT_GE(d.seconds, std::chrono::duration<double>(kConnectTimeout).count());
    ASSERT_FALSE(d.timeouts.empty()) << postfix_->log();
    for (const auto& line : d.timeouts)
        EXPECT_TRUE(line.find("[10.19.1.25]:25") != std::string::npos ||
                    line.find("[10.19.1.26]:25") != std::string::npos)
            << line;
    expect_postfix_gone();
}

TEST_F(PostfixThroughDnsd, WithHealthTheBurstGoesStraightToTier2) {
    // Reaction time interval + fall x (interval + timeout) = 5 s; answers with TTL 1.
    ASSERT_NO_FATAL_FAILURE(start_dnsd({"--health", "smtp", "--health-interval", "1", "--health-timeout", "1",
                                        "--health-fall", "2", "--health-ttl", "1"}));
    const std::vector<std::string> tier2 = {"mail1.cambridge.smarthost.test.", "mail2.cambridge.smarthost.test."};
    std::vector<std::string> targets;
    const auto ready = std::chrono::steady_clock::now();
    for (auto deadline = ready + 20s; std::chrono::steady_clock::now() < deadline;) {
        targets = mx_targets();
        if (targets == tier2) break;
        std::this_thread::sleep_for(250ms);
    }
    ASSERT_EQ(targets, tier2) << "dnsd did not withdraw tier 1 within 20 s\n" << dnsd_->process().err();
    std::cout << "postfix e2e: dnsd's answers left tier 1 out "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - ready).count()
              << " s after it was ready\n";
    ASSERT_NO_FATAL_FAILURE(start_postfix());

    const Delivery d = deliver_burst();
    report("with --health smtp", d);
    ASSERT_TRUE(d.complete) << d.sent << " sent, " << d.received << " received\n" << postfix_->log();
    EXPECT_TRUE(d.not_via_tier2.empty()) << d.not_via_tier2.front();
    EXPECT_TRUE(d.timeouts.empty()) << d.timeouts.front();
    // Faster than even one connect timeout: no delivery waited on tier 1.
    EXPECT_LT(d.seconds, std::chrono::duration<double>(kConnectTimeout).count());
    expect_postfix_gone();
}
