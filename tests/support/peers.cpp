// Peer DNS servers for differential and transfer tests (see peers.hpp).
#include "tests/support/peers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"

namespace testsupport {

std::uint16_t free_port() {
    // Take a TCP port from the kernel, then make sure UDP can bind the same one.
    for (int attempt = 0; attempt < 50; ++attempt) {
        int t = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        bool ok = ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::getsockname(t, reinterpret_cast<sockaddr*>(&a), &len) == 0;
        int u = ::socket(AF_INET, SOCK_DGRAM, 0);
        ok = ok && ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        ::close(t);
        ::close(u);
        if (ok) return ntohs(a.sin_port);
    }
    return 0;
}

std::unique_ptr<PeerServer> PeerServer::nsd(const std::vector<ZoneSpec>& zones, std::string* why) {
    std::unique_ptr<PeerServer> s(new PeerServer());
    s->port_ = free_port();
    const std::string d = s->dir_.path();
    std::string conf =
        "server:\n"
        "  ip-address: 127.0.0.1\n"
        "  port: " + std::to_string(s->port_) + "\n"
        "  server-count: 1\n"
        "  username: \"\"\n"
        "  chroot: \"\"\n"
        "  zonesdir: \"" + d + "\"\n"
        "  database: \"\"\n"
        "  zonelistfile: \"" + d + "/zone.list\"\n"
        "  xfrdfile: \"" + d + "/xfrd.state\"\n"
        "  xfrdir: \"" + d + "\"\n"
        "  pidfile: \"" + d + "/nsd.pid\"\n"
        "  verbosity: 1\n"
        // Rate limiting would make a differential run see slips and drops (RRL off).
        "  rrl-ratelimit: 0\n"
        "  rrl-whitelist-ratelimit: 0\n"
        "remote-control:\n"
        "  control-enable: no\n";
    for (const auto& z : zones) conf += "zone:\n  name: \"" + z.origin + "\"\n  zonefile: \"" + z.file + "\"\n";
    write_text(s->dir_ / "nsd.conf", conf);
    // -d: stay in the foreground, so the PID we hold is the server's own.
    if (!s->launch("nsd", {"-d", "-c", s->dir_ / "nsd.conf"}, zones.front().origin, why)) return nullptr;
    return s;
}

bool PeerServer::launch(const std::string& program, const std::vector<std::string>& args,
                        const std::string& first_zone, std::string* why) {
    process_ = std::make_unique<Process>(program, args);
    if (!process_->started()) {
        *why = "cannot start " + program + ": " + process_->start_error();
        return false;
    }
    auto q = dnstest::query(first_zone, 6);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
        if (process_->wait(std::chrono::milliseconds(0))) break;  // it exited: report below
        auto r = udp_exchange_at("127.0.0.1", port_, q, std::chrono::milliseconds(200));
        if (r && dnstest::decode(*r).answer.size() == 1) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    *why = program + " did not answer on 127.0.0.1 port " + std::to_string(port_) + ":\n" + log();
    return false;
}

PeerServer::~PeerServer() {
    if (process_) process_->stop(std::chrono::seconds(5));
}

std::string PeerServer::log() const { return process_ ? process_->out() + process_->err() : std::string(); }

}  // namespace testsupport
