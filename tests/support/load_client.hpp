// A paced UDP load for end-to-end tests: queries at a fixed rate for a fixed time from one
// socket, each matched to its response by ID and question, never retried. A query with no
// matching response within the timeout is lost. The figures it returns are what a load
// test asserts on and prints. Loopback addresses only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace testsupport {

// What a correct server answers to one query.
enum class Expect {
    Answer,    // NOERROR with at least one answer record
    NxDomain,  // NXDOMAIN, no answer, the SOA (or more) in authority
};

struct LoadQuery {
    std::string name;
    std::uint16_t type = 1;
    Expect expect = Expect::Answer;
};

struct LoadPlan {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    double rate = 1000;                               // queries per second
    std::chrono::milliseconds duration{1000};         // how long queries are sent
    std::chrono::milliseconds timeout{1000};          // a later answer is lost
    std::function<LoadQuery(std::size_t seq)> query;  // the seq-th query (seq from 0)
};

struct LoadReport {
    std::size_t sent = 0;
    std::size_t answered = 0;  // in time, with the right ID and question
    std::size_t lost = 0;      // no answer in time (late ones included)
    std::size_t late = 0;      // answered, but after the timeout
    std::size_t servfail = 0;
    std::size_t unexpected = 0;  // other rcode, flags or counts than the query expects
    std::size_t stray = 0;       // unknown ID, wrong question, duplicate, or malformed
    std::size_t send_errors = 0;
    double seconds = 0;                                // from the first send to the last
    std::chrono::microseconds p50{0}, p99{0}, max{0};  // latency of the answered
    std::string first_problem;                         // the first unexpected or stray response, described

    std::string summary() const;  // one line of the figures above
};

// Runs the plan to completion (duration, then the timeout for the last answers) and
// reports. Blocks the calling thread; run it on its own thread to act meanwhile.
LoadReport run_udp_load(const LoadPlan& plan);

}  // namespace testsupport
