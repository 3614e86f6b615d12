// The NOTIFY sender thread: eventfd to wake it, poll for answers and retry deadlines.
#include "dnsd/primary/notify.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "dnsd/answer/message_writer.hpp"
#include "dnsd/answer/wire.hpp"
#include "dnsd/net/log.hpp"

namespace dnsd {

namespace {

bool same_address(const sockaddr_storage& a, const Endpoint& b) {
    if (a.ss_family != b.family()) return false;
    if (a.ss_family == AF_INET) {
        const auto& x = reinterpret_cast<const sockaddr_in&>(a);
        const auto& y = reinterpret_cast<const sockaddr_in&>(b.addr);
        return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
    }
    const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in6&>(b.addr);
    return x.sin6_port == y.sin6_port && std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
}

}  // namespace

std::optional<std::vector<std::uint8_t>> notify_message(const ZoneImage& zone, std::uint16_t id, const TsigKey* key) {
    using namespace wire;
    std::vector<std::uint8_t> m(kMaxMessage);
    MessageWriter w(m, m.size());
    w.header({.id = id, .flags = kFlagAa, .opcode = opcode::kNotify});  // RFC 1996 §3.7
    w.question(zone.origin().wire(), type::kSoa, klass::kIn);
    // §3.7: the new SOA may ride along; secondaries may use it to skip a query.
    w.start_record(zone.origin().wire(), type::kSoa, klass::kIn, zone.soa_ttl());
    w.rdata(zone.soa());
    if (!w.commit(Section::Answer)) return std::nullopt;  // cannot happen: names are at most 255 octets
    m.resize(w.pos());
    if (key) return tsig_sign_request(*key, m);
    return m;
}

std::vector<const ZoneImage*> changed_zones(const AnswerTable* before, const AnswerTable& after) {
    std::vector<const ZoneImage*> changed;
    for (const ZoneImage& z : after.zones()) {
        bool same = false;
        if (before)
            for (const ZoneImage& old : before->zones())
                if (old.origin() == z.origin() && old.serial() == z.serial()) same = true;
        if (!same) changed.push_back(&z);
    }
    return changed;
}

zonegen::Result<std::unique_ptr<Notifier>> Notifier::start(std::vector<NotifyTarget> targets, NotifySchedule schedule,
                                                           Activity* activity) {
    std::unique_ptr<Notifier> n(new Notifier(std::move(targets), schedule, activity));
    auto fail = [](const char* what) {
        return zonegen::Diagnostic{{}, std::string("notify: cannot ") + what + ": " + std::strerror(errno)};
    };
    n->wakeup_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!n->wakeup_) return fail("create an eventfd");
    for (const NotifyTarget& target : n->targets_) {
        const Endpoint& t = target.to;
        Fd& fd = t.family() == AF_INET6 ? n->v6_ : n->v4_;
        if (fd) continue;
        // Unbound: the first sendto picks an ephemeral port, as RFC 1996 §3.5 expects.
        fd.reset(::socket(t.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!fd) return fail("open a UDP socket");
    }
    try {
        n->thread_ = std::thread([p = n.get()] { p->run(); });
    } catch (const std::system_error& e) {
        return zonegen::Diagnostic{{}, std::string("notify: cannot start its thread: ") + e.what()};
    }
    return n;
}

Notifier::Notifier(std::vector<NotifyTarget> targets, NotifySchedule schedule, Activity* activity)
    : targets_(std::move(targets)), schedule_(schedule), activity_(activity), id_state_(std::random_device{}()) {}

void Notifier::record(const Pending& p, NotifyResult r) {
    if (activity_) activity_->notify(p.target, p.zone, p.serial, r);
}

Notifier::~Notifier() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    std::uint64_t one = 1;
    if (wakeup_ && ::write(wakeup_.get(), &one, sizeof one) < 0) {
        // The thread also wakes at its next deadline; nothing else to do.
    }
    if (thread_.joinable()) thread_.join();
}

