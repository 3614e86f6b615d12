// The health prober of `dnsd --health` (issue 19): one thread that checks every address of
// every smarthost, spread over the interval, and reports up/down changes after the fall/rise
// hysteresis. It knows nothing of zones or answers: the caller turns a Change into new
// answers (dnsd/primary) and logs it.
//
// Timing promises (issue 19, "Probing"): target i of N is first probed about i*interval/N
// after start (new targets of a reload likewise over the interval after it), so probes never
// come in bursts; a probe of one address starts `interval` after the previous one started
// (later if that one was still running or max_in_flight probes were), so two probes of one
// address are always at least an interval apart; at most max_in_flight run at once. An
// address that dies is down within interval + fall*(interval + timeout), one that comes back
// is up within interval + rise*interval, as long as max_in_flight is not the bottleneck.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dnsd/health/probe.hpp"
#include "dnsd/net/endpoint.hpp"
#include "dnsd/net/fd.hpp"
#include "zonegen/core/diagnostic.hpp"

namespace dnsd::health {

struct Settings {
    Check check = Check::Smtp;
    std::chrono::milliseconds interval{10'000};
    std::chrono::milliseconds timeout{3'000};  // covers connect and greeting
    unsigned fall = 3;                         // failures in a row that take an up address down
    unsigned rise = 2;                         // successes in a row that bring a down address up
    unsigned max_in_flight = 64;               // probes at once
};

struct Target {        // one address of one smarthost
    std::string host;  // "mail1.oxford.smarthost.local.", for log lines
    Endpoint address;  // IP and port (--health-port or the inventory)
};

struct Change {
    std::size_t target;  // index into the current target list
    bool up;
    std::string reason;  // "3 failures: connection refused", "2 successes"
    // The target itself: a caller that swaps its own list after set_targets() returns can
    // match a change that arrives in between by what it names rather than by index.
    Target named;
};

// "192.0.2.25" or "2001:db8::25": the address of a target without its port, for log lines.
std::string address_text(const Endpoint& address);

class Prober {
public:
    using OnChange = std::function<void(std::span<const Change>)>;
    using Log = std::function<void(std::string_view line)>;

    // Starts the prober thread. Every target starts up. on_change receives the state
    // changes of one wake-up of the thread together; log receives the prober's own lines
    // without a program prefix ("health: mail1.oxford.smarthost.local. 2001:db8::25 cannot
    // judge: no route (ENETUNREACH); kept up"), once per address and reason. Both are
    // called on the prober thread, one at a time; they may call states() but not
    // set_targets(), and must not wait for a lock that a caller of set_targets() holds.
    // Fails on settings that are zero or on a target without an IPv4/IPv6 address.
    static zonegen::Result<std::unique_ptr<Prober>> start(Settings settings, std::vector<Target> targets,
                                                          OnChange on_change, Log log);

    // Reload: a new target list. A target equal to an old one (same host and address, port
    // included) keeps its state, counters, schedule and any probe in flight; new ones start
    // up and are spread over the next interval. Returns the state of each new target now;
    // every Change delivered after this returns refers to the new list, none before it does.
    std::vector<bool> set_targets(std::vector<Target> targets);
    // Up (true) or down of each target of the current list.
    std::vector<bool> states() const;

    // How long the probes took, from the start of the connect to the outcome (timeouts
    // included), as a histogram with these upper bounds in seconds and +Inf last.
    static constexpr std::array<double, 11> kDurationBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                               0.5,   1,    2.5,   5,    10};
    struct Durations {
        std::array<std::uint64_t, kDurationBounds.size() + 1> counts{};  // per bucket, not cumulative
        double sum_seconds = 0;
    };
    Durations durations() const;

    // Stops the thread and closes every socket; returns within milliseconds, even with
    // probes in flight.
    ~Prober();
    Prober(const Prober&) = delete;
    Prober& operator=(const Prober&) = delete;

private:
    struct Slot;
    using Clock = std::chrono::steady_clock;

    Prober(Settings settings, OnChange on_change, Log log);
    static bool due_later(const Slot* a, const Slot* b);  // the queue's order: earliest due on top
    void run();
    void wake();
    // The rest run with mutex_ held.
    void place(std::vector<Target> targets, Clock::time_point now);
    void start_due(Clock::time_point now);
    void finish(Slot& slot, const Outcome& outcome);
    int wait_ms(Clock::time_point now) const;

    const Settings settings_;
    const OnChange on_change_;
    const Log log_;
    Fd epoll_;
    Fd wake_;  // eventfd: stop, or a new target list
    std::atomic<bool> stopping_{false};

    // deliver_ is held from the moment a wake-up looks at the slots until its callbacks
    // return, so that set_targets() (which takes it first) never interleaves with a batch.
    std::mutex deliver_;
    mutable std::mutex mutex_;                            // everything below
    std::vector<std::unique_ptr<Slot>> slots_;            // in target order
    std::vector<Slot*> queue_;                            // idle slots, a min-heap on their due time
    std::unordered_map<std::uint64_t, Slot*> in_flight_;  // by probe number (epoll's data)
    std::uint64_t next_probe_ = 1;                        // 0 is the wake-up eventfd
    std::vector<Change> changes_;                         // of the current wake-up
    std::vector<std::string> lines_;                      // likewise
    Durations durations_;

    std::thread thread_;
};

}  // namespace dnsd::health
