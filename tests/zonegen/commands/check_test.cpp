// zonegen check: golden findings for every rule in all three formats (tests/data/check/
// <case>/ holds sites.json, zones/ when the case compares a committed zone, and
// expected.{text,json,github}), the exit status policy, the renderers' escaping, drift,
// and the command line.
#include "zonegen/commands/check.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "tests/support/shell.hpp"
#include "zonegen/commands/check_rules.hpp"
#include "zonegen/commands/findings.hpp"

namespace fs = std::filesystem;
using namespace zonegen;
using testsupport::read_text;
using testsupport::run_shell;
using testsupport::shell_quote;
using testsupport::TempDir;
using testsupport::write_text;

namespace {

const std::string kData = std::string(SMARTHOST_TEST_DATA) + "/check";
const std::string kSource = SMARTHOST_SOURCE_DIR;

// Findings name files as given, so each case runs from its own directory.
class InDirectory {
public:
    explicit InDirectory(const std::string& dir) : old_(fs::current_path()) { fs::current_path(dir); }
    ~InDirectory() { fs::current_path(old_); }

private:
    fs::path old_;
};

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
    const char* rules[] = {"invalid", "drift", "mdns-local-zone", "postfix-address-limit", "no-fallback",
                           "single-failure-domain", "fallback-loop", "duplicate-address", "special-address",
                           "extreme-ttl", "host-site-collision", "mx-target-without-address", "shared-sender"};
    for (const char* rule : rules) {
        ASSERT_TRUE(fs::is_directory(kData + "/" + rule)) << rule;
        auto r = check_case(rule, OutputFormat::text);
        bool found = std::any_of(r.findings.begin(), r.findings.end(), [&](const Finding& f) { return f.rule == rule; });
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

TEST(FindingsRender, EscapesForJsonAndGithub) {
    std::vector<Finding> f{{"drift", Severity::error, {"a,b:c%.json", 3, 5, "/x~1y"}, "say \"hi\"\n100%"},
                           {"fallback-loop", Severity::info, {"f", 0, 0, ""}, "tab\there"}};
    EXPECT_EQ(render_findings(f, OutputFormat::github),
              "::error file=a%2Cb%3Ac%25.json,line=3,col=5,title=[drift]::/x~1y: say \"hi\"%0A100%25\n"
              "::notice file=f,title=[fallback-loop]::tab\there\n");
    EXPECT_EQ(render_findings(f, OutputFormat::json),
              "[\n  {\"rule\": \"drift\", \"severity\": \"error\", \"file\": \"a,b:c%.json\", \"line\": 3, "
              "\"column\": 5, \"pointer\": \"/x~1y\", \"message\": \"say \\\"hi\\\"\\n100%\"},\n"
              "  {\"rule\": \"fallback-loop\", \"severity\": \"info\", \"file\": \"f\", \"line\": null, "
              "\"column\": null, \"pointer\": \"\", \"message\": \"tab\\there\"}\n]\n");
    EXPECT_EQ(render_findings(f, OutputFormat::text),
              "a,b:c%.json:3:5: error: [drift] /x~1y: say \"hi\"\n100%\nf: info: [fallback-loop] tab\there\n");
    EXPECT_EQ(summarize_findings(f), "1 error, 0 warnings, 1 note");
}

TEST(FindingsRender, PlacesAndSortsByFileLineColumn) {
    std::string text = "{\n  \"zone\": \"x\",\n  \"sites\": [ 1, 2 ]\n}\n";
    std::vector<Finding> f{{"b", Severity::info, {"in.json", 0, 0, "/sites/1"}, "m"},
                           {"z", Severity::error, {"other", 1, 0, ""}, "m"},
                           {"a", Severity::warning, {"in.json", 0, 0, "/zone"}, "m"},
                           {"c", Severity::info, {"in.json", 0, 0, "/nothing"}, "m"}};
    place_findings(f, text, "in.json");
    EXPECT_EQ(f[0].where.line, 3);
    EXPECT_EQ(f[0].where.column, 17);
    EXPECT_EQ(f[2].where.line, 2);
    EXPECT_EQ(f[2].where.column, 11);
    EXPECT_EQ(f[3].where.line, 0);
    sort_findings(f);
    EXPECT_EQ(f[0].rule, "c");  // no line first
    EXPECT_EQ(f[1].rule, "a");
    EXPECT_EQ(f[2].rule, "b");
    EXPECT_EQ(f[3].rule, "z");  // other files after the first one met
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

TEST(CheckRules, ExampleInventoryFindsTheAddressLimitItReallyHas) {
    InDirectory in(kSource);
    auto r = run_check(CheckOptions{});
    EXPECT_EQ(r.status, Exit::Ok);
    std::size_t limit = 0;
    for (const auto& f : r.findings) limit += f.rule == "postfix-address-limit";
    EXPECT_EQ(limit, 4u);  // every example site has more than 5 addresses in its plan
}
