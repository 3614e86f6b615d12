// Real DNS servers from Debian (NSD, and later Knot and BIND) run by a test as peers: each
// on its own loopback port with a throw-away configuration in a temporary directory,
// started in the foreground, waited for with a bounded loop and stopped by its PID. A
// system instance is never used or touched.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

namespace testsupport {

struct ZoneSpec {
    std::string origin;  // "smarthost.local"
    std::string file;    // absolute path of its master file
};

class PeerServer {
public:
    // Starts NSD serving the zones with response rate limiting off. Returns nullptr (and
    // sets *why) if it does not answer an SOA query for the first zone within the timeout.
    static std::unique_ptr<PeerServer> nsd(const std::vector<ZoneSpec>& zones, std::string* why);

    ~PeerServer();  // SIGTERM with a bounded wait; Process then kills and reaps
    PeerServer(const PeerServer&) = delete;
    PeerServer& operator=(const PeerServer&) = delete;

    std::uint16_t port() const { return port_; }
    std::string log() const;  // what the server printed, for failure messages

private:
    PeerServer() = default;
    bool launch(const std::string& program, const std::vector<std::string>& args, const std::string& first_zone,
                std::string* why);

    TempDir dir_;
    std::uint16_t port_ = 0;
    std::unique_ptr<Process> process_;
};

// A port on 127.0.0.1 that is free for both UDP and TCP right now (the kernel picks it).
std::uint16_t free_port();

}  // namespace testsupport
