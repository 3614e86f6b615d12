// dnsd --health end to end (issue 19): real SMTP listeners on 127.0.0.x stand in for the
// smarthosts, dnsd runs as a process, and the answers are read with UDP queries. The
// reaction bounds are the prober's promise: dead -> withdrawn within interval + fall x
// (interval + timeout), back within interval + rise x interval; each wait allows one more
// second for a busy machine, and every wait is bounded.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/health_lab.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"
#include "tests/support/smtp_listener.hpp"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

constexpr std::uint16_t kMx = 15, kSoa = 6, kAxfr = 252;

using Lab = HealthLab;  // tests/support/health_lab.hpp

std::vector<std::string> dnsd_args(const Lab& lab, const std::string& fall, const std::string& rise) {
    return {"--inventory",      lab.inventory, "--listen",          "127.0.0.1:0",
            "--health",         "smtp",        "--health-interval", "1",
            "--health-timeout", "1",           "--health-fall",     fall,
            "--health-rise",    rise,          "--health-ttl",      "5"};
}

dnstest::Decoded ask(std::uint16_t port, const char* name, std::uint16_t type) {
    auto reply = udp_exchange_at("127.0.0.1", port, dnstest::query(name, type));
    if (!reply) return {};
    return dnstest::decode(*reply);
}

// The MX targets of oxford as served, sorted ("mail.cambridge", "mail1.oxford", ...).
std::vector<std::string> oxford_targets(std::uint16_t port) {
    std::vector<std::string> out;
    for (const std::string& rr : ask(port, "oxford.lab.test", kMx).answer) {
        const auto last = rr.rfind(' ');
        std::string t = rr.substr(last + 1);
        out.push_back(t.substr(0, t.find(".lab.test.")));
    }
    std::sort(out.begin(), out.end());
    return out;
}

using Targets = std::vector<std::string>;
const Targets kAll{"mail.cambridge", "mail1.oxford", "mail2.oxford"};

// Polls until oxford's targets are want; returns the seconds it took, or -1 at the limit.
double wait_targets(std::uint16_t port, const Targets& want, std::chrono::milliseconds limit) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < limit) {
        if (oxford_targets(port) == want)
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::this_thread::sleep_for(50ms);
    }
    return -1;
}

std::uint32_t serial_of(std::uint16_t port) {
    auto d = ask(port, "lab.test", kSoa);
    if (d.answer.size() != 1) return 0;
    std::istringstream words(d.answer.front());
    std::string w;
    for (int i = 0; i < 7; ++i) words >> w;
    return static_cast<std::uint32_t>(std::stoul(w));
}

}  // namespace

TEST(Health, ATierThatDiesLeavesTheAnswerAndComesBackWithinTheReactionTime) {
    Lab lab;
    ASSERT_TRUE(lab.listening());
    Dnsd dnsd(DNSD_BIN, dnsd_args(lab, "2", "2"));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    // Every address starts up: the full tiers, at the health TTL.
    auto first = ask(dnsd.port(), "oxford.lab.test", kMx);
    ASSERT_EQ(first.answer.size(), 3u);
    EXPECT_NE(first.answer.front().find(" 5 IN MX "), std::string::npos) << first.answer.front();

    lab.mail1.stop();
    lab.mail2.stop();
    // interval + fall x (interval + timeout) = 1 + 2 x 2 = 5 s.
    const double gone = wait_targets(dnsd.port(), {"mail.cambridge"}, 6s);
    ASSERT_GE(gone, 0) << dnsd.process().err();
    std::printf("tier 1 withdrawn %.2f s after its listeners stopped (bound 5 s)\n", gone);
    auto d = ask(dnsd.port(), "oxford.lab.test", kMx);
    EXPECT_EQ(d.additional, std::vector<std::string>{"mail.cambridge.lab.test. 5 IN A 127.0.0.21"});
    EXPECT_TRUE(dnsd.process().wait_for_line(
        "dnsd: health: mail1.oxford.lab.test. 127.0.0.11 down (2 failures: connection refused)", 1s));
    // The hosts' own names keep resolving.
    EXPECT_EQ(ask(dnsd.port(), "mail1.oxford.lab.test", 1).answer.size(), 1u);

    ASSERT_TRUE(lab.mail1.restart());
    ASSERT_TRUE(lab.mail2.restart());
    // interval + rise x interval = 1 + 2 = 3 s.
    const double back = wait_targets(dnsd.port(), kAll, 4s);
    ASSERT_GE(back, 0) << dnsd.process().err();
    std::printf("tier 1 back %.2f s after its listeners returned (bound 3 s)\n", back);
    EXPECT_TRUE(dnsd.process().wait_for_line("dnsd: health: mail2.oxford.lab.test. 127.0.0.12 up (2 successes)", 1s));
}

