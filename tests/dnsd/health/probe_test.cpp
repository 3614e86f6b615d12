// One check against real sockets on 127.0.0.x: what passes, what fails and the reason it
// gives, what cannot be judged; and, from the fake server's record, that the smtp check
// never talks before the greeting is complete and always says QUIT after one.
#include "dnsd/health/probe.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/support/smtp_listener.hpp"

using namespace std::chrono_literals;
using dnsd::health::Check;
using dnsd::health::check_once;
using testsupport::SmtpListener;
using testsupport::SmtpMode;

namespace {

dnsd::Endpoint at(const std::string& text) { return dnsd::parse_endpoint(text).value(); }

// A port on address that nobody listens on: bound, then closed (connects are refused).
std::string closed_port(const std::string& address) {
    SmtpListener l(address);
    EXPECT_TRUE(l.listening());
    l.stop();
    return l.endpoint();
}

}  // namespace

TEST(Probe, SmtpPassesOnA220GreetingAndSaysQuit) {
    SmtpListener l("127.0.0.2");
    ASSERT_TRUE(l.listening());
    const auto outcome = check_once(Check::Smtp, at(l.endpoint()), 2s);
    EXPECT_TRUE(outcome.ok) << outcome.reason;
    EXPECT_TRUE(outcome.judged);
    EXPECT_EQ(outcome.reason, "greeting 220 test.invalid ESMTP");
    ASSERT_TRUE(l.wait_none_open(2s));
    const auto s = l.sessions();
    ASSERT_EQ(s.size(), 1u);
    EXPECT_TRUE(s[0].greeted);
    EXPECT_FALSE(s[0].wrote_before_greeting);
    EXPECT_TRUE(s[0].quit);
    EXPECT_EQ(s[0].received, "QUIT\r\n");
    EXPECT_TRUE(s[0].client_closed);
}

// Postfix's postscreen greets with "220-" first and penalises clients that talk then; the
// lines go out 50 ms apart, so a client writing after the first line would be caught.
TEST(Probe, SmtpWaitsForTheWholeMultiLineGreeting) {
    SmtpListener l("127.0.0.2");
    ASSERT_TRUE(l.listening());
    for (const char* greeting :
         {"220-mail.test ESMTP\r\n220-wait for it\r\n220 mail.test ready\r\n", "220-bare\n220 linefeeds\n"}) {
        l.set_greetings({greeting}, 50ms);
        const auto before = l.connections();
        const auto outcome = check_once(Check::Smtp, at(l.endpoint()), 2s);
        EXPECT_TRUE(outcome.ok) << outcome.reason;
        ASSERT_TRUE(l.wait_none_open(2s));
        const auto s = l.sessions();
        ASSERT_EQ(s.size(), before + 1);
        EXPECT_TRUE(s.back().greeted);
        EXPECT_FALSE(s.back().wrote_before_greeting) << greeting;
        EXPECT_TRUE(s.back().quit) << greeting;
    }
}

TEST(Probe, SmtpFailsOnA4xxOr5xxGreetingAndStillSaysQuit) {
    SmtpListener l("127.0.0.2");
    ASSERT_TRUE(l.listening());
    l.set_greetings({"421 mail.test busy\r\n", "554-mail.test\r\n554 no service\r\n"});
    const auto busy = check_once(Check::Smtp, at(l.endpoint()), 2s);
    EXPECT_FALSE(busy.ok);
    EXPECT_TRUE(busy.judged);
    EXPECT_EQ(busy.reason, "greeting 421 mail.test busy");
    const auto refused = check_once(Check::Smtp, at(l.endpoint()), 2s);
    EXPECT_FALSE(refused.ok);
    EXPECT_EQ(refused.reason, "greeting 554 no service");
    ASSERT_TRUE(l.wait_none_open(2s));
    for (const auto& s : l.sessions()) {
        EXPECT_FALSE(s.wrote_before_greeting);
        EXPECT_TRUE(s.quit);
    }
}

TEST(Probe, SmtpFailsOnSomethingThatIsNotSmtpWithoutQuit) {
    SmtpListener l("127.0.0.2");
    ASSERT_TRUE(l.listening());
    l.set_greetings({"SSH-2.0-OpenSSH_9.2\r\n"});
    const auto outcome = check_once(Check::Smtp, at(l.endpoint()), 2s);
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.reason, "malformed greeting: not an SMTP reply: \"SSH-2.0-OpenSSH_9.2\"");
    ASSERT_TRUE(l.wait_none_open(2s));
    EXPECT_EQ(l.sessions().at(0).received, "");
}

