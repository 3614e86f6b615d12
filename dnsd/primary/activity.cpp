// Recording and copying dnsd's activity (activity.hpp).
#include "dnsd/primary/activity.hpp"

#include <array>

#include "dnsd/health/prober.hpp"
#include "dnsd/primary/loader.hpp"

namespace dnsd {

std::string_view transfer_result_label(std::size_t r) {
    static constexpr std::array<std::string_view, static_cast<std::size_t>(TransferResult::Count_)> kNames = {
        "full", "incremental", "up_to_date", "refused", "tsig_error"};
    return r < kNames.size() ? kNames[r] : "other";
}

std::string_view notify_result_label(std::size_t r) {
    static constexpr std::array<std::string_view, static_cast<std::size_t>(NotifyResult::Count_)> kNames = {
        "answered", "rejected", "gave_up", "failed"};
    return r < kNames.size() ? kNames[r] : "other";
}

void Activity::add_secondary(const Endpoint& target) {
    std::lock_guard lock(mutex_);
    s_.secondaries[health::address_text(target)];
}

void Activity::loaded(const AnswerTable& table, std::chrono::steady_clock::duration took, bool reload) {
    const Clock::time_point now = Clock::now();
    std::lock_guard lock(mutex_);
    s_.zones.clear();
    for (const ZoneImage& z : table.zones()) s_.zones.push_back({zone_text(z.origin()), now});
    s_.load_seconds = std::chrono::duration<double>(took).count();
    if (!reload) return;
    ++s_.reloads_ok;
    s_.last_reload = s_.last_reload_ok = now;
    s_.last_reload_error.clear();
}

void Activity::reload_failed(std::string error) {
    const Clock::time_point now = Clock::now();
    std::lock_guard lock(mutex_);
    ++s_.reloads_failed;
    s_.last_reload = now;
    s_.last_reload_error = std::move(error);
}

void Activity::transfer(const Endpoint& peer, std::string_view zone, std::uint32_t serial, bool ixfr,
                        TransferResult r) {
    const Clock::time_point now = Clock::now();
    std::lock_guard lock(mutex_);
    ++s_.transfers[ixfr ? 1 : 0][static_cast<std::size_t>(r)];
    s_.secondaries[health::address_text(peer)].transfer = Event{
        now, std::string(zone), serial,
        std::string(transfer_result_label(static_cast<std::size_t>(r))) + (ixfr ? " (IXFR)" : " (AXFR)")};
}

void Activity::notify(const Endpoint& target, std::string_view zone, std::uint32_t serial, NotifyResult r) {
    const Clock::time_point now = Clock::now();
    std::lock_guard lock(mutex_);
    ++s_.notifies[static_cast<std::size_t>(r)];
    s_.secondaries[health::address_text(target)].notify = Event{
        now, std::string(zone), serial, std::string(notify_result_label(static_cast<std::size_t>(r)))};
}

Activity::Snapshot Activity::snapshot() const {
    std::lock_guard lock(mutex_);
    Snapshot copy = s_;
    copy.started = started_;
    return copy;
}

}  // namespace dnsd
