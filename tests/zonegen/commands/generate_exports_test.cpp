// Golden tests of generate's other formats (PowerShell, Exchange, Postfix) and of the
// graph, from the test inventories: minimal, tiers, ring, no fallback, IPv6-only hosts and
// the example. zonegen runs as a user runs it (the zone first, so that the other files
// name its serial), and the files it writes must equal tests/data/exports/golden/<case>/
// byte for byte, whatever the key order of the inventory, the time zone or the locale.
// The goldens were written by zonegen and read through by a person before committing
// them; SMARTHOST_UPDATE_GOLDEN=1 rewrites them after a deliberate change.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "tests/support/shell.hpp"

namespace fs = std::filesystem;
using testsupport::read_text;
using testsupport::run_shell;
using testsupport::shell_quote;
using testsupport::TempDir;
using testsupport::write_text;

namespace {

const std::string kData = SMARTHOST_TEST_DATA;
const std::string kSource = SMARTHOST_SOURCE_DIR;
const std::string kGolden = kData + "/exports/golden";

struct Case {
    std::string name;
    std::string inventory;
};

std::vector<Case> cases() {
    return {{"minimal", kData + "/generate/minimal.json"},    {"tiers", kData + "/generate/tiers.json"},
            {"ring", kData + "/generate/ring.json"},          {"no-fallback", kData + "/exports/no-fallback.json"},
            {"ipv6-only", kData + "/exports/ipv6-only.json"}, {"example", kSource + "/sites.json"}};
}

// Every format into dir, with env (assignments for the shell) in front of each run; the
// zone file itself is covered by generate_test and removed again.
void produce(const std::string& inventory, const std::string& dir, const std::string& env, bool keep_zone = false) {
    const std::string zonegen = std::string(env) + " SOURCE_DATE_EPOCH=1795478400 " + ZONEGEN_BIN;
    const std::string in = " -i " + shell_quote(inventory);
    for (const char* format : {"bind", "powershell", "exchange", "postfix"}) {
        auto r = run_shell(zonegen + " generate" + in + " -o " + shell_quote(dir) + " --format " + format);
        ASSERT_EQ(r.exit_code, 0) << inventory << " " << format << ": " << r.err;
    }
    for (const char* format : {"dot", "svg"}) {
        auto r = run_shell(zonegen + " graph" + in + " -o " + shell_quote(dir + "/graph." + format) + " --format " +
                           format);
        ASSERT_EQ(r.exit_code, 0) << inventory << " graph " << format << ": " << r.err;
    }
    if (keep_zone) return;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".zone") fs::remove(e.path());
}

// Relative path -> content of every file below dir.
std::map<std::string, std::string> tree(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = read_text(e.path().string());
    return out;
}

void expect_same_tree(const std::map<std::string, std::string>& got, const std::map<std::string, std::string>& want,
                      const std::string& what) {
    std::vector<std::string> got_names, want_names;
    for (const auto& [k, v] : got) got_names.push_back(k);
    for (const auto& [k, v] : want) want_names.push_back(k);
    EXPECT_EQ(got_names, want_names) << what;
    for (const auto& [name, text] : want) {
        auto it = got.find(name);
        if (it != got.end()) {
            EXPECT_EQ(it->second, text) << what << ": " << name;
        }
    }
}

