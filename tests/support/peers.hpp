// Real DNS servers from Debian (NSD, Knot and BIND) run by a test as peers: each on its
// own loopback port with a throw-away configuration in a temporary directory, started in
// the foreground, waited for with a bounded loop and stopped by its PID. A system
// instance is never used or touched. Primaries serve zone files; secondaries transfer a
// zone from dnsd and accept its NOTIFY.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "tests/support/dns_decode.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

namespace testsupport {

struct ZoneSpec {
    std::string origin;  // "smarthost.local"
    std::string file;    // absolute path of its master file
};

// A TSIG key shared with a peer (hmac-sha256).
struct TsigSpec {
    std::string name;    // "xfr-key"
    std::string secret;  // base64
};

// A secondary's zone: where it transfers from and how.
struct SecondarySpec {
    std::string origin;              // "smarthost.local"
    std::uint16_t primary_port = 0;  // dnsd on 127.0.0.1, TCP for AXFR, UDP for SOA checks
    std::optional<TsigSpec> tsig;    // sign transfers and expect signed NOTIFYs
    std::uint16_t port = 0;          // where the secondary listens; 0: a free port
    // Wait for the first transfer before returning; false: return once started, and call
    // wait_ready() (start several secondaries from one thread: they die with the thread that
    // started them).
    bool wait = true;
    // NSD: keep every IXFR it receives and write it out within a second ("store-ixfr",
    // "zonefiles-write"), logging "writing zone Z IXFR data to file": its only log line
    // that tells an IXFR from a full transfer. The other secondaries name IXFR anyway.
    bool store_ixfr = false;
};

class PeerServer {
public:
    // Starts NSD serving the zones with response rate limiting off. Returns nullptr (and
    // sets *why) if it does not answer an SOA query for the first zone within the timeout.
    static std::unique_ptr<PeerServer> nsd(const std::vector<ZoneSpec>& zones, std::string* why);

    // Secondaries for spec.origin that accept NOTIFY from 127.0.0.1 and transfer the zone
    // out to it (so a test can compare all they hold). They return once the
    // first transfer completed (the zone's SOA is answered), or nullptr with *why (their log)
    // if it does not within the timeout. NSD with -d, Knot in the foreground, BIND with -g.
    static std::unique_ptr<PeerServer> nsd_secondary(const SecondarySpec& spec, std::string* why);
    static std::unique_ptr<PeerServer> knot_secondary(const SecondarySpec& spec, std::string* why);
    static std::unique_ptr<PeerServer> bind_secondary(const SecondarySpec& spec, std::string* why);

    ~PeerServer();  // SIGTERM with a bounded wait; Process then kills and reaps
    PeerServer(const PeerServer&) = delete;
    PeerServer& operator=(const PeerServer&) = delete;

    // Stops the server, keeping its directory (a secondary's copy of the zone, its journal).
    void stop();
    // Starts it again as before; false (and *why) if it does not answer in time.
    bool restart(std::string* why, std::chrono::seconds timeout = std::chrono::seconds(15));
    // Waits (bounded) until the server answers the SOA of its first zone; false (and *why) if not.
    bool wait_ready(std::string* why, std::chrono::seconds timeout = std::chrono::seconds(15));

    std::uint16_t port() const { return port_; }
    std::string log() const;                              // what the server printed, for failure messages
    const std::string& name() const { return program_; }  // "nsd", "knotd", "named"

private:
    PeerServer() = default;
    bool launch(const std::string& program, const std::vector<std::string>& args, const std::string& first_zone,
                std::string* why, bool wait = true);

    TempDir dir_;
    std::uint16_t port_ = 0;
    std::unique_ptr<Process> process_;
    std::string program_;
    std::vector<std::string> args_;
    std::string first_zone_;
};

// One zone transfer as a secondary sees it: every message read off one TCP connection
// and decoded on its own by ldns, until the closing SOA (RFC 5936 §2.2; for an incremental
// answer the current SOA after the last difference, RFC 1995 §4), an error answer, or the
// timeout.
struct Transfer {
    std::vector<std::vector<std::uint8_t>> raw;  // the messages as received
    std::vector<dnstest::Decoded> messages;
    std::vector<std::string> records;  // answer lines of all messages, in order
    bool complete = false;             // began and ended with the SOA
    bool incremental = false;          // an IXFR answer in RFC 1995 §4 form (or the SOA alone)
    std::string error;                 // why it stopped early, if it did
};
Transfer transfer_from(std::uint16_t port, std::span<const std::uint8_t> query,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

// An IXFR query (RFC 1995 §3) for zone from a client at serial: the SOA in authority.
std::vector<std::uint8_t> ixfr_query(const std::string& zone, std::uint32_t serial, std::uint16_t id = 0x4242);

// The records of a zone after an incremental transfer (RFC 1995 §4) is applied to before
// (a full transfer's records); nullopt, with *why, if the transfer is not incremental or
// deletes a record that before does not hold. SOA records are left out of both.
std::optional<std::set<std::string>> apply_ixfr(const std::vector<std::string>& before, const Transfer& ixfr,
                                                std::string* why);
// The records of a full transfer but the SOA.
std::set<std::string> without_soa(const std::vector<std::string>& records);
// The differences in an incremental transfer.
std::size_t difference_count(const Transfer& ixfr);

// The SOA serial a server on 127.0.0.1:port answers for zone over UDP; nullopt if none.
std::optional<std::uint32_t> soa_serial(std::uint16_t port, const std::string& zone);

// A port on 127.0.0.1 that is free for both UDP and TCP right now, from a block of ports
// that this test process alone uses (peers.cpp says why).
std::uint16_t free_port();

}  // namespace testsupport
