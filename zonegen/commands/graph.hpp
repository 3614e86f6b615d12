// `zonegen graph`: the inventory's MX tiers as a picture for reviewers. Sites are boxes
// with their smarthosts inside; an arrow runs from each site's name to every host of each
// of its tiers, labelled with the MX preference; tiers differ in colour and line style;
// a site without fallback (isolated) is marked, and so is one whose whole plan is a
// single host (a single point of failure). DOT text is written here; SVG comes from
// Graphviz's library through graphviz.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zonegen/core/diagnostic.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace zonegen {

enum class GraphFormat { dot, svg };
std::optional<GraphFormat> parse_graph_format(std::string_view text);

// The DOT text. source names the inventory in the picture's title. Node ids are
// "site-<site>" for the site's name and "host-<host>.<site>" for smarthosts; edge ids
// "mx-<site>-<preference>-<host>.<site>", one edge per MX record of the zone.
std::string render_graph_dot(const Inventory& inv, std::string_view source);

struct GraphOptions {
    std::string inventory = "sites.json";
    std::string output = "-";  // a file, or "-" for standard output
    GraphFormat format = GraphFormat::svg;
};

struct GraphReport {
    Exit status = Exit::Ok;
    std::vector<std::string> errors;  // one line each, ready for stderr
    std::vector<std::string> notes;   // what was done, for stderr
    std::string stdout_text;          // the picture, when output is "-"
};

GraphReport run_graph(const GraphOptions& options);

}  // namespace zonegen
