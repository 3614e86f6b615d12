// Findings: rendered as text, JSON and GitHub annotations with each format's escaping,
// placed at the line and column their JSON Pointer names, and sorted by file and place.
#include "zonegen/commands/findings.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace zonegen;

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