TEST(Health, EveryTargetDownServesTheFullRRsetAndSaysSo) {
    Lab lab;
    ASSERT_TRUE(lab.listening());
    Dnsd dnsd(DNSD_BIN, dnsd_args(lab, "1", "1"));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    lab.mail1.stop();
    lab.mail2.stop();
    ASSERT_GE(wait_targets(dnsd.port(), {"mail.cambridge"}, 4s), 0) << dnsd.process().err();
    lab.cambridge.stop();
    ASSERT_TRUE(dnsd.process().wait_for_line("oxford.lab.test. MX: every target is down; serving all of them", 4s))
        << dnsd.process().err();
    EXPECT_EQ(oxford_targets(dnsd.port()), kAll);
    EXPECT_EQ(ask(dnsd.port(), "oxford.lab.test", kMx).additional.size(), 3u);
    // cambridge (tier 2: oxford, by the ring default) likewise: never emptied.
    EXPECT_EQ(ask(dnsd.port(), "cambridge.lab.test", kMx).answer.size(), 3u);
    // One smarthost back: only it is served.
    ASSERT_TRUE(lab.cambridge.restart());
    EXPECT_GE(wait_targets(dnsd.port(), {"mail.cambridge"}, 3s), 0) << dnsd.process().err();
    EXPECT_TRUE(dnsd.process().wait_for_line("oxford.lab.test. MX: a target is back; serving the live ones", 1s));
}

TEST(Health, AGreetingOf421IsDownAndTheCheckWaitsForTheGreetingAndSaysQuit) {
    Lab lab;
    ASSERT_TRUE(lab.listening());
    // A multi-line greeting, line by line: a client that talks early is caught.
    lab.mail2.set_greetings({"220-mail2.test ESMTP\r\n220-still greeting\r\n220 ready\r\n"}, 50ms);
    lab.mail1.set_greetings({"421 mail1.test too busy\r\n"});
    Dnsd dnsd(DNSD_BIN, dnsd_args(lab, "2", "2"));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    ASSERT_GE(wait_targets(dnsd.port(), {"mail.cambridge", "mail2.oxford"}, 6s), 0) << dnsd.process().err();
    EXPECT_TRUE(dnsd.process().wait_for_line("127.0.0.11 down (2 failures: greeting 421", 1s))
        << dnsd.process().err();
    ASSERT_TRUE(lab.mail2.wait_for_connections(3, 4s));
    dnsd.process().stop();
    for (const SmtpListener* l : {&lab.mail1, &lab.mail2}) {
        ASSERT_TRUE(l->wait_none_open(3s));
        const auto sessions = l->sessions();
        ASSERT_GE(sessions.size(), 2u) << l->address();
        for (std::size_t i = 0; i < sessions.size(); ++i) {
            const SmtpSession& s = sessions[i];
            EXPECT_FALSE(s.wrote_before_greeting) << l->address() << " got " << s.received;
            // The last probe may have been cut short by the stop; every earlier one was
            // greeted whole and said QUIT.
            if (i + 1 == sessions.size()) continue;
            EXPECT_TRUE(s.greeted) << l->address();
            EXPECT_TRUE(s.quit) << l->address() << " got " << s.received;
        }
    }
}

