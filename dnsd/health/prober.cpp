// The prober thread: one epoll set holding an eventfd (stop, new targets) and the sockets of
// the probes in flight, a min-heap of idle targets by the time their next probe is due, and
// the fall/rise hysteresis per target. epoll carries a probe number, not a pointer, so an
// event fetched just before set_targets() dropped its target is recognised and ignored.
#include "dnsd/health/prober.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "dnsd/health/hysteresis.hpp"

namespace dnsd::health {

struct Prober::Slot {
    Target target;
    std::string ip;  // address_text(target.address)
    std::size_t index = 0;
    Hysteresis health;
    std::string last_failure;         // the reason of the latest failure, for the down line
    std::vector<std::string> logged;  // "cannot judge" reasons already logged for this address
    Clock::time_point due{};          // next probe start, while idle
    Clock::time_point started{};      // of the latest probe
    Clock::time_point deadline{};     // of the probe in flight
    std::uint64_t probe_id = 0;       // non-zero while a probe is in flight
    Probe probe;
};

namespace {

std::string key_of(const Target& t) { return t.host + ' ' + t.address.text(); }

std::string counted(unsigned n, const char* one, const char* many) {
    return std::to_string(n) + ' ' + (n == 1 ? one : many);
}

std::vector<zonegen::Diagnostic> check_settings(const Settings& s, const std::vector<Target>& targets) {
    std::vector<zonegen::Diagnostic> errors;
    auto fail = [&](std::string message) {
        errors.push_back(zonegen::Diagnostic{{}, "health: " + std::move(message)});
    };
    if (s.interval.count() <= 0) fail("the interval must be positive");
    if (s.timeout.count() <= 0) fail("the timeout must be positive");
    if (s.fall == 0) fail("fall must be at least 1");
    if (s.rise == 0) fail("rise must be at least 1");
    if (s.max_in_flight == 0) fail("max_in_flight must be at least 1");
    for (const Target& t : targets)
        if (t.address.family() != AF_INET && t.address.family() != AF_INET6)
            fail(t.host + ": the target has no IPv4 or IPv6 address");
    return errors;
}

}  // namespace

std::string address_text(const Endpoint& address) {
    char buf[INET6_ADDRSTRLEN] = "?";
    if (address.family() == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address.addr)->sin_addr, buf, sizeof buf);
    if (address.family() == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address.addr)->sin6_addr, buf, sizeof buf);
    return buf;
}

bool Prober::due_later(const Slot* a, const Slot* b) { return a->due > b->due; }

Prober::Prober(Settings settings, OnChange on_change, Log log)
    : settings_(settings), on_change_(std::move(on_change)), log_(std::move(log)) {}

zonegen::Result<std::unique_ptr<Prober>> Prober::start(Settings settings, std::vector<Target> targets,
                                                       OnChange on_change, Log log) {
    if (auto errors = check_settings(settings, targets); !errors.empty()) return errors;
    std::unique_ptr<Prober> p(new Prober(settings, std::move(on_change), std::move(log)));
    auto fail = [](const char* what) {
        return zonegen::Diagnostic{{}, std::string("health: ") + what + ": " + std::strerror(errno)};
    };
    p->epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!p->epoll_) return fail("epoll_create1");
    p->wake_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!p->wake_) return fail("eventfd");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = 0;
    if (::epoll_ctl(p->epoll_.get(), EPOLL_CTL_ADD, p->wake_.get(), &ev) != 0) return fail("epoll_ctl");
    {
        std::lock_guard lock(p->mutex_);
        p->place(std::move(targets), Clock::now());
    }
    p->thread_ = std::thread([raw = p.get()] { raw->run(); });
    return p;
}

Prober::~Prober() {
    stopping_ = true;
    wake();
    if (thread_.joinable()) thread_.join();
}

std::vector<bool> Prober::set_targets(std::vector<Target> targets) {
    std::vector<bool> up;
    {
        std::lock_guard deliver(deliver_);
        std::lock_guard lock(mutex_);
        place(std::move(targets), Clock::now());
        for (const auto& s : slots_) up.push_back(s->health.up);
    }
    wake();
    return up;
}

std::vector<bool> Prober::states() const {
    std::lock_guard lock(mutex_);
    std::vector<bool> up;
    for (const auto& s : slots_) up.push_back(s->health.up);
    return up;
}

void Prober::wake() {
    const std::uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof one);
}

// Kept slots move over with everything they carry; new ones are spread over the next
// interval like the first list at start; dropped ones close their probe's socket.
void Prober::place(std::vector<Target> targets, Clock::time_point now) {
    std::unordered_multimap<std::string, std::unique_ptr<Slot>> old;
    for (auto& s : slots_) old.emplace(key_of(s->target), std::move(s));
    std::vector<std::unique_ptr<Slot>> slots;
    std::vector<Slot*> fresh;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        std::unique_ptr<Slot> slot;
        if (auto it = old.find(key_of(targets[i])); it != old.end()) {
            slot = std::move(it->second);
            old.erase(it);
        } else {
            slot = std::make_unique<Slot>();
            slot->target = std::move(targets[i]);
            slot->ip = address_text(slot->target.address);
            fresh.push_back(slot.get());
        }
        slot->index = i;
        slots.push_back(std::move(slot));
    }
    const auto interval = std::chrono::duration_cast<Clock::duration>(settings_.interval);
    for (std::size_t k = 0; k < fresh.size(); ++k)
        fresh[k]->due = now + interval * static_cast<Clock::rep>(k) / static_cast<Clock::rep>(fresh.size());
    for (auto& [key, s] : old)
        if (s->probe_id != 0) in_flight_.erase(s->probe_id);
    slots_ = std::move(slots);
    queue_.clear();
    for (const auto& s : slots_)
        if (s->probe_id == 0) queue_.push_back(s.get());
    std::make_heap(queue_.begin(), queue_.end(), due_later);
}

