// Fuzz target: dnsd::respond() on arbitrary bytes as the query, over UDP and TCP with
// several buffer sizes. respond() sits on the packet path and sees whatever the network
// sends, so besides ASan/UBSan finding no fault, every response it does write must be:
//   - a message ldns can decode (ldns_wire2pkt == LDNS_STATUS_OK) with QR set;
//   - within the limit it was given: out.size(), 1232 over UDP (RFC 6891 §6.2.5, flag day
//     2020) or 512 over UDP when the response carries no OPT (RFC 1035 §4.2.1), and no
//     byte written past that limit;
//   - addressed to the query: same ID (RFC 1035 §4.1.1).
// A violated property aborts, which libFuzzer records as a crash.
#include <arpa/inet.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/answer/respond.hpp"
#include "zonegen/core/ldns.hpp"
#include "zonegen/core/name.hpp"
#include "zonegen/core/zone.hpp"

namespace {

using zonegen::Name;

Name N(const char* s) {
    auto n = Name::parse(s);
    if (!n) std::abort();
    return *n;
}

zonegen::A v4(const char* text) {
    zonegen::A a;
    if (inet_pton(AF_INET, text, a.addr.data()) != 1) std::abort();
    return a;
}

zonegen::Aaaa v6(const char* text) {
    zonegen::Aaaa a;
    if (inet_pton(AF_INET6, text, a.addr.data()) != 1) std::abort();
    return a;
}

zonegen::Zone finish(zonegen::ZoneBuilder&& b) {
    auto z = std::move(b).finish();
    if (!z.ok()) std::abort();
    return std::move(z).value();
}

// Every answer shape respond() can produce: MX with in-zone, cross-zone and out-of-zone
// targets (additional section), an empty non-terminal (cambridge), a wildcard, a
// delegation with glue, a TXT answer over 512 octets and an MX answer whose additional
// section alone is over 512; a second zone, and a zone nested inside the first.
std::vector<zonegen::Zone> zones() {
    zonegen::ZoneBuilder b(N("smarthost.local"));
    auto at = [&](const char* owner, std::uint32_t ttl, zonegen::Rdata rd) { b.add(N(owner), ttl, std::move(rd)); };
    at("smarthost.local", 3600,
       zonegen::Soa{N("ns1.smarthost.local"), N("hostmaster.smarthost.local"), 2026112301, 3600, 600, 1209600, 300});
    at("smarthost.local", 3600, zonegen::Ns{N("ns1.smarthost.local")});
    at("smarthost.local", 3600, zonegen::Ns{N("ns2.example.net")});
    at("ns1.smarthost.local", 300, v4("192.0.2.53"));
    at("ns1.smarthost.local", 300, v6("2001:db8::53"));
    at("oxford.smarthost.local", 300, zonegen::Mx{10, N("mail.oxford.smarthost.local")});
    at("oxford.smarthost.local", 300, zonegen::Mx{20, N("mail.cambridge.smarthost.local")});
    at("oxford.smarthost.local", 300, zonegen::Mx{30, N("mx.other.test")});
    at("oxford.smarthost.local", 300, zonegen::Mx{40, N("mx.example.net")});
    at("mail.oxford.smarthost.local", 300, v4("192.0.2.25"));
    at("mail.oxford.smarthost.local", 300, v6("2001:db8::25"));
    at("mail.cambridge.smarthost.local", 300, v4("198.51.100.25"));
    at("txt.smarthost.local", 300, zonegen::Txt{{"hello world"}});
    at("*.wild.smarthost.local", 300, zonegen::Mx{10, N("mail.oxford.smarthost.local")});
    at("*.wild.smarthost.local", 300, v4("192.0.2.99"));
    at("sub.smarthost.local", 3600, zonegen::Ns{N("ns.sub.smarthost.local")});
    at("sub.smarthost.local", 3600, zonegen::Ns{N("ns.example.net")});
    at("ns.sub.smarthost.local", 3600, v4("192.0.2.77"));
    for (int i = 0; i < 6; ++i)
        at("big.smarthost.local", 300, zonegen::Txt{{std::string(100, static_cast<char>('a' + i))}});
    at("fat.smarthost.local", 300, zonegen::Mx{10, N("h1.fat.smarthost.local")});
    at("fat.smarthost.local", 300, zonegen::Mx{10, N("h2.fat.smarthost.local")});
    for (int i = 1; i <= 8; ++i) {
        at("h1.fat.smarthost.local", 300, v6(("2001:db8::" + std::to_string(i)).c_str()));
        at("h2.fat.smarthost.local", 300, v6(("2001:db8:1::" + std::to_string(i)).c_str()));
    }

    zonegen::ZoneBuilder o(N("other.test"));
    o.add(N("other.test"), 60, zonegen::Soa{N("ns.other.test"), N("admin.other.test"), 7, 3600, 600, 86400, 900});
    o.add(N("other.test"), 60, zonegen::Ns{N("ns.other.test")});
    o.add(N("mx.other.test"), 60, v4("203.0.113.25"));

    zonegen::ZoneBuilder in(N("inner.smarthost.local"));
    in.add(N("inner.smarthost.local"), 60,
           zonegen::Soa{N("ns1.smarthost.local"), N("hostmaster.smarthost.local"), 1, 3600, 600, 86400, 60});
    in.add(N("inner.smarthost.local"), 60, zonegen::Ns{N("ns1.smarthost.local")});
    in.add(N("inner.smarthost.local"), 60, zonegen::Mx{0, N("inner.smarthost.local")});
    in.add(N("inner.smarthost.local"), 60, v4("192.0.2.1"));

    std::vector<zonegen::Zone> out;
    out.push_back(finish(std::move(b)));
    out.push_back(finish(std::move(o)));
    out.push_back(finish(std::move(in)));
    return out;
}

const dnsd::AnswerTable& table() {
    static const std::shared_ptr<const dnsd::AnswerTable> t = [] {
        auto r = dnsd::AnswerTable::compile(zones());
        if (!r.ok()) std::abort();
        return r.value();
    }();
    return *t;
}

constexpr std::uint8_t kUntouched = 0xA5;
constexpr std::size_t kUdpLimit = 1232;

// Asks once, offering respond() the first `offered` bytes of buf, and checks the response
// against limit; buf past the limit must still hold kUntouched.
void ask(std::span<const std::uint8_t> query, std::span<std::uint8_t> buf, std::size_t offered,
         dnsd::Transport transport, std::size_t limit) {
    std::memset(buf.data(), kUntouched, buf.size());
    const std::size_t n = dnsd::respond(table(), query, buf.first(offered), transport);
    for (std::size_t i = limit; i < buf.size(); ++i)
        if (buf[i] != kUntouched) std::abort();
    if (n == 0) return;
    if (n > limit) std::abort();
    if (query.size() < 2 || buf[0] != query[0] || buf[1] != query[1]) std::abort();

    ldns_pkt* raw = nullptr;
    const ldns_status st = ldns_wire2pkt(&raw, buf.data(), n);
    const zonegen::ldns::Pkt pkt(raw);
    if (st != LDNS_STATUS_OK) std::abort();
    if (!ldns_pkt_qr(raw)) std::abort();
    // Without an OPT in the response the client gets the classic limit: the server has not
    // seen a payload size it could trust.
    if (transport == dnsd::Transport::Udp && ldns_pkt_edns_udp_size(raw) == 0 && n > 512) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> query(data, size);
    // One buffer for every call; past the offered size it shows any stray write.
    static std::array<std::uint8_t, 4096> buf;
    ask(query, buf, 2048, dnsd::Transport::Udp, kUdpLimit);
    ask(query, buf, 512, dnsd::Transport::Udp, 512);
    // TCP: the offered buffer is the limit; a size taken from the input (512..2552) puts
    // the bigger answers on both sides of it.
    const std::size_t tcp_size = 512 + (size > 0 ? std::size_t{data[size - 1]} * 8 : 0);
    ask(query, buf, tcp_size, dnsd::Transport::Tcp, tcp_size);
    return 0;
}
