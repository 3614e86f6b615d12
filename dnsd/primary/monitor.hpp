// What --http serves (issue 15): /metrics, /healthz and the status page at /, from the
// running server, its health checks and the activity record. The lifecycle says when dnsd
// is serving and when it stops; between those two calls requests read the server, and
// outside them /healthz answers 503 and nothing touches a server that is not there.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>

#include "dnsd/net/http.hpp"
#include "dnsd/net/server.hpp"
#include "dnsd/primary/activity.hpp"
#include "dnsd/primary/health_control.hpp"

namespace dnsd {

class Monitor {
public:
    explicit Monitor(std::shared_ptr<const Activity> activity) : activity_(std::move(activity)) {}

    // From now on requests read server and health (nullptr: --health off), which must stay
    // until stopped() returns.
    void serving(const Server& server, const HealthControl* health);
    // No request reads the server after this returns.
    void stopped();

    // GET path: /healthz is 200 "ok" while serving, else 503; /metrics the exposition
    // (metrics.hpp); / the status page (status_page.hpp); anything else 404.
    HttpResponse handle(std::string_view path) const;

private:
    mutable std::mutex mutex_;  // held while a request reads what follows
    const Server* server_ = nullptr;
    const HealthControl* health_ = nullptr;
    bool stopped_ = false;
    std::shared_ptr<const Activity> activity_;
};

}  // namespace dnsd
