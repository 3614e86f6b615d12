// `zonegen generate`: inventory in, zone file out, with the serial policy and the
// write-only-when-changed rule. Kept out of main.cpp so tests drive it directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "zonegen/core/diagnostic.hpp"

namespace zonegen {

struct GenerateOptions {
    std::string inventory = "sites.json";
    std::string output_dir = "zones";  // "-": write the zone to standard output
    std::optional<std::uint32_t> serial;  // --serial; the inventory's own serial wins
};

struct GenerateReport {
    Exit status = Exit::Ok;
    std::vector<std::string> errors;  // one line each, ready for stderr
    std::vector<std::string> notes;   // what was done, for stderr
    std::string stdout_text;          // the zone, when output_dir is "-"
};

GenerateReport generate(const GenerateOptions& options);

// zones/<zone>.zone for an origin such as "smarthost.local."
std::string zone_file_path(const std::string& dir, const std::string& origin_text);

}  // namespace zonegen
