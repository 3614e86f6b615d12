// Answering /metrics, /healthz and / from the running dnsd (monitor.hpp).
#include "dnsd/primary/monitor.hpp"

#include "dnsd/primary/metrics.hpp"
#include "dnsd/primary/status_page.hpp"

namespace dnsd {

void Monitor::serving(const Server& server, const HealthControl* health) {
    std::lock_guard lock(mutex_);
    server_ = &server;
    health_ = health;
}

void Monitor::stopped() {
    std::lock_guard lock(mutex_);
    server_ = nullptr;
    health_ = nullptr;
    stopped_ = true;
}

HttpResponse Monitor::handle(std::string_view path) const {
    std::lock_guard lock(mutex_);
    if (path == "/healthz") {
        // For load balancers and orchestrators: ready only once every zone answers.
        if (server_) return {200, "text/plain; charset=utf-8", "ok\n"};
        return {503, "text/plain; charset=utf-8", stopped_ ? "stopping\n" : "starting\n"};
    }
    const Activity::Snapshot activity = activity_->snapshot();
    std::shared_ptr<const AnswerTable> table = server_ ? server_->table() : nullptr;
    std::vector<HealthControl::AddressState> health;
    if (health_) health = health_->states();
    if (path == "/metrics") {
        MetricsInput in;
        Traffic::Totals traffic;
        health::Prober::Durations durations;
        in.activity = &activity;
        if (server_) {
            traffic = server_->traffic();
            in.traffic = &traffic;
            in.tcp_connections = server_->connections();
            in.table = table.get();
        }
        if (health_) {
            durations = health_->durations();
            in.health = &health;
            in.health_changes_up = health_->changes(true);
            in.health_changes_down = health_->changes(false);
            in.probe_durations = &durations;
        }
        return {200, kMetricsContentType, render_metrics(in)};
    }
    if (path == "/" || path == "/index.html") {
        StatusInput in;
        in.table = table.get();
        in.activity = &activity;
        in.health = health_ ? &health : nullptr;
        if (server_) in.listen = server_->bound_text();
        return {200, "text/html; charset=utf-8", render_status_page(in)};
    }
    return {404, "text/plain; charset=utf-8", "not found: try /, /metrics or /healthz\n"};
}

}  // namespace dnsd
