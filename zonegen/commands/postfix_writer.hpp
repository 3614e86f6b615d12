// `zonegen generate --format postfix`: per site the main.cf settings of the Postfix hosts
// that relay through it: relayhost set to the site's name without [brackets], and
// smtp_mx_address_limit / smtp_mx_session_limit large enough that every MX tier of the
// site is within reach (the check finding postfix-address-limit, fixed at the sender).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "zonegen/commands/export_source.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace zonegen {

// Postfix's defaults (postconf(5)): 5 addresses, 2 sessions per delivery.
inline constexpr std::size_t kPostfixSessionLimit = 2;

struct PostfixFragment {
    std::string site;  // the site's label; the fragment's file is <site>.cf
    std::string text;  // comments and "name = value" lines, for postconf -e
};

// One fragment per site, in inventory order.
std::vector<PostfixFragment> render_postfix(const Inventory& inv, const ExportSource& source);

}  // namespace zonegen
