// The worker's event loop: epoll over its sockets, idle timeouts, and the stop signal.
#include "dnsd/net/worker.hpp"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dnsd/net/log.hpp"

namespace dnsd {

namespace {

// True unless the socket is bound to one specific address; when in doubt, true, since
// answering with PKTINFO is always correct, only dearer (a control message each way).
bool bound_to_any(int fd) {
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) return true;
    if (local.ss_family == AF_INET)
        return reinterpret_cast<const sockaddr_in&>(local).sin_addr.s_addr == htonl(INADDR_ANY);
    if (local.ss_family == AF_INET6)
        return IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6&>(local).sin6_addr);
    return true;
}

}  // namespace

zonegen::Result<std::unique_ptr<Worker>> Worker::create(Server::Shared& shared, std::vector<ListenSocket> sockets) {
    Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll) return zonegen::Diagnostic{{}, std::string("epoll_create1: ") + std::strerror(errno)};
    Fd wakeup(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wakeup) return zonegen::Diagnostic{{}, std::string("eventfd: ") + std::strerror(errno)};
    std::unique_ptr<Worker> w(new Worker(shared, std::move(epoll), std::move(wakeup), std::move(sockets)));
    for (Handle& h : w->handles_) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = &h;
        if (::epoll_ctl(w->epoll_.get(), EPOLL_CTL_ADD, h.fd, &ev) != 0)
            return zonegen::Diagnostic{{}, std::string("epoll_ctl: ") + std::strerror(errno)};
    }
    return w;
}

Worker::Worker(Server::Shared& shared, Fd epoll, Fd wakeup, std::vector<ListenSocket> sockets)
    : shared_(shared),
      epoll_(std::move(epoll)),
      wakeup_(std::move(wakeup)),
      sockets_(std::move(sockets)),
      udp_(std::make_unique_for_overwrite<UdpBuffers>()),
      traffic_(std::make_unique<Traffic>()),
      tcp_scratch_(TcpSession::kMaxFrame) {
    handles_.reserve(sockets_.size() + 1);
    for (const ListenSocket& s : sockets_)
        handles_.push_back(
            {s.tcp ? Kind::Listener : Kind::Udp, s.fd.get(), nullptr, !s.tcp && bound_to_any(s.fd.get())});
    handles_.push_back({Kind::Wakeup, wakeup_.get(), nullptr});
}

Worker::~Worker() {
    while (!idle_.empty()) close_connection(idle_.front(), CloseReason::Shutdown);
    while (!busy_.empty()) close_connection(busy_.front(), CloseReason::Shutdown);
    closed_.clear();
}

void Worker::request_stop() {
    std::uint64_t one = 1;
    // Cannot fail short of a counter overflow; a failed write would only delay the stop.
    [[maybe_unused]] ssize_t n = ::write(wakeup_.get(), &one, sizeof one);
}

// More than 3/4 of the cap in use, counted across all workers.
bool Worker::under_pressure() const {
    return shared_.connections.load(std::memory_order_relaxed) * 4 > shared_.options.max_connections * 3;
}

std::chrono::milliseconds Worker::idle_limit() const {
    const ServerOptions& o = shared_.options;
    return under_pressure() ? std::min(o.idle_timeout, o.pressure_idle_timeout) : o.idle_timeout;
}

int Worker::next_timeout_ms() const {
    auto deadline = Clock::time_point::max();
    if (accept_paused_until_ != Clock::time_point{}) deadline = accept_paused_until_;
    if (!busy_.empty()) deadline = busy_.front().since + shared_.options.idle_timeout;
    if (!idle_.empty()) {
        deadline = std::min(deadline, idle_.front().since + idle_limit());
        // Other workers' accepts raise the shared count without waking this one: look again
        // at the pressure rule's pace.
        if (shared_.options.threads > 1) deadline = std::min(deadline, now_ + shared_.options.pressure_idle_timeout);
    }
    if (deadline == Clock::time_point::max()) return -1;
    if (deadline <= now_) return 0;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now_).count();
    return static_cast<int>(std::min<long long>(left, 60'000));
}

// RFC 7766 §6.2.3: each list is in order of `since`, so each scan stops at the first
// connection still within its time. Under pressure the idle limit is rechecked after every
// close, so idle connections go only until the count is back at 3/4 of the cap.
void Worker::expire() {
    while (!busy_.empty() && busy_.front().since + shared_.options.idle_timeout <= now_)
        close_connection(busy_.front(), CloseReason::IoTimeout);
    while (!idle_.empty() && idle_.front().since + idle_limit() <= now_)
        close_connection(idle_.front(), CloseReason::IdleTimeout);
}

void Worker::run() {
    std::array<epoll_event, 64> events;
    while (!stopping_) {
        int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), next_timeout_ms());
        if (n < 0) {
            if (errno == EINTR) continue;
            log_line(std::string("worker stopped: epoll_wait: ") + std::strerror(errno));
            return;
        }
        now_ = Clock::now();
        for (int i = 0; i < n; ++i) {
            auto* h = static_cast<Handle*>(events[i].data.ptr);
            switch (h->kind) {
                case Kind::Udp: on_udp(h->fd, h->wildcard); break;
                case Kind::Listener: on_listener(h->fd); break;
                case Kind::Connection:
                    if (!h->connection->dead) on_connection(*h->connection, events[i].events);
                    break;
                case Kind::Wakeup: stopping_ = true; break;
            }
        }
        expire();
        if (accept_paused_until_ != Clock::time_point{} && accept_paused_until_ <= now_) resume_accepting();
        closed_.clear();
    }
}

}  // namespace dnsd