void Prober::run() {
    std::array<epoll_event, 64> events;
    int wait = 0;
    {
        std::lock_guard lock(mutex_);
        wait = wait_ms(Clock::now());
    }
    std::vector<Change> changes;
    std::vector<std::string> lines;
    while (!stopping_) {
        const int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), wait);
        if (stopping_) break;
        std::lock_guard deliver(deliver_);
        {
            std::lock_guard lock(mutex_);
            for (int i = 0; i < n; ++i) {
                const std::uint64_t id = events[static_cast<std::size_t>(i)].data.u64;
                if (id == 0) {
                    std::uint64_t count = 0;
                    (void)!::read(wake_.get(), &count, sizeof count);
                    continue;
                }
                auto it = in_flight_.find(id);
                if (it == in_flight_.end()) continue;  // its target left with set_targets()
                Slot& slot = *it->second;
                if (slot.probe.on_ready()) finish(slot, slot.probe.outcome());
            }
            const auto now = Clock::now();
            std::vector<Slot*> expired;
            for (const auto& [id, slot] : in_flight_)
                if (slot->deadline <= now) expired.push_back(slot);
            for (Slot* slot : expired) {
                slot->probe.on_timeout();
                finish(*slot, slot->probe.outcome());
            }
            start_due(now);
            changes.swap(changes_);
            lines.swap(lines_);
            wait = wait_ms(Clock::now());
        }
        if (!changes.empty() && on_change_) on_change_(changes);
        for (const std::string& line : lines)
            if (log_) log_(line);
        changes.clear();
        lines.clear();
    }
}

void Prober::start_due(Clock::time_point now) {
    while (!queue_.empty() && in_flight_.size() < settings_.max_in_flight && queue_.front()->due <= now) {
        std::pop_heap(queue_.begin(), queue_.end(), due_later);
        Slot& slot = *queue_.back();
        queue_.pop_back();
        slot.started = now;
        slot.deadline = now + settings_.timeout;
        if (slot.probe.start(settings_.check, slot.target.address)) {
            finish(slot, slot.probe.outcome());
            continue;
        }
        const std::uint64_t id = next_probe_++;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        ev.data.u64 = id;
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, slot.probe.fd(), &ev) != 0) {
            const int err = errno;
            slot.probe.abandon();
            finish(slot, Outcome{true, std::string("cannot judge: epoll_ctl: ") + std::strerror(err), false});
            continue;
        }
        slot.probe_id = id;
        in_flight_.emplace(id, &slot);
    }
}

void Prober::finish(Slot& slot, const Outcome& outcome) {
    const double took = std::chrono::duration<double>(Clock::now() - slot.started).count();
    std::size_t bucket = 0;
    while (bucket < kDurationBounds.size() && took > kDurationBounds[bucket]) ++bucket;
    ++durations_.counts[bucket];
    durations_.sum_seconds += took;
    if (slot.probe_id != 0) in_flight_.erase(slot.probe_id);
    slot.probe_id = 0;
    // The next probe of this address starts an interval after this one started (at once if
    // this one ran longer than that, which only a timeout above the interval allows).
    slot.due = slot.started + settings_.interval;
    queue_.push_back(&slot);
    std::push_heap(queue_.begin(), queue_.end(), due_later);

    if (!outcome.judged) {
        // The state stays as it is (up, unless it was already judged down), and the
        // operator hears about it once per address and reason.
        if (std::find(slot.logged.begin(), slot.logged.end(), outcome.reason) == slot.logged.end()) {
            slot.logged.push_back(outcome.reason);
            lines_.push_back("health: " + slot.target.host + ' ' + slot.ip + ' ' + outcome.reason + "; kept " +
                             (slot.health.up ? "up" : "down"));
        }
        return;
    }
    if (!outcome.ok) slot.last_failure = outcome.reason;
    if (!slot.health.record(outcome.ok, settings_.fall, settings_.rise)) return;
    std::string reason = slot.health.up ? counted(settings_.rise, "success", "successes")
                                        : counted(settings_.fall, "failure", "failures") + ": " + slot.last_failure;
    changes_.push_back(Change{slot.index, slot.health.up, std::move(reason), slot.target});
}

Prober::Durations Prober::durations() const {
    std::lock_guard lock(mutex_);
    return durations_;
}

int Prober::wait_ms(Clock::time_point now) const {
    auto next = Clock::time_point::max();
    if (!queue_.empty() && in_flight_.size() < settings_.max_in_flight) next = queue_.front()->due;
    for (const auto& [id, slot] : in_flight_) next = std::min(next, slot->deadline);
    if (next == Clock::time_point::max()) return -1;
    if (next <= now) return 0;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
    return static_cast<int>(std::min<long long>(ms, INT_MAX));
}

}  // namespace dnsd::health
