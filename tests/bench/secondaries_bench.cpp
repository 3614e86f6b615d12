// How long a one-host change takes to reach real secondaries (a benchmark, not a test;
// scripts/bench-ixfr runs it): dnsd serves an inventory with --state-dir and NOTIFY to an
// NSD, a Knot and a BIND secondary on 127.0.0.1 (tests/support/peers.hpp starts them). Each
// round moves one host (tests/support/one_host_change.hpp) and sends dnsd SIGHUP; one
// thread per server asks for the SOA every 2 ms until the new serial is answered. Issue 14
// asks for every secondary to serve it within 1 s of the SIGHUP. Each round starts on an
// idle machine (settle()), as it would with the secondaries on machines of their own.
//
// usage: secondaries_bench DNSD INVENTORY ROUNDS   (the inventory, from scripts/make-inventory,
//        is copied, never edited)
// Output: one line per server and round, "SERVER ROUND MS_AFTER_SIGHUP MS_AFTER_DNSD", where
// the second time is after dnsd served the serial itself ("dnsd" lines: 0), then one line
// "sent ROUND ixfr|full BYTES" per transfer dnsd's log reports for the round.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/one_host_change.hpp"
#include "tests/support/peers.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;
using namespace std::chrono;

namespace {

const std::string kZone = "smarthost.example";  // make-inventory's zone

// When the server on port first answers serial, polling every 2 ms from start; nullopt
// after the timeout.
std::optional<steady_clock::time_point> serves(std::uint16_t port, std::uint32_t serial,
                                               steady_clock::time_point start, seconds timeout) {
    while (steady_clock::now() - start < timeout) {
        if (soa_serial(port, kZone) == serial) return steady_clock::now();
        std::this_thread::sleep_for(milliseconds(2));
    }
    return std::nullopt;
}

// dnsd's transfers from line from on, from its log: "ixfr BYTES" or "full BYTES" each.
std::vector<std::string> transfers(Process& p, std::size_t from) {
    std::vector<std::string> out;
    std::istringstream lines(p.err());
    std::size_t n = 0;
    for (std::string line; std::getline(lines, line); ++n) {
        const bool ixfr = line.rfind("dnsd: IXFR of ", 0) == 0, full = line.rfind("dnsd: transfer of ", 0) == 0;
        if (n < from || !(ixfr || full)) continue;
        const auto end = line.rfind(" bytes");
        if (end == std::string::npos) continue;
        const auto begin = line.rfind(' ', end - 1);
        out.push_back((ixfr ? "ixfr " : "full ") + line.substr(begin + 1, end - begin - 1));
    }
    return out;
}

// The CPU time the machine spent busy and in all, from /proc/stat's first line (jiffies).
std::pair<unsigned long long, unsigned long long> cpu_time() {
    std::ifstream stat("/proc/stat");
    std::string cpu;
    stat >> cpu;
    unsigned long long v[8] = {}, total = 0;
    for (auto& x : v) {
        stat >> x;
        total += x;
    }
    return {total - v[3] - v[4], total};  // idle and iowait are not busy
}

// Waits (at most 30 s) until the machine is idle: at most 10% busy over 300 ms. The
// secondaries share this machine's CPUs with dnsd, and after a transfer they write their
// copy of the 100,000-site zone (NSD every second, Knot at once, BIND later): a secondary
// on its own machine would not take those CPUs from dnsd's next reload. Says so on stderr
// when the machine does not settle (something else is running): the round is timed anyway.
void settle() {
    const auto limit = steady_clock::now() + seconds(30);
    while (steady_clock::now() < limit) {
        const auto [busy0, total0] = cpu_time();
        std::this_thread::sleep_for(milliseconds(300));
        const auto [busy1, total1] = cpu_time();
        if (total1 > total0 && (busy1 - busy0) * 10 <= total1 - total0) return;
    }
    std::cerr << "secondaries_bench: the machine stayed busy for 30 s; timing the round anyway\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: secondaries_bench DNSD INVENTORY ROUNDS\n";
        return 2;
    }
    const int rounds = std::stoi(argv[3]);
    TempDir dir;
    const std::string inventory = dir / "sites.json";
    std::filesystem::copy_file(argv[2], inventory);
    std::filesystem::create_directory(dir / "state");
    const std::uint16_t port = free_port();
    const std::vector<std::uint16_t> peer_ports = {free_port(), free_port(), free_port()};
    std::vector<std::string> args = {"--inventory",      inventory,
                                     "--listen",         "127.0.0.1:" + std::to_string(port),
                                     "--allow-transfer", "127.0.0.1",
                                     "--state-dir",      dir / "state"};
    for (auto p : peer_ports) args.insert(args.end(), {"--notify", "127.0.0.1:" + std::to_string(p)});
    Dnsd dnsd(argv[1], args, seconds(300));
    if (!dnsd.ready()) {
        std::cerr << "secondaries_bench: dnsd did not start\n" << dnsd.process().err();
        return 1;
    }

