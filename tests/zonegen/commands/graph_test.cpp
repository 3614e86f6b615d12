// The tiers picture: Graphviz's own `dot` parses the DOT text zonegen writes; the SVG
// zonegen renders in-process is XML with one node per smarthost and one edge per MX
// record of the zone, drawn without any `dot` on the PATH; tiers differ in colour and
// line style; isolated and single-point-of-failure sites are marked, and only those.
#include "zonegen/commands/graph.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "tests/support/shell.hpp"
#include "zonegen/inventory/build.hpp"
#include "zonegen/inventory/inventory.hpp"

using namespace zonegen;
using testsupport::run_shell;
using testsupport::shell_quote;
using testsupport::TempDir;
using testsupport::write_text;

namespace {

const std::string kSource = SMARTHOST_SOURCE_DIR;
const std::string kData = SMARTHOST_TEST_DATA;

std::vector<std::string> inventories() {
    return {kData + "/generate/minimal.json",    kData + "/generate/tiers.json",    kData + "/generate/ring.json",
            kData + "/exports/no-fallback.json", kData + "/exports/ipv6-only.json", kSource + "/sites.json"};
}

std::size_t mx_records(const Inventory& inv) {
    auto zone = build_zone(inv, 1);
    EXPECT_TRUE(zone.ok());
    std::size_t n = 0;
    for (const auto& node : zone.value().nodes())
        if (const auto* mx = node.find(RRType::MX)) n += mx->rdata.size();
    return n;
}

// Counts of the SVG's node and edge groups by their id prefix, read by Python's XML parser.
std::map<std::string, std::size_t> svg_counts(const std::string& svg_path) {
    auto r = run_shell("python3 -c " + shell_quote(R"(import sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
counts = {}
for g in root.iter("{http://www.w3.org/2000/svg}g"):
    cls, id = g.get("class", ""), g.get("id", "")
    key = cls + ":" + id.split("-")[0]
    counts[key] = counts.get(key, 0) + 1
for k in sorted(counts): print(k, counts[k])
)") + " " + shell_quote(svg_path));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::size_t> out;
    std::istringstream in(r.out);
    std::string key;
    std::size_t n;
    while (in >> key >> n) out[key] = n;
    return out;
}

}  // namespace

TEST(Graph, DotParsesTheDotOutput) {
    for (const auto& path : inventories()) {
        auto file = load_inventory(path);
        ASSERT_TRUE(file.inventory) << path;
        TempDir tmp;
        write_text(tmp / "g.dot", render_graph_dot(*file.inventory, "sites.json"));
        auto r = run_shell("dot -Tcanon " + shell_quote(tmp / "g.dot") + " -o /dev/null");
        EXPECT_EQ(r.exit_code, 0) << path << ": " << r.err;
        EXPECT_EQ(r.err, "") << path;
    }
}

TEST(Graph, SvgHasOneNodePerSmarthostAndOneEdgePerMxRecord) {
    for (const auto& path : inventories()) {
        auto file = load_inventory(path);
        ASSERT_TRUE(file.inventory) << path;
        std::size_t hosts = 0;
        for (const auto& s : file.inventory->sites) hosts += s.smarthosts.size();
        TempDir tmp;
        // In-process: no `dot` can be found on this PATH.
        auto r = run_shell("PATH=/nonexistent " + std::string(ZONEGEN_BIN) + " graph -i " + shell_quote(path) +
                           " -o " + shell_quote(tmp / "g.svg"));
        ASSERT_EQ(r.exit_code, 0) << path << ": " << r.err;
        auto counts = svg_counts(tmp / "g.svg");
        EXPECT_EQ(counts["node:host"], hosts) << path;
        EXPECT_EQ(counts["node:site"], file.inventory->sites.size()) << path;
        EXPECT_EQ(counts["edge:mx"], mx_records(*file.inventory)) << path;
        EXPECT_EQ(counts["cluster:cluster"], file.inventory->sites.size()) << path;
        std::size_t nodes = 0, edges = 0;
        for (const auto& [k, n] : counts) {
            if (k.starts_with("node:")) nodes += n;
            if (k.starts_with("edge:")) edges += n;
        }
        EXPECT_EQ(nodes, hosts + file.inventory->sites.size()) << path << ": no other nodes";
        EXPECT_EQ(edges, mx_records(*file.inventory)) << path << ": no other edges";
    }
}

TEST(Graph, TiersDifferInColourAndStyle) {
    auto file = load_inventory(kSource + "/sites.json");
    ASSERT_TRUE(file.inventory);
    const std::string dot = render_graph_dot(*file.inventory, "sites.json");
    // Every edge's preference decides its look: 10 tier 1, 20 tier 2, 30 tier 3.
    const std::map<std::string, std::string> look = {{"10", "color=\"#1b9e77\", fontcolor=\"#1b9e77\", style=solid"},
                                                     {"20", "color=\"#d95f02\", fontcolor=\"#d95f02\", style=dashed"},
                                                     {"30",
                                                      "color=\"#7570b3\", fontcolor=\"#7570b3\", style=dotted"}};
    // Edge lines: "site:A" -> "host:B" [id="mx-<site>-<preference>-<host>", label="<preference>", <look>];
    // (std::regex is avoided: GCC 12 warns inside it under the sanitizer build.)
    std::size_t n = 0;
    std::istringstream lines(dot);
    for (std::string line; std::getline(lines, line);) {
        const std::size_t id = line.find("[id=\"mx-");
        if (id == std::string::npos) continue;
        ++n;
        const std::size_t site_end = line.find('-', id + 8);
        const std::size_t pref_end = line.find('-', site_end + 1);
        ASSERT_NE(pref_end, std::string::npos) << line;
        const std::string pref = line.substr(site_end + 1, pref_end - site_end - 1);
        ASSERT_TRUE(look.contains(pref)) << line;
        const std::string label = "label=\"" + pref + "\", ";
        const std::size_t at = line.find(label);
        ASSERT_NE(at, std::string::npos) << line;
        EXPECT_EQ(line.compare(at + label.size(), look.at(pref).size(), look.at(pref)), 0) << line;
    }
    EXPECT_EQ(n, mx_records(*file.inventory));
    EXPECT_NE(dot.find("tier 1 solid green, tier 2 dashed orange, tier 3 dotted purple\"]"), std::string::npos);
}

TEST(Graph, MarksIsolatedAndSinglePointOfFailureSites) {
    auto file = load_inventory(kData + "/exports/no-fallback.json");
    ASSERT_TRUE(file.inventory);
    const std::string dot = render_graph_dot(*file.inventory, "no-fallback.json");
    // madrid: one host, no fallback; lisbon: two hosts, no fallback; porto falls back.
    EXPECT_NE(dot.find("label=\"madrid\\nno fallback: isolated\\nsingle point of failure\"; style=\"rounded,bold\"; "
                       "color=\"#c0392b\""),
              std::string::npos)
        << dot;
    EXPECT_NE(dot.find("label=\"lisbon\\nno fallback: isolated\"; style=\"rounded,bold\"; color=\"#c0392b\""),
              std::string::npos)
        << dot;
    EXPECT_NE(dot.find("label=\"porto\"; style=\"rounded\"; color=\"#555555\""), std::string::npos) << dot;
    // The example has none.
    auto example = load_inventory(kSource + "/sites.json");
    ASSERT_TRUE(example.inventory);
    const std::string e = render_graph_dot(*example.inventory, "sites.json");
    EXPECT_EQ(e.find("isolated"), std::string::npos);
    EXPECT_EQ(e.find("#c0392b"), std::string::npos);
}

TEST(Graph, InvalidInventoryIsExitOneWithItsErrors) {
    auto r = run_shell(std::string(ZONEGEN_BIN) + " graph -i " +
                       shell_quote(kData + "/inventory/bad/bad-senders.json") + " -o /dev/null");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("bad-senders.json:6:28: /sites/0/senders/1: duplicate sender"), std::string::npos) << r.err;
}
