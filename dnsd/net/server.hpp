// dnsd's transport: UDP and TCP on every listen address, served by N worker threads, each
// a single-threaded epoll loop over its own SO_REUSEPORT sockets. The answer table is
// shared through one atomic pointer, so a reload swaps it without stopping anyone.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/answer/respond.hpp"
#include "dnsd/net/endpoint.hpp"
#include "dnsd/net/tcp_session.hpp"
#include "dnsd/net/traffic.hpp"
#include "zonegen/core/diagnostic.hpp"

namespace dnsd {

// Where zone transfers plug in. respond() flags an AXFR/IXFR over TCP as is_transfer and
// writes REFUSED; if a hook is set and returns a stream, that stream's messages are sent
// instead (RFC 5936 §4.2), on the table snapshot it was given, however long it takes.
// Returning nullptr (say, a peer not allowed to transfer) sends respond()'s answer.
using TransferHook = std::function<std::unique_ptr<MessageStream>(
    std::shared_ptr<const AnswerTable> snapshot, std::span<const std::uint8_t> query, const Endpoint& peer)>;

// Where signed queries go (RFC 8945 §5): respond() flags a query whose last record is a TSIG
// as is_signed; if a hook is set, what it writes into out (its length returned, 0 for
// nothing) is sent instead of respond()'s unsigned answer, and info is updated to say what
// was sent (rcode, TC) for the query log. Unsigned queries never reach it. Over TCP a
// transfer goes to the TransferHook, which checks its TSIG itself.
using SignedQueryHook = std::function<std::size_t(const AnswerTable& table, std::span<const std::uint8_t> query,
                                                  std::span<std::uint8_t> out, Transport transport,
                                                  const Endpoint& peer, QueryInfo& info)>;

struct ServerOptions {
    std::vector<Endpoint> listen;
    unsigned threads = 1;
    bool log_queries = false;
    AnswerOptions answer;  // --nsid: handed to every respond() call, UDP and TCP
    // RFC 7766 §6.2.3 and §10: one timeout bounds every state of a TCP connection, each
    // timed from when the state began, not from the last byte:
    //  - idle (nothing half read, nothing owed): closed after this long without a query;
    //  - reading a query: it must arrive whole within this long of its first byte, however
    //    steadily the bytes trickle in (a slowloris sender cannot hold the slot; like Knot's
    //    tcp-io-timeout, but one number);
    //  - answers waiting: closed when the client has read nothing for this long.
    std::chrono::milliseconds idle_timeout{10'000};
    // Open TCP connections across all workers. At the cap, the least recently active idle
    // connection is closed to admit the new one (RFC 7766 §6.2.3 lets a server under
    // pressure close idle connections); if none is idle, the new one is closed at once.
    std::size_t max_connections = 256;
    // Above 3/4 of max_connections, idle connections are closed after this (or the idle
    // timeout, if shorter), oldest first, until the count is back at 3/4: headroom for new
    // clients before the cap forces an eviction per connection (RFC 7766 §6.2.3).
    std::chrono::milliseconds pressure_idle_timeout{1'000};
    // Answers a client has not read yet, per connection, beyond what the kernel buffers.
    // More than this and the client is dropped (RFC 7766 §10: resources per client are bounded).
    std::size_t max_pending_output = 256 * 1024;
    TransferHook transfer;
    SignedQueryHook signed_query;
};

class Worker;

class Server {
public:
    // Binds a UDP and a TCP socket per listen address (one of each per worker), then starts
    // the workers. A port of 0 becomes one free port shared by UDP and TCP. Failures are
    // I/O errors: nothing is left running.
    static zonegen::Result<std::unique_ptr<Server>> start(ServerOptions options,
                                                          std::shared_ptr<const AnswerTable> table);
    ~Server();  // stops
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // The listen addresses with their actual ports, in command-line order.
    const std::vector<Endpoint>& bound() const { return bound_; }
    // "udp 127.0.0.1:53531 tcp 127.0.0.1:53531 ..." for the ready line.
    std::string bound_text() const;

    // Workers pick the new table up at their next batch; answers in progress finish on the
    // snapshot they hold.
    void set_table(std::shared_ptr<const AnswerTable> table);
    std::shared_ptr<const AnswerTable> table() const;

    // Every worker's counters added up (traffic.hpp), and the TCP connections open now; from
    // any thread, but not concurrently with stop().
    Traffic::Totals traffic() const;
    std::size_t connections() const { return shared_->connections.load(std::memory_order_relaxed); }

    // Closes every socket and joins the workers. Idempotent.
    void stop();

    // What the workers share: the options, the table and the connection count.
    struct Shared {
        ServerOptions options;
        std::atomic<std::shared_ptr<const AnswerTable>> table;
        std::atomic<std::size_t> connections{0};
    };

private:
    Server() = default;
    std::unique_ptr<Shared> shared_;
    std::vector<Endpoint> bound_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
};

}  // namespace dnsd
