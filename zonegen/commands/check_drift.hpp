// Drift: the committed zone file against the zone `zonegen generate` would write from
// the inventory, the SOA serial aside (generate chooses it; it is not drift). Every
// record that differs is a finding, so a reviewer sees what a hand edit or a forgotten
// generate changed. The committed zone is also checked for MX targets it gives no
// address (mx-target-without-address): the inventory cannot produce one, a hand edit can.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "zonegen/commands/findings.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace zonegen {

// Findings about zones_dir/<zone>.zone. source names the inventory the way generate
// names it in the file's header (its base name). An I/O problem other than a missing
// file returns nullopt with *io_error set.
std::optional<std::vector<Finding>> zone_findings(const Inventory& inv, const std::string& zones_dir,
                                                  const std::string& source, std::optional<FileError>* io_error);

}  // namespace zonegen
