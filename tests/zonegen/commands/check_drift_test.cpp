// zonegen check's drift rule: the committed zone must be what the inventory generates,
// apart from the serial; a missing or unreadable zone file is drift, placed at its line.
#include "zonegen/commands/check_drift.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/shell.hpp"
#include "tests/zonegen/commands/check_fixture.hpp"
#include "zonegen/commands/check.hpp"

using namespace zonegen;
using checktest::InDirectory;
using checktest::kData;
using checktest::kSource;
using testsupport::read_text;
using testsupport::TempDir;
using testsupport::write_text;

TEST(CheckDrift, MissingZoneFileIsDrift) {
    TempDir dir;
    InDirectory in(kData + "/clean");
    CheckOptions opt;
    opt.zones_dir = dir.path();
    auto r = run_check(opt);
    EXPECT_EQ(r.status, Exit::Invalid);
    ASSERT_EQ(r.findings.size(), 1u);
    EXPECT_EQ(r.findings[0].rule, "drift");
    EXPECT_EQ(r.findings[0].where.file, dir / "smarthost.home.arpa.zone");
    EXPECT_NE(r.findings[0].message.find("missing"), std::string::npos);
}

TEST(CheckDrift, BrokenZoneFileIsDriftAtItsLine) {
    TempDir dir;
    write_text(dir / "smarthost.home.arpa.zone",
               "$ORIGIN smarthost.home.arpa.\n$TTL 300\n@ IN SOA ns1.example.net. hostmaster 1 2 3 4 5\n"
               "@ IN NS ns1.example.net.\noxford IN MX ten mail.oxford\n");
    InDirectory in(kData + "/clean");
    CheckOptions opt;
    opt.zones_dir = dir.path();
    auto r = run_check(opt);
    EXPECT_EQ(r.status, Exit::Invalid);
    ASSERT_FALSE(r.findings.empty());
    EXPECT_EQ(r.findings[0].rule, "drift");
    EXPECT_EQ(r.findings[0].where.line, 5);
}

TEST(CheckDrift, SerialAloneIsNoDriftAndTheExampleIsCurrent) {
    TempDir dir;
    InDirectory in(kSource);
    std::string zone = read_text("zones/smarthost.local.zone");
    auto at = zone.find(" 2026");
    ASSERT_NE(at, std::string::npos);
    zone.replace(at + 1, 10, "2099010101");
    write_text(dir / "smarthost.local.zone", zone);
    for (const std::string& zones : {std::string("zones"), dir.path()}) {
        CheckOptions opt;
        opt.zones_dir = zones;
        auto r = run_check(opt);
        EXPECT_EQ(r.status, Exit::Ok) << zones << "\n" << r.stdout_text;
        for (const auto& f : r.findings) EXPECT_NE(f.severity, Severity::error) << f.message;
    }
}
