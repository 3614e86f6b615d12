// IXFR to real secondaries (NSD, Knot, BIND from Debian) on a 100,000-site inventory, with
// --state-dir: after a one-host change and SIGHUP each serves the new serial within 1 s of
// dnsd's (the time from SIGHUP printed too), over IXFR (dnsd's log and the secondary's say so), bytes printed; a Knot
// that was down for two versions and a dnsd restart in between gets the two chained differences from the journal on
// disk; a serial dnsd has no journal for gets the full zone; and what every secondary holds afterwards is exactly
// what dnsd serves. One zone load shared by all cases.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/one_host_change.hpp"
#include "tests/support/peers.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;
using namespace std::chrono;

namespace {

const std::string kZone = "smarthost.example";  // make-inventory's zone
constexpr std::uint16_t kAxfr = 252, kA = 1, kMx = 15;

std::optional<std::uint32_t> wait_serial(std::uint16_t port, std::uint32_t serial, steady_clock::time_point start,
                                         milliseconds within, milliseconds* took) {
    std::optional<std::uint32_t> seen;
    while (steady_clock::now() - start < within) {
        seen = soa_serial(port, kZone);
        if (seen == serial) break;
        std::this_thread::sleep_for(milliseconds(10));
    }
    *took = duration_cast<milliseconds>(steady_clock::now() - start);
    return seen;
}

struct Reload {
    std::uint32_t serial = 0;
    steady_clock::time_point hup;     // when the test sent SIGHUP
    steady_clock::time_point served;  // when dnsd logged the new version
};

Reload reload(Dnsd& dnsd, const std::string& inventory, int version) {
    const std::string moved = move_first_host(inventory, version);
    EXPECT_EQ(moved, "");
    const std::size_t lines = dnsd.process().err_line_count();
    Reload r;
    r.hup = steady_clock::now();
    dnsd.process().signal(SIGHUP);
    EXPECT_TRUE(dnsd.process().wait_for_line("dnsd: reloaded", seconds(60), lines)) << dnsd.process().err();
    r.served = steady_clock::now();
    r.serial = soa_serial(dnsd.port(), kZone).value_or(0);
    return r;
}

// dnsd's IXFR log lines from line from on.
std::vector<std::string> ixfr_lines(Process& p, std::size_t from) {
    std::vector<std::string> out;
    std::istringstream lines(p.err());
    std::size_t n = 0;
    for (std::string line; std::getline(lines, line); ++n)
        if (n >= from && line.find("dnsd: IXFR of ") == 0 && line.find(" differences, ") != std::string::npos)
            out.push_back(line);
    return out;
}

// The line in which a secondary reports its last transfer, if it says it was incremental:
// Knot names IXFR; BIND 9.18 counts the records (an IXFR of one change is a handful, the
// full zone 831,840); NSD (store_ixfr) writes out the IXFR it received within a second and
// says so, which it never does after a full transfer. Waits up to 3 s for the line.
std::optional<std::string> ixfr_said(const PeerServer& peer) {
    const std::string needle = peer.name() == "knotd" ? "IXFR, incoming"
                               : peer.name() == "nsd" ? "IXFR data to file"
                                                      : "Transfer completed: ";
    for (const auto until = steady_clock::now() + seconds(3); steady_clock::now() < until;
         std::this_thread::sleep_for(milliseconds(50))) {
        const std::string log = peer.log();
        const auto at = log.rfind(needle);
        if (at == std::string::npos) continue;
        const auto begin = log.rfind('\n', at) == std::string::npos ? 0 : log.rfind('\n', at) + 1;
        std::string line = log.substr(begin, log.find('\n', at) - begin);
        if (peer.name() == "named") {
            const auto records = line.find(" records");
            const auto comma = line.rfind(", ", records);
            if (records == std::string::npos || comma == std::string::npos ||
                std::stoul(line.substr(comma + 2, records - comma - 2)) > 100)
                return std::nullopt;
        }
        return line;
    }
    return std::nullopt;
}

// Every record a secondary holds equals dnsd's (compared as sets; the order of a transfer
// is the server's own), and the moved host answers alike.
void expect_same_zone(const Transfer& mine, std::uint16_t dnsd_port, const PeerServer& peer) {
    Transfer theirs = transfer_from(peer.port(), dnstest::query(kZone, kAxfr), seconds(120));
    ASSERT_TRUE(theirs.complete) << peer.name() << ": " << theirs.error;
    EXPECT_EQ(mine.records.front(), theirs.records.front()) << peer.name();
    EXPECT_TRUE(without_soa(mine.records) == without_soa(theirs.records)) << peer.name() << " holds other records";
    for (const std::string& name : {"mail1.site0." + kZone, "site0." + kZone, "site99999." + kZone}) {
        for (std::uint16_t type : {kA, kMx}) {
            auto a = udp_exchange_at("127.0.0.1", dnsd_port, dnstest::query(name, type), seconds(2));
            auto b = udp_exchange_at("127.0.0.1", peer.port(), dnstest::query(name, type), seconds(2));
            ASSERT_TRUE(a && b);
            EXPECT_EQ(dnstest::sorted(dnstest::decode(*a).answer), dnstest::sorted(dnstest::decode(*b).answer))
                << peer.name() << " " << name << " " << type;
        }
    }
}

}  // namespace

