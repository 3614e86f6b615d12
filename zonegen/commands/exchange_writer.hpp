// `zonegen generate --format exchange`: one send connector per site for the Exchange
// Management Shell, relaying the site's outbound mail to the site's name, whose MX
// records hold its tiers. The source transport servers come from the site's "senders";
// sites without senders get no connector (and are named in a comment), since which
// servers send through a site cannot be guessed.
#pragma once

#include <string>

#include "zonegen/commands/export_source.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace zonegen {

std::string render_exchange(const Inventory& inv, const ExportSource& source);

}  // namespace zonegen
