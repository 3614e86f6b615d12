// /metrics (issue 15): what dnsd counts, in the Prometheus text exposition format, named by
// the Prometheus conventions (one dnsd_ prefix, base units, _total counters, labels of
// bounded cardinality; CoreDNS's coredns_dns_requests_total is the model). Gathered at
// scrape time from the workers' counters (dnsd/net/traffic.hpp), the served table, the
// activity record and the health checks; the packet path never sees any of this. Only
// metrics.cpp includes prometheus-cpp, whose TextSerializer writes the format.
#pragma once

#include <string>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/net/traffic.hpp"
#include "dnsd/primary/activity.hpp"
#include "dnsd/primary/health_control.hpp"

namespace dnsd {

struct MetricsInput {
    const Traffic::Totals* traffic = nullptr;  // nullptr before the server runs
    std::size_t tcp_connections = 0;
    const AnswerTable* table = nullptr;  // the served version; nullptr before the first load
    const Activity::Snapshot* activity = nullptr;
    // With --health: every checked address, the state changes and the probe durations.
    const std::vector<HealthControl::AddressState>* health = nullptr;
    std::uint64_t health_changes_up = 0, health_changes_down = 0;
    const health::Prober::Durations* probe_durations = nullptr;
};

// The exposition (text format 0.0.4) of everything given.
std::string render_metrics(const MetricsInput& in);

// The Content-Type of that format.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace dnsd
