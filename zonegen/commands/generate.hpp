// `zonegen generate`: inventory in, zone file out, with the serial policy and the
// write-only-when-changed rule; or, with another format, the same zone for the people who
// send the mail (Windows DNS, Exchange, Postfix). Kept out of main.cpp so tests drive it
// directly.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zonegen/core/diagnostic.hpp"

namespace zonegen {

enum class GenerateFormat {
    bind,        // <dir>/<zone>.zone, RFC 1035 master file
    powershell,  // <dir>/<zone>.ps1, Windows DNS Server module (powershell_writer.hpp)
    exchange,    // <dir>/<zone>.exchange.ps1, send connectors (exchange_writer.hpp)
    postfix,     // <dir>/<zone>.postfix/<site>.cf, main.cf settings (postfix_writer.hpp)
};
std::optional<GenerateFormat> parse_generate_format(std::string_view text);

struct GenerateOptions {
    std::string inventory = "sites.json";
    std::string output_dir = "zones";     // "-": write the zone to standard output
    std::optional<std::uint32_t> serial;  // --serial; the inventory's own serial wins
    GenerateFormat format = GenerateFormat::bind;
};

struct GenerateReport {
    Exit status = Exit::Ok;
    std::vector<std::string> errors;  // one line each, ready for stderr
    std::vector<std::string> notes;   // what was done, for stderr
    std::string stdout_text;          // the zone, when output_dir is "-"
    // The inventory and the zone, handed over rather than freed on return: zonegen's main
    // exits without freeing them. A million-site zone is tens of millions of small
    // allocations, half a second to free one by one (issue 17); the kernel takes the
    // pages back at exit at once. Anyone else just drops it.
    std::shared_ptr<const void> built;
};

GenerateReport generate(const GenerateOptions& options);

// zones/<zone>.zone for an origin such as "smarthost.local."
std::string zone_file_path(const std::string& dir, const std::string& origin_text);

}  // namespace zonegen
