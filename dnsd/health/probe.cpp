// One check on a non-blocking socket. Connect outcomes are sorted by who reported them:
// an error connect(2) returns at once is this machine's own decision (its routing table,
// its resources), so ENETUNREACH/EHOSTUNREACH there mean "no route from dnsd" and leave the
// address unjudged (issue 19: IPv6 on a host without it). The same codes arriving later
// through SO_ERROR come from the network (ICMP unreachable from a router, or the neighbour
// never answering ARP/ND on the local link): the address really cannot be reached, and
// that is a failure.
#include "dnsd/health/probe.hpp"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

namespace dnsd::health {

std::string describe_errno(int err) {
    switch (err) {
        case ECONNREFUSED: return "connection refused";
        case ECONNRESET: return "connection reset";
        case ETIMEDOUT: return "timeout connecting";
        case EHOSTUNREACH: return "host unreachable";
        case ENETUNREACH: return "network unreachable";
        case EPIPE: return "connection closed";
        default: return std::strerror(err);
    }
}

namespace {

// Errors of connect(2) or socket(2) that say something about this machine, not about the
// address: the check cannot judge it. The name of the errno is kept for the log line.
const char* local_error(int err) {
    switch (err) {
        case ENETUNREACH: return "no route (ENETUNREACH)";
        case EHOSTUNREACH: return "no route (EHOSTUNREACH)";
        case EAFNOSUPPORT: return "address family not supported here (EAFNOSUPPORT)";
        case EADDRNOTAVAIL: return "no local address or port (EADDRNOTAVAIL)";
        case EACCES: return "forbidden by local policy (EACCES)";
        case EPERM: return "forbidden by local policy (EPERM)";
        case EMFILE: return "out of file descriptors (EMFILE)";
        case ENFILE: return "out of file descriptors (ENFILE)";
        case ENOBUFS: return "out of buffers (ENOBUFS)";
        case ENOMEM: return "out of memory (ENOMEM)";
        case EAGAIN: return "out of local ports (EAGAIN)";
        default: return nullptr;
    }
}

}  // namespace

bool Probe::start(Check check, const Endpoint& to) {
    check_ = check;
    greeting_ = GreetingReader{};
    outcome_ = Outcome{};
    sock_.reset(::socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!sock_) {
        const int err = errno;
        if (const char* why = local_error(err)) return finish(true, std::string("cannot judge: ") + why, false);
        return finish(false, describe_errno(err));
    }
    phase_ = Phase::Connecting;
    if (::connect(sock_.get(), to.sa(), to.len) == 0) return connected();
    const int err = errno;
    if (err == EINPROGRESS) return false;
    if (const char* why = local_error(err)) return finish(true, std::string("cannot judge: ") + why, false);
    return finish(false, describe_errno(err));
}

bool Probe::on_ready() {
    if (phase_ == Phase::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(sock_.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        if (err == EINPROGRESS || err == EALREADY) return false;
        if (err != 0) return finish(false, describe_errno(err));
        // A wake-up before the handshake is over (none is expected) leaves it connecting.
        sockaddr_storage peer{};
        socklen_t peer_len = sizeof peer;
        if (::getpeername(sock_.get(), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) return false;
        return connected();
    }
    if (phase_ == Phase::Greeting) return read_greeting();
    return true;
}

void Probe::on_timeout() {
    if (phase_ == Phase::Idle) return;
    finish(false, phase_ == Phase::Connecting ? "timeout connecting" : "timeout waiting for the greeting");
}

void Probe::abandon() {
    sock_.reset();
    phase_ = Phase::Idle;
}

bool Probe::connected() {
    if (check_ == Check::Tcp) return finish(true, "connected");
    phase_ = Phase::Greeting;
    // The greeting may already be waiting; with edge-triggered events it must be read now.
    return read_greeting();
}

bool Probe::read_greeting() {
    std::array<char, 1024> buf;
    for (;;) {
        const ssize_t n = ::recv(sock_.get(), buf.data(), buf.size(), 0);
        if (n > 0) {
            switch (greeting_.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)))) {
                case GreetingReader::State::Incomplete: continue;
                case GreetingReader::State::Malformed:
                    return finish(false, "malformed greeting: " + greeting_.problem());
                case GreetingReader::State::Complete: break;
            }
            // RFC 5321 §3.8/§4.1.1.10: a client ends the session with QUIT. It goes out after
            // every complete greeting, passing or not; the 221 is not awaited. A full
            // send buffer or a peer already gone changes nothing about the verdict.
            static constexpr char quit[] = "QUIT\r\n";
            (void)::send(sock_.get(), quit, sizeof quit - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            const std::string line = std::to_string(greeting_.code()) +
                                     (greeting_.text().empty() ? "" : " " + greeting_.text());
            if (greeting_.code() == 220) return finish(true, "greeting " + line);
            return finish(false, "greeting " + line);
        }
        if (n == 0) return finish(false, "connection closed before the greeting");
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
        return finish(false, describe_errno(errno));
    }
}

bool Probe::finish(bool ok, std::string reason, bool judged) {
    sock_.reset();
    phase_ = Phase::Idle;
    outcome_ = Outcome{ok, std::move(reason), judged};
    return true;
}

Outcome check_once(Check check, const Endpoint& to, std::chrono::milliseconds timeout) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + timeout;
    Probe probe;
    if (probe.start(check, to)) return probe.outcome();
    Fd ep(::epoll_create1(EPOLL_CLOEXEC));
    if (!ep) return Outcome{true, std::string("cannot judge: epoll: ") + std::strerror(errno), false};
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    if (::epoll_ctl(ep.get(), EPOLL_CTL_ADD, probe.fd(), &ev) != 0)
        return Outcome{true, std::string("cannot judge: epoll: ") + std::strerror(errno), false};
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            probe.on_timeout();
            return probe.outcome();
        }
        epoll_event got{};
        const int n = ::epoll_wait(ep.get(), &got, 1, static_cast<int>(left.count()));
        if (n > 0 && probe.on_ready()) return probe.outcome();
    }
}

}  // namespace dnsd::health
