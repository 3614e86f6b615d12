// How long a health change takes to reach the answers on a large zone (a benchmark, not a
// test; scripts/bench-dnsd runs it): dnsd's own pieces in one process (the table compiled
// with health, the Publisher, a Server on 127.0.0.1, HealthControl and its prober), with
// one smarthost probed (tcp, fall 1, rise 1) and every other one marked unchecked, so the
// zone is full size but the prober has one address to watch. Its listener, bound to the
// host's own loopback address, is closed and opened again CHANGES times; each time a UDP
// client asks for an MX RRset naming the host, every 0.1 ms, until the answer changes.
//
// The figure is the time from the change's log line ("health: HOST ADDR down (...)",
// written by HealthControl as it receives the prober's deciding result, before it builds
// the new version) to the first answer that shows it. It also counts the override chunks
// each change rebuilt (OverrideChunk, health_answers.cpp) and times the parts of a change
// that grow with the zone, each alone: AnswerTable::with_health() and, with --state-dir, the
// edited zone image with its digest, which the Publisher builds once per change.
//
// usage: health_change_bench INVENTORY CHANGES INTERVAL_MS [STATE_DIR]
// Output: one line "key value..." per figure, for the script. Only loopback addresses are
// ever probed: a host whose address is not in 127.0.0.0/8 is refused.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dnsd/answer/answer_table_impl.hpp"
#include "dnsd/answer/health_model.hpp"
#include "dnsd/answer/wire.hpp"
#include "dnsd/net/server.hpp"
#include "dnsd/primary/health_control.hpp"
#include "dnsd/primary/loader.hpp"
#include "dnsd/primary/publisher.hpp"
#include "dnsd/primary/retire.hpp"
#include "dnsd/primary/state_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

[[noreturn]] void fail(const std::string& why) {
    std::cerr << "health_change_bench: " << why << '\n';
    std::exit(1);
}

