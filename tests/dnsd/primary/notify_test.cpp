// NOTIFY out (RFC 1996): the message (opcode NOTIFY, AA, SOA question, the SOA as a hint,
// signed with a key), which zones count as changed, the sender's doubling retries that stop
// at the matching answer or after the bounded count; and a running dnsd notifying at start
// and after a reload that changed the serial, never after a failed or unchanged one. An
// incoming NOTIFY is refused.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dnsd/primary/notify.hpp"
#include "tests/dnsd/answer/respond_fixture.hpp"
#include "tests/support/dns_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"
#include "zonegen/core/ldns.hpp"

using namespace testsupport;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kZoneFile = SMARTHOST_TEST_DATA "/e2e/smarthost.local.zone";

// A pretend secondary: a UDP socket on 127.0.0.1 that records NOTIFYs and answers them
// only when told to.
class FakeSecondary {
public:
    FakeSecondary() {
        fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~FakeSecondary() { ::close(fd_); }
    std::uint16_t port() const { return port_; }
    dnsd::Endpoint endpoint() const { return dnsd::parse_endpoint("127.0.0.1:" + std::to_string(port_)).value(); }

    struct Got {
        Bytes message;
        sockaddr_in from{};
        Clock::time_point at;
    };
    std::optional<Got> receive(std::chrono::milliseconds timeout) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
        Got g;
        g.message.resize(4096);
        socklen_t len = sizeof g.from;
        ssize_t n = ::recvfrom(fd_, g.message.data(), g.message.size(), 0, reinterpret_cast<sockaddr*>(&g.from),
                               &len);
        if (n < 0) return std::nullopt;
        g.message.resize(static_cast<std::size_t>(n));
        g.at = Clock::now();
        return g;
    }
    // Answers a NOTIFY as a secondary does (RFC 1996 §4.7): same ID, QR set, the question.
    void answer(const Got& g, std::optional<std::uint16_t> id = std::nullopt) {
        Bytes reply = g.message;
        reply.resize(12 + (reply.size() > 12 ? question_length(reply) : 0));
        if (id) {
            reply[0] = static_cast<std::uint8_t>(*id >> 8);
            reply[1] = static_cast<std::uint8_t>(*id);
        }
        reply[2] |= 0x80;
        reply[6] = reply[7] = reply[8] = reply[9] = reply[10] = reply[11] = 0;
        ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<const sockaddr*>(&g.from), sizeof g.from);
    }

private:
    static std::size_t question_length(const Bytes& m) {
        std::size_t i = 12;
        while (i < m.size() && m[i] != 0) i += 1 + m[i];
        return i + 5 - 12;
    }
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

std::uint16_t id_of(const Bytes& m) { return static_cast<std::uint16_t>(m[0] << 8 | m[1]); }

std::string serial_in(const dnstest::Decoded& d) {
    if (d.answer.size() != 1) return "no SOA";
    std::istringstream words(d.answer[0]);
    std::string w;
    for (int i = 0; i < 7 && words >> w;) ++i;
    return w;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

std::string zone_text(std::uint32_t serial) {
    std::ifstream f(kZoneFile);
    std::stringstream s;
    s << f.rdbuf();
    return replace_all(s.str(), "2026112301", std::to_string(serial));
}

std::shared_ptr<const dnsd::AnswerTable> table_of(std::vector<zonegen::Zone> zones) {
    return dnsd::AnswerTable::compile(zones).value();
}

}  // namespace

TEST(NotifyMessage, OpcodeNotifyAaSoaQuestionAndTheNewSoa) {
    auto zone = dnsdtest::smarthost_zone();
    auto m = dnsd::notify_message(dnsd::ZoneImage(zone), 0x5151, nullptr);
    ASSERT_TRUE(m);
    auto d = dnstest::decode(*m);
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.id, 0x5151);
    EXPECT_EQ(d.opcode, 4);
    EXPECT_TRUE(d.aa);
    EXPECT_FALSE(d.qr);
    EXPECT_EQ(d.question, std::vector<std::string>{"smarthost.local. IN SOA"});
    ASSERT_EQ(d.answer.size(), 1u);
    EXPECT_EQ(serial_in(d), "2026112301");
}