// The inventory with the members of every object in reverse order (arrays keep theirs).
std::string reversed_keys(const std::string& path) {
    auto r = run_shell("python3 -c " + shell_quote(R"(import json, sys
def rev(v):
    if isinstance(v, dict): return {k: rev(v[k]) for k in reversed(list(v))}
    if isinstance(v, list): return [rev(x) for x in v]
    return v
print(json.dumps(rev(json.load(open(sys.argv[1]))), indent=1))
)") + " " + shell_quote(path));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

}  // namespace

TEST(ExportsGolden, EachInventoryGivesExactlyItsFiles) {
    const bool update = std::getenv("SMARTHOST_UPDATE_GOLDEN") != nullptr;
    for (const auto& c : cases()) {
        TempDir out;
        produce(c.inventory, out.path(), "");
        if (update) {
            fs::remove_all(kGolden + "/" + c.name);
            fs::create_directories(kGolden);
            fs::copy(out.path(), kGolden + "/" + c.name, fs::copy_options::recursive);
        }
        ASSERT_TRUE(fs::is_directory(kGolden + "/" + c.name)) << c.name;
        auto want = tree(kGolden + "/" + c.name);
        EXPECT_GE(want.size(), 5u) << c.name;  // the two scripts, a fragment at least, the two pictures
        expect_same_tree(tree(out.path()), want, c.name);
    }
}

TEST(ExportsGolden, SameBytesWhateverKeyOrderTimeZoneAndLocale) {
    for (const auto& c : cases()) {
        TempDir in, out;
        // The same base name: the headers name the inventory by it.
        const std::string copy = in / fs::path(c.inventory).filename().string();
        const std::string text = reversed_keys(c.inventory);
        ASSERT_NE(text, read_text(c.inventory));
        write_text(copy, text);
        produce(copy, out.path(), "TZ=Pacific/Kiritimati LC_ALL=C.UTF-8 LANG=C.UTF-8");
        expect_same_tree(tree(out.path()), tree(kGolden + "/" + c.name), c.name + " (keys reversed, TZ, locale)");
    }
}

TEST(ExportsGolden, ASecondRunFindsEverythingUnchanged) {
    TempDir out;
    produce(kSource + "/sites.json", out.path(), "", true);  // the zone stays: the headers name its serial
    auto before = tree(out.path());
    for (const char* format : {"powershell", "exchange", "postfix"}) {
        auto r = run_shell(std::string(ZONEGEN_BIN) + " generate -i " + shell_quote(kSource + "/sites.json") +
                           " -o " + shell_quote(out.path()) + " --format " + format);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(r.err.find("wrote"), std::string::npos) << format << ": " << r.err;
        EXPECT_NE(r.err.find("unchanged"), std::string::npos) << format << ": " << r.err;
    }
    EXPECT_EQ(tree(out.path()), before);
}

TEST(ExportsGolden, PostfixFragmentsOfRemovedSitesAreRemoved) {
    TempDir out;
    const std::string dir = out / "smarthost.local.postfix";
    fs::create_directories(dir);
    write_text(dir + "/gone.cf", "relayhost = gone.smarthost.local\n");
    write_text(dir + "/notes.txt", "not ours\n");
    auto r = run_shell(std::string(ZONEGEN_BIN) + " generate -i " + shell_quote(kSource + "/sites.json") + " -o " +
                       shell_quote(out.path()) + " --format postfix");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(fs::exists(dir + "/gone.cf"));
    EXPECT_TRUE(fs::exists(dir + "/notes.txt"));
    EXPECT_TRUE(fs::exists(dir + "/oxford.cf"));
    EXPECT_NE(r.err.find("removed " + dir + "/gone.cf"), std::string::npos) << r.err;
}

// The picture the README shows is the example's, as zonegen draws it now.
TEST(ExportsGolden, CommittedExamplePictureIsCurrent) {
    auto r = run_shell(std::string(ZONEGEN_BIN) + " graph -i " + shell_quote(kSource + "/sites.json"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(fs::exists(kSource + "/zones/smarthost.local.svg"));
    EXPECT_EQ(r.out, read_text(kSource + "/zones/smarthost.local.svg"))
        << "run: zonegen graph -o zones/smarthost.local.svg";
}

TEST(ExportsGolden, UnknownFormatIsAUsageError) {
    auto r = run_shell(std::string(ZONEGEN_BIN) + " generate -o - --format nsupdate -i " +
                       shell_quote(kSource + "/sites.json"));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("available: bind, powershell, exchange, postfix"), std::string::npos) << r.err;
    auto g = run_shell(std::string(ZONEGEN_BIN) + " graph --format png -i " + shell_quote(kSource + "/sites.json"));
    EXPECT_EQ(g.exit_code, 2);
    EXPECT_NE(g.err.find("available: dot, svg"), std::string::npos) << g.err;
}
