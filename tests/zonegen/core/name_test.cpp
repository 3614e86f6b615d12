// Name: parsing, wire form, presentation, canonical order (RFC 4034 §6.1).
#include "zonegen/core/name.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

using zonegen::hash_wire;
using zonegen::Name;

static Name N(const char* s) { return *Name::parse(s); }

TEST(Name, ParsesToLowerCaseWire) {
    auto n = Name::parse("Mail.Oxford.Example");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->wire(), std::string_view("\4mail\6oxford\7example\0", 21));
    EXPECT_EQ(n->text(), "mail.oxford.example.");
    EXPECT_EQ(n->label_count(), 3u);
}

TEST(Name, RootForms) {
    EXPECT_TRUE(N(".").is_root());
    EXPECT_TRUE(N("").is_root());
    EXPECT_EQ(N(".").text(), ".");
}

TEST(Name, RejectsBadNames) {
    std::string why;
    EXPECT_FALSE(Name::parse("a..b", &why));
    EXPECT_EQ(why, "empty label");
    EXPECT_FALSE(Name::parse(std::string(64, 'a'), &why));
    EXPECT_EQ(why, "label longer than 63 octets");
    EXPECT_TRUE(Name::parse(std::string(63, 'a')));
    // 4 labels of 63 + 4 length bytes + root = 257 octets: too long; 3 of 63 + one of 61 = 255.
    std::string l63(63, 'a');
    EXPECT_FALSE(Name::parse(l63 + "." + l63 + "." + l63 + "." + l63, &why));
    EXPECT_EQ(why, "name longer than 255 octets");
    EXPECT_TRUE(Name::parse(l63 + "." + l63 + "." + l63 + "." + std::string(61, 'a')));
}

TEST(Name, EscapesRoundTrip) {
    auto n = Name::parse("a\\.b.c\\032d.example");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->label_count(), 3u);
    EXPECT_EQ(n->text(), "a\\.b.c\\032d.example.");
    EXPECT_EQ(*Name::parse(n->text()), *n);
}

TEST(Name, FromWire) {
    auto n = Name::from_wire(std::string_view("\4MAIL\7example\0", 14));
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, N("mail.example"));
    EXPECT_FALSE(Name::from_wire(std::string_view("\4mail", 5)));    // no root
    EXPECT_FALSE(Name::from_wire(std::string_view("\xc0\x0c", 2)));  // pointer
    EXPECT_FALSE(Name::from_wire(std::string_view("\1a\0\0", 4)));   // trailing bytes
}

TEST(Name, SubdomainIsLabelWise) {
    EXPECT_TRUE(N("mail.oxford.example").is_subdomain_of(N("example")));
    EXPECT_TRUE(N("example").is_subdomain_of(N("example")));
    EXPECT_FALSE(N("badexample").is_subdomain_of(N("example")));
    EXPECT_FALSE(N("example").is_subdomain_of(N("mail.example")));
    EXPECT_TRUE(N("x").is_subdomain_of(Name()));
}

TEST(Name, RelativeText) {
    Name origin = N("smarthost.local");
    EXPECT_EQ(N("mail.oxford.smarthost.local").text_relative_to(origin), "mail.oxford");
    EXPECT_EQ(origin.text_relative_to(origin), "@");
    EXPECT_EQ(N("ns.example.net").text_relative_to(origin), "ns.example.net.");
}

TEST(Name, PrependAndParent) {
    Name z = N("smarthost.local");
    auto h = z.prepend("Oxford");
    ASSERT_TRUE(h);
    EXPECT_EQ(*h, N("oxford.smarthost.local"));
    EXPECT_EQ(h->parent(), z);
    EXPECT_FALSE(z.prepend(""));
    EXPECT_FALSE(z.prepend(std::string(64, 'x')));
}

TEST(Name, CanonicalOrderMatchesRfc4034Example) {
    // The example list of RFC 4034 §6.1, already in canonical order.
    std::vector<Name> want = {N("example"),         N("a.example"),      N("yljkjljk.a.example"),
                              N("Z.a.example"),     N("zABC.a.EXAMPLE"), N("z.example"),
                              N("\\001.z.example"), N("*.z.example"),    N("\\200.z.example")};
    std::vector<Name> got = want;
    std::reverse(got.begin(), got.end());
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want);
}

TEST(LdhLabel, Rules) {
    EXPECT_TRUE(zonegen::is_ldh_label("mail-1"));
    EXPECT_TRUE(zonegen::is_ldh_label("1mail"));
    EXPECT_FALSE(zonegen::is_ldh_label("-mail"));
    EXPECT_FALSE(zonegen::is_ldh_label("mail-"));
    EXPECT_FALSE(zonegen::is_ldh_label("mail_1"));
    EXPECT_FALSE(zonegen::is_ldh_label("ma.il"));
    EXPECT_FALSE(zonegen::is_ldh_label(""));
    EXPECT_FALSE(zonegen::is_ldh_label(std::string(64, 'a')));
}

// The indexes' hash: a function of the bytes alone, and spread enough that 20,000 names
// of one zone's shape (long shared suffixes, short differing prefixes) neither collide in
// 64 bits nor crowd the low bits that pick a slot.
TEST(HashWire, SameBytesSameHashAndNamesSpread) {
    const Name a = N("mail1.site42.smarthost.example");
    const std::string copy(a.wire());
    EXPECT_EQ(hash_wire(a.wire().data(), a.wire().size()), hash_wire(copy.data(), copy.size()));
    std::set<std::uint64_t> full;
    std::vector<int> buckets(1024);
    for (int i = 0; i < 20000; ++i) {
        const Name n = N(
            ("mail" + std::to_string(i % 3) + ".site" + std::to_string(i) + ".smarthost.example").c_str());
        const std::uint64_t h = hash_wire(n.wire().data(), n.wire().size());
        full.insert(h);
        ++buckets[h & 1023];
    }
    EXPECT_EQ(full.size(), 20000u);
    // About 19.5 per bucket if uniform; a weak hash over these names piles them up.
    EXPECT_LT(*std::max_element(buckets.begin(), buckets.end()), 50);
}

TEST(Name, LabelBelowAnAncestor) {
    EXPECT_EQ(N("mail.oxford.example").label_below(N("example")), "oxford");
    EXPECT_EQ(N("oxford.example").label_below(N("example")), "oxford");
    EXPECT_EQ(N("Oxford.example").label_below(Name()), "example");
    // Not strictly below: the name itself, an ancestor, another branch, a suffix that is
    // not on a label boundary.
    EXPECT_EQ(N("example").label_below(N("example")), "");
    EXPECT_EQ(N("example").label_below(N("oxford.example")), "");
    EXPECT_EQ(N("mail.oxford.example").label_below(N("other.example")), "");
    EXPECT_EQ(N("mail.xample").label_below(N("ample")), "");
}
