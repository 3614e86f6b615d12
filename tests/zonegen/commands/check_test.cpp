// zonegen check: golden findings for every rule in all three formats (tests/data/check/
// <case>/ holds sites.json, zones/ when the case compares a committed zone, and
// expected.{text,json,github}), the exit status policy, and the command line.
#include "zonegen/commands/check.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "tests/support/shell.hpp"
#include "tests/zonegen/commands/check_fixture.hpp"
#include "zonegen/commands/findings.hpp"

namespace fs = std::filesystem;
using namespace zonegen;
using checktest::InDirectory;
using checktest::kData;
using testsupport::read_text;
using testsupport::run_shell;
using testsupport::shell_quote;

namespace {

std::vector<std::string> case_names() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(kData))
        if (e.is_directory()) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

CheckReport check_case(const std::string& name, OutputFormat format, bool strict = false) {
    InDirectory in(kData + "/" + name);
    CheckOptions opt;
    opt.format = format;
    opt.strict = strict;
    if (fs::is_directory("zones")) opt.zones_dir = "zones";
    return run_check(opt);
}

}  // namespace

TEST(CheckGolden, EveryCaseGivesExactlyItsOutputInEveryFormat) {
    ASSERT_GE(case_names().size(), 12u);
    const std::pair<OutputFormat, const char*> formats[] = {
        {OutputFormat::text, "text"}, {OutputFormat::json, "json"}, {OutputFormat::github, "github"}};
    for (const auto& name : case_names()) {
        for (const auto& [format, ext] : formats) {
            auto r = check_case(name, format);
            EXPECT_EQ(r.stdout_text, read_text(kData + "/" + name + "/expected." + ext)) << name << " " << ext;
            bool errors = std::any_of(r.findings.begin(), r.findings.end(),
                                      [](const Finding& f) { return f.severity == Severity::error; });
            EXPECT_EQ(r.status, errors ? Exit::Invalid : Exit::Ok) << name;
        }
    }
}

TEST(CheckGolden, EveryRuleHasACaseNamedAfterIt) {
    const char* rules[] = {"invalid",
                           "drift",
                           "mdns-local-zone",
                           "postfix-address-limit",
                           "no-fallback",
                           "single-failure-domain",
                           "fallback-loop",
                           "duplicate-address",
                           "special-address",
                           "extreme-ttl",
                           "host-site-collision",
                           "mx-target-without-address",
                           "shared-sender",
                           "health-ttl"};
    for (const char* rule : rules) {
        ASSERT_TRUE(fs::is_directory(kData + "/" + rule)) << rule;
        auto r = check_case(rule, OutputFormat::text);
        bool found = std::any_of(r.findings.begin(), r.findings.end(),
                                 [&](const Finding& f) { return f.rule == rule; });
        EXPECT_TRUE(found) << rule << " is not reported by its own case";
        EXPECT_NE(read_text(kData + "/" + rule + "/expected.json").find("\"rule\": \"" + std::string(rule) + "\""),
                  std::string::npos)
            << rule;
    }
}

TEST(CheckGolden, CleanInventoryHasNoFindings) {
    auto r = check_case("clean", OutputFormat::json);
    EXPECT_EQ(r.status, Exit::Ok);
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(r.stdout_text, "[]\n");
}

// Issue 19's "health" keys, every form of them, are accepted and raise nothing by
// themselves, even with --strict.
TEST(CheckGolden, HealthKeysAreAcceptedWithoutFindings) {
    const std::string text = read_text(kData + "/health-keys/sites.json");
    ASSERT_NE(text.find("\"health\": { \"port\": 25"), std::string::npos);
    ASSERT_NE(text.find("\"health\": false"), std::string::npos);
    auto r = check_case("health-keys", OutputFormat::json, true);
    EXPECT_EQ(r.status, Exit::Ok);
    EXPECT_TRUE(r.findings.empty());
}

TEST(CheckStatus, WarningsFailOnlyWithStrict) {
    EXPECT_EQ(check_case("no-fallback", OutputFormat::text).status, Exit::Ok);
    auto strict = check_case("no-fallback", OutputFormat::text, true);
    EXPECT_EQ(strict.status, Exit::Invalid);
    ASSERT_FALSE(strict.stderr_lines.empty());
    EXPECT_NE(strict.stderr_lines.back().find("(--strict)"), std::string::npos);
    // info never fails a check, even with --strict
    EXPECT_EQ(check_case("fallback-loop", OutputFormat::text, true).status, Exit::Ok);
    EXPECT_EQ(check_case("clean", OutputFormat::text, true).status, Exit::Ok);
}

TEST(CheckStatus, UnreadableInventoryIsAnIoError) {
    CheckOptions opt;
    opt.inventory = "/nonexistent/sites.json";
    auto r = run_check(opt);
    EXPECT_EQ(r.status, Exit::Usage);
    EXPECT_TRUE(r.stdout_text.empty());
    ASSERT_EQ(r.stderr_lines.size(), 1u);
    EXPECT_NE(r.stderr_lines[0].find("/nonexistent/sites.json"), std::string::npos);

    // A CI artifact or annotation still says why: one finding, not an empty file.
    opt.format = OutputFormat::json;
    r = run_check(opt);
    EXPECT_EQ(r.status, Exit::Usage);
    EXPECT_EQ(r.stdout_text,
              "[\n  {\"rule\": \"unreadable\", \"severity\": \"error\", \"file\": \"/nonexistent/sites.json\", "
              "\"line\": null, \"column\": null, \"pointer\": \"\", \"message\": \"cannot open: No such file or "
              "directory\"}\n]\n");
    opt.format = OutputFormat::github;
    r = run_check(opt);
    EXPECT_EQ(r.stdout_text,
              "::error file=/nonexistent/sites.json,title=[unreadable]::cannot open: No such file or directory\n");
}

TEST(CheckCli, ExitStatusAndFormats) {
    const std::string bin = shell_quote(ZONEGEN_BIN);
    const std::string dir = shell_quote(kData);
    auto ok = run_shell("cd " + dir + "/no-fallback && " + bin + " check --format github");
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_EQ(ok.out, read_text(kData + "/no-fallback/expected.github"));
    auto strict = run_shell("cd " + dir + "/no-fallback && " + bin + " check --strict");
    EXPECT_EQ(strict.exit_code, 1);
    EXPECT_EQ(strict.out, read_text(kData + "/no-fallback/expected.text"));
    EXPECT_NE(strict.err.find("0 errors, 1 warning, 0 notes"), std::string::npos) << strict.err;
    auto drift = run_shell("cd " + dir + "/drift && " + bin + " check -i sites.json --zones zones --format json");
    EXPECT_EQ(drift.exit_code, 1);
    EXPECT_EQ(drift.out, read_text(kData + "/drift/expected.json"));
    EXPECT_EQ(run_shell(bin + " check --format xml").exit_code, 2);
    EXPECT_EQ(run_shell(bin + " check --bogus").exit_code, 2);
    EXPECT_EQ(run_shell(bin + " check -i /nonexistent.json").exit_code, 2);
    auto help = run_shell(bin + " check --help");
    EXPECT_EQ(help.exit_code, 0);
    for (const char* rule : {"mdns-local-zone", "postfix-address-limit", "mx-target-without-address", "drift"})
        EXPECT_NE(help.out.find(rule), std::string::npos) << rule;
}