TEST(NotifyMessage, SignedWithTheKey) {
    auto key = dnsd::read_tsig_key(SMARTHOST_TEST_DATA "/xfr/xfr-key.key").value();
    auto m = dnsd::notify_message(dnsd::ZoneImage(dnsdtest::smarthost_zone()), 7, &key);
    ASSERT_TRUE(m);
    auto v = dnsd::verify_request(&key, *m, static_cast<std::int64_t>(std::time(nullptr)));
    EXPECT_TRUE(v.is_signed);
    EXPECT_EQ(v.error, dnsd::TsigError::NoError);
}

TEST(ChangedZones, NewZonesAndChangedSerialsOnly) {
    auto before = table_of([] {
        std::vector<zonegen::Zone> v;
        v.push_back(dnsdtest::smarthost_zone());
        return v;
    }());
    auto same = table_of([] {
        std::vector<zonegen::Zone> v;
        v.push_back(dnsdtest::smarthost_zone());
        v.push_back(dnsdtest::other_zone());
        return v;
    }());
    auto changed = table_of([] {
        std::vector<zonegen::Zone> v;
        v.push_back(dnsdtest::smarthost_zone().with_serial(2026112302));
        return v;
    }());
    ASSERT_EQ(dnsd::changed_zones(nullptr, *before).size(), 1u);
    auto added = dnsd::changed_zones(before.get(), *same);
    ASSERT_EQ(added.size(), 1u);
    EXPECT_EQ(added.front()->origin().text(), "other.test.");
    EXPECT_TRUE(dnsd::changed_zones(before.get(), *before).empty());
    auto moved = dnsd::changed_zones(before.get(), *changed);
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_EQ(moved.front()->serial(), 2026112302u);
}

// RFC 1996 §3.6: unanswered NOTIFYs are repeated, here after 100, 200, 400 ms ...; the
// answer with the matching ID (from the target) ends it; an answer with another ID does not.
TEST(Notifier, RetriesWithDoublingDelayUntilAnswered) {
    FakeSecondary secondary;
    auto notifier = dnsd::Notifier::start({secondary.endpoint()}, {std::chrono::milliseconds(100), 6});
    ASSERT_TRUE(notifier.ok());
    notifier.value()->notify(dnsd::ZoneImage(dnsdtest::smarthost_zone()));
    std::vector<FakeSecondary::Got> got;
    for (int i = 0; i < 3; ++i) {
        auto g = secondary.receive(std::chrono::seconds(3));
        ASSERT_TRUE(g) << "try " << i;
        got.push_back(*g);
        if (i == 1) secondary.answer(*g, static_cast<std::uint16_t>(id_of(g->message) + 1));  // not ours
    }
    secondary.answer(got.back());
    EXPECT_FALSE(secondary.receive(std::chrono::milliseconds(1200))) << "answered, yet sent again";
    EXPECT_EQ(id_of(got[0].message), id_of(got[1].message));
    EXPECT_EQ(id_of(got[1].message), id_of(got[2].message));
    auto gap1 = got[1].at - got[0].at, gap2 = got[2].at - got[1].at;
    EXPECT_GE(gap1, std::chrono::milliseconds(90));
    EXPECT_LT(gap1, std::chrono::milliseconds(300));
    EXPECT_GE(gap2, std::chrono::milliseconds(190));
    EXPECT_LT(gap2, std::chrono::milliseconds(600));
}

TEST(Notifier, GivesUpAfterTheBoundedCount) {
    FakeSecondary secondary;
    auto notifier = dnsd::Notifier::start({secondary.endpoint()}, {std::chrono::milliseconds(50), 3});
    ASSERT_TRUE(notifier.ok());
    notifier.value()->notify(dnsd::ZoneImage(dnsdtest::smarthost_zone()));
    int count = 0;
    while (secondary.receive(std::chrono::milliseconds(800))) ++count;
    EXPECT_EQ(count, 3);
}

