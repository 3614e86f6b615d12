// The paced UDP load: the calling thread sends on a fixed schedule, a second thread
// receives and matches. A response is matched by ID (the sequence number modulo 2^16,
// unambiguous while the timeout is far shorter than 65,536 queries take) and then by its
// question, which a server copies from the query (RFC 1035 §4.1.2), byte for byte.
#include "tests/support/load_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/dns_decode.hpp"

namespace testsupport {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kHeader = 12;
constexpr std::size_t kOptSize = 11;  // the OPT record dnstest::query appends with edns

struct Prepared {
    std::vector<std::uint8_t> wire;
    std::size_t question_end = 0;  // the question is wire[kHeader, question_end)
    Expect expect = Expect::Answer;
    std::string label;  // "name TYPE", for problem reports
};

std::uint16_t u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

std::int64_t since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

std::string describe(const Prepared& q, const std::uint8_t* r, std::size_t len, const char* why) {
    std::ostringstream s;
    s << q.label << ": " << why;
    if (len >= kHeader)
        s << " (rcode " << (u16(r + 2) & 0xf) << ", flags 0x" << std::hex << u16(r + 2) << std::dec << ", an "
          << u16(r + 6) << ", ns " << u16(r + 8) << ", " << len << " octets)";
    return s.str();
}

}  // namespace

std::string LoadReport::summary() const {
    std::ostringstream s;
    s << "sent " << sent << ", answered " << answered << ", lost " << lost << " (late " << late << "), servfail "
      << servfail << ", unexpected " << unexpected << ", stray " << stray << ", send errors " << send_errors << "; "
      << std::fixed;
    s.precision(1);
    s << seconds << " s (" << (seconds > 0 ? static_cast<double>(sent) / seconds : 0.0) << " q/s); latency p50 "
      << p50.count() << " us, p99 " << p99.count() << " us, max " << max.count() << " us";
    return s.str();
}

