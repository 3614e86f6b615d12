// One health check of one address on a non-blocking socket: the tcp check (a connect) and
// the smtp check (connect, read the whole greeting without writing, QUIT). The Prober drives
// many at once from one epoll loop; check_once() runs one to the end, for tests and tools.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "dnsd/health/greeting.hpp"
#include "dnsd/net/endpoint.hpp"
#include "dnsd/net/fd.hpp"

namespace dnsd::health {

enum class Check : std::uint8_t { Tcp, Smtp };

// What one check found. judged is false when dnsd cannot tell from here (no route to the
// address, a local resource error): such a result counts neither way and ok stays true,
// so an address nobody can judge is left up.
struct Outcome {
    bool ok = false;
    std::string reason;  // "connection refused", "greeting 421 busy", "timeout waiting for the greeting"
    bool judged = true;
};

class Probe {
public:
    // Opens the socket and starts the connect. Returns true if the outcome is already known
    // (the connect failed at once); otherwise the caller waits for events on fd() (edge
    // triggered: EPOLLIN | EPOLLOUT | EPOLLRDHUP) and calls on_ready() for each.
    bool start(Check check, const Endpoint& to);
    int fd() const { return sock_.get(); }
    // Advances on a readiness event; true when the outcome is known (the socket is closed).
    bool on_ready();
    // The deadline passed: closes the socket and makes the outcome a timeout.
    void on_timeout();
    // Closes the socket without an outcome (the prober could not watch it).
    void abandon();
    const Outcome& outcome() const { return outcome_; }

private:
    enum class Phase : std::uint8_t { Idle, Connecting, Greeting };
    bool finish(bool ok, std::string reason, bool judged = true);
    bool connected();
    bool read_greeting();

    Check check_ = Check::Smtp;
    Phase phase_ = Phase::Idle;
    Fd sock_;
    GreetingReader greeting_;
    Outcome outcome_;
};

// Runs one check to its end, or to the timeout (which covers connect and greeting).
Outcome check_once(Check check, const Endpoint& to, std::chrono::milliseconds timeout);

// Why a connect failed, as the reasons name it: "connection refused", "connection reset".
std::string describe_errno(int err);

}  // namespace dnsd::health
