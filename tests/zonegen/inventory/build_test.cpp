// build_zone: the MX tiers, addresses, apex records of an inventory.
#include "zonegen/inventory/build.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "zonegen/inventory/inventory.hpp"
#include "zonegen/zonefile/bind_writer.hpp"

using namespace zonegen;

namespace {

Name N(const char* s) { return *Name::parse(s); }

A v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) { return A{{a, b, c, d}}; }

Smarthost host(const Name& site, const char* label, A addr) {
    return Smarthost{label, *site.prepend(label), Addresses{{addr}, {}}, {}};
}

// An inventory of zone with no sites yet, its SOA naming ns1 and hostmaster in the zone.
Inventory apex_only(const std::string& zone, std::uint32_t ttl) {
    Inventory inv;
    inv.zone = N(zone.c_str());
    inv.ttl = ttl;
    inv.soa_mname = N(("ns1." + zone).c_str());
    inv.soa_rname = N(("hostmaster." + zone).c_str());
    return inv;
}

// Two sites that fall back to each other, a third with a host subset and no fallback.
Inventory sample() {
    Inventory inv = apex_only("smarthost.test", 600);
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

// The direct build (sites' nodes made in place, in parallel) must be the ZoneBuilder's zone,
// node for node, on any number of threads.
namespace {

using build_detail::by_builder;
using build_detail::direct;

void expect_same_both_ways(const Inventory& inv, const std::string& what) {
    auto general = by_builder(inv, 2026120601);
    ASSERT_TRUE(general) << what;
    for (unsigned threads : {1u, 2u, 3u, 8u}) {
        auto fast = direct(inv, 2026120601, threads);
        ASSERT_TRUE(fast.has_value()) << what << ": the direct build declined";
        ASSERT_TRUE(*fast) << what;
        EXPECT_TRUE(fast->value() == general.value()) << what << " on " << threads << " threads";
    }
    auto built = build_zone(inv, 2026120601);
    ASSERT_TRUE(built);
    EXPECT_TRUE(built.value() == general.value()) << what;
}

// A large inventory built in place: sites listed out of canonical order (site10 before
// site9; labels longer than 16 octets that differ only at the end), 0-3 hosts with IPv4,
// IPv6 or both (given out of order, so the build must sort them), fallback tiers to sites
// on either side, a site whose only MX records are fallbacks, and name servers whose glue
// falls between sites, deeper below the zone, at the apex and outside the zone.
Inventory large(std::size_t count) {
    Inventory inv = apex_only("big.example", 60);
    inv.nameservers = {NameServer{N("ns1.big.example"), Addresses{{v4(192, 0, 2, 53)}, {}}},
                       NameServer{N("a.dns.big.example"), Addresses{{v4(192, 0, 2, 54), v4(192, 0, 2, 1)}, {}}},
                       NameServer{N("zzz.big.example"), Addresses{{}, {Aaaa{{0x20, 0x01, 0x0d, 0xb8}}}}},
                       NameServer{N("big.example"), Addresses{{v4(192, 0, 2, 9)}, {}}},
                       NameServer{N("ns.example.net"), {}}};
    for (std::size_t i = 0; i < count; ++i) {
        const std::string label = i % 17 == 0 ? "a-very-long-site-label-" + std::to_string(i)
                                              : "site" + std::to_string(i);
        Site site{label, *inv.zone.prepend(label), {}, {}, true, {}};
        for (std::size_t h = 0; h < i % 4; ++h) {
            const std::string host_label = h % 2 ? "mail" + std::to_string(10 - h) : "relay" + std::to_string(h);
            Smarthost host{host_label, *site.name.prepend(host_label), {}, {}};
            const auto x = static_cast<std::uint8_t>(i % 250), y = static_cast<std::uint8_t>(h);
            if ((i + h) % 3 != 1) host.addresses.ipv4 = {v4(10, x, y, 2), v4(10, x, y, 1)};
            if ((i + h) % 3 != 0) host.addresses.ipv6 = {Aaaa{{0x20, 0x01, 0x0d, 0xb8, x, y, 0, 2}}};
            site.smarthosts.push_back(std::move(host));
        }
        inv.sites.push_back(std::move(site));
    }
    for (std::size_t i = 0; i < count; ++i) {
        for (std::size_t step : {1u, 7u}) {
            const std::size_t other = (i + step * (count / 3 + 1)) % count;
            if (other == i || inv.sites[other].smarthosts.empty()) continue;
            FallbackTier tier{other, {}};
            for (std::size_t h = inv.sites[other].smarthosts.size(); h-- > 0;) tier.hosts.push_back(h);
            inv.sites[i].fallback.push_back(std::move(tier));
        }
    }
    return inv;
}

TEST(BuildZoneDirect, IsTheBuildersZoneForEveryTestInventory) {
    std::size_t files = 0;
    const std::filesystem::path source(SMARTHOST_SOURCE_DIR);
    std::vector<std::filesystem::path> paths{source / "sites.json"};
    for (const char* dir : {"tests/data/generate", "tests/fuzz/corpus/inventory"})
        for (const auto& entry : std::filesystem::directory_iterator(source / dir))
            if (entry.path().extension() == ".json") paths.push_back(entry.path());
    for (const auto& path : paths) {
        auto file = load_inventory(path.string());
        if (!file.inventory) continue;  // the corpus holds bad ones too
        ++files;
        expect_same_both_ways(*file.inventory, path.filename().string());
    }
    EXPECT_GE(files, 5u);
}

TEST(BuildZoneDirect, IsTheBuildersZoneForALargeUnorderedInventory) {
    const Inventory inv = large(20'000);
    expect_same_both_ways(inv, "20,000 sites");
    // Glue at the apex, between sites, deeper and outside: all placed as the builder does.
    auto z = direct(inv, 1, 2);
    ASSERT_TRUE(z.has_value() && *z);
    EXPECT_NE(z->value().find(N("a.dns.big.example")), nullptr);
    EXPECT_NE(z->value().nodes().front().find(RRType::A), nullptr);
}

TEST(BuildZoneDirect, LeavesOddShapesToTheBuilder) {
    // Glue inside a site's subtree, and a host label given twice: the general way merges
    // them; the direct build declines and build_zone() gives the builder's zone.
    Inventory glue = large(100);
    glue.nameservers.push_back(NameServer{N("ns.site5.big.example"), Addresses{{v4(192, 0, 2, 77)}, {}}});
    Inventory twice = large(100);
    twice.sites[3].smarthosts.push_back(twice.sites[3].smarthosts.front());
    twice.sites[3].smarthosts.back().addresses.ipv4 = {v4(10, 9, 9, 9)};
    for (const Inventory* inv : {&glue, &twice}) {
        EXPECT_FALSE(direct(*inv, 1, 2).has_value());
        auto built = build_zone(*inv, 1), general = by_builder(*inv, 1);
        ASSERT_TRUE(built && general);
        EXPECT_TRUE(built.value() == general.value());
    }
    // The merged records are there.
    EXPECT_EQ(
        build_zone(twice, 1).value().find(twice.sites[3].smarthosts.front().name)->find(RRType::A)->rdata.size(), 3u);
}

TEST(BuildZoneDirect, ReportsTheApexBuildersErrors) {
    Inventory inv = sample();
    inv.nameservers.push_back(NameServer{N("ns.example.net"), Addresses{{v4(192, 0, 2, 1)}, {}}});
    auto z = direct(inv, 1, 2);
    ASSERT_TRUE(z.has_value());
    ASSERT_FALSE(*z);
    EXPECT_NE(format_gnu(z->errors().front()).find("outside the zone"), std::string::npos);
}

}  // namespace