LoadReport run_udp_load(const LoadPlan& plan) {
    LoadReport report;
    const auto total = static_cast<std::size_t>(
        std::llround(plan.rate * static_cast<double>(plan.duration.count()) / 1000.0));
    std::vector<Prepared> queries(total);
    for (std::size_t seq = 0; seq < total; ++seq) {
        LoadQuery q = plan.query(seq);
        dnstest::QueryOptions o;
        o.id = static_cast<std::uint16_t>(seq & 0xffff);
        o.edns = true;
        queries[seq].wire = dnstest::query(q.name, q.type, o);
        queries[seq].question_end = queries[seq].wire.size() - kOptSize;
        queries[seq].expect = q.expect;
        queries[seq].label = q.name + " type " + std::to_string(q.type);
    }

    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(plan.port);
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || inet_pton(AF_INET, plan.host.c_str(), &to.sin_addr) != 1 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        if (fd >= 0) ::close(fd);
        report.first_problem = "cannot open a UDP socket to " + plan.host;
        return report;
    }
    // Room for every answer of a stalled second, so the client is never the one dropping.
    int buffer = 8 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);

    const Clock::time_point start = Clock::now();
    auto sent_at = std::make_unique<std::atomic<std::int64_t>[]>(total);
    std::vector<std::int64_t> answered_at(total, -1);
    std::atomic<std::size_t> sent{0};
    std::atomic<bool> sending{true};
    const std::int64_t timeout_ns = std::chrono::nanoseconds(plan.timeout).count();

    std::thread receiver([&] {
        std::uint8_t r[65536];
        std::int64_t last_send = 0;
        for (;;) {
            pollfd p{fd, POLLIN, 0};
            ::poll(&p, 1, 20);
            for (;;) {
                ssize_t n = ::recv(fd, r, sizeof r, MSG_DONTWAIT);
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                if (n < 0) continue;  // EINTR, or an ICMP error reported on the socket
                const std::int64_t now = since(start);
                const auto len = static_cast<std::size_t>(n);
                const std::size_t count = sent.load(std::memory_order_acquire);
                if (len < kHeader || count == 0) {
                    ++report.stray;
                    continue;
                }
                // The latest query sent with this ID.
                std::size_t seq = ((count - 1) & ~std::size_t{0xffff}) | u16(r);
                if (seq >= count) {
                    if (seq < 0x10000) {
                        ++report.stray;
                        continue;
                    }
                    seq -= 0x10000;
                }
                const Prepared& q = queries[seq];
                const std::uint16_t flags = u16(r + 2);
                const bool question_matches = len >= q.question_end && u16(r + 4) == 1 &&
                                              std::equal(q.wire.begin() + kHeader,
                                                         q.wire.begin() + static_cast<std::ptrdiff_t>(q.question_end),
                                                         r + kHeader);
                if (!(flags & 0x8000) || !question_matches || answered_at[seq] >= 0) {
                    ++report.stray;
                    if (report.first_problem.empty())
                        report.first_problem = describe(
                            q, r, len, answered_at[seq] >= 0 ? "answered twice" : "not a response to it");
                    continue;
                }
                answered_at[seq] = now;
                const int rcode = flags & 0xf;
                const bool aa = flags & 0x0400, tc = flags & 0x0200;
                const std::uint16_t an = u16(r + 6), ns = u16(r + 8);
                const bool as_expected = q.expect == Expect::Answer ? rcode == 0 && aa && !tc && an >= 1
                                                                    : rcode == 3 && aa && !tc && an == 0 && ns >= 1;
                if (rcode == 2)
                    ++report.servfail;
                else if (!as_expected)
                    ++report.unexpected;
                if (!as_expected && report.first_problem.empty())
                    report.first_problem = describe(q, r, len, "not the expected answer");
            }
            if (sending.load(std::memory_order_acquire)) continue;
            if (last_send == 0) last_send = since(start);
            const std::size_t count = sent.load(std::memory_order_acquire);
            const bool all_in = std::all_of(answered_at.begin(),
                                            answered_at.begin() + static_cast<std::ptrdiff_t>(count),
                                            [](std::int64_t t) { return t >= 0; });
            if (all_in || since(start) > last_send + timeout_ns + 200'000'000) break;
        }
    });

    for (std::size_t seq = 0; seq < total; ++seq) {
        const auto due = start + std::chrono::nanoseconds(
                                     static_cast<std::int64_t>(1e9 * static_cast<double>(seq) / plan.rate));
        std::this_thread::sleep_until(due);
        sent_at[seq].store(since(start), std::memory_order_relaxed);
        sent.store(seq + 1, std::memory_order_release);
        const Prepared& q = queries[seq];
        if (::send(fd, q.wire.data(), q.wire.size(), 0) < 0) ++report.send_errors;
    }
    report.seconds = static_cast<double>(since(start)) / 1e9;
    sending.store(false, std::memory_order_release);
    receiver.join();
    ::close(fd);

    report.sent = total;
    std::vector<std::int64_t> latencies;
    latencies.reserve(total);
    for (std::size_t seq = 0; seq < total; ++seq) {
        if (answered_at[seq] < 0) continue;
        const std::int64_t took = answered_at[seq] - sent_at[seq].load(std::memory_order_relaxed);
        if (took > timeout_ns) {
            ++report.late;
            continue;
        }
        ++report.answered;
        latencies.push_back(took);
    }
    report.lost = total - report.answered;
    if (!latencies.empty()) {
        auto at = [&](double fraction) {
            auto nth = latencies.begin() +
                       static_cast<std::ptrdiff_t>(fraction * static_cast<double>(latencies.size() - 1));
            std::nth_element(latencies.begin(), nth, latencies.end());
            return std::chrono::microseconds(*nth / 1000);
        };
        report.p50 = at(0.50);
        report.p99 = at(0.99);
        report.max = at(1.0);
    }
    return report;
}

}  // namespace testsupport
