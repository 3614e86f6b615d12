// --allow-transfer ranges: parsing (with the mistakes it catches) and matching peers,
// IPv4-mapped IPv6 peers included.
#include <gtest/gtest.h>

#include "dnsd/primary/acl.hpp"

namespace {

dnsd::Endpoint ep(const char* text) {
    auto e = dnsd::parse_endpoint(text);
    EXPECT_TRUE(e.ok()) << text;
    return e.value();
}

dnsd::TransferAcl acl(std::initializer_list<const char*> ranges) {
    std::vector<dnsd::AddressRange> v;
    for (const char* r : ranges) {
        auto parsed = dnsd::parse_address_range(r);
        EXPECT_TRUE(parsed.ok()) << r;
        v.push_back(parsed.value());
    }
    return dnsd::TransferAcl(std::move(v));
}

}  // namespace

TEST(AddressRange, ParsesHostsAndPrefixes) {
    EXPECT_EQ(dnsd::parse_address_range("192.0.2.1").value().text(), "192.0.2.1/32");
    EXPECT_EQ(dnsd::parse_address_range("192.0.2.0/24").value().text(), "192.0.2.0/24");
    EXPECT_EQ(dnsd::parse_address_range("0.0.0.0/0").value().text(), "0.0.0.0/0");
    EXPECT_EQ(dnsd::parse_address_range("2001:db8::/32").value().text(), "2001:db8::/32");
    EXPECT_EQ(dnsd::parse_address_range("::1").value().text(), "::1/128");
}

TEST(AddressRange, RejectsMistakes) {
    struct Case {
        const char* text;
        const char* why;
    } cases[] = {
        {"10.0.0.1/8", "host bits are set below the /8 prefix"},
        {"192.0.2.0/33", "the prefix length must be a number from 0 to 32"},
        {"2001:db8::/129", "the prefix length must be a number from 0 to 128"},
        {"192.0.2.0/", "the prefix length must be a number"},
        {"192.0.2.0/x", "the prefix length must be a number"},
        {"mail.example", "not an IPv4 or IPv6 address"},
        {"", "not an IPv4 or IPv6 address"},
        {"192.0.2.300", "not an IPv4 or IPv6 address"},
    };
    for (const auto& c : cases) {
        auto r = dnsd::parse_address_range(c.text);
        ASSERT_FALSE(r.ok()) << c.text;
        EXPECT_NE(r.errors().front().message.find(c.why), std::string::npos) << r.errors().front().message;
        EXPECT_NE(r.errors().front().message.find(std::string("\"") + c.text + "\""), std::string::npos);
    }
}

TEST(TransferAcl, NobodyByDefault) {
    dnsd::TransferAcl none;
    EXPECT_FALSE(none.allows(ep("127.0.0.1:53")));
    EXPECT_FALSE(none.allows(ep("[::1]:53")));
}

TEST(TransferAcl, MatchesByPrefix) {
    auto a = acl({"192.0.2.0/25", "198.51.100.7", "2001:db8:1::/48"});
    EXPECT_TRUE(a.allows(ep("192.0.2.0:1")));
    EXPECT_TRUE(a.allows(ep("192.0.2.127:1")));
    EXPECT_FALSE(a.allows(ep("192.0.2.128:1")));
    EXPECT_TRUE(a.allows(ep("198.51.100.7:1")));
    EXPECT_FALSE(a.allows(ep("198.51.100.6:1")));
    EXPECT_TRUE(a.allows(ep("[2001:db8:1:ffff::1]:1")));
    EXPECT_FALSE(a.allows(ep("[2001:db8:2::1]:1")));
    EXPECT_FALSE(a.allows(ep("127.0.0.1:1")));
}

TEST(TransferAcl, OddPrefixLengths) {
    auto a = acl({"10.0.0.0/9"});  // 10.0.0.0 - 10.127.255.255
    EXPECT_TRUE(a.allows(ep("10.127.255.255:1")));
    EXPECT_FALSE(a.allows(ep("10.128.0.0:1")));
    auto all = acl({"0.0.0.0/0"});
    EXPECT_TRUE(all.allows(ep("203.0.113.9:1")));
    EXPECT_FALSE(all.allows(ep("[2001:db8::1]:1"))) << "an IPv4 range never matches a real IPv6 peer";
}

// RFC 4291 §2.5.5.2: an IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d.
TEST(TransferAcl, Ipv4MappedPeersMatchIpv4Ranges) {
    auto a = acl({"127.0.0.0/8"});
    EXPECT_TRUE(a.allows(ep("[::ffff:127.0.0.1]:53")));
    EXPECT_FALSE(a.allows(ep("[::ffff:192.0.2.1]:53")));
    EXPECT_FALSE(a.allows(ep("[::1]:53")));
}
