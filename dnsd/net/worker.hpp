// One worker of the server: a single-threaded epoll loop over its own UDP and TCP listening
// sockets and the TCP connections it accepted. Internal to the server; the loop is in
// worker.cpp, the UDP batches in udp.cpp, the TCP connections in tcp.cpp.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <vector>

#include "dnsd/net/endpoint.hpp"
#include "dnsd/net/fd.hpp"
#include "dnsd/net/server.hpp"
#include "dnsd/net/tcp_session.hpp"
#include "dnsd/net/traffic.hpp"

namespace dnsd {

struct ListenSocket {
    Fd fd;
    bool tcp = false;
};

// recvmmsg/sendmmsg batches with every buffer allocated once per worker, so a query costs
// no allocation (DESIGN "Hot path").
struct UdpBuffers {
    static constexpr std::size_t kBatch = 32;
    // Any query a UDP datagram can carry (EDNS padding, RFC 7830, can make one large), as
    // NSD and Knot accept. The buffers are never zeroed, so only the pages that large
    // queries reach are ever touched.
    static constexpr std::size_t kQuerySize = 65535;
    // respond() keeps UDP answers within 1232 bytes (RFC 6891 §6.2.5, DNS flag day 2020).
    static constexpr std::size_t kAnswerSize = 1232;
    // Room for IP_PKTINFO or IPV6_PKTINFO: the answer leaves from the address the query was
    // sent to, even on a wildcard socket (RFC 1122 §4.1.3.5).
    static constexpr std::size_t kControlSize = 64;

    struct alignas(cmsghdr) Control {
        std::uint8_t bytes[kControlSize];
    };

    std::array<mmsghdr, kBatch> rx{}, tx{};
    std::array<iovec, kBatch> rx_iov{}, tx_iov{};
    std::array<sockaddr_storage, kBatch> peers{};
    std::array<Control, kBatch> rx_control{}, tx_control{};
    std::array<std::array<std::uint8_t, kQuerySize>, kBatch> queries;
    std::array<std::array<std::uint8_t, kAnswerSize>, kBatch> answers;
};

class Worker {
public:
    using Clock = std::chrono::steady_clock;

    static zonegen::Result<std::unique_ptr<Worker>> create(Server::Shared& shared, std::vector<ListenSocket> sockets);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void run();           // serves until request_stop()
    void request_stop();  // from any thread
    // This worker's counters, for a scrape from any thread (traffic.hpp).
    const Traffic& traffic() const { return *traffic_; }

private:
    enum class Kind : std::uint8_t { Udp, Listener, Connection, Wakeup };
    struct Connection;
    struct Handle {
        Kind kind{};
        int fd = -1;
        Connection* connection = nullptr;
        // UDP bound to a wildcard address: the answer must name its source (PKTINFO). A
        // socket bound to one address answers from it anyway, without control messages.
        bool wildcard = false;
    };
    // What a connection waits for, which decides its deadline (ServerOptions::idle_timeout).
    enum class State : std::uint8_t {
        Idle,     // the next query: idle timeout, shorter under pressure
        Reading,  // the rest of a query: timed from its first byte
        Sending,  // the client to read: timed from the last write that made progress
    };
    using List = std::list<Connection>;
    struct Connection {
        Connection(int fd, const Endpoint& from, std::size_t max_output, Clock::time_point now)
            : socket(fd), peer(from), session(max_output), since(now) {
            handle = {Kind::Connection, fd, this};
        }
        Handle handle;
        Fd socket;
        Endpoint peer;
        TcpSession session;
        State state = State::Idle;
        Clock::time_point since;   // when the current state (or its last progress) began
        std::uint32_t events = 0;  // the epoll interest currently registered
        bool dead = false;
        List* home = nullptr;  // idle_, busy_ or closed_
        List::iterator self;
    };

    Worker(Server::Shared& shared, Fd epoll, Fd wakeup, std::vector<ListenSocket> sockets);

    void on_udp(int fd, bool wildcard);  // udp.cpp
    void on_listener(int fd);            // tcp.cpp
    void on_connection(Connection& c, std::uint32_t events);
    bool admit();
    void pause_accepting(int error);  // tcp.cpp
    void resume_accepting();
    bool flush(Connection& c, bool& wrote, CloseReason& why);
    bool serve(Connection& c);
    void watch(Connection& c);
    void settle(Connection& c, State before, std::uint64_t queries_before, bool wrote);
    void move_to(Connection& c, List& list);
    void close_connection(Connection& c, CloseReason why, bool release_slot = true);
    bool under_pressure() const;
    std::chrono::milliseconds idle_limit() const;
    void expire();
    int next_timeout_ms() const;

    Server::Shared& shared_;
    Fd epoll_, wakeup_;
    std::vector<ListenSocket> sockets_;
    std::vector<Handle> handles_;  // one per socket plus the wakeup; fixed after create()
    // Open connections, split by whether a timeout of the idle kind applies, each list
    // ordered by `since`, oldest first: every deadline check looks at a front only, and the
    // idle connection to give up at the cap is idle_.front().
    List idle_;
    List busy_;    // Reading and Sending: both are given the full idle timeout
    List closed_;  // freed after the event batch that may still name them
    Clock::time_point now_ = Clock::now();
    // While accept() fails for want of descriptors, the listeners are out of the epoll set
    // until then (the epoch: accepting). As nginx does, rather than spin on a ready socket.
    static constexpr std::chrono::milliseconds kAcceptPause{100};
    Clock::time_point accept_paused_until_{};
    bool pause_logged_ = false;
    bool stopping_ = false;
    std::unique_ptr<UdpBuffers> udp_;
    std::unique_ptr<Traffic> traffic_;       // written only by this worker's thread
    std::vector<std::uint8_t> tcp_scratch_;  // one frame, shared by this worker's connections
};

}  // namespace dnsd