TEST(Health, AFlappingHostChangesTheAnswerOnlyAsHysteresisAllows) {
    Lab lab;
    ASSERT_TRUE(lab.listening());
    // fall 3, rise 2, a probe a second (never two closer than that): mail1 flaps every 2 s,
    // down for 1.8 s at a time, which holds at most 2 probes: never 3 failures in a row, so
    // the answer must not change at all.
    Dnsd dnsd(DNSD_BIN, dnsd_args(lab, "3", "2"));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    std::size_t different = 0, asked = 0;
    const auto start = std::chrono::steady_clock::now();
    bool up = true;
    auto next_flip = start + 2200ms;
    while (std::chrono::steady_clock::now() - start < 12s) {
        if (std::chrono::steady_clock::now() >= next_flip) {
            up = !up;
            if (up)
                ASSERT_TRUE(lab.mail1.restart());
            else
                lab.mail1.stop();
            next_flip += up ? 2200ms : 1800ms;
        }
        ++asked;
        if (oxford_targets(dnsd.port()) != kAll) ++different;
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_TRUE(lab.mail1.restart() || up);
    EXPECT_GT(asked, 50u);
    EXPECT_EQ(different, 0u) << dnsd.process().err();
    EXPECT_EQ(dnsd.process().err().find("mail1.oxford.lab.test. 127.0.0.11 down"), std::string::npos)
        << dnsd.process().err();
    // Probes kept reaching it while it was up.
    EXPECT_GE(lab.mail1.connections(), 4u);
}

TEST(Health, WithAStateDirEveryChangeIsANewSerialThatARestartNeverLowers) {
    Lab lab;
    ASSERT_TRUE(lab.listening());
    TempDir state;
    auto args = dnsd_args(lab, "1", "1");
    for (const char* a : {"--state-dir", state.path().c_str(), "--allow-transfer", "127.0.0.1"}) args.push_back(a);
    auto dnsd = std::make_unique<Dnsd>(DNSD_BIN, args);
    ASSERT_TRUE(dnsd->ready()) << dnsd->process().err();
    const std::uint32_t s0 = serial_of(dnsd->port());
    lab.mail1.stop();
    ASSERT_GE(wait_targets(dnsd->port(), {"mail.cambridge", "mail2.oxford"}, 4s), 0) << dnsd->process().err();
    const std::uint32_t s1 = serial_of(dnsd->port());
    EXPECT_EQ(s1, s0 + 1);
    // The transfer serves what dnsd answers: mail1 is not in oxford's MX RRset there either.
    TcpConnection c("127.0.0.1", dnsd->port());
    ASSERT_TRUE(c.send(framed(dnstest::query("lab.test", kAxfr))));
    std::vector<std::string> mx;
    for (int soa = 0; soa < 2;) {
        auto frame = c.read_frame(5s);
        ASSERT_TRUE(frame);
        auto d = dnstest::decode(*frame);
        for (const auto& rr : d.answer) {
            if (rr.find(" IN SOA ") != std::string::npos) ++soa;
            if (rr.rfind("oxford.lab.test.", 0) == 0 && rr.find(" IN MX ") != std::string::npos) mx.push_back(rr);
        }
    }
    EXPECT_EQ(dnstest::sorted(mx), dnstest::sorted(ask(dnsd->port(), "oxford.lab.test", kMx).answer));
    EXPECT_EQ(mx.size(), 2u);

    ASSERT_EQ(dnsd->process().stop(), 0);
    dnsd = std::make_unique<Dnsd>(DNSD_BIN, args);
    ASSERT_TRUE(dnsd->ready()) << dnsd->process().err();
    // All up again after the restart (records differ from the last version): a new serial.
    EXPECT_EQ(serial_of(dnsd->port()), s1 + 1);
    ASSERT_GE(wait_targets(dnsd->port(), {"mail.cambridge", "mail2.oxford"}, 4s), 0);
    EXPECT_EQ(serial_of(dnsd->port()), s1 + 2);
}
