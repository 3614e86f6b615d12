// The Graphviz gateway: DOT in, SVG out, in-process; Graphviz's own error text when the
// DOT is wrong, and no message left on the terminal by the library; and it is the one
// file of the project that includes Graphviz.
#include "zonegen/commands/graphviz.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "tests/support/shell.hpp"

namespace fs = std::filesystem;
using namespace zonegen;

TEST(Graphviz, RendersSvg) {
    auto svg = render_dot_as_svg("digraph g { a -> b [id=\"theedge\"]; }");
    ASSERT_TRUE(svg.ok()) << svg.errors().front().message;
    EXPECT_NE(svg.value().find("<svg"), std::string::npos);
    EXPECT_NE(svg.value().find("id=\"theedge\""), std::string::npos);
    EXPECT_NE(svg.value().find("</svg>"), std::string::npos);
}

TEST(Graphviz, ReportsASyntaxError) {
    testing::internal::CaptureStderr();
    auto svg = render_dot_as_svg("digraph g { a -> ; }");
    const std::string err = testing::internal::GetCapturedStderr();
    ASSERT_FALSE(svg.ok());
    EXPECT_NE(svg.errors().front().message.find("graphviz: cannot read the DOT text: "), std::string::npos)
        << svg.errors().front().message;
    EXPECT_NE(svg.errors().front().message.find("syntax error"), std::string::npos) << svg.errors().front().message;
    EXPECT_EQ(err, "");
    // The library is usable again afterwards.
    EXPECT_TRUE(render_dot_as_svg("graph h { x -- y }").ok());
}

TEST(Graphviz, SameTextSameBytes) {
    const char* dot = "digraph g { rankdir=LR; subgraph cluster_a { a1; a2 } a1 -> b [label=\"10\"]; a2 -> b; }";
    auto one = render_dot_as_svg(dot), two = render_dot_as_svg(dot);
    ASSERT_TRUE(one.ok() && two.ok());
    EXPECT_EQ(one.value(), two.value());
}

TEST(Graphviz, OnlyTheGatewayIncludesGraphviz) {
    std::vector<std::string> includers;
    for (const char* part : {"zonegen", "dnsd", "tests"}) {
        for (const auto& e : fs::recursive_directory_iterator(std::string(SMARTHOST_SOURCE_DIR) + "/" + part)) {
            const auto ext = e.path().extension();
            if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
            const std::string text = testsupport::read_text(e.path().string());
            // Assembled here, so that this file does not match itself.
            const std::string include = std::string("#") + "include ";
            bool hit = false;
            for (const char* header : {"<graphviz/", "\"graphviz/", "<gvc.h>", "<cgraph.h>"})
                hit = hit || text.find(include + header) != std::string::npos;
            if (hit) includers.push_back(fs::relative(e.path(), SMARTHOST_SOURCE_DIR).string());
        }
    }
    EXPECT_EQ(includers, std::vector<std::string>{"zonegen/commands/graphviz.cpp"});
}
