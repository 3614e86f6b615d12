// Golden tests of inventory diagnostics: every tests/data/inventory/bad/NAME.json must
// produce exactly the GNU-style lines of NAME.expected, one per problem, in file order.
// The expected files were written by hand from the schema rules, not captured output.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "zonegen/inventory/inventory.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kBad = fs::path(SMARTHOST_TEST_DATA) / "inventory" / "bad";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> cases() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(kBad))
        if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

class BadInventory : public testing::TestWithParam<std::string> {};

TEST_P(BadInventory, ReportsExactlyTheExpectedDiagnostics) {
    const std::string name = GetParam();
    const fs::path expected_file = kBad / (name + ".expected");
    ASSERT_TRUE(fs::exists(expected_file)) << expected_file;
    auto result = zonegen::parse_inventory(slurp(kBad / (name + ".json")), name + ".json");
    ASSERT_FALSE(result.ok()) << name << ".json was accepted";
    std::string got;
    for (const auto& d : result.errors()) got += zonegen::format_gnu(d) + "\n";
    EXPECT_EQ(got, slurp(expected_file));
}

INSTANTIATE_TEST_SUITE_P(Files, BadInventory, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<std::string>& param) {
                             std::string n = param.param;
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

TEST(BadInventoryFiles, EveryExpectationHasItsInventory) {
    std::size_t count = 0;
    for (const auto& entry : fs::directory_iterator(kBad)) {
        if (entry.path().extension() != ".expected") continue;
        ++count;
        EXPECT_TRUE(fs::exists(fs::path(entry.path()).replace_extension(".json"))) << entry.path();
    }
    EXPECT_GE(count, 20u);
}

TEST(BadInventoryFiles, SeveralErrorsAreAllReported) {
    auto result = zonegen::parse_inventory(slurp(kBad / "several-errors.json"), "several-errors.json");
    ASSERT_FALSE(result.ok());
    EXPECT_GE(result.errors().size(), 6u);
}

}  // namespace
