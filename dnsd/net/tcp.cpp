// The worker's TCP side (RFC 7766): accepting under the connection cap, moving bytes
// between sockets and TcpSession, and answering through respond().
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>

#include <cerrno>
#include <cstring>

#include "dnsd/answer/respond.hpp"
#include "dnsd/net/log.hpp"
#include "dnsd/net/worker.hpp"

namespace dnsd {

namespace {

// Answers each query from the table served when it arrives, so that a long-lived
// connection does not keep a reloaded-away table alive; a zone transfer keeps the snapshot
// it started on (RFC 5936 §2.2: one version of the zone), and goes to the hook.
class TableHandler final : public QueryHandler {
public:
    TableHandler(const Server::Shared& shared, const Endpoint& peer, Traffic& traffic)
        : shared_(shared), peer_(peer), traffic_(traffic) {}

    std::size_t answer(std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                       std::unique_ptr<MessageStream>& stream) override {
        std::shared_ptr<const AnswerTable> table = shared_.table.load();
        QueryInfo info;
        std::size_t len = respond(*table, query, out, Transport::Tcp, &info, &shared_.options.answer);
        if (info.is_transfer && shared_.options.transfer) {
            // RFC 5936 §4.2: the transfer replaces respond()'s REFUSED; the stream logs it,
            // and the transfer hook counts it (dnsd_transfers_total), not this query count.
            stream = shared_.options.transfer(std::move(table), query, peer_);
            if (stream) return 0;
        } else if (info.is_signed && shared_.options.signed_query) {
            len = shared_.options.signed_query(*table, query, out, Transport::Tcp, peer_, info);  // RFC 8945 §5
        }
        traffic_.query(Transport::Tcp, info, len);
        if (shared_.options.log_queries) {
            char line[600];
            write_stderr({line, format_query_line(line, Transport::Tcp, peer_, query, info, len)});
        }
        return len;
    }

private:
    const Server::Shared& shared_;
    const Endpoint& peer_;
    Traffic& traffic_;
};

}  // namespace

// Takes a slot under the cap. At the cap, the least recently active idle connection of
// this worker gives its slot up; only busy connections are never cut (RFC 7766 §6.2.3).
bool Worker::admit() {
    std::size_t count = shared_.connections.load();
    while (count < shared_.options.max_connections)
        if (shared_.connections.compare_exchange_weak(count, count + 1)) return true;
    if (idle_.empty()) return false;
    close_connection(idle_.front(), CloseReason::Evicted, /*release_slot=*/false);  // the new one inherits it
    return true;
}

void Worker::on_listener(int fd) {
    for (int i = 0; i < 64; ++i) {  // then let the other sockets have a turn
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        int s = ::accept4(fd, reinterpret_cast<sockaddr*>(&from), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (s < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            // Out of descriptors or kernel memory: the connection stays queued, so the
            // level-triggered listener would wake this loop again at once, forever.
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) pause_accepting(errno);
            return;  // EAGAIN: all taken; anything else: try again at the next event
        }
        pause_logged_ = false;
        if (!admit()) {
            ::close(s);
            traffic_->tcp_closed(CloseReason::Refused);
            continue;
        }
        traffic_->tcp_opened();
        // Answers are written whole; Nagle would hold a pipelined answer back for an ACK.
        int one = 1;
        ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        // Left to autotuning, the kernel buffers megabytes for a peer that sends queries
        // and never reads; capped (the kernel doubles this), a non-reading client's answers
        // soon wait in the session, where its output limit drops the connection.
        int send_buffer = 128 * 1024;
        ::setsockopt(s, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
        // A new connection waits for its first query: idle, timed from now.
        idle_.emplace_back(s, endpoint_of(reinterpret_cast<sockaddr*>(&from), len),
                           shared_.options.max_pending_output, now_);
        Connection& c = idle_.back();
        c.home = &idle_;
        c.self = std::prev(idle_.end());
        watch(c);
        if (c.events == 0) close_connection(c, CloseReason::Error);
    }
}

// The clients wait in the listen backlog meanwhile; UDP and the open connections go on.
// One log line per episode, however many pauses it takes.
void Worker::pause_accepting(int error) {
    for (const Handle& h : handles_)
        if (h.kind == Kind::Listener) ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, h.fd, nullptr);
    accept_paused_until_ = now_ + kAcceptPause;
    if (!pause_logged_)
        log_line(std::string("accept: ") + std::strerror(error) + "; new TCP clients wait, retrying every " +
                 std::to_string(kAcceptPause.count()) + " ms");
    pause_logged_ = true;
}

void Worker::resume_accepting() {
    for (Handle& h : handles_) {
        if (h.kind != Kind::Listener) continue;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = &h;
        // Cannot fail for a descriptor that was in the set before, short of kernel memory;
        // then the next pause's retry comes from the listener's own next event instead.
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, h.fd, &ev);
    }
    accept_paused_until_ = {};
}

