// format_gnu: the GNU error format, leaving out whatever is unknown.
#include "zonegen/core/diagnostic.hpp"

#include <gtest/gtest.h>

using zonegen::Diagnostic;
using zonegen::format_gnu;

TEST(Diagnostic, FullLocation) {
    EXPECT_EQ(format_gnu({{"sites.json", 14, 17, "/sites/2/name"}, "bad"}), "sites.json:14:17: /sites/2/name: bad");
}

TEST(Diagnostic, PartsLeftOut) {
    EXPECT_EQ(format_gnu({{"z.zone", 3, 0, ""}, "bad"}), "z.zone:3: bad");
    EXPECT_EQ(format_gnu({{"z.zone", 0, 0, ""}, "bad"}), "z.zone: bad");
    EXPECT_EQ(format_gnu({{"", 0, 0, "/ttl"}, "bad"}), "/ttl: bad");
    EXPECT_EQ(format_gnu({{}, "bad"}), "bad");
}

TEST(Result, HoldsValueOrErrors) {
    zonegen::Result<int> ok(5);
    EXPECT_TRUE(ok);
    EXPECT_EQ(ok.value(), 5);
    zonegen::Result<int> bad(Diagnostic{{}, "no"});
    EXPECT_FALSE(bad);
    ASSERT_EQ(bad.errors().size(), 1u);
    EXPECT_EQ(bad.errors()[0].message, "no");
}