void Notifier::notify(const ZoneImage& zone) {
    std::minstd_rand ids(id_state_);
    std::lock_guard lock(mutex_);
    const std::string origin = zone.origin().text();
    for (const NotifyTarget& target : targets_) {
        const Endpoint& t = target.to;
        std::erase_if(pending_, [&](const Pending& p) { return p.zone == origin && same_address(t.addr, p.target); });
        Pending p;
        p.target = t;
        p.zone = origin;
        p.serial = zone.serial();
        // RFC 5452 §9.2-style unpredictable IDs: answers are matched on them.
        p.id = static_cast<std::uint16_t>(ids());
        auto msg = notify_message(zone, p.id, target.key ? &*target.key : nullptr);
        if (!msg) {
            log_line("notify of " + origin + " to " + t.text() + ": cannot sign the message");
            record(p, NotifyResult::Failed);
            continue;
        }
        p.message = std::move(*msg);
        p.what = origin + " serial " + std::to_string(zone.serial()) + " to " + t.text();
        p.due = std::chrono::steady_clock::now();
        pending_.push_back(std::move(p));
    }
    id_state_ = static_cast<std::uint32_t>(ids());
    std::uint64_t one = 1;
    if (::write(wakeup_.get(), &one, sizeof one) < 0) {
        // A full counter still wakes the thread.
    }
}

int Notifier::socket_for(const Endpoint& target) const { return target.family() == AF_INET6 ? v6_.get() : v4_.get(); }

void Notifier::send_due(std::chrono::steady_clock::time_point now) {
    for (auto it = pending_.begin(); it != pending_.end();) {
        Pending& p = *it;
        if (p.due > now) {
            ++it;
            continue;
        }
        if (p.sent == schedule_.attempts) {
            log_line("notify of " + p.what + ": no answer after " + std::to_string(p.sent) + " tries, giving up");
            record(p, NotifyResult::GaveUp);
            it = pending_.erase(it);
            continue;
        }
        ssize_t n = ::sendto(socket_for(p.target), p.message.data(), p.message.size(), 0, p.target.sa(),
                             p.target.len);
        if (n < 0) log_line("notify of " + p.what + ": " + std::strerror(errno));
        // §3.6: retry with increasing delays; ours double, from first_retry.
        p.due = now + schedule_.first_retry * (1u << std::min(p.sent, 20u));
        ++p.sent;
        ++it;
    }
}

void Notifier::receive(int fd) {
    std::uint8_t buf[4096];
    for (;;) {
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) return;  // EAGAIN: read them all; errors such as ICMP refusals: retried anyway
        if (n < static_cast<ssize_t>(wire::kHeaderSize)) continue;
        const std::uint16_t id = wire::get16(buf);
        const std::uint16_t flags = wire::get16(buf + 2);
        if (!(flags & wire::kFlagQr) || ((flags >> 11) & 0xF) != wire::opcode::kNotify) continue;
        auto it = std::find_if(pending_.begin(), pending_.end(),
                               [&](const Pending& p) { return p.id == id && same_address(from, p.target); });
        if (it == pending_.end()) continue;
        const unsigned rcode = flags & 0xF;
        log_line("notify of " + it->what + " answered" +
                 (rcode == 0 ? std::string() : " with rcode " + std::to_string(rcode)) + " after " +
                 std::to_string(it->sent) + (it->sent == 1 ? " try" : " tries"));
        record(*it, rcode == 0 ? NotifyResult::Answered : NotifyResult::Rejected);
        pending_.erase(it);
    }
}

void Notifier::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const auto now = std::chrono::steady_clock::now();
        send_due(now);
        int timeout = -1;
        for (const Pending& p : pending_) {
            auto ms = std::chrono::ceil<std::chrono::milliseconds>(p.due - now).count();
            timeout = timeout < 0 ? static_cast<int>(std::max<long long>(ms, 0))
                                  : std::min(timeout, static_cast<int>(std::max<long long>(ms, 0)));
        }
        pollfd fds[3] = {{wakeup_.get(), POLLIN, 0}, {v4_.get(), POLLIN, 0}, {v6_.get(), POLLIN, 0}};
        lock.unlock();
        int r = ::poll(fds, 3, timeout);
        lock.lock();
        if (r < 0 && errno != EINTR) {
            log_line(std::string("notify: poll: ") + std::strerror(errno));
            return;
        }
        if (fds[0].revents & POLLIN) {
            std::uint64_t count;
            if (::read(wakeup_.get(), &count, sizeof count) < 0) {
                // Nothing pending on the eventfd after all.
            }
        }
        for (int i = 1; i < 3; ++i)
            if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLERR))) receive(fds[i].fd);
    }
}

}  // namespace dnsd
