// --allow-transfer rules: ranges and key names, parsing (with the mistakes it catches, and
// the bracketed IPv6 form that keeps a key's ':' unambiguous) and matching peers and keys,
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

dnsd::TransferAcl rules(std::initializer_list<const char*> texts, bool signature_required) {
    std::vector<dnsd::TransferRule> v;
    for (const char* t : texts) {
        auto parsed = dnsd::parse_transfer_rule(t);
        EXPECT_TRUE(parsed.ok()) << t;
        v.push_back(parsed.value());
    }
    return dnsd::TransferAcl(std::move(v), signature_required);
}

std::string rule_text(const char* text) {
    auto r = dnsd::parse_transfer_rule(text);
    return r ? r.value().text() : "error: " + r.errors().front().message;
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

TEST(TransferRule, AddressesKeysAndBoth) {
    EXPECT_EQ(rule_text("192.0.2.1"), "192.0.2.1/32");
    EXPECT_EQ(rule_text("192.0.2.0/24"), "192.0.2.0/24");
    EXPECT_EQ(rule_text("2001:db8::/32"), "2001:db8::/32");
    EXPECT_EQ(rule_text("::1"), "::1/128");
    EXPECT_EQ(rule_text("192.0.2.1:xfr-key"), "192.0.2.1/32 with key xfr-key.");
    EXPECT_EQ(rule_text("192.0.2.0/24:Site-B.Key."), "192.0.2.0/24 with key site-b.key.");
    EXPECT_EQ(rule_text("[2001:db8::1]:xfr-key"), "2001:db8::1/128 with key xfr-key.");
    EXPECT_EQ(rule_text("[2001:db8::]/32:xfr-key"), "2001:db8::/32 with key xfr-key.");
    EXPECT_EQ(rule_text("[::1]/128:xfr-key"), "::1/128 with key xfr-key.");
    EXPECT_EQ(rule_text("[::1]"), "::1/128");
    EXPECT_EQ(rule_text("[2001:db8::]/32"), "2001:db8::/32");
    EXPECT_EQ(rule_text("xfr-key"), "key xfr-key.");
    EXPECT_EQ(rule_text("mail.example"), "key mail.example.");
}

TEST(TransferRule, RejectsAmbiguousAndBrokenForms) {
    struct Case {
        const char* text;
        const char* why;
    } cases[] = {
        // Without brackets the key's ':' would be one more colon of the address.
        {"2001:db8::1:xfr-key", "put the address in brackets: [ADDR]/LEN:KEYNAME"},
        {"2001:db8::/32:xfr-key", "put the address in brackets"},
        {"[2001:db8::1:xfr-key", "no ']' after the bracketed address"},
        {"[192.0.2.1]:xfr-key", "brackets are for IPv6 addresses"},
        {"192.0.2.1:", "\"\" is not a key name"},
        {"192.0.2.300:xfr-key", "not an IPv4 or IPv6 address"},
        {"10.0.0.1/8:xfr-key", "host bits are set below the /8 prefix"},
        {"10.0.0.1/8", "host bits are set below the /8 prefix"},
        {"192.0.2.300", "not an IPv4 or IPv6 address"},
        {"[2001:db8::1]/129:k", "the prefix length must be a number from 0 to 128"},
        {"bad..name", "is not a key name"},
        {"", "not an IPv4 or IPv6 address"},
    };
    for (const auto& c : cases) {
        auto r = dnsd::parse_transfer_rule(c.text);
        ASSERT_FALSE(r.ok()) << c.text << " parsed as " << r.value().text();
        EXPECT_NE(r.errors().front().message.find(c.why), std::string::npos) << r.errors().front().message;
        EXPECT_EQ(r.errors().front().message.rfind(std::string("\"") + c.text + "\"", 0), 0u)
            << r.errors().front().message;
    }
}

TEST(TransferAcl, AddressAndKeyMustBothMatch) {
    const std::string a = "a-key.", b = "b-key.";
    auto acl = rules({"192.0.2.0/24:a-key", "[2001:db8::]/32:b-key", "b-key"}, true);
    EXPECT_TRUE(acl.allows(ep("192.0.2.7:1"), &a));
    EXPECT_TRUE(acl.allows(ep("192.0.2.7:1"), &b)) << "b-key alone allows any address";
    EXPECT_FALSE(acl.allows(ep("192.0.2.7:1"))) << "unsigned";
    EXPECT_FALSE(acl.allows(ep("198.51.100.1:1"), &a)) << "a-key from outside its range";
    EXPECT_TRUE(acl.allows(ep("198.51.100.1:1"), &b));
    EXPECT_TRUE(acl.allows(ep("[2001:db8::5]:1"), &b));
    EXPECT_FALSE(acl.allows(ep("[2001:db8::5]:1"), &a));
    EXPECT_TRUE(acl.allows(ep("[::ffff:192.0.2.9]:1"), &a)) << "IPv4-mapped";
    EXPECT_TRUE(acl.covers(ep("203.0.113.1:1"))) << "a key-only rule covers every address";
}

// A range without a key: an unsigned request is enough when no --tsig-key is given; with
// keys, the request must be signed with one of them (with one key, that key: as before).
TEST(TransferAcl, RangeWithoutKeyNeedsASignatureOnlyWhenKeysAreGiven) {
    const std::string a = "a-key.";
    auto open = rules({"127.0.0.1"}, false);
    EXPECT_TRUE(open.allows(ep("127.0.0.1:1")));
    EXPECT_TRUE(open.allows(ep("127.0.0.1:1"), &a));
    auto keyed = rules({"127.0.0.1"}, true);
    EXPECT_FALSE(keyed.allows(ep("127.0.0.1:1")));
    EXPECT_TRUE(keyed.allows(ep("127.0.0.1:1"), &a));
    EXPECT_FALSE(keyed.allows(ep("127.0.0.2:1"), &a));
    EXPECT_FALSE(keyed.covers(ep("127.0.0.2:1")));
}

// NOTIFY goes out signed with the key of the group the target is in.
TEST(TransferAcl, KeyForATargetIsTheFirstRuleThatNamesOneAndCoversIt) {
    auto acl = rules({"192.0.2.1", "192.0.2.0/24:a-key", "[2001:db8::]/32:b-key", "c-key"}, true);
    ASSERT_TRUE(acl.key_for(ep("192.0.2.1:53")));
    EXPECT_EQ(*acl.key_for(ep("192.0.2.1:53")), "a-key.");
    EXPECT_EQ(*acl.key_for(ep("[2001:db8::53]:53")), "b-key.");
    EXPECT_EQ(*acl.key_for(ep("198.51.100.53:53")), "c-key.");
    EXPECT_EQ(rules({"192.0.2.0/24"}, true).key_for(ep("192.0.2.1:53")), nullptr);
}
