// The value rules of the inventory (schema version 1) that do not depend on where a value
// sits: host name labels, addresses, "did you mean" suggestions, and how user values are
// quoted in messages. Pure functions, so the validator and its tests share one truth.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "zonegen/core/zone.hpp"

namespace zonegen::inventory_rules {

// Why s is not a host name label (RFC 952, RFC 1123 §2.1: letters, digits and inner
// hyphens, 1 to 63 octets), phrased to follow "it" or a label: "is empty",
// "starts or ends with a hyphen", ...; nullopt if s is such a label.
std::optional<std::string> label_problem(std::string_view s);

// Why text is not a host name made of such labels, with an optional trailing dot
// (absolute); nullopt if it is one. The root ("" or ".") is not a host name.
std::optional<std::string> hostname_problem(std::string_view text);

// Octets of the wire form of a checked host name text; relative_to_octets > 0 appends
// a zone of that wire length (RFC 1035 §3.1: one length byte per label, then the root).
std::size_t hostname_wire_octets(std::string_view text, std::size_t relative_to_octets);

// IPv4 strictly as a dotted quad of decimal numbers 0-255 without leading zeros, the
// only form that means the same to every resolver library (inet_aton would also take
// "10.1", "0x0a.0.0.1" and octal "010.0.0.1"). *leading_zero tells why "010..." failed.
std::optional<A> parse_ipv4(std::string_view s, bool* leading_zero = nullptr);
// IPv6 in any text form of RFC 4291 §2.2 (as inet_pton reads it).
std::optional<Aaaa> parse_ipv6(std::string_view s);

// Optimal string alignment distance: edits are insert, delete, substitute and swapping
// two neighbours, so "sitse" is one edit from "sites".
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to word within max_distance edits (the first on a tie).
std::optional<std::string_view> closest(std::string_view word, std::span<const std::string_view> candidates,
                                        std::size_t max_distance = 2);

// A user value for a message: in double quotes with JSON escapes, shortened to about 60
// characters ("...") so one bad value cannot bury the message.
std::string quote(std::string_view s);

std::string to_lower(std::string_view s);  // ASCII only, locale independent
bool iequals(std::string_view a, std::string_view b);

}  // namespace zonegen::inventory_rules
