// Binding the listen sockets, starting and stopping the workers, swapping the table.
#include "dnsd/net/server.hpp"

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "dnsd/net/worker.hpp"

namespace dnsd {

namespace {

zonegen::Diagnostic socket_error(const char* what, bool tcp, const Endpoint& ep, int err) {
    return {{}, std::string("cannot ") + what + (tcp ? " tcp " : " udp ") + ep.text() + ": " + std::strerror(err)};
}

// A burst, or a worker held up for a moment (a busy CPU, a reload's page faults), must wait
// in the socket rather than be dropped; Linux's default (net.core.rmem_default, about
// 200 KiB) holds only a few hundred small datagrams. FORCE passes net.core.rmem_max when
// dnsd starts as root; otherwise the kernel caps the request there. Never shrinks the
// buffer, and failing is not an error: the default still works.
void raise_receive_buffer(int fd) {
    constexpr int kWanted = 2 << 20;  // the kernel doubles it for its bookkeeping
    int now = 0;
    socklen_t len = sizeof now;
    if (::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &now, &len) == 0 && now >= 2 * kWanted) return;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kWanted, sizeof kWanted) == 0) return;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kWanted, sizeof kWanted);
    int after = 0;
    len = sizeof after;
    if (::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &after, &len) == 0 && after < now) {
        const int before = now / 2;  // as it was, should rmem_default exceed rmem_max
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &before, sizeof before);
    }
}

// One bound socket. For UDP, PKTINFO reports each query's destination so the answer can
// leave from it; IPv6 sockets are IPv6-only so [::] and 0.0.0.0 can both be listed.
zonegen::Result<Fd> bind_socket(const Endpoint& ep, bool tcp, bool reuse_port, int* err) {
    Fd fd(::socket(ep.family(), (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    auto fail = [&](const char* what) {
        *err = errno;
        return socket_error(what, tcp, ep, errno);
    };
    if (!fd) return fail("open a socket for");
    int one = 1;
    bool ok = true;
    if (ep.family() == AF_INET6) ok = ok && ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == 0;
    // Restarting must not wait for the last run's connections in TIME_WAIT.
    if (tcp) ok = ok && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0;
    // Only several workers share a port: with one, a second dnsd on the same port must
    // fail to bind instead of silently taking half of the traffic.
    if (reuse_port) ok = ok && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0;
    if (!tcp && ep.family() == AF_INET)
        ok = ok && ::setsockopt(fd.get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof one) == 0;
    if (!tcp && ep.family() == AF_INET6)
        ok = ok && ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) == 0;
    if (!ok) return fail("set socket options for");
    if (!tcp) raise_receive_buffer(fd.get());
    if (::bind(fd.get(), ep.sa(), ep.len) != 0) return fail("bind");
    if (tcp && ::listen(fd.get(), SOMAXCONN) != 0) return fail("listen on");
    return fd;
}

// Binds UDP and TCP for one listen address, `workers` sockets of each. Port 0 becomes the
// port the kernel gives the first TCP socket; if UDP cannot have the same one, try another.
zonegen::Result<Endpoint> bind_endpoint(Endpoint ep, unsigned workers, std::vector<std::vector<ListenSocket>>& out) {
    const bool any_port = ep.port() == 0;
    const bool reuse = workers > 1;
    for (int attempt = 0;; ++attempt) {
        Endpoint actual = ep;
        std::vector<ListenSocket> made;
        int err = 0;
        std::optional<zonegen::Diagnostic> failure;
        for (int tcp = 1; tcp >= 0 && !failure; --tcp) {
            for (unsigned w = 0; w < workers; ++w) {
                auto fd = bind_socket(actual, tcp == 1, reuse, &err);
                if (!fd) {
                    failure = fd.errors().front();
                    break;
                }
                if (any_port && actual.port() == 0) {
                    Endpoint got = actual;
                    got.len = sizeof got.addr;
                    if (::getsockname(fd.value().get(), got.sa(), &got.len) != 0) {
                        failure = socket_error("read the port of", true, actual, errno);
                        break;
                    }
                    actual.set_port(got.port());
                }
                made.push_back({std::move(fd).value(), tcp == 1});
            }
        }
        if (!failure) {
            for (unsigned w = 0; w < workers; ++w) {  // made holds workers TCP, then workers UDP
                out[w].push_back(std::move(made[w]));
                out[w].push_back(std::move(made[workers + w]));
            }
            return actual;
        }
        if (!(any_port && err == EADDRINUSE && attempt < 20)) return *failure;
    }
}

// Every connection is a descriptor; make sure the cap fits under the process limit. A soft
// limit too low for it (often 1024) is raised to the hard limit, as far as the kernel
// allows, so the cap and the transfers, NOTIFY and reloads beside it all have room.
std::optional<zonegen::Diagnostic> check_file_limit(const ServerOptions& o) {
    rlim_t needed = o.max_connections + 8 * o.listen.size() * o.threads + 64;
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= needed) return std::nullopt;
    if (lim.rlim_max == RLIM_INFINITY || lim.rlim_max >= needed) {
        rlimit raised = lim;
        raised.rlim_cur = lim.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return std::nullopt;
        raised.rlim_cur = needed;  // an infinite hard limit is still capped by fs.nr_open
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return std::nullopt;
    }
    return zonegen::Diagnostic{{},
                               "--max-connections " + std::to_string(o.max_connections) + " needs " +
                                   std::to_string(needed) + " open files, but the limit is " +
                                   std::to_string(lim.rlim_max)};
}

}  // namespace

zonegen::Result<std::unique_ptr<Server>> Server::start(ServerOptions options,
                                                       std::shared_ptr<const AnswerTable> table) {
    if (options.listen.empty()) return zonegen::Diagnostic{{}, "no address to listen on"};
    if (options.threads == 0) options.threads = 1;
    if (auto e = check_file_limit(options)) return *e;

    std::unique_ptr<Server> server(new Server());
    std::vector<std::vector<ListenSocket>> sockets(options.threads);
    for (const Endpoint& ep : options.listen) {
        auto bound = bind_endpoint(ep, options.threads, sockets);
        if (!bound) return bound.errors();
        server->bound_.push_back(bound.value());
    }

    server->shared_ = std::make_unique<Shared>();
    server->shared_->options = std::move(options);
    server->shared_->table.store(std::move(table));
    for (auto& set : sockets) {
        auto worker = Worker::create(*server->shared_, std::move(set));
        if (!worker) return worker.errors();
        server->workers_.push_back(std::move(worker).value());
    }
    try {
        for (auto& w : server->workers_) server->threads_.emplace_back([worker = w.get()] { worker->run(); });
    } catch (const std::system_error& e) {
        server->stop();
        return zonegen::Diagnostic{{}, std::string("cannot start a worker thread: ") + e.what()};
    }
    return server;
}

Server::~Server() { stop(); }

std::string Server::bound_text() const {
    std::string out;
    for (const Endpoint& ep : bound_) {
        if (!out.empty()) out += ' ';
        out += "udp " + ep.text() + " tcp " + ep.text();
    }
    return out;
}

void Server::set_table(std::shared_ptr<const AnswerTable> table) { shared_->table.store(std::move(table)); }

std::shared_ptr<const AnswerTable> Server::table() const { return shared_->table.load(); }

Traffic::Totals Server::traffic() const {
    Traffic::Totals totals;
    for (const auto& w : workers_) w->traffic().add_to(totals);
    return totals;
}

void Server::stop() {
    for (auto& w : workers_) w->request_stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
    workers_.clear();
}

}  // namespace dnsd
