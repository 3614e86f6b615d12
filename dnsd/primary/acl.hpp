// Who may transfer a zone: the --allow-transfer address ranges (ADDR or ADDR/LEN, IPv4 or
// IPv6). Nobody is allowed by default (RFC 5936 §5: a primary should restrict transfers).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dnsd/net/endpoint.hpp"
#include "zonegen/core/diagnostic.hpp"

namespace dnsd {

struct AddressRange {
    bool v6 = false;
    std::array<std::uint8_t, 16> addr{};  // IPv4 uses the first 4 octets
    unsigned prefix = 0;                  // leading bits that must match

    // "192.0.2.0/24", "2001:db8::1/128"
    std::string text() const;
};

// "ADDR" (a single host) or "ADDR/LEN"; host bits under the mask must be zero, so a typo
// like 10.0.0.1/8 is caught rather than silently widened.
zonegen::Result<AddressRange> parse_address_range(std::string_view text);

class TransferAcl {
public:
    TransferAcl() = default;  // allows nobody
    explicit TransferAcl(std::vector<AddressRange> ranges) : ranges_(std::move(ranges)) {}

    // An IPv4 client reaching an IPv6 socket (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) is
    // matched as the IPv4 address it is.
    bool allows(const Endpoint& peer) const;
    bool empty() const { return ranges_.empty(); }
    const std::vector<AddressRange>& ranges() const { return ranges_; }

private:
    std::vector<AddressRange> ranges_;
};

}  // namespace dnsd
