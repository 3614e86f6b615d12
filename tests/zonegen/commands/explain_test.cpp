// zonegen explain from the inventory: golden plans (tests/data/explain/<case>.args holds
// the arguments after "explain", one per line; <case>.expected the output), down-host
// resolution, Postfix's address cut, and the command line.
#include "zonegen/commands/explain.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tests/support/shell.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace fs = std::filesystem;
using namespace zonegen;
using testsupport::read_text;
using testsupport::run_shell;
using testsupport::shell_quote;

namespace {

const std::string kData = std::string(SMARTHOST_TEST_DATA) + "/explain";

std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// Splits golden arguments the way main.cpp's options do.
ExplainOptions options_from(const std::vector<std::string>& args) {
    ExplainOptions opt;
    opt.inventory = kData + "/sites.json";
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--down")
            opt.down.push_back(args[++i]);
        else
            opt.site = args[i];
    }
    return opt;
}

Inventory inventory() {
    std::string err;
    auto text = read_file(kData + "/sites.json", &err);
    auto inv = parse_inventory(*text, "sites.json");
    return std::move(inv).value();
}

}  // namespace

TEST(ExplainGolden, EveryCaseGivesExactlyItsPlan) {
    std::vector<std::string> cases;
    for (const auto& e : fs::directory_iterator(kData))
        if (e.path().extension() == ".args") cases.push_back(e.path().stem().string());
    std::sort(cases.begin(), cases.end());
    ASSERT_GE(cases.size(), 6u);
    for (const auto& name : cases) {
        auto r = run_explain(options_from(lines_of(kData + "/" + name + ".args")));
        EXPECT_EQ(r.status, Exit::Ok) << name << (r.errors.empty() ? "" : ": " + r.errors[0]);
        EXPECT_EQ(r.stdout_text, read_text(kData + "/" + name + ".expected")) << name;
    }
}

TEST(ExplainGolden, CliPrintsTheSamePlan) {
    auto r = run_shell("cd " + shell_quote(kData) + " && " + shell_quote(ZONEGEN_BIN) +
                       " explain london --down relay1.london --down fd00:3::26 --down mx1.edinburgh");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, read_text(kData + "/address-limit-down.expected"));
}

TEST(ExplainRender, HostWithoutAddressAndNoMx) {
    Name site = *Name::parse("s.example.");
    Name a = *Name::parse("a.example.");
    auto plan = make_plan(site, {{10, {a, {}, {}}}});
    std::string text = render_plan(plan, {});
    EXPECT_NE(text.find("a.example.  (no address: skipped)"), std::string::npos) << text;
    EXPECT_NE(text.find("mail queues"), std::string::npos) << text;
    std::string none = render_plan(DeliveryPlan{site, {}}, {});
    EXPECT_NE(none.find("no MX records"), std::string::npos) << none;
}

TEST(ExplainDown, NamesAndAddressesResolveToHosts) {
    Inventory inv = inventory();
    DeliveryPlan p = plan_from_inventory(inv, find_site(inv, "oxford"));
    auto down = resolve_down(p, {"mail1.oxford", "MAIL2.oxford.smarthost.home.arpa.", "fd00:3::25", "mail1.oxford"},
                             inv.zone);
    ASSERT_TRUE(down.ok());
    std::vector<std::string> names;
    for (const auto& n : down.value()) names.push_back(n.text());
    EXPECT_EQ(names,
              (std::vector<std::string>{"mail1.oxford.smarthost.home.arpa.", "mail2.oxford.smarthost.home.arpa.",
                                        "relay1.london.smarthost.home.arpa."}));
    auto bad = resolve_down(p, {"mx1.edinburgh", "10.9.9.9"}, inv.zone);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.errors().size(), 2u);
    EXPECT_NE(bad.errors()[0].message.find("--down mx1.edinburgh"), std::string::npos);
    EXPECT_EQ(bad.errors()[1].message,
              "--down 10.9.9.9: no host of the plan for " + p.site.text() + " has this name or address");
    EXPECT_TRUE(bad.errors()[1].where.pointer.empty() && bad.errors()[1].where.file.empty());
}

TEST(ExplainCli, ExitStatus) {
    const std::string pre = "cd " + shell_quote(kData) + " && " + shell_quote(ZONEGEN_BIN) + " explain ";
    auto unknown = run_shell(pre + "nowhere");
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.err.find("no site \"nowhere\""), std::string::npos) << unknown.err;
    EXPECT_EQ(run_shell(pre + "oxford --down nohost.oxford").exit_code, 2);
    EXPECT_EQ(run_shell(pre).exit_code, 2);
    EXPECT_EQ(run_shell(pre + "oxford --server localhost").exit_code, 2);
    EXPECT_EQ(run_shell(pre + "oxford -i /nonexistent.json").exit_code, 2);
    auto invalid = run_shell("cd " + shell_quote(std::string(SMARTHOST_TEST_DATA) + "/check/invalid") + " && " +
                             shell_quote(ZONEGEN_BIN) + " explain oxford");
    EXPECT_EQ(invalid.exit_code, 1);
    EXPECT_NE(invalid.err.find("sites.json:3:3"), std::string::npos) << invalid.err;
}
