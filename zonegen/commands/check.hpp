// `zonegen check`: everything generate validates, the findings of check_rules.hpp, and,
// with a zones directory, drift of the committed zone; rendered in one output format.
// Kept out of main.cpp so tests drive it directly.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "zonegen/commands/findings.hpp"
#include "zonegen/core/diagnostic.hpp"

namespace zonegen {

struct CheckOptions {
    std::string inventory = "sites.json";
    std::optional<std::string> zones_dir;  // --zones: compare the committed zone
    OutputFormat format = OutputFormat::text;
    bool strict = false;  // warnings fail the check too
};

struct CheckReport {
    // Ok: no errors (and no warnings with strict); Invalid: errors (validation, drift),
    // or warnings with strict; Usage: the inventory or zone could not be read.
    Exit status = Exit::Ok;
    std::vector<Finding> findings;          // sorted, placed
    std::string stdout_text;                // the findings in the chosen format
    std::vector<std::string> stderr_lines;  // I/O problems; the summary in text format
};

CheckReport run_check(const CheckOptions& options);

}  // namespace zonegen
