// `zonegen explain`: a site's delivery plan in words, tier by tier: which hosts share the
// load at each MX preference, which tier takes the mail while given hosts are down, when
// mail queues instead, and where Postfix's address limit (explain_plan.hpp) cuts the plan short.
// One renderer for plans from either source (the inventory or a live server).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "zonegen/commands/explain_plan.hpp"
#include "zonegen/core/diagnostic.hpp"
#include "zonegen/core/name.hpp"

namespace zonegen {

// The plan as text. down: hosts of the plan taken as not answering. address_limit: the
// sender's smtp_mx_address_limit (0: none).
std::string render_plan(const DeliveryPlan& plan, const std::vector<Name>& down,
                        std::size_t address_limit = kPostfixAddressLimit);

// The hosts of the plan that --down arguments name: a host name relative to zone
// ("mail1.oxford"), absolute ("mail1.oxford.smarthost.local."), or an address (every
// host that has it). An argument that names no host of the plan is an error.
Result<std::vector<Name>> resolve_down(const DeliveryPlan& plan, const std::vector<std::string>& args,
                                       const std::optional<Name>& zone);

struct ExplainOptions {
    std::string inventory = "sites.json";
    std::string site;                                  // a site label, or an absolute name ending in '.'
    std::vector<std::string> down;                     // --down
    std::optional<std::string> server;                 // --server ADDR:PORT
    std::size_t address_limit = kPostfixAddressLimit;  // --address-limit; 0: none
};

struct ExplainReport {
    // Ok: plan printed; Invalid: invalid inventory, unknown site, or the server does not
    // know the name; Usage: bad arguments, unreadable file, server not answering.
    Exit status = Exit::Ok;
    std::string stdout_text;
    std::vector<std::string> errors;  // one line each, ready for stderr
};

ExplainReport run_explain(const ExplainOptions& options);

}  // namespace zonegen