void Worker::close_connection(Connection& c, CloseReason why, bool release_slot) {
    traffic_->tcp_closed(why);
    c.dead = true;
    c.socket.reset();  // closing the descriptor also takes it out of the epoll set
    if (release_slot) shared_.connections.fetch_sub(1);
    move_to(c, closed_);
}

void Worker::move_to(Connection& c, List& list) {
    list.splice(list.end(), *c.home, c.self);  // the iterator and the object stay valid
    c.home = &list;
}

// Keeps the epoll interest in step with the session: read while it wants input, write
// while output waits. Level-triggered, so nothing is lost between calls.
void Worker::watch(Connection& c) {
    std::uint32_t want = (c.session.wants_input() ? EPOLLIN : 0u) | (c.session.output().empty() ? 0u : EPOLLOUT);
    if (want == 0) want = EPOLLRDHUP;  // still hear of errors and hang-ups
    if (want == c.events) return;
    epoll_event ev{};
    ev.events = want;
    ev.data.ptr = &c.handle;
    int op = c.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (::epoll_ctl(epoll_.get(), op, c.socket.get(), &ev) != 0) {
        c.events = 0;
        return;
    }
    c.events = want;
}

// Writes what the session has, as far as the socket takes it; wrote tells whether any byte
// left. False: the connection broke (why says how).
bool Worker::flush(Connection& c, bool& wrote, CloseReason& why) {
    while (!c.session.output().empty()) {
        auto out = c.session.output();
        ssize_t n = ::send(c.socket.get(), out.data(), out.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
            why = CloseReason::Error;
            return false;
        }
        c.session.sent(static_cast<std::size_t>(n));
        wrote = wrote || n > 0;
        if (!serve(c)) return false;  // a stream or queued queries may continue now
    }
    return true;
}

bool Worker::serve(Connection& c) {
    TableHandler handler(shared_, c.peer, *traffic_);
    return c.session.process(handler, tcp_scratch_);
}

void Worker::on_connection(Connection& c, std::uint32_t events) {
    const State before = c.state;
    const std::uint64_t queries_before = c.session.queries();
    bool wrote = false;
    bool alive = (events & EPOLLERR) == 0;
    if (alive && (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP))) {
        auto space = c.session.input_space();
        if (!space.empty()) {
            ssize_t n = ::recv(c.socket.get(), space.data(), space.size(), 0);
            if (n > 0) {
                c.session.received(static_cast<std::size_t>(n));  // not progress by itself
            } else if (n == 0) {
                c.session.input_closed();
            } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                alive = false;
            }
        } else if (events & (EPOLLHUP | EPOLLRDHUP)) {
            c.session.input_closed();
        }
    }
    CloseReason why = CloseReason::Error;
    if (alive) {
        why = CloseReason::OutputLimit;  // what serve() fails on; flush() says if not that
        alive = serve(c) && flush(c, wrote, why);
        if (alive && c.session.finished()) {
            why = CloseReason::Peer;
            alive = false;
        }
    }
    if (!alive) {
        close_connection(c, why);
        return;
    }
    settle(c, before, queries_before, wrote);
    watch(c);
    if (c.events == 0) close_connection(c, CloseReason::Error);
}

// Restarts the connection's clock when its state changes or it made progress, and keeps
// both lists in order of `since` (whatever is restarted now goes last). Progress is a
// complete query or an answer written; while answers wait, only a write counts, so a
// client that keeps sending but never reads runs out of time. Bytes of an unfinished
// query never count: that query's clock started at its first byte (a slowloris defence).
void Worker::settle(Connection& c, State before, std::uint64_t queries_before, bool wrote) {
    const TcpSession& s = c.session;
    const State after = s.owes_output() ? State::Sending : s.idle() ? State::Idle : State::Reading;
    const bool progress = after == State::Sending ? wrote : wrote || s.queries() != queries_before;
    if (after == before && !progress) return;
    c.state = after;
    c.since = now_;
    move_to(c, after == State::Idle ? idle_ : busy_);
}

}  // namespace dnsd
