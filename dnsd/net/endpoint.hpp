// A listen address as the command line spells it ("127.0.0.1:5353", "[::1]:5353") and as
// the socket API wants it. Parsing lives apart from the sockets so it is tested alone.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "zonegen/core/diagnostic.hpp"

namespace dnsd {

struct Endpoint {
    sockaddr_storage addr{};
    socklen_t len = 0;

    int family() const { return addr.ss_family; }
    std::uint16_t port() const;
    void set_port(std::uint16_t port);
    const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&addr); }
    sockaddr* sa() { return reinterpret_cast<sockaddr*>(&addr); }
    // "127.0.0.1:5353" or "[::1]:5353": the form parse_endpoint() accepts.
    std::string text() const;
};

// IPv4 as ADDR:PORT, IPv6 in brackets as [ADDR]:PORT (RFC 3986 §3.2.2); the port is
// required and 0 asks the kernel for a free one. Host names are not resolved: dnsd never
// depends on a resolver to start.
zonegen::Result<Endpoint> parse_endpoint(std::string_view text);

// The endpoint of a socket address received from the kernel (IPv4 or IPv6).
Endpoint endpoint_of(const sockaddr* sa, socklen_t len);

}  // namespace dnsd
