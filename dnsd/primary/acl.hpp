// Who may transfer a zone: the --allow-transfer rules, each an address range (ADDR or
// ADDR/LEN, IPv4 or IPv6), a TSIG key name, or both. Nobody is allowed by default (RFC 5936
// §5: a primary should restrict transfers).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
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

// One --allow-transfer rule. A secondary matches it when its address is in range (any
// address without one) and its request is signed with key (see TransferAcl for a rule
// without a key).
struct TransferRule {
    std::optional<AddressRange> range;
    std::string key;  // the key's name, lower-cased, with the trailing dot; empty: none named

    std::string text() const;  // "192.0.2.0/24", "192.0.2.0/24 with key xfr-key.", "key xfr-key."
};

// The forms of --allow-transfer, unambiguous for IPv6 (whose address has colons itself):
//   ADDR[/LEN]                 192.0.2.1  198.51.100.0/24  2001:db8::/32
//   ADDR[/LEN]:KEYNAME         192.0.2.1:xfr-key  (IPv4 only: the key follows the last ':')
//   [ADDR][/LEN]:KEYNAME       [2001:db8::1]:xfr-key  [2001:db8::]/32:xfr-key  ([::1] alone too)
//   KEYNAME                    xfr-key  (any address, signed with that key)
// Whether KEYNAME names a --tsig-key is for the caller to check.
zonegen::Result<TransferRule> parse_transfer_rule(std::string_view text);

class TransferAcl {
public:
    TransferAcl() = default;  // allows nobody
    // signature_required: a rule that names no key needs a request signed with any of the
    // configured keys (with one --tsig-key, with that key: dnsd's rule before rules could
    // name keys), else an unsigned request from its range is enough.
    TransferAcl(std::vector<TransferRule> rules, bool signature_required)
        : rules_(std::move(rules)), signature_required_(signature_required) {}
    explicit TransferAcl(std::vector<AddressRange> ranges);  // address rules, no keys

    // Some rule might admit peer: its address is in a rule's range, or a rule has no range.
    // An IPv4 client reaching an IPv6 socket (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) is
    // matched as the IPv4 address it is.
    bool covers(const Endpoint& peer) const;
    // Whether peer may transfer with a request validly signed with key (its name as in
    // TransferRule::key), or unsigned (nullptr).
    bool allows(const Endpoint& peer, const std::string* key = nullptr) const;
    // The key of the first rule that names one and whose range holds target's address (a
    // key-only rule holds every address): NOTIFY to target is signed with it. nullptr if none.
    const std::string* key_for(const Endpoint& target) const;

    bool empty() const { return rules_.empty(); }
    const std::vector<TransferRule>& rules() const { return rules_; }

private:
    std::vector<TransferRule> rules_;
    bool signature_required_ = false;
};

}  // namespace dnsd
