// Address ranges for --allow-transfer: parsing and matching.
#include "dnsd/primary/acl.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "zonegen/core/decimal.hpp"

namespace dnsd {

namespace {

bool prefix_matches(const std::uint8_t* a, const std::uint8_t* b, unsigned bits) {
    unsigned whole = bits / 8;
    if (std::memcmp(a, b, whole) != 0) return false;
    unsigned rest = bits % 8;
    if (rest == 0) return true;
    auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

std::string AddressRange::text() const {
    char buf[INET6_ADDRSTRLEN] = "?";
    inet_ntop(v6 ? AF_INET6 : AF_INET, addr.data(), buf, sizeof buf);
    return std::string(buf) + '/' + std::to_string(prefix);
}

zonegen::Result<AddressRange> parse_address_range(std::string_view text) {
    const std::string quoted = '"' + std::string(text) + '"';
    auto fail = [&](const std::string& why) { return zonegen::Diagnostic{{}, quoted + ": " + why}; };
    AddressRange r;
    const auto slash = text.find('/');
    const std::string host(text.substr(0, slash));
    if (inet_pton(AF_INET, host.c_str(), r.addr.data()) == 1) {
        r.v6 = false;
    } else if (inet_pton(AF_INET6, host.c_str(), r.addr.data()) == 1) {
        r.v6 = true;
    } else {
        return fail("not an IPv4 or IPv6 address");
    }
    const unsigned max = r.v6 ? 128 : 32;
    r.prefix = max;
    if (slash != std::string_view::npos) {
        std::string_view len = text.substr(slash + 1);
        const auto v = zonegen::parse_decimal(len, 0, max);
        if (!v) return fail("the prefix length must be a number from 0 to " + std::to_string(max));
        r.prefix = *v;
    }
    // Bits below the prefix must be zero: "10.0.0.1/8" is more likely a mistake than a wish.
    std::array<std::uint8_t, 16> masked{};
    for (unsigned bit = 0; bit < r.prefix; ++bit) masked[bit / 8] |= r.addr[bit / 8] & (0x80 >> (bit % 8));
    if (masked != r.addr) return fail("host bits are set below the /" + std::to_string(r.prefix) + " prefix");
    return r;
}

bool TransferAcl::allows(const Endpoint& peer) const {
    std::uint8_t v4[4];
    const std::uint8_t* v6 = nullptr;
    bool is_v4 = false;
    if (peer.family() == AF_INET) {
        std::memcpy(v4, &reinterpret_cast<const sockaddr_in*>(&peer.addr)->sin_addr, 4);
        is_v4 = true;
    } else if (peer.family() == AF_INET6) {
        const auto* a = &reinterpret_cast<const sockaddr_in6*>(&peer.addr)->sin6_addr;
        v6 = a->s6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a)) {
            std::memcpy(v4, v6 + 12, 4);
            is_v4 = true;
        }
    } else {
        return false;
    }
    for (const AddressRange& r : ranges_) {
        if (!r.v6 && is_v4 && prefix_matches(r.addr.data(), v4, r.prefix)) return true;
        if (r.v6 && v6 && prefix_matches(r.addr.data(), v6, r.prefix)) return true;
    }
    return false;
}

}  // namespace dnsd
