// The query log line: one line per query naming transport, peer, question, type, rcode
// and size; odd names stay readable and a short buffer cuts the line but keeps its newline.
// In journal style each line starts with its syslog priority instead of "dnsd: ".
#include "dnsd/net/log.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes question(std::initializer_list<std::string_view> labels, std::uint16_t qtype) {
    Bytes q(12, 0);
    q[5] = 1;  // QDCOUNT
    for (std::string_view l : labels) {
        q.push_back(static_cast<std::uint8_t>(l.size()));
        q.insert(q.end(), l.begin(), l.end());
    }
    q.push_back(0);
    q.push_back(static_cast<std::uint8_t>(qtype >> 8));
    q.push_back(static_cast<std::uint8_t>(qtype));
    q.push_back(0);
    q.push_back(1);
    return q;
}

std::string line(dnsd::Transport t, const char* peer, const Bytes& q, dnsd::QueryInfo info, std::size_t len,
                 std::size_t cap = 600) {
    std::vector<char> buf(cap);
    std::size_t n = dnsd::format_query_line(buf, t, dnsd::parse_endpoint(peer).value(), q, info, len);
    return std::string(buf.data(), n);
}

}  // namespace

TEST(QueryLog, OneLinePerQuery) {
    dnsd::QueryInfo info;
    info.qtype = 15;
    EXPECT_EQ(line(dnsd::Transport::Udp, "127.0.0.1:40000", question({"Oxford", "smarthost", "local"}, 15), info,
                   183),
              "dnsd: query udp 127.0.0.1:40000 Oxford.smarthost.local. MX NOERROR 183\n");
    info.qtype = 16;
    info.truncated = true;
    EXPECT_EQ(line(dnsd::Transport::Udp, "[::1]:53", question({"big"}, 16), info, 500),
              "dnsd: query udp [::1]:53 big. TXT NOERROR 500 TC\n");
    info = {};
    info.qtype = 252;
    info.rcode = 5;
    EXPECT_EQ(line(dnsd::Transport::Tcp, "127.0.0.1:1", question({}, 252), info, 40),
              "dnsd: query tcp 127.0.0.1:1 . AXFR REFUSED 40\n");
    info = {};
    info.qtype = 6;
    info.rcode = 9;  // NOTAUTH: the signature did not verify
    info.is_signed = true;
    EXPECT_EQ(line(dnsd::Transport::Udp, "127.0.0.1:2", question({"x"}, 6), info, 60),
              "dnsd: query udp 127.0.0.1:2 x. SOA RCODE9 60 TSIG\n");
}

TEST(QueryLog, UnusualInputStaysReadable) {
    dnsd::QueryInfo info;
    info.qtype = 65;
    info.rcode = 9;
    EXPECT_EQ(line(dnsd::Transport::Udp, "127.0.0.1:5", question({"a.b", std::string_view("c\0", 2)}, 65), info, 0),
              "dnsd: query udp 127.0.0.1:5 a\\.b.c\\000. TYPE65 dropped\n");
    EXPECT_EQ(line(dnsd::Transport::Udp, "127.0.0.1:5", question({"x"}, 1), info, 30),
              "dnsd: query udp 127.0.0.1:5 x. TYPE65 RCODE9 30\n");
    Bytes cut = question({"oxford"}, 1);
    cut.resize(15);  // the label runs past the end
    EXPECT_EQ(line(dnsd::Transport::Udp, "127.0.0.1:5", cut, info, 0),
              "dnsd: query udp 127.0.0.1:5 - TYPE65 dropped\n");
    // A small buffer cuts the line short but keeps the newline.
    EXPECT_EQ(line(dnsd::Transport::Udp, "127.0.0.1:5", cut, info, 0, 12), "dnsd: query\n");
}

namespace {

// What the writes of f put on stderr, read back through a pipe.
template <typename F>
std::string stderr_of(F f) {
    int fds[2];
    if (::pipe(fds) != 0) return "pipe failed";
    const int saved = ::dup(STDERR_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    f();
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    ::close(fds[1]);
    std::string text;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    return text;
}

}  // namespace

// sd-daemon(3): journald takes "<N>" at the start of each line as its priority, and adds
// the name, the PID and the time itself; so lines carry the priority and not "dnsd: ".
TEST(Log, JournalStyleGivesEachLineItsPriorityInsteadOfTheName) {
    std::string plain = stderr_of([] {
        dnsd::log_line("ready on udp 127.0.0.1:53", dnsd::Priority::Notice);
        dnsd::write_stderr("zones/x.zone:3: bad\n", dnsd::Priority::Error);
    });
    EXPECT_EQ(plain, "dnsd: ready on udp 127.0.0.1:53\nzones/x.zone:3: bad\n");

    dnsd::log_to_journal(true);
    std::string journal = stderr_of([] {
        dnsd::log_line("ready on udp 127.0.0.1:53", dnsd::Priority::Notice);
        dnsd::log_line("health: mail 192.0.2.25 down (timeout)", dnsd::Priority::Warning);
        dnsd::write_stderr("zones/x.zone:3: bad\nzones/x.zone:4: worse\n", dnsd::Priority::Error);
        dnsd::write_stderr("no newline at the end");
        dnsd::log_line("query line");
    });
    dnsd::log_to_journal(false);
    EXPECT_EQ(journal,
              "<5>ready on udp 127.0.0.1:53\n"
              "<4>health: mail 192.0.2.25 down (timeout)\n"
              "<3>zones/x.zone:3: bad\n<3>zones/x.zone:4: worse\n"
              "<6>no newline at the end\n"
              "<6>query line\n");
}

TEST(Log, QueryLineInJournalStyle) {
    dnsd::QueryInfo info;
    info.qtype = 15;
    const std::string q = line(dnsd::Transport::Udp, "127.0.0.1:40000", question({"oxford"}, 15), info, 100);
    dnsd::log_to_journal(true);
    std::string journal = stderr_of([&] { dnsd::write_stderr(q); });
    dnsd::log_to_journal(false);
    EXPECT_EQ(journal, "<6>query udp 127.0.0.1:40000 oxford. MX NOERROR 100\n");
}
