// zonegen check's inventory rules on the example inventory: the findings it really has.
// (Every rule's own case is in check_test's golden tests.)
#include "zonegen/commands/check_rules.hpp"

#include <gtest/gtest.h>

#include <cstddef>

#include "tests/zonegen/commands/check_fixture.hpp"
#include "zonegen/commands/check.hpp"

using namespace zonegen;
using checktest::InDirectory;
using checktest::kSource;

TEST(CheckRules, ExampleInventoryFindsTheAddressLimitItReallyHas) {
    InDirectory in(kSource);
    auto r = run_check(CheckOptions{});
    EXPECT_EQ(r.status, Exit::Ok);
    std::size_t limit = 0;
    for (const auto& f : r.findings) limit += f.rule == "postfix-address-limit";
    EXPECT_EQ(limit, 4u);  // every example site has more than 5 addresses in its plan
}
