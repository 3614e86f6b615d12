// Peer DNS servers for differential and transfer tests (see peers.hpp).
#include "tests/support/peers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <thread>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"

namespace testsupport {

namespace {

// Whether UDP and TCP can both bind 127.0.0.1:port now (without SO_REUSEPORT, so a port
// that a reuseport server holds counts as taken).
bool bindable(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    int t = ::socket(AF_INET, SOCK_STREAM, 0);
    int u = ::socket(AF_INET, SOCK_DGRAM, 0);
    const bool ok = ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                    ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(t);
    ::close(u);
    return ok;
}

}  // namespace

std::uint16_t free_port() {
    // A port checked free is only free until the server binds it, seconds later; a test
    // running beside this one could be handed the same port meanwhile (the kernel's own
    // choice, bind to port 0, may repeat across processes), and NSD, Knot and BIND bind with
    // SO_REUSEPORT, so both servers would start and share the queries. Each test process
    // takes its ports from a block of its own, picked by its PID, below the kernel's
    // ephemeral range (32768 and up), where no bind to port 0 lands.
    constexpr std::uint16_t kFirst = 10000, kBlock = 32, kBlocks = 700;
    static std::uint16_t next = 0;
    const auto base = static_cast<std::uint16_t>(kFirst + (static_cast<unsigned>(::getpid()) % kBlocks) * kBlock);
    for (int attempt = 0; attempt < kBlock; ++attempt) {
        const auto port = static_cast<std::uint16_t>(base + next++ % kBlock);
        if (bindable(port)) return port;
    }
    // The whole block taken (by something else on the machine): the kernel's choice.
    for (int attempt = 0; attempt < 50; ++attempt) {
        int t = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        const bool ok = ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                        ::getsockname(t, reinterpret_cast<sockaddr*>(&a), &len) == 0;
        ::close(t);
        if (ok && bindable(ntohs(a.sin_port))) return ntohs(a.sin_port);
    }
    return 0;
}

namespace {

// NSD's server: section for a test instance in dir d on port, with extra server lines.
std::string nsd_server_section(const std::string& d, std::uint16_t port, int verbosity,
                               const std::string& extra = {}) {
    // One line of the configuration file a line, as the server reads it.
    // clang-format off
    return "server:\n"
           "  ip-address: 127.0.0.1\n"
           "  port: " + std::to_string(port) + "\n"
           "  server-count: 1\n"
           "  username: \"\"\n"
           "  chroot: \"\"\n"
           "  zonesdir: \"" + d + "\"\n"
           "  database: \"\"\n"
           "  zonelistfile: \"" + d + "/zone.list\"\n"
           "  xfrdfile: \"" + d + "/xfrd.state\"\n"
           "  xfrdir: \"" + d + "\"\n"
           "  pidfile: \"" + d + "/nsd.pid\"\n"
           "  verbosity: " + std::to_string(verbosity) + "\n"
           // Rate limiting would make a differential run see slips and drops (RRL off).
           "  rrl-ratelimit: 0\n"
           "  rrl-whitelist-ratelimit: 0\n" + extra +
           "remote-control:\n"
           "  control-enable: no\n";
    // clang-format on
}

}  // namespace

std::unique_ptr<PeerServer> PeerServer::nsd(const std::vector<ZoneSpec>& zones, std::string* why) {
    std::unique_ptr<PeerServer> s(new PeerServer());
    s->port_ = free_port();
    const std::string d = s->dir_.path();
    std::string conf = nsd_server_section(d, s->port_, 1);
    for (const auto& z : zones) conf += "zone:\n  name: \"" + z.origin + "\"\n  zonefile: \"" + z.file + "\"\n";
    write_text(s->dir_ / "nsd.conf", conf);
    // -d: stay in the foreground, so the PID we hold is the server's own.
    if (!s->launch("nsd", {"-d", "-c", s->dir_ / "nsd.conf"}, zones.front().origin, why)) return nullptr;
    return s;
}

std::unique_ptr<PeerServer> PeerServer::nsd_secondary(const SecondarySpec& spec, std::string* why) {
    std::unique_ptr<PeerServer> s(new PeerServer());
    s->port_ = spec.port ? spec.port : free_port();
    const std::string d = s->dir_.path();
    std::string conf = nsd_server_section(d, s->port_, 2, spec.store_ixfr ? "  zonefiles-write: 1\n" : "");
    std::string key = "NOKEY";
    if (spec.tsig) {
        key = spec.tsig->name;
        conf += "key:\n  name: \"" + key + "\"\n  algorithm: hmac-sha256\n  secret: \"" + spec.tsig->secret + "\"\n";
    }
    conf += "zone:\n  name: \"" + spec.origin + "\"\n  zonefile: \"" + d + "/" + spec.origin + ".zone\"\n" +
            "  request-xfr: 127.0.0.1@" + std::to_string(spec.primary_port) + " " + key + "\n" +
            "  allow-notify: 127.0.0.1 " + key + "\n" + "  provide-xfr: 127.0.0.1 " + key + "\n";
    if (spec.store_ixfr) conf += "  store-ixfr: yes\n";
    write_text(s->dir_ / "nsd.conf", conf);
    if (!s->launch("nsd", {"-d", "-c", s->dir_ / "nsd.conf"}, spec.origin, why, spec.wait)) return nullptr;
    return s;
}

std::unique_ptr<PeerServer> PeerServer::knot_secondary(const SecondarySpec& spec, std::string* why) {
    std::unique_ptr<PeerServer> s(new PeerServer());
    s->port_ = spec.port ? spec.port : free_port();
    const std::string d = s->dir_.path();
    // One line of the configuration file a line, as the server reads it.
    // clang-format off
    std::string conf =
        "server:\n"
        "  listen: 127.0.0.1@" + std::to_string(s->port_) + "\n"
        "  rundir: \"" + d + "\"\n"
        "  pidfile: \"" + d + "/knot.pid\"\n"
        "  background-workers: 1\n"
        "  udp-workers: 1\n"
        "  tcp-workers: 1\n"
        "control:\n"
        "  listen: \"" + d + "/knot.sock\"\n"
        "database:\n"
        "  storage: \"" + d + "\"\n"
        "log:\n"
        "  - target: stderr\n"
        "    any: info\n";
    // clang-format on
    std::string key_line;
    if (spec.tsig) {
        conf += "key:\n  - id: " + spec.tsig->name +
                "\n    algorithm: hmac-sha256\n    secret: " + spec.tsig->secret + "\n";
        key_line = "    key: " + spec.tsig->name + "\n";
    }
    conf += "remote:\n  - id: primary\n    address: 127.0.0.1@" + std::to_string(spec.primary_port) + "\n" +
            key_line + "acl:\n  - id: notify_from_primary\n    address: 127.0.0.1\n    action: notify\n" + key_line +
            "  - id: transfer_out\n    address: 127.0.0.1\n    action: transfer\n" + key_line +
            "zone:\n  - domain: " + spec.origin + "\n    storage: \"" + d + "\"\n    file: \"" + spec.origin +
            ".zone\"\n    master: primary\n    acl: [notify_from_primary, transfer_out]\n";
    write_text(s->dir_ / "knot.conf", conf);
    // knotd stays in the foreground unless told -d.
    if (!s->launch("knotd", {"-c", s->dir_ / "knot.conf"}, spec.origin, why, spec.wait)) return nullptr;
    return s;
}

std::unique_ptr<PeerServer> PeerServer::bind_secondary(const SecondarySpec& spec, std::string* why) {
    std::unique_ptr<PeerServer> s(new PeerServer());
    s->port_ = spec.port ? spec.port : free_port();
    const std::string d = s->dir_.path();
    // One line of the configuration file a line, as the server reads it.
    // clang-format off
    std::string conf =
        "options {\n"
        "  directory \"" + d + "\";\n"
        "  pid-file \"" + d + "/named.pid\";\n"
        "  session-keyfile \"" + d + "/session.key\";\n"
        "  managed-keys-directory \"" + d + "\";\n"
        "  listen-on port " + std::to_string(s->port_) + " { 127.0.0.1; };\n"
        "  listen-on-v6 { none; };\n"
        "  recursion no;\n"
        "  minimal-responses yes;\n"
        // BIND alone zeroes the SOA TTL of negative answers to SOA queries; dnsd, NSD and
        // Knot keep min(TTL, MINIMUM) (RFC 2308 §3) for every type.
        "  zero-no-soa-ttl no;\n"
        "  dnssec-validation no;\n"
        "  notify no;\n"
        "};\n"
        "controls { };\n";
    // clang-format on
    std::string primaries = "primaries port " + std::to_string(spec.primary_port) + " { 127.0.0.1";
    if (spec.tsig) {
        conf += "key \"" + spec.tsig->name + "\" { algorithm hmac-sha256; secret \"" + spec.tsig->secret + "\"; };\n";
        primaries += " key \"" + spec.tsig->name + "\"";
    }
    primaries += "; }";
    conf += "zone \"" + spec.origin + "\" {\n  type secondary;\n  " + primaries + ";\n  file \"" + d + "/" +
            spec.origin + ".zone\";\n  allow-notify { 127.0.0.1; };\n  allow-transfer { 127.0.0.1; };\n};\n";
    write_text(s->dir_ / "named.conf", conf);
    // -g: foreground, log to stderr; -n 1: one worker thread is plenty for a test.
    if (!s->launch("named", {"-g", "-n", "1", "-c", s->dir_ / "named.conf"}, spec.origin, why, spec.wait))
        return nullptr;
    return s;
}

void PeerServer::stop() {
    if (process_) process_->stop(std::chrono::seconds(10));
    process_.reset();
}

bool PeerServer::restart(std::string* why, std::chrono::seconds timeout) {
    stop();
    return launch(program_, args_, first_zone_, why, false) && wait_ready(why, timeout);
}

bool PeerServer::launch(const std::string& program, const std::vector<std::string>& args,
                        const std::string& first_zone, std::string* why, bool wait) {
    program_ = program;
    args_ = args;
    first_zone_ = first_zone;
    process_ = std::make_unique<Process>(program, args);
    if (!process_->started()) {
        *why = "cannot start " + program + ": " + process_->start_error();
        return false;
    }
    return !wait || wait_ready(why);
}

bool PeerServer::wait_ready(std::string* why, std::chrono::seconds timeout) {
    auto q = dnstest::query(first_zone_, 6);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (process_->wait(std::chrono::milliseconds(0))) break;  // it exited: report below
        auto r = udp_exchange_at("127.0.0.1", port_, q, std::chrono::milliseconds(200));
        if (r && dnstest::decode(*r).answer.size() == 1) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    *why = program_ + " did not answer on 127.0.0.1 port " + std::to_string(port_) + ":\n" + log();
    return false;
}

Transfer transfer_from(std::uint16_t port, std::span<const std::uint8_t> query, std::chrono::milliseconds timeout) {
    Transfer t;
    TcpConnection c("127.0.0.1", port);
    if (!c.connected() || !c.send(framed(query))) {
        t.error = "cannot connect or send";
        return t;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t soas = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                          std::chrono::steady_clock::now());
        auto frame = c.read_frame(left);
        if (!frame) {
            t.error = "no further message (connection closed or timeout)";
            return t;
        }
        dnstest::Decoded d = dnstest::decode(*frame);
        t.raw.push_back(*frame);
        t.messages.push_back(d);
        if (!d.ok) {
            t.error = "message " + std::to_string(t.messages.size()) + " does not decode: " + d.error;
            return t;
        }
        if (d.rcode != 0 || d.answer.empty()) {
            t.error = "error answer, rcode " + std::to_string(d.rcode);
            return t;
        }
        for (const auto& rr : d.answer) {
            const bool soa = rr.find(" IN SOA ") != std::string::npos;
            if (t.records.empty() && !soa) {
                t.error = "the first record is not the SOA";
                return t;
            }
            // RFC 1995 §4: an SOA right after the first opens an incremental answer, whose
            // SOAs then come in pairs (old, new) until the first SOA again closes it.
            if (t.records.size() == 1 && soa) t.incremental = true;
            t.records.push_back(rr);
            if (soa && t.records.size() > 1 && ++soas % 2 == 1 && (!t.incremental || rr == t.records.front())) {
                t.complete = true;
                return t;
            }
        }
        // RFC 1995 §2: the SOA alone says the client is current.
        if (t.records.size() == 1 && t.messages.size() == 1 && d.answer.size() == 1) {
            t.complete = t.incremental = true;
            return t;
        }
    }
    t.error = "timeout";
    return t;
}

