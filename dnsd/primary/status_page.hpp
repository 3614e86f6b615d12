// The status page at / (issue 15): what dnsd serves right now, for a person with a browser
// or a phone. Zones and serials, the last reload (and its error), the secondaries with
// their last NOTIFY and transfer, and per site the MX tiers as served now with each host's
// health state and since when. Server-rendered HTML with inline CSS and no script; every
// name and message is HTML-escaped, since all of it comes from the inventory, zone files or
// the network.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/primary/activity.hpp"
#include "dnsd/primary/health_control.hpp"

namespace dnsd {

struct StatusInput {
    const AnswerTable* table = nullptr;  // the served version; nullptr: not serving yet
    const Activity::Snapshot* activity = nullptr;
    const std::vector<HealthControl::AddressState>* health = nullptr;  // nullptr: --health off
    std::string listen;                                                // "udp 127.0.0.1:5353 tcp ..."
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

std::string render_status_page(const StatusInput& in);

// text with &, <, >, " and ' replaced by their character references (HTML 5 §13.1.4).
std::string html_escape(std::string_view text);

}  // namespace dnsd
