// The metric families of /metrics (metrics.hpp), written by prometheus-cpp's TextSerializer:
// the format's escaping, +Inf and histogram series are the library's, not ours.
#include "dnsd/primary/metrics.hpp"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <deque>
#include <iterator>
#include <limits>
#include <sstream>

#include "dnsd/primary/loader.hpp"

namespace dnsd {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

double seconds_since_epoch(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// The families in the order added; a reference add() returned stays valid while later
// families are added (a deque, not a vector).
class Families {
public:
    MetricFamily& add(std::string name, std::string help, MetricType type) {
        families_.push_back({std::move(name), std::move(help), type, {}});
        return families_.back();
    }
    std::vector<MetricFamily> take() && {
        return {std::make_move_iterator(families_.begin()), std::make_move_iterator(families_.end())};
    }

private:
    std::deque<MetricFamily> families_;
};

void counter(MetricFamily& f, Labels labels, double value) {
    ClientMetric m;
    m.label = std::move(labels);
    m.counter.value = value;
    f.metric.push_back(std::move(m));
}

void gauge(MetricFamily& f, Labels labels, double value) {
    ClientMetric m;
    m.label = std::move(labels);
    m.gauge.value = value;
    f.metric.push_back(std::move(m));
}

// counts: per bucket (not cumulative), one per bound and a last one for +Inf.
template <typename Counts, typename Bounds>
void histogram(MetricFamily& f, Labels labels, const Counts& counts, const Bounds& bounds, double sum) {
    ClientMetric m;
    m.label = std::move(labels);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < std::size(counts); ++i) {
        cumulative += counts[i];
        const double bound = i < std::size(bounds) ? static_cast<double>(bounds[i])
                                                   : std::numeric_limits<double>::infinity();
        m.histogram.bucket.push_back({cumulative, bound});
    }
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = sum;
    f.metric.push_back(std::move(m));
}

void traffic(Families& out, const Traffic::Totals& t, std::size_t tcp_connections) {
    auto& queries = out.add("dnsd_queries_total",
                            "Queries answered, by transport, query type (uncommon ones as other) and response code; "
                            "transfers that were sent are counted in dnsd_transfers_total",
                            MetricType::Counter);
    for (std::size_t x = 0; x < 2; ++x)
        for (std::size_t y = 0; y < Traffic::kTypeSlots; ++y)
            for (std::size_t r = 0; r < Traffic::kRcodeSlots; ++r)
                if (t.queries[x][y][r] != 0)
                    counter(queries,
                            {{"transport", std::string(transport_label(x))},
                             {"type", std::string(type_label(y))},
                             {"rcode", std::string(rcode_label(r))}},
                            static_cast<double>(t.queries[x][y][r]));
    auto& truncated = out.add("dnsd_truncated_answers_total",
                              "Answers sent with TC set because they did not fit (RFC 1035 4.2.1)",
                              MetricType::Counter);
    for (std::size_t x = 0; x < 2; ++x)
        counter(truncated, {{"transport", std::string(transport_label(x))}}, static_cast<double>(t.truncated[x]));

    std::array<double, Traffic::kSizeBuckets - 1> bounds{};
    for (std::size_t b = 0; b < bounds.size(); ++b) bounds[b] = static_cast<double>(std::size_t{32} << b);
    auto& sizes = out.add("dnsd_answer_size_bytes", "Size of the answers sent, in octets", MetricType::Histogram);
    for (std::size_t x = 0; x < 2; ++x)
        histogram(sizes, {{"transport", std::string(transport_label(x))}}, t.sizes[x], bounds,
                  static_cast<double>(t.bytes[x]));

    auto& malformed = out.add("dnsd_malformed_queries_total",
                              "Queries that broke a rule of the message format (answered FORMERR), by the rule",
                              MetricType::Counter);
    for (std::size_t x = 0; x < 2; ++x)
        for (std::size_t m = 1; m < Traffic::kMalformedSlots; ++m)
            counter(malformed,
                    {{"transport", std::string(transport_label(x))}, {"reason", std::string(malformed_label(m))}},
                    static_cast<double>(t.malformed[x][m]));
    auto& dropped = out.add("dnsd_dropped_packets_total",
                            "Packets given no answer (too short, a response, no room) and UDP answers the socket "
                            "did not take (send_failed), by reason",
                            MetricType::Counter);
    for (std::size_t x = 0; x < 2; ++x)
        for (std::size_t d = 1; d < Traffic::kDroppedSlots; ++d)
            counter(dropped,
                    {{"transport", std::string(transport_label(x))}, {"reason", std::string(dropped_label(d))}},
                    static_cast<double>(t.dropped[x][d]));
    counter(dropped, {{"transport", "udp"}, {"reason", "send_failed"}}, static_cast<double>(t.send_failed));

    counter(out.add("dnsd_tcp_connections_opened_total", "TCP connections accepted", MetricType::Counter), {},
            static_cast<double>(t.opened));
    auto& closed = out.add("dnsd_tcp_connections_closed_total",
                           "TCP connections closed, by reason (refused: at the cap with none idle to close)",
                           MetricType::Counter);
    for (std::size_t c = 0; c < Traffic::kCloseSlots; ++c)
        counter(closed, {{"reason", std::string(close_label(c))}}, static_cast<double>(t.closed[c]));
    gauge(out.add("dnsd_tcp_connections", "TCP connections open now", MetricType::Gauge), {},
          static_cast<double>(tcp_connections));
}

void zones(Families& out, const AnswerTable& table, const Activity::Snapshot* activity) {
    auto& serial = out.add("dnsd_zone_serial", "SOA serial of each zone served now", MetricType::Gauge);
    auto& records = out.add("dnsd_zone_records", "Records of each zone served now, the SOA included",
                            MetricType::Gauge);
    auto& loaded = out.add("dnsd_zone_load_timestamp_seconds", "When each zone was last loaded from its source",
                           MetricType::Gauge);
    for (const ZoneImage& z : table.zones()) {
        const std::string name = zone_text(z.origin());
        gauge(serial, {{"zone", name}}, z.serial());
        gauge(records, {{"zone", name}}, static_cast<double>(z.record_count()));
        if (!activity) continue;
        for (const Activity::Zone& a : activity->zones)
            if (a.name == name) gauge(loaded, {{"zone", name}}, seconds_since_epoch(a.loaded));
    }
}

void activity(Families& out, const Activity::Snapshot& a) {
    gauge(out.add("dnsd_start_time_seconds", "When dnsd started", MetricType::Gauge), {},
          seconds_since_epoch(a.started));
    gauge(out.add("dnsd_load_duration_seconds", "How long the last successful load or reload of the sources took",
                  MetricType::Gauge),
          {}, a.load_seconds);
    auto& reloads = out.add("dnsd_reloads_total", "Reloads (SIGHUP), by result", MetricType::Counter);
    counter(reloads, {{"result", "success"}}, static_cast<double>(a.reloads_ok));
    counter(reloads, {{"result", "failure"}}, static_cast<double>(a.reloads_failed));
    // The start's load counts as the first success: an alert on its age works from the start.
    double last_ok = seconds_since_epoch(a.last_reload_ok.value_or(a.started));
    gauge(out.add("dnsd_reload_last_success_timestamp_seconds",
                  "When the sources were last loaded successfully (at start or by a reload)", MetricType::Gauge),
          {}, last_ok);
    auto& transfers = out.add("dnsd_transfers_total", "Zone transfer requests over TCP, by type and result",
                              MetricType::Counter);
    for (std::size_t x = 0; x < 2; ++x)
        for (std::size_t r = 0; r < static_cast<std::size_t>(TransferResult::Count_); ++r)
            counter(transfers, {{"type", x ? "ixfr" : "axfr"}, {"result", std::string(transfer_result_label(r))}},
                    static_cast<double>(a.transfers[x][r]));
    auto& notifies = out.add("dnsd_notifies_total", "NOTIFY messages to secondaries, by how they ended (RFC 1996)",
                             MetricType::Counter);
    for (std::size_t r = 0; r < static_cast<std::size_t>(NotifyResult::Count_); ++r)
        counter(notifies, {{"result", std::string(notify_result_label(r))}}, static_cast<double>(a.notifies[r]));
}

void health_checks(Families& out, const MetricsInput& in) {
    auto& up = out.add("dnsd_health_up", "1 if the checked smarthost address is up, 0 if it is down (--health)",
                       MetricType::Gauge);
    for (const HealthControl::AddressState& s : *in.health) {
        std::string host = s.host;
        if (!host.empty() && host.back() == '.') host.pop_back();
        gauge(up, {{"host", host}, {"site", s.site}, {"address", s.address}}, s.up ? 1 : 0);
    }
    auto& changes = out.add("dnsd_health_state_changes_total",
                            "Health state changes of checked addresses, by the "
                            "new state",
                            MetricType::Counter);
    counter(changes, {{"state", "up"}}, static_cast<double>(in.health_changes_up));
    counter(changes, {{"state", "down"}}, static_cast<double>(in.health_changes_down));
    if (in.probe_durations)
        histogram(out.add("dnsd_health_probe_duration_seconds", "How long health probes took, timeouts included",
                          MetricType::Histogram),
                  {}, in.probe_durations->counts, health::Prober::kDurationBounds, in.probe_durations->sum_seconds);
}

}  // namespace

std::string render_metrics(const MetricsInput& in) {
    Families out;
    gauge(out.add("dnsd_build_info", "dnsd's version; always 1", MetricType::Gauge), {{"version", SMARTHOST_VERSION}},
          1);
    if (in.activity) activity(out, *in.activity);
    if (in.traffic) traffic(out, *in.traffic, in.tcp_connections);
    if (in.table) zones(out, *in.table, in.activity);
    if (in.health) health_checks(out, in);
    std::ostringstream text;
    prometheus::TextSerializer().Serialize(text, std::move(out).take());
    return text.str();
}

}  // namespace dnsd
