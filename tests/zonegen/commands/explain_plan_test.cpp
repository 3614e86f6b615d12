// The delivery plan: MX tiers from the inventory as a sending server sees them, and
// make_plan()'s ordering and merging whatever order the records come in.
#include "zonegen/commands/explain_plan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "zonegen/core/files.hpp"
#include "zonegen/inventory/inventory.hpp"

using namespace zonegen;

namespace {

const std::string kData = std::string(SMARTHOST_TEST_DATA) + "/explain";

Inventory inventory() {
    std::string err;
    auto text = read_file(kData + "/sites.json", &err);
    auto inv = parse_inventory(*text, "sites.json");
    return std::move(inv).value();
}

}  // namespace

TEST(ExplainPlan, TiersFromTheInventory) {
    Inventory inv = inventory();
    DeliveryPlan p = plan_from_inventory(inv, find_site(inv, "Cambridge"));
    EXPECT_EQ(p.site.text(), "cambridge.smarthost.home.arpa.");
    ASSERT_EQ(p.tiers.size(), 3u);
    EXPECT_EQ(p.tiers[0].preference, 10);
    EXPECT_EQ(p.tiers[1].preference, 20);
    ASSERT_EQ(p.tiers[1].hosts.size(), 1u);  // only the listed fallback host
    EXPECT_EQ(p.tiers[1].hosts[0].name.text(), "relay2.london.smarthost.home.arpa.");
    EXPECT_EQ(p.tiers[2].hosts.size(), 2u);
    EXPECT_EQ(tried_addresses(p), (std::vector<std::size_t>{1, 2, 2}));
    EXPECT_EQ(find_site(inv, "nowhere"), inv.sites.size());
}

TEST(ExplainPlan, MakePlanOrdersAndMergesWhateverTheInputOrder) {
    Name site = *Name::parse("s.example.");
    Name a = *Name::parse("a.example."), b = *Name::parse("b.example.");
    A one{{10, 0, 0, 1}}, two{{10, 0, 0, 2}};
    auto p1 = make_plan(site,
                        {{20, {b, {two, one}, {}}}, {10, {b, {one}, {}}}, {10, {a, {}, {}}}, {10, {b, {one}, {}}}});
    auto p2 = make_plan(site, {{10, {a, {}, {}}}, {10, {b, {one, one}, {}}}, {20, {b, {one, two}, {}}}});
    EXPECT_EQ(p1, p2);
    ASSERT_EQ(p1.tiers.size(), 2u);
    EXPECT_EQ(p1.tiers[0].hosts.size(), 2u);
    EXPECT_EQ(p1.tiers[0].hosts[0].name, a);
    EXPECT_EQ(p1.tiers[1].hosts[0].ipv4, (std::vector<A>{one, two}));
    EXPECT_EQ(tried_addresses(p1, 2), (std::vector<std::size_t>{1, 1}));
}
