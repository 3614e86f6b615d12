// The Graphviz gateway: the only file that includes Graphviz's headers is graphviz.cpp,
// as zonegen/core/ldns.hpp is for ldns. Layout and SVG rendering run in-process through
// libgvc and libcgraph (Debian's libgraphviz-dev), so no `dot` binary is needed at run time.
#pragma once

#include <string>
#include <string_view>

#include "zonegen/core/diagnostic.hpp"

namespace zonegen {

// Lays out a graph given in the DOT language with the dot engine and renders it as SVG.
// An error holds Graphviz's own message (a DOT syntax error, a missing plugin).
Result<std::string> render_dot_as_svg(std::string_view dot);

}  // namespace zonegen
