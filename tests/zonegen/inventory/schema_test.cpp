// sites.schema.json against the parser it describes: the schema is a valid JSON Schema
// (draft 2020-12); the example and every good test inventory pass both the schema
// (python3-jsonschema, with format checks) and parse_inventory(); bad inventories whose
// mistakes a schema can express (types, keys, ranges, patterns) fail both.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/support/shell.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace fs = std::filesystem;
using testsupport::run_shell;
using testsupport::shell_quote;
using testsupport::TempDir;
using testsupport::write_text;

namespace {

const std::string kSource = SMARTHOST_SOURCE_DIR;
const std::string kData = SMARTHOST_TEST_DATA;

constexpr const char* kValidate = R"(import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
failed = 0
mode = None
for arg in sys.argv[2:]:
    if arg in ("--good", "--bad"):
        mode = arg
        continue
    errors = sorted(v.iter_errors(json.load(open(arg))), key=lambda e: list(e.path))
    if mode == "--good" and errors:
        failed += 1
        print("FAIL %s: %s at /%s" % (arg, errors[0].message, "/".join(map(str, errors[0].path))))
    elif mode == "--bad" and not errors:
        failed += 1
        print("FAIL %s: accepted" % arg)
    else:
        print("ok %s %s" % (mode, arg))
sys.exit(1 if failed else 0)
)";

std::vector<std::string> good_inventories() {
    std::vector<std::string> out{kSource + "/sites.json"};
    for (const auto& e : fs::recursive_directory_iterator(kData)) {
        const auto& p = e.path();
        if (p.extension() != ".json" || p.string().find("/inventory/bad/") != std::string::npos ||
            p.string().find("/check/invalid") != std::string::npos)  // invalid, invalid-syntax
            continue;
        if (p.filename() == "sites.json" || p.parent_path().filename() == "generate") out.push_back(p.string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> bad_inventories() {
    std::vector<std::string> out;
    for (const char* name : {"unknown-key", "wrong-type", "missing-key", "range", "bad-label", "bad-ipv4", "bad-ipv6",
                             "empty-lists", "empty-site", "host-without-address", "duplicate-host", "fallback-hosts",
                             "zone-root", "health-range", "health-upper", "health-types", "health-host"})
        out.push_back(kData + "/inventory/bad/" + name + ".json");
    out.push_back(kData + "/check/invalid/sites.json");
    return out;
}

bool parses(const std::string& path) {
    std::string err;
    auto text = zonegen::read_file(path, &err);
    return text && zonegen::parse_inventory(*text, path).ok();
}

// Runs the schema over the files: good ones must pass, bad ones fail.
void expect_schema_agrees(const std::vector<std::string>& good, const std::vector<std::string>& bad) {
    TempDir dir;
    write_text(dir / "validate.py", kValidate);
    std::string args = shell_quote(kSource + "/sites.schema.json") + " --good";
    for (const auto& g : good) args += " " + shell_quote(g);
    args += " --bad";
    for (const auto& b : bad) args += " " + shell_quote(b);
    // Debian's python3-jsonschema lives beside /usr/bin/python3; another python3 first
    // in PATH is used only if it has the module too.
    auto r = run_shell(
        "for p in /usr/bin/python3 python3; do if $p -c 'import jsonschema' 2>/dev/null; then exec $p " +
        shell_quote(dir / "validate.py") + " " + args +
        "; fi; done; echo 'no python3 with jsonschema "
        "(install python3-jsonschema: scripts/setup)' >&2; exit 3");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    std::size_t oks = 0;
    for (std::size_t at = r.out.find("ok "); at != std::string::npos; at = r.out.find("ok ", at + 1)) ++oks;
    EXPECT_EQ(oks, good.size() + bad.size()) << r.out;
}

}  // namespace

TEST(Schema, GoodInventoriesPassAndBadOnesFailSchemaAndParserAlike) {
    auto good = good_inventories();
    auto bad = bad_inventories();
    ASSERT_GE(good.size(), 15u);
    for (const auto& g : good) EXPECT_TRUE(parses(g)) << g << " is in the good set but the parser rejects it";
    for (const auto& b : bad) EXPECT_FALSE(parses(b)) << b << " is in the bad set but the parser accepts it";
    expect_schema_agrees(good, bad);
}

// The "health" keys one value at a time (the bad files above fail on their first
// mistake, which would hide a schema that accepts the rest).
TEST(Schema, HealthKeysOneValueAtATime) {
    auto doc = [](const std::string& top, const std::string& host) {
        return R"({ "zone": "smarthost.test", "nameservers": [ { "name": "ns.example.net." } ], )" + top +
               R"( "sites": [ { "name": "a", "smarthosts": [ { "name": "m", "ipv4": ["192.0.2.1"])" + host +
               " } ] } ] }";
    };
    const char* good_top[] = {R"({})",
                              R"({ "port": 1, "interval": 1, "timeout": 1, "fall": 1, "rise": 1, "ttl": 0 })",
                              R"({ "port": 65535, "interval": 3600, "timeout": 60, "fall": 10, "rise": 10 })",
                              R"({ "ttl": 2147483647 })",
                              R"({ "interval": 10.0 })",
                              R"({ "check": "smtp" })",
                              R"({ "check": "tcp" })"};
    const char* bad_top[] = {"true",
                             R"("yes")",
                             R"({ "port": 0 })",
                             R"({ "port": 65536 })",
                             R"({ "port": "25" })",
                             R"({ "interval": 0 })",
                             R"({ "interval": 3601 })",
                             R"({ "interval": 1.5 })",
                             R"({ "timeout": 0 })",
                             R"({ "timeout": 61 })",
                             R"({ "fall": 0 })",
                             R"({ "fall": 11 })",
                             R"({ "rise": 0 })",
                             R"({ "rise": 11 })",
                             R"({ "ttl": -1 })",
                             R"({ "ttl": 2147483648 })",
                             R"({ "check": "http" })"};
    const char* good_host[] = {
        "true", "false", "{}", R"({ "port": 2525 })", R"({ "port": 1 })", R"({ "port": 65535 })"};
    const char* bad_host[] = {R"("yes")",
                              "null",
                              "0",
                              "[]",
                              R"({ "port": 0 })",
                              R"({ "port": 65536 })",
                              R"({ "port": "25" })",
                              R"({ "port": 25, "interval": 5 })"};
    TempDir dir;
    std::vector<std::string> good, bad;
    auto add = [&](std::vector<std::string>& set, const std::string& text) {
        std::string path = dir / ("h" + std::to_string(good.size() + bad.size()) + ".json");
        write_text(path, text);
        set.push_back(path);
    };
    for (const char* h : good_top) add(good, doc(R"("health": )" + std::string(h) + ",", ""));
    for (const char* h : bad_top) add(bad, doc(R"("health": )" + std::string(h) + ",", ""));
    for (const char* h : good_host) add(good, doc("", R"(, "health": )" + std::string(h)));
    for (const char* h : bad_host) add(bad, doc("", R"(, "health": )" + std::string(h)));
    for (const auto& g : good) EXPECT_TRUE(parses(g)) << testsupport::read_text(g);
    for (const auto& b : bad) EXPECT_FALSE(parses(b)) << testsupport::read_text(b);
    expect_schema_agrees(good, bad);
}

TEST(Schema, ReadmeReferencesIt) {
    auto readme = testsupport::read_text(kSource + "/README.md");
    EXPECT_NE(readme.find("sites.schema.json"), std::string::npos);
}