std::vector<std::uint8_t> ixfr_query(const std::string& zone, std::uint32_t serial, std::uint16_t id) {
    dnstest::Packet q;
    q.header(id, 0, 1, 0, 1, 0).name(zone).u16(251).u16(1);
    q.name(zone).u16(6).u16(1).u32(300);
    dnstest::Packet rdata;
    rdata.name("ns1." + zone).name("hostmaster." + zone).u32(serial).u32(3600).u32(600).u32(86400).u32(300);
    q.u16(static_cast<std::uint16_t>(rdata.size())).bytes(rdata);
    return q.data();
}

namespace {
bool is_soa(const std::string& rr) { return rr.find(" IN SOA ") != std::string::npos; }
}  // namespace

std::set<std::string> without_soa(const std::vector<std::string>& records) {
    std::set<std::string> out;
    for (const auto& rr : records)
        if (!is_soa(rr)) out.insert(rr);
    return out;
}

std::size_t difference_count(const Transfer& ixfr) {
    std::size_t soas = 0;
    for (const auto& rr : ixfr.records) soas += is_soa(rr) ? 1 : 0;
    return soas >= 2 ? (soas - 2) / 2 : 0;
}

std::optional<std::set<std::string>> apply_ixfr(const std::vector<std::string>& before, const Transfer& ixfr,
                                                std::string* why) {
    if (!ixfr.complete || !ixfr.incremental) {
        *why = "not a complete incremental transfer: " + ixfr.error;
        return std::nullopt;
    }
    std::set<std::string> zone = without_soa(before);
    // After the first SOA: old SOA, deletions, new SOA, additions, ..., the first SOA again.
    bool adding = true;
    for (std::size_t i = 1; i + 1 < ixfr.records.size(); ++i) {
        const std::string& rr = ixfr.records[i];
        if (is_soa(rr)) {
            adding = !adding;
        } else if (adding) {
            zone.insert(rr);
        } else if (zone.erase(rr) != 1) {
            *why = "deletes a record the zone does not hold: " + rr;
            return std::nullopt;
        }
    }
    return zone;
}

std::optional<std::uint32_t> soa_serial(std::uint16_t port, const std::string& zone) {
    auto r = udp_exchange_at("127.0.0.1", port, dnstest::query(zone, 6), std::chrono::milliseconds(500));
    if (!r) return std::nullopt;
    auto d = dnstest::decode(*r);
    if (!d.ok || d.rcode != 0 || d.answer.size() != 1) return std::nullopt;
    // "zone. TTL IN SOA mname rname SERIAL refresh retry expire minimum"
    std::istringstream fields(d.answer.front());
    std::string f;
    for (int i = 0; i < 7 && fields >> f; ++i) {
    }
    try {
        return static_cast<std::uint32_t>(std::stoul(f));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

PeerServer::~PeerServer() {
    if (process_) process_->stop(std::chrono::seconds(5));
}

std::string PeerServer::log() const { return process_ ? process_->out() + process_->err() : std::string(); }

}  // namespace testsupport