    std::vector<std::unique_ptr<PeerServer>> peers;
    std::string why;
    SecondarySpec spec{kZone, port, std::nullopt, 0, false};
    spec.port = peer_ports[0];
    peers.push_back(PeerServer::nsd_secondary(spec, &why));
    spec.port = peer_ports[1];
    peers.push_back(PeerServer::knot_secondary(spec, &why));
    spec.port = peer_ports[2];
    peers.push_back(PeerServer::bind_secondary(spec, &why));
    for (const auto& peer : peers) {
        if (!peer || !peer->wait_ready(&why, seconds(300))) {
            std::cerr << "secondaries_bench: a secondary did not load the zone: " << why << "\n";
            return 1;
        }
    }
    std::this_thread::sleep_for(seconds(2));  // Knot and NSD write their copies after the first transfer
    settle();

    std::uint32_t serial = soa_serial(port, kZone).value_or(0);
    for (int round = 1; round <= rounds; ++round) {
        const std::string moved = move_first_host(inventory, round);
        if (!moved.empty()) {
            std::cerr << "secondaries_bench: " << moved << "\n";
            return 1;
        }
        const std::size_t lines = dnsd.process().err_line_count();
        const auto hup = steady_clock::now();
        dnsd.process().signal(SIGHUP);
        if (!dnsd.process().wait_for_line("dnsd: reloaded", seconds(120), lines)) {
            std::cerr << "secondaries_bench: no reload\n" << dnsd.process().err();
            return 1;
        }
        const std::uint32_t old = serial;
        serial = soa_serial(port, kZone).value_or(old);
        if (serial == old) {
            std::cerr << "secondaries_bench: dnsd kept serial " << old << "\n";
            return 1;
        }
        // Every server polled at once, dnsd too, all timed from the signal.
        std::vector<std::uint16_t> ports = {port};
        for (const auto& peer : peers) ports.push_back(peer->port());
        std::vector<std::optional<steady_clock::time_point>> at(ports.size());
        std::vector<std::thread> pollers;
        for (std::size_t i = 0; i < ports.size(); ++i)
            pollers.emplace_back([&, i] { at[i] = serves(ports[i], serial, hup, seconds(60)); });
        for (auto& t : pollers) t.join();
        if (!at[0]) return 1;
        for (std::size_t i = 0; i < ports.size(); ++i) {
            const std::string name = i == 0 ? "dnsd" : peers[i - 1]->name();
            if (!at[i]) {
                std::cerr << "secondaries_bench: " << name << " did not serve serial " << serial << " within 60 s\n"
                          << peers[i - 1]->log();
                return 1;
            }
            std::cout << name << " " << round << " " << duration_cast<milliseconds>(*at[i] - hup).count() << " "
                      << duration_cast<milliseconds>(*at[i] - *at[0]).count() << "\n";
        }
        std::this_thread::sleep_for(seconds(2));  // the last transfer's log lines; the copies written
        for (const std::string& b : transfers(dnsd.process(), lines))
            std::cout << "sent " << round << " " << b << "\n";
        settle();
    }
    return 0;
}
