// Listen addresses: parsing ADDR:PORT and [ADDR]:PORT with a message for each way it can
// be wrong, and endpoints made from the kernel's socket addresses.
#include "dnsd/net/endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include <string>

TEST(Endpoint, ParsesIpv4AndBracketedIpv6) {
    auto v4 = dnsd::parse_endpoint("127.0.0.1:5353");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4.value().family(), AF_INET);
    EXPECT_EQ(v4.value().port(), 5353);
    EXPECT_EQ(v4.value().len, sizeof(sockaddr_in));
    EXPECT_EQ(v4.value().text(), "127.0.0.1:5353");

    auto v6 = dnsd::parse_endpoint("[::1]:53");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6.value().family(), AF_INET6);
    EXPECT_EQ(v6.value().port(), 53);
    EXPECT_EQ(v6.value().text(), "[::1]:53");

    auto any = dnsd::parse_endpoint("0.0.0.0:0");
    ASSERT_TRUE(any);
    EXPECT_EQ(any.value().port(), 0);
    EXPECT_EQ(dnsd::parse_endpoint("[2001:DB8::25]:65535").value().text(), "[2001:db8::25]:65535");
}

TEST(Endpoint, RejectsWhatIsNotAddrPort) {
    struct Case {
        const char* text;
        const char* why;
    } cases[] = {
        {"", "expected ADDR:PORT"},
        {"127.0.0.1", "expected ADDR:PORT"},
        {"127.0.0.1:", "the port must be a number from 0 to 65535"},
        {"127.0.0.1:65536", "the port must be a number from 0 to 65535"},
        {"127.0.0.1:53x", "the port must be a number from 0 to 65535"},
        {"127.0.0.1:-1", "the port must be a number from 0 to 65535"},
        {"localhost:53", "not an IPv4 address"},
        {"256.0.0.1:53", "not an IPv4 address"},
        {"::1:53", "an IPv6 address goes in brackets: [ADDR]:PORT"},
        {"[::1:53", "missing ']' after the IPv6 address"},
        {"[::1]53", "expected [ADDR]:PORT"},
        {"[::1]", "expected [ADDR]:PORT"},
        {"[127.0.0.1]:53", "not an IPv6 address"},
    };
    for (const Case& c : cases) {
        auto r = dnsd::parse_endpoint(c.text);
        ASSERT_FALSE(r) << c.text;
        EXPECT_EQ(r.errors().front().message, '"' + std::string(c.text) + "\": " + c.why);
    }
}

TEST(Endpoint, FromKernelAddress) {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(40000);
    inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
    auto ep = dnsd::endpoint_of(reinterpret_cast<sockaddr*>(&sin6), sizeof sin6);
    EXPECT_EQ(ep.text(), "[::1]:40000");
    ep.set_port(7);
    EXPECT_EQ(ep.port(), 7);
}
