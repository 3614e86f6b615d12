// The --allow-transfer rules: parsing (address ranges, key names) and matching.
#include "dnsd/primary/acl.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "zonegen/core/decimal.hpp"
#include "zonegen/core/name.hpp"

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

namespace {

// A peer's address as the rules see it: IPv4 (mapped IPv4 included) and/or IPv6 octets.
struct PeerAddress {
    std::uint8_t v4[4] = {};
    bool is_v4 = false;
    const std::uint8_t* v6 = nullptr;
};

std::optional<PeerAddress> address_of(const Endpoint& peer) {
    PeerAddress a;
    if (peer.family() == AF_INET) {
        std::memcpy(a.v4, &reinterpret_cast<const sockaddr_in*>(&peer.addr)->sin_addr, 4);
        a.is_v4 = true;
    } else if (peer.family() == AF_INET6) {
        const auto* in6 = &reinterpret_cast<const sockaddr_in6*>(&peer.addr)->sin6_addr;
        a.v6 = in6->s6_addr;
        if (IN6_IS_ADDR_V4MAPPED(in6)) {
            std::memcpy(a.v4, a.v6 + 12, 4);
            a.is_v4 = true;
        }
    } else {
        return std::nullopt;
    }
    return a;
}

bool in_range(const TransferRule& rule, const PeerAddress& a) {
    if (!rule.range) return true;
    const AddressRange& r = *rule.range;
    if (!r.v6) return a.is_v4 && prefix_matches(r.addr.data(), a.v4, r.prefix);
    return a.v6 && prefix_matches(r.addr.data(), a.v6, r.prefix);
}

zonegen::Result<std::string> key_name(std::string_view text, const std::string& quoted) {
    std::string why;
    auto name = zonegen::Name::parse(text, &why);
    if (text.empty() || !name || name->is_root())
        return zonegen::Diagnostic{
            {}, quoted + ": \"" + std::string(text) + "\" is not a key name" + (why.empty() ? "" : ": " + why)};
    return name->text();
}

}  // namespace

std::string TransferRule::text() const {
    if (!range) return "key " + key;
    return range->text() + (key.empty() ? "" : " with key " + key);
}

zonegen::Result<TransferRule> parse_transfer_rule(std::string_view text) {
    const std::string quoted = '"' + std::string(text) + '"';
    auto fail = [&](const std::string& why) { return zonegen::Diagnostic{{}, quoted + ": " + why}; };
    TransferRule rule;
    auto with_key = [&](std::string_view address, std::string_view key) -> zonegen::Result<TransferRule> {
        auto r = parse_address_range(address);
        if (!r) return address.size() == text.size() ? r.errors().front() : fail(r.errors().front().message);
        rule.range = r.value();
        if (key.data() != nullptr) {
            auto name = key_name(key, quoted);
            if (!name) return name.errors().front();
            rule.key = name.value();
        }
        return rule;
    };
    if (!text.empty() && text.front() == '[') {
        // [ADDR] or [ADDR]/LEN, then optionally :KEYNAME. Brackets are for IPv6, where the
        // address's own colons would otherwise make the key's ':' ambiguous.
        const auto close = text.find(']');
        if (close == std::string_view::npos) return fail("no ']' after the bracketed address");
        std::string address(text.substr(1, close - 1));
        if (address.find(':') == std::string::npos) return fail("brackets are for IPv6 addresses");
        std::string_view rest = text.substr(close + 1);
        const auto colon = rest.find(':');
        address += rest.substr(0, colon);  // the /LEN, if any
        if (colon == std::string_view::npos) return with_key(address, {});
        return with_key(address, rest.substr(colon + 1));
    }
    if (parse_address_range(text)) return with_key(text, {});
    if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
        const std::string_view address = text.substr(0, colon);
        if (address.find(':') != std::string_view::npos)
            return fail(parse_address_range(address)
                            ? "to name a key for an IPv6 range, put the address in brackets: [ADDR]/LEN:KEYNAME"
                            : "not an address, ADDR[/LEN]:KEYNAME or [IPV6][/LEN]:KEYNAME");
        return with_key(address, text.substr(colon + 1));
    }
    // A '/' or nothing but digits and dots means an address was meant: say what is wrong with it.
    if (text.empty() || text.find('/') != std::string_view::npos ||
        text.find_first_not_of("0123456789.") == std::string_view::npos)
        return with_key(text, {});
    auto name = key_name(text, quoted);
    if (!name) return name.errors().front();
    rule.key = name.value();
    return rule;
}

TransferAcl::TransferAcl(std::vector<AddressRange> ranges) {
    for (AddressRange& r : ranges) rules_.push_back({r, {}});
}

bool TransferAcl::covers(const Endpoint& peer) const {
    auto a = address_of(peer);
    if (!a) return false;
    for (const TransferRule& rule : rules_)
        if (in_range(rule, *a)) return true;
    return false;
}

bool TransferAcl::allows(const Endpoint& peer, const std::string* key) const {
    auto a = address_of(peer);
    if (!a) return false;
    for (const TransferRule& rule : rules_) {
        if (!in_range(rule, *a)) continue;
        if (rule.key.empty() ? (key || !signature_required_) : (key && *key == rule.key)) return true;
    }
    return false;
}

const std::string* TransferAcl::key_for(const Endpoint& target) const {
    auto a = address_of(target);
    if (!a) return nullptr;
    for (const TransferRule& rule : rules_)
        if (!rule.key.empty() && in_range(rule, *a)) return &rule.key;
    return nullptr;
}

}  // namespace dnsd