// The host's listener: open means the probe connects, closed means it is refused.
class Listener {
public:
    explicit Listener(const std::array<std::uint8_t, 16>& v4) {
        std::memcpy(&addr_.sin_addr, v4.data(), 4);
        addr_.sin_family = AF_INET;
    }
    ~Listener() { close(); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    std::uint16_t open() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        const int on = 1;
        if (fd_ < 0 || ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
            ::bind(fd_, reinterpret_cast<sockaddr*>(&addr_), sizeof addr_) != 0 || ::listen(fd_, SOMAXCONN) != 0)
            fail(std::string("listener: ") + std::strerror(errno));
        socklen_t len = sizeof addr_;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr_), &len);
        return ntohs(addr_.sin_port);
    }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    void drain() const {  // the probes' connections, so the backlog never fills
        for (int c; fd_ >= 0 && (c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;) ::close(c);
    }

private:
    sockaddr_in addr_{};
    int fd_ = -1;
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Median of REPS timings of f, in microseconds.
double time_us(unsigned reps, const std::function<void()>& f) {
    std::vector<double> us;
    for (unsigned i = 0; i < reps; ++i) {
        const auto t0 = Clock::now();
        f();
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    return percentile(us, 0.5);
}

}  // namespace

// A benchmark driver: an exception ends it through std::terminate, which names it.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
    if (argc != 4 && argc != 5) {
        std::cerr << "usage: health_change_bench INVENTORY CHANGES INTERVAL_MS [STATE_DIR]\n";
        return 2;
    }
    const unsigned changes = static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10));
    const std::chrono::milliseconds interval(std::strtoul(argv[3], nullptr, 10));
    std::optional<dnsd::StateDir> state;
    if (argc == 5) {
        auto opened = dnsd::StateDir::open(argv[4]);
        if (!opened) fail(zonegen::format_gnu(opened.errors().front()));
        state = std::move(opened).value();
    }
    const bool with_state = state.has_value();

    dnsd::Sources sources;
    sources.inventory = argv[1];
    const auto load_start = Clock::now();
    auto loaded = dnsd::load_table(sources, nullptr, {.health = true, .health_ttl = 30, .renumber = with_state});
    if (!loaded) fail(zonegen::format_gnu(loaded.errors().front()));
    std::shared_ptr<const dnsd::AnswerTable> compiled = loaded.value().table;
    const dnsd::HealthModel& model = *compiled->health();
    std::printf("load_s %.2f\n", std::chrono::duration<double>(Clock::now() - load_start).count());

    // The probed host: one in the middle of the zone, one IPv4 address on loopback, named by
    // MX sets that have other targets (so that its going down changes them).
    std::uint32_t chosen = dnsd::HealthModel::kNoType;
    for (std::uint32_t h = static_cast<std::uint32_t>(model.hosts().size() / 2); h < model.hosts().size(); ++h) {
        const auto& host = model.hosts()[h];
        if (host.a.size() != 1 || !host.aaaa.empty() || host.mx_sets.empty()) continue;
        if (model.mx_sets()[host.mx_sets.front()].records.size() < 2) continue;
        chosen = h;
        break;
    }
    if (chosen == dnsd::HealthModel::kNoType) fail("no host with one IPv4 address and an MX set to share");
    const auto& host = model.hosts()[chosen];
    const auto& address = model.addresses()[host.a.front()].bytes;
    if (address[0] != 127) fail(host.name.text() + " is not on 127.0.0.0/8: use scripts/make-inventory --loopback");
    Listener listener(address);
    const std::uint16_t port = listener.open();
    dnsd::HostHealthMap hosts;
    for (const auto& h : model.hosts()) hosts[std::string(h.name.wire())] = {false, std::nullopt};
    hosts[std::string(host.name.wire())] = {true, port};

    dnsd::Retirer retirer;
    dnsd::Publisher publisher(std::move(state), [](std::string_view m) { std::cerr << m << '\n'; });
    auto first = publisher.first(compiled);
    if (!first) fail(zonegen::format_gnu(first.errors().front()));
    dnsd::ServerOptions options;
    options.listen.push_back(dnsd::parse_endpoint("127.0.0.1:0").value());
    auto server = dnsd::Server::start(std::move(options), std::move(first).value());
    if (!server) fail(zonegen::format_gnu(server.errors().front()));
    publisher.attach(*server.value(), nullptr, retirer);

    std::atomic<std::int64_t> said_at{0};
    std::atomic<unsigned> said{0};
    dnsd::HealthOptions health;
    health.settings.check = dnsd::health::Check::Tcp;
    health.settings.interval = interval;
    health.settings.timeout = interval;
    health.settings.fall = 1;
    health.settings.rise = 1;
    health.port = port;
    const std::string watched = "health: " + host.name.text() + " ";
    auto control = dnsd::HealthControl::start(health, compiled, std::move(hosts), publisher, [&](std::string_view m) {
        if (m.substr(0, watched.size()) != watched) return;
        said_at.store(now_ns());
        said.fetch_add(1);
    });
    if (!control) fail(zonegen::format_gnu(control.errors().front()));

    // The MX query for the first set naming the host, and a socket to ask it on.
    const dnsd::HealthModel::MxSet& set = model.mx_sets()[host.mx_sets.front()];
    const std::string_view owner = set.owner.wire();
    std::vector<std::uint8_t> query(dnsd::wire::kHeaderSize + owner.size() + 4);
    dnsd::wire::encode_header(query.data(), {.id = 1, .flags = 0, .qdcount = 1});
    std::memcpy(query.data() + dnsd::wire::kHeaderSize, owner.data(), owner.size());
    dnsd::wire::put16(query.data() + dnsd::wire::kHeaderSize + owner.size(), dnsd::wire::type::kMx);
    dnsd::wire::put16(query.data() + dnsd::wire::kHeaderSize + owner.size() + 2, 1);  // IN
    const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const dnsd::Endpoint& bound = server.value()->bound().front();
    if (udp < 0 || ::connect(udp, bound.sa(), bound.len) != 0) fail("udp socket");
    std::vector<std::uint8_t> answer(1232);
    auto ask = [&]() -> std::uint16_t {  // the answer's record count
        if (::send(udp, query.data(), query.size(), 0) < 0) fail("send");
        pollfd p{udp, POLLIN, 0};
        if (::poll(&p, 1, 2000) != 1) fail("no answer in 2 s");
        if (::recv(udp, answer.data(), answer.size(), 0) < 12) fail("short answer");
        return dnsd::wire::get16(answer.data() + 6);
    };
    const std::uint16_t full = ask();

    std::vector<double> latency_us;
    std::vector<double> chunks;
    std::vector<std::uint32_t> serials;
    for (unsigned i = 0; i < changes; ++i) {
        const bool down = i % 2 == 0;
        std::shared_ptr<const dnsd::AnswerTable> before = server.value()->table();
        const unsigned said_before = said.load();
        if (down)
            listener.close();
        else
            listener.open();
        const auto deadline = Clock::now() + 20 * interval + std::chrono::seconds(2);
        for (;;) {
            listener.drain();
            const std::uint16_t records = ask();
            if ((records < full) == down) break;
            if (Clock::now() > deadline) fail("the answer did not change within 20 intervals");
            // A pause, so that the asking leaves the change's thread a core of the two.
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        const std::int64_t seen = now_ns();
        if (said.load() != said_before + 1) fail("the answer changed without one health line");
        latency_us.push_back(static_cast<double>(seen - said_at.load()) / 1e3);
        std::shared_ptr<const dnsd::AnswerTable> after = server.value()->table();
        const auto& a = before->version().chunks;
        const auto& b = after->version().chunks;
        unsigned rebuilt = 0;
        for (std::size_t c = 0; c < b.size(); ++c)
            if (b[c] != (c < a.size() ? a[c] : nullptr)) ++rebuilt;
        chunks.push_back(rebuilt);
        serials.push_back(after->zones().front().serial());
    }
    control.value().reset();  // no change from here on

    std::printf("changes %u\n", changes);
    std::printf("latency_us %.0f %.0f %.0f\n", percentile(latency_us, 0.5), percentile(latency_us, 0.99),
                *std::max_element(latency_us.begin(), latency_us.end()));
    std::printf("chunks %.0f %.0f %zu\n", percentile(chunks, 0.5), *std::max_element(chunks.begin(), chunks.end()),
                server.value()->table()->version().chunks.size());
    std::printf("serial %u %u\n", compiled->zones().front().serial(), serials.back());
    std::printf("zone %zu %zu %zu\n", model.addresses().size(), model.mx_sets().size(),
                compiled->loaded_zones().front().record_count());

    // The parts that grow with the zone, each alone, on the served table with the host down.
    std::shared_ptr<const dnsd::AnswerTable> served = server.value()->table();
    std::vector<std::uint8_t> up(model.addresses().size(), 1);
    std::vector<std::uint8_t> flipped = up;
    flipped[host.a.front()] = 0;
    const unsigned reps = 21;
    std::printf("with_health_us %.0f\n", time_us(reps, [&] { served->with_health(flipped)->health_state(); }));
    if (with_state) {
        const dnsd::ZoneImage& loaded_zone = compiled->loaded_zones().front();
        std::printf("edited_image_us %.0f\n", time_us(reps, [&] {
                        const dnsd::ZoneImage image = model.edited_image(loaded_zone, loaded_zone.serial(), flipped);
                        if (image.digest() == 0) std::printf("?");
                    }));
    }
    ::close(udp);
    return 0;
}
