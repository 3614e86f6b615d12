// Listen addresses: parsing and presentation.
#include "dnsd/net/endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "zonegen/core/decimal.hpp"

namespace dnsd {

std::uint16_t Endpoint::port() const {
    if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
    if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    return 0;
}

void Endpoint::set_port(std::uint16_t port) {
    if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(port);
    if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(port);
}

std::string Endpoint::text() const {
    char buf[INET6_ADDRSTRLEN] = "?";
    if (family() == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr, buf, sizeof buf);
        return std::string(buf) + ':' + std::to_string(port());
    }
    if (family() == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr, buf, sizeof buf);
        return '[' + std::string(buf) + "]:" + std::to_string(port());
    }
    return "?";
}

zonegen::Result<Endpoint> parse_endpoint(std::string_view text) {
    const std::string quoted = '"' + std::string(text) + '"';
    auto fail = [&](const char* why) { return zonegen::Diagnostic{{}, quoted + ": " + why}; };

    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) return fail("missing ']' after the IPv6 address");
        host = text.substr(1, close - 1);
        if (close + 1 >= text.size() || text[close + 1] != ':') return fail("expected [ADDR]:PORT");
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return fail("expected ADDR:PORT");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) return fail("an IPv6 address goes in brackets: [ADDR]:PORT");
    }

    const auto value = zonegen::parse_decimal(port, 0, 65535);
    if (!value) return fail("the port must be a number from 0 to 65535");

    Endpoint ep;
    const std::string h(host);
    if (text.front() == '[') {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ep.addr);
        if (inet_pton(AF_INET6, h.c_str(), &sin6->sin6_addr) != 1) return fail("not an IPv6 address");
        sin6->sin6_family = AF_INET6;
        ep.len = sizeof(sockaddr_in6);
    } else {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ep.addr);
        if (inet_pton(AF_INET, h.c_str(), &sin->sin_addr) != 1) return fail("not an IPv4 address");
        sin->sin_family = AF_INET;
        ep.len = sizeof(sockaddr_in);
    }
    ep.set_port(static_cast<std::uint16_t>(*value));
    return ep;
}

Endpoint endpoint_of(const sockaddr* sa, socklen_t len) {
    Endpoint ep;
    if (len > 0 && static_cast<std::size_t>(len) <= sizeof ep.addr) {
        std::memcpy(&ep.addr, sa, len);
        ep.len = len;
    }
    return ep;
}

}  // namespace dnsd
