// The delivery plan as a live DNS server serves it: MX for the site's name, then A and
// AAAA for each target, asked of one given server (never the system resolver) over UDP,
// repeated over TCP when the answer is truncated (RFC 7766 §5). The records go through
// the same make_plan() as the inventory's, so both sources give comparable plans.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "zonegen/commands/explain_plan.hpp"
#include "zonegen/core/diagnostic.hpp"
#include "zonegen/core/name.hpp"

namespace zonegen {

struct ServerAddress {
    std::string host;  // "127.0.0.1" or "::1"
    std::uint16_t port = 53;
    std::string text() const;  // "127.0.0.1:5353", "[::1]:5353"
};

// "ADDR:PORT" with an IPv4 address, or "[ADDR]:PORT" with an IPv6 one; nullopt otherwise.
std::optional<ServerAddress> parse_server_address(std::string_view text);

struct ServerPlan {
    // Set when the server could not be asked or did not answer (an I/O problem rather
    // than a wrong answer); the plan is then meaningless.
    bool unreachable = false;
    Result<DeliveryPlan> plan = std::vector<Diagnostic>{};
};

// The plan the server gives for site (absolute). A name the server does not know
// (NXDOMAIN), a refusal or a failure is an error; a name without MX is an empty plan.
ServerPlan plan_from_server(const Name& site, const ServerAddress& server,
                            std::chrono::milliseconds timeout = std::chrono::seconds(3));

}  // namespace zonegen
