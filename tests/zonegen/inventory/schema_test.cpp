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
    for (const char* name :
         {"unknown-key", "wrong-type", "missing-key", "range", "bad-label", "bad-ipv4", "bad-ipv6", "empty-lists",
          "empty-site", "host-without-address", "duplicate-host", "fallback-hosts", "zone-root"})
        out.push_back(kData + "/inventory/bad/" + name + ".json");
    out.push_back(kData + "/check/invalid/sites.json");
    return out;
}

bool parses(const std::string& path) {
    std::string err;
    auto text = zonegen::read_file(path, &err);
    return text && zonegen::parse_inventory(*text, path).ok();
}

}  // namespace

TEST(Schema, GoodInventoriesPassAndBadOnesFailSchemaAndParserAlike) {
    auto good = good_inventories();
    auto bad = bad_inventories();
    ASSERT_GE(good.size(), 15u);
    for (const auto& g : good) EXPECT_TRUE(parses(g)) << g << " is in the good set but the parser rejects it";
    for (const auto& b : bad) EXPECT_FALSE(parses(b)) << b << " is in the bad set but the parser accepts it";

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

TEST(Schema, ReadmeReferencesIt) {
    auto readme = testsupport::read_text(kSource + "/README.md");
    EXPECT_NE(readme.find("sites.schema.json"), std::string::npos);
}
