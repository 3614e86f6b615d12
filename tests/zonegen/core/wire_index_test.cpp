// WireIndex: lookups after one-at-a-time adds and after a bulk assign() in parts.
#include "zonegen/core/wire_index.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace zonegen;

namespace {

std::vector<std::string> names(int count, const char* prefix) {
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) out.emplace_back(Name::parse(prefix + std::to_string(i) + ".z.test")->wire());
    return out;
}

// Runs the parts one after another, last first, so that a part never relies on an earlier
// one having run.
auto backwards = [](unsigned parts, const auto& part) {
    for (unsigned p = parts; p-- > 0;) part(p);
};

}  // namespace

TEST(WireIndex, AssignInPartsFindsEveryNameAndNoOther) {
    const std::vector<std::string> in = names(20000, "h"), out = names(2000, "x");
    auto name_of = [&in](std::uint32_t n) { return std::string_view(in[n]); };
    for (unsigned parts : {1u, 2u, 3u, 7u}) {
        WireIndex index;
        index.assign(static_cast<std::uint32_t>(in.size()), name_of, parts, backwards);
        EXPECT_EQ(index.count(), in.size());
        for (std::uint32_t n = 0; n < in.size(); ++n) ASSERT_EQ(index.find(in[n], name_of), n) << parts;
        for (const std::string& absent : out) ASSERT_EQ(index.find(absent, name_of), WireIndex::kAbsent) << parts;
    }
}

TEST(WireIndex, AddsAfterAssignKeepTheirNumbers) {
    std::vector<std::string> all = names(300, "h");
    auto name_of = [&all](std::uint32_t n) { return std::string_view(all[n]); };
    WireIndex index;
    index.assign(100, name_of, 3, backwards);
    // The next 200 grow the index past its size at assign(): it rebuilds from name_of.
    for (std::uint32_t n = 100; n < 300; ++n) ASSERT_EQ(index.find_or_add(all[n], name_of), n);
    for (std::uint32_t n = 0; n < 300; ++n) ASSERT_EQ(index.find_or_add(all[n], name_of), n);
    EXPECT_EQ(index.count(), 300u);
}

TEST(WireIndex, AssignOfNothingFindsNothing) {
    WireIndex index;
    auto name_of = [](std::uint32_t) { return std::string_view(); };
    index.assign(0, name_of, 4, backwards);
    EXPECT_EQ(index.find(std::string_view("\1a\0", 3), name_of), WireIndex::kAbsent);
}
