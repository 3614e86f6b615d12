// build_zone: the MX tiers, addresses, apex records of an inventory.
#include "zonegen/inventory/build.hpp"

#include <gtest/gtest.h>

#include "zonegen/zonefile/bind_writer.hpp"

using namespace zonegen;

namespace {

Name N(const char* s) { return *Name::parse(s); }

A v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) { return A{{a, b, c, d}}; }

Smarthost host(const Name& site, const char* label, A addr) {
    return Smarthost{label, *site.prepend(label), Addresses{{addr}, {}}, {}};
}

// Two sites that fall back to each other, a third with a host subset and no fallback.
Inventory sample() {
    Inventory inv;
    inv.zone = N("smarthost.test");
    inv.ttl = 600;
    inv.soa_mname = N("ns1.smarthost.test");
    inv.soa_rname = N("hostmaster.smarthost.test");
    inv.nameservers = {NameServer{N("ns1.smarthost.test"), Addresses{{v4(192, 0, 2, 53)}, {}}},
                       NameServer{N("ns.example.net"), {}}};
    Name ox = N("oxford.smarthost.test"), cam = N("cambridge.smarthost.test"), lon = N("london.smarthost.test");
    inv.sites.push_back(Site{"oxford", ox, {host(ox, "mail", v4(192, 0, 2, 25))}, {}, true, {}});
    inv.sites.push_back(Site{"cambridge", cam, {host(cam, "mail", v4(198, 51, 100, 25))}, {}, true, {}});
    inv.sites.push_back(
        Site{"london", lon, {host(lon, "a", v4(203, 0, 113, 1)), host(lon, "b", v4(203, 0, 113, 2))}, {}, true, {}});
    inv.sites[0].fallback = {FallbackTier{1, {0}}, FallbackTier{2, {1}}};  // cambridge, then london's b only
    inv.sites[1].fallback = {FallbackTier{0, {0}}};
    return inv;
}

std::vector<std::string> mx_of(const Zone& z, const char* site) {
    std::vector<std::string> out;
    const Node* n = z.find(N(site));
    if (!n || !n->find(RRType::MX)) return out;
    for (const auto& rd : n->find(RRType::MX)->rdata) out.push_back(rdata_text(rd, z.origin()));
    return out;
}

}  // namespace

TEST(BuildZone, TiersFollowFallbackOrder) {
    auto z = build_zone(sample(), 7);
    ASSERT_TRUE(z);
    EXPECT_EQ(mx_of(z.value(), "oxford.smarthost.test"),
              (std::vector<std::string>{"10 mail.oxford", "20 mail.cambridge", "30 b.london"}));
    EXPECT_EQ(mx_of(z.value(), "cambridge.smarthost.test"),
              (std::vector<std::string>{"10 mail.cambridge", "20 mail.oxford"}));
    EXPECT_EQ(mx_of(z.value(), "london.smarthost.test"), (std::vector<std::string>{"10 a.london", "10 b.london"}));
}

TEST(BuildZone, PrimaryAndStepAreHonoured) {
    Inventory inv = sample();
    inv.mx_primary = 5;
    inv.mx_step = 100;
    auto z = build_zone(inv, 1);
    ASSERT_TRUE(z);
    EXPECT_EQ(mx_of(z.value(), "oxford.smarthost.test"),
              (std::vector<std::string>{"5 mail.oxford", "105 mail.cambridge", "205 b.london"}));
}

TEST(BuildZone, ApexHasSoaNsAndOnlyInZoneGlue) {
    auto z = build_zone(sample(), 2026112401);
    ASSERT_TRUE(z);
    const Zone& zone = z.value();
    EXPECT_EQ(zone.serial(), 2026112401u);
    EXPECT_EQ(zone.soa().mname, N("ns1.smarthost.test"));
    EXPECT_EQ(zone.soa_ttl(), 600u);
    const RRset* ns = zone.nodes().front().find(RRType::NS);
    ASSERT_NE(ns, nullptr);
    EXPECT_EQ(ns->rdata.size(), 2u);
    ASSERT_NE(zone.find(N("ns1.smarthost.test")), nullptr);
    EXPECT_NE(zone.find(N("ns1.smarthost.test"))->find(RRType::A), nullptr);
    EXPECT_EQ(zone.find(N("ns.example.net")), nullptr);  // out of zone: no glue
}

TEST(BuildZone, EveryHostHasItsAddresses) {
    auto z = build_zone(sample(), 1);
    ASSERT_TRUE(z);
    for (const char* h : {"mail.oxford.smarthost.test", "mail.cambridge.smarthost.test", "a.london.smarthost.test",
                          "b.london.smarthost.test"}) {
        const Node* n = z.value().find(N(h));
        ASSERT_NE(n, nullptr) << h;
        EXPECT_NE(n->find(RRType::A), nullptr) << h;
        EXPECT_EQ(n->find(RRType::A)->ttl, 600u);
    }
    // 1 SOA + 2 NS + 1 glue + MX (3 + 2 + 2) + 4 host A records.
    EXPECT_EQ(z.value().record_count(), 15u);
}

TEST(BuildZone, SiteWithoutFallbackHasOneTier) {
    Inventory inv = sample();
    inv.sites[0].fallback.clear();
    auto z = build_zone(inv, 1);
    ASSERT_TRUE(z);
    EXPECT_EQ(mx_of(z.value(), "oxford.smarthost.test"), (std::vector<std::string>{"10 mail.oxford"}));
}