TEST(Probe, RefusedClosedAndResetConnectionsFailWithTheirReason) {
    const auto refused = check_once(Check::Smtp, at(closed_port("127.0.0.3")), 2s);
    EXPECT_FALSE(refused.ok);
    EXPECT_TRUE(refused.judged);
    EXPECT_EQ(refused.reason, "connection refused");
    EXPECT_EQ(check_once(Check::Tcp, at(closed_port("127.0.0.3")), 2s).reason, "connection refused");

    SmtpListener l("127.0.0.3");
    ASSERT_TRUE(l.listening());
    l.set_mode(SmtpMode::Close);
    const auto closed = check_once(Check::Smtp, at(l.endpoint()), 2s);
    EXPECT_FALSE(closed.ok);
    EXPECT_EQ(closed.reason, "connection closed before the greeting");
    l.set_mode(SmtpMode::Reset);
    const auto reset = check_once(Check::Smtp, at(l.endpoint()), 2s);
    EXPECT_FALSE(reset.ok);
    EXPECT_EQ(reset.reason, "connection reset");
}

TEST(Probe, ASilentServerTimesOutWithinTheTimeout) {
    SmtpListener l("127.0.0.4");
    ASSERT_TRUE(l.listening());
    l.set_mode(SmtpMode::Silent);
    const auto t0 = std::chrono::steady_clock::now();
    const auto outcome = check_once(Check::Smtp, at(l.endpoint()), 300ms);
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.reason, "timeout waiting for the greeting");
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 800ms);
    ASSERT_TRUE(l.wait_none_open(2s));
    EXPECT_EQ(l.sessions().at(0).received, "");  // no QUIT without a greeting
}

// The timeout covers the connect too. A listener whose accept queue is full (backlog 0,
// one connection queued, never accepted) drops further SYNs, so that connect never ends.
TEST(Probe, AConnectThatNeverCompletesTimesOut) {
    const int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(l, 0);
    dnsd::Endpoint ep = at("127.0.0.5:0");
    ASSERT_EQ(::bind(l, ep.sa(), ep.len), 0);
    ASSERT_EQ(::listen(l, 0), 0);
    socklen_t len = sizeof ep.addr;
    ASSERT_EQ(::getsockname(l, ep.sa(), &len), 0);
    const auto filler = check_once(Check::Tcp, ep, 1s);  // fills the queue
    EXPECT_TRUE(filler.ok) << filler.reason;
    const auto outcome = check_once(Check::Tcp, ep, 300ms);
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.reason, "timeout connecting");
    ::close(l);
}

TEST(Probe, TcpPassesOnAConnectAndSendsNothing) {
    SmtpListener l("127.0.0.2");
    ASSERT_TRUE(l.listening());
    l.set_mode(SmtpMode::Silent);
    const auto outcome = check_once(Check::Tcp, at(l.endpoint()), 2s);
    EXPECT_TRUE(outcome.ok) << outcome.reason;
    EXPECT_EQ(outcome.reason, "connected");
    // The kernel completes the handshake before the server accepts: wait for both.
    ASSERT_TRUE(l.wait_for_connections(1, 2s));
    ASSERT_TRUE(l.wait_none_open(2s));
    ASSERT_EQ(l.sessions().size(), 1u);
    EXPECT_EQ(l.sessions()[0].received, "");
    EXPECT_TRUE(l.sessions()[0].client_closed);
}

TEST(Probe, Ipv6LoopbackWorksToo) {
    // ::1 may be missing where IPv6 is off; then the check cannot judge rather than fail.
    const auto outcome = check_once(Check::Tcp, at("[::1]:9"), 1s);
    if (outcome.judged) {
        EXPECT_FALSE(outcome.ok);
        EXPECT_EQ(outcome.reason, "connection refused");
    } else {
        EXPECT_TRUE(outcome.ok);
        EXPECT_EQ(outcome.reason.rfind("cannot judge: ", 0), 0u) << outcome.reason;
    }
}

// connect(2) refuses TCP to a multicast address with ENETUNREACH before any packet is
// sent: the same code this machine gives for an address it has no route to, and so the
// same verdict (cannot judge, stays up).
TEST(Probe, NoRouteFromHereCannotBeJudged) {
    const auto outcome = check_once(Check::Smtp, at("224.0.0.1:25"), 1s);
    EXPECT_FALSE(outcome.judged);
    EXPECT_TRUE(outcome.ok);
    EXPECT_EQ(outcome.reason, "cannot judge: no route (ENETUNREACH)");
}

TEST(Probe, DescribesConnectErrors) {
    EXPECT_EQ(dnsd::health::describe_errno(ECONNREFUSED), "connection refused");
    EXPECT_EQ(dnsd::health::describe_errno(EHOSTUNREACH), "host unreachable");
}
