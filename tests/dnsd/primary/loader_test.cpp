// load_table(): on a reload the inventory goes to the Retirer as soon as the zone is built
// from it (it would otherwise be held beside the old table and the new one until the swap);
// at start it stays with the load, freed after the first answer.
#include "dnsd/primary/loader.hpp"

#include <gtest/gtest.h>

#include <string>

#include "dnsd/primary/retire.hpp"

namespace {

const std::string kInventory = std::string(SMARTHOST_SOURCE_DIR) + "/sites.json";

}  // namespace

TEST(LoadTable, AReloadHandsTheInventoryToTheRetirerBeforeCompiling) {
    dnsd::Sources sources;
    sources.inventory = kInventory;
    auto first = dnsd::load_table(sources);
    ASSERT_TRUE(first.ok());
    EXPECT_NE(first.value().inventory, nullptr);  // at start: kept, freed after the first answer
    dnsd::Retirer retirer;
    auto again = dnsd::load_table(sources, first.value().table.get(), {}, &retirer);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.value().inventory, nullptr);
    // The same zone all the same, and what the inventory said of health kept.
    EXPECT_TRUE(again.value().table->zones().front() == first.value().table->zones().front());
    EXPECT_EQ(again.value().health.check.has_value(), first.value().health.check.has_value());
}