// Only the newest serial matters: a second notify replaces the one still being retried.
TEST(Notifier, NewerSerialReplacesThePendingOne) {
    FakeSecondary secondary;
    auto notifier = dnsd::Notifier::start({secondary.endpoint()}, {std::chrono::milliseconds(300), 4});
    ASSERT_TRUE(notifier.ok());
    notifier.value()->notify(dnsd::ZoneImage(dnsdtest::smarthost_zone()));
    auto first = secondary.receive(std::chrono::seconds(2));
    ASSERT_TRUE(first);
    notifier.value()->notify(dnsd::ZoneImage(dnsdtest::smarthost_zone().with_serial(2026112399)));
    auto second = secondary.receive(std::chrono::seconds(2));
    ASSERT_TRUE(second);
    EXPECT_EQ(serial_in(dnstest::decode(second->message)), "2026112399");
    secondary.answer(*second);
    EXPECT_FALSE(secondary.receive(std::chrono::milliseconds(1000))) << "the old serial is still being sent";
}

TEST(DnsdNotify, AtStartAndAfterReloadsThatChangeTheSerialOnly) {
    FakeSecondary secondary;
    TempDir dir;
    const std::string zone = dir / "smarthost.local.zone";
    write_text(zone, zone_text(2026112301));
    Dnsd dnsd(DNSD_BIN, {"--zone", zone, "--listen", "127.0.0.1:0", "--notify",
                         "127.0.0.1:" + std::to_string(secondary.port())});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    auto at_start = secondary.receive(std::chrono::seconds(3));
    ASSERT_TRUE(at_start) << dnsd.process().err();
    EXPECT_EQ(dnstest::decode(at_start->message).opcode, 4);
    EXPECT_EQ(serial_in(dnstest::decode(at_start->message)), "2026112301");
    secondary.answer(*at_start);
    EXPECT_TRUE(dnsd.process().wait_for_line("answered after 1 try", std::chrono::seconds(3)))
        << dnsd.process().err();

    auto reload = [&](const std::string& text, const std::string& expect) {
        std::size_t from = dnsd.process().err_line_count();
        write_text(zone, text);
        dnsd.process().signal(SIGHUP);
        ASSERT_TRUE(dnsd.process().wait_for_line(expect, std::chrono::seconds(5), from)) << dnsd.process().err();
    };
    // A failed reload (bad address) and an unchanged serial notify nobody.
    reload(replace_all(zone_text(2026112302), "192.0.2.25", "192.0.2.300"), "dnsd: reload failed");
    EXPECT_FALSE(secondary.receive(std::chrono::milliseconds(1500))) << "NOTIFY after a failed reload";
    reload(zone_text(2026112301), "dnsd: reloaded");
    EXPECT_FALSE(secondary.receive(std::chrono::milliseconds(1500))) << "NOTIFY without a new serial";
    reload(zone_text(2026112305), "dnsd: reloaded");
    auto after = secondary.receive(std::chrono::seconds(3));
    ASSERT_TRUE(after);
    EXPECT_EQ(serial_in(dnstest::decode(after->message)), "2026112305");
    secondary.answer(*after);
}

// RFC 1996: dnsd is the primary; a NOTIFY sent to it is refused.
TEST(DnsdNotify, IncomingNotifyIsRefused) {
    Dnsd dnsd(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    dnstest::QueryOptions o;
    o.opcode = 4;
    auto r = udp_exchange_at("127.0.0.1", dnsd.port(), dnstest::query("smarthost.local", 6, o));
    ASSERT_TRUE(r);
    auto d = dnstest::decode(*r);
    EXPECT_EQ(d.opcode, 4);
    EXPECT_EQ(d.rcode, 5);
}

TEST(DnsdNotify, BadTargetIsAUsageError) {
    for (const char* bad : {"127.0.0.1", "127.0.0.1:0", "host:53"}) {
        auto r = run(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--notify", bad});
        EXPECT_EQ(r.status, 2) << bad;
        EXPECT_NE(r.err.find("--notify"), std::string::npos) << r.err;
    }
}
