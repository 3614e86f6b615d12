// The query log line: one line per query naming transport, peer, question, type, rcode
// and size; odd names stay readable and a short buffer cuts the line but keeps its newline.
#include "dnsd/net/log.hpp"

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