TEST(Ixfr, RealSecondariesFollowA100kZoneOverIxfr) {
    TempDir dir;
    const std::string inventory = dir / "sites.json";
    auto made = run(SMARTHOST_SOURCE_DIR "/scripts/make-inventory", {"100000", inventory}, seconds(120));
    ASSERT_EQ(made.status, 0) << made.err;
    std::filesystem::create_directory(dir / "state");
    const std::uint16_t port = free_port();
    std::vector<std::uint16_t> peer_ports = {free_port(), free_port(), free_port()};
    std::vector<std::string> args = {"--inventory",      inventory,
                                     "--listen",         "127.0.0.1:" + std::to_string(port),
                                     "--allow-transfer", "127.0.0.1",
                                     "--state-dir",      dir / "state"};
    for (auto p : peer_ports) args.insert(args.end(), {"--notify", "127.0.0.1:" + std::to_string(p)});
    auto dnsd = std::make_unique<Dnsd>(DNSD_BIN, args, seconds(120));
    ASSERT_TRUE(dnsd->ready()) << dnsd->process().err();

    // The first transfers are full ones: the secondaries have no zone yet.
    const auto start = steady_clock::now();
    // Started together from this thread (they die with the thread that starts them), then
    // waited for: the three transfers run at once.
    std::vector<std::unique_ptr<PeerServer>> peers;
    std::string why;
    SecondarySpec spec{kZone, port, std::nullopt, 0, false};
    spec.port = peer_ports[0];
    spec.store_ixfr = true;
    peers.push_back(PeerServer::nsd_secondary(spec, &why));
    spec.store_ixfr = false;
    spec.port = peer_ports[1];
    peers.push_back(PeerServer::knot_secondary(spec, &why));
    spec.port = peer_ports[2];
    peers.push_back(PeerServer::bind_secondary(spec, &why));
    for (const auto& peer : peers) {
        ASSERT_TRUE(peer) << why;
        ASSERT_TRUE(peer->wait_ready(&why, seconds(120))) << why << "\ndnsd:\n" << dnsd->process().err();
    }
    std::cout << "ixfr: three secondaries loaded the 100,000-site zone by AXFR in "
              << duration_cast<milliseconds>(steady_clock::now() - start).count() << " ms\n";

    // 1. A one-host change: each secondary serves it within 1 s of dnsd, over IXFR.
    std::size_t lines = dnsd->process().err_line_count();
    Reload v1 = reload(*dnsd, inventory, 1);
    ASSERT_NE(v1.serial, 0u);
    for (const auto& peer : peers) {
        milliseconds took{};
        EXPECT_EQ(wait_serial(peer->port(), v1.serial, v1.served, seconds(1), &took), v1.serial)
            << peer->name() << " did not serve serial " << v1.serial << " within 1 s\n"
            << peer->log() << "\ndnsd:\n"
            << dnsd->process().err();
        std::cout << "ixfr: " << peer->name() << " served serial " << v1.serial << " " << took.count()
                  << " ms after dnsd's reload line, "
                  << duration_cast<milliseconds>(v1.served - v1.hup).count() + took.count() << " ms after SIGHUP\n";
    }
    // After all three are timed (the check below may wait for NSD's file).
    for (const auto& peer : peers) {
        auto said = ixfr_said(*peer);
        EXPECT_TRUE(said) << peer->name() << ":\n" << peer->log();
        std::cout << "ixfr: " << peer->name() << " says: " << said.value_or("?") << "\n";
    }
    ASSERT_TRUE(dnsd->process().wait_for_line("dnsd: IXFR of", seconds(2), lines));
    std::this_thread::sleep_for(milliseconds(200));  // the last secondary's line
    auto sent = ixfr_lines(dnsd->process(), lines);
    EXPECT_EQ(sent.size(), 3u) << dnsd->process().err();
    for (const auto& l : sent) {
        EXPECT_NE(l.find(", 1 differences, "), std::string::npos) << l;
        std::cout << "ixfr: " << l << "\n";
    }

    // 2. Knot is down for two versions, and dnsd restarts (same state directory) in between:
    // back up and notified, Knot gets both differences, the older one from the file.
    peers[1]->stop();
    Reload v2 = reload(*dnsd, inventory, 2);
    dnsd->process().signal(SIGTERM);
    ASSERT_TRUE(dnsd->process().wait_for_line("dnsd: stopped", seconds(30))) << dnsd->process().err();
    dnsd = std::make_unique<Dnsd>(DNSD_BIN, args, seconds(120));
    ASSERT_TRUE(dnsd->ready()) << dnsd->process().err();
    EXPECT_NE(dnsd->process().err().find("IXFR journal of smarthost.example: 2 differences"), std::string::npos)
        << dnsd->process().err();
    EXPECT_EQ(soa_serial(dnsd->port(), kZone), v2.serial);  // the same records keep their serial
    Reload v3 = reload(*dnsd, inventory, 3);
    ASSERT_NE(v3.serial, v2.serial);
    // Knot refreshes when it starts (and a NOTIFY would make it do so anyway).
    lines = dnsd->process().err_line_count();
    std::string knot_why;
    ASSERT_TRUE(peers[1]->restart(&knot_why, seconds(60))) << knot_why;
    dnstest::QueryOptions notify;
    notify.opcode = 4;
    notify.id = 0x7777;
    const auto notified = steady_clock::now();  // Knot answers again: its zone file is loaded
    ASSERT_TRUE(udp_exchange_at("127.0.0.1", peers[1]->port(), dnstest::query(kZone, 6, notify), seconds(2)));
    milliseconds took{};
    EXPECT_EQ(wait_serial(peers[1]->port(), v3.serial, notified, seconds(5), &took), v3.serial) << peers[1]->log();
    std::cout << "ixfr: knotd, two versions behind, served serial " << v3.serial << " " << took.count()
              << " ms after it answered again (its own refresh at start, or the NOTIFY)\n";
    ASSERT_TRUE(dnsd->process().wait_for_line("dnsd: IXFR of", seconds(2), lines));
    const std::string chained = "serial " + std::to_string(v1.serial) + " -> " + std::to_string(v3.serial) +
                                ", 2 differences";
    EXPECT_NE(dnsd->process().err().find(chained), std::string::npos) << dnsd->process().err();
    EXPECT_NE(peers[1]->log().find("IXFR, incoming"), std::string::npos) << peers[1]->log();
    for (const auto& l : ixfr_lines(dnsd->process(), lines))
        if (l.find(chained) != std::string::npos) std::cout << "ixfr: " << l << "\n";
    for (int i : {0, 2})  // the others followed every version (long since: no time limit here)
        EXPECT_EQ(wait_serial(peers[i]->port(), v3.serial, steady_clock::now(), seconds(5), &took), v3.serial)
            << peers[i]->name() << "\n"
            << peers[i]->log();

    // 3. A serial dnsd has no journal for: the full zone (the first message says so: the
    // record after the SOA is not another SOA).
    {
        TcpConnection c("127.0.0.1", dnsd->port());
        ASSERT_TRUE(c.send(framed(ixfr_query(kZone, 1))));
        auto first = c.read_frame(seconds(10));
        ASSERT_TRUE(first);
        auto d = dnstest::decode(*first);
        ASSERT_TRUE(d.ok && d.answer.size() > 2) << d.error;
        EXPECT_EQ(d.answer[1].find(" IN SOA "), std::string::npos) << d.answer[1];
    }
    EXPECT_TRUE(dnsd->process().wait_for_line("serial 1 not in the journal, sending the full zone", seconds(2)))
        << dnsd->process().err();

    // 4. What each secondary holds is what dnsd serves.
    const auto compare = steady_clock::now();
    Transfer mine = transfer_from(dnsd->port(), dnstest::query(kZone, kAxfr), seconds(120));
    ASSERT_TRUE(mine.complete) << mine.error;
    for (const auto& peer : peers) expect_same_zone(mine, dnsd->port(), *peer);
    std::cout << "ixfr: the four zones compared in "
              << duration_cast<milliseconds>(steady_clock::now() - compare).count() << " ms\n";
}
