// SOA serial numbers: RFC 1982 serial arithmetic and the serial policy that zonegen and
// dnsd both follow (one definition, so the file and the server agree on a version).
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include "zonegen/core/diagnostic.hpp"

namespace zonegen {

// RFC 1982 §3.2: a is greater than b in 32-bit serial arithmetic. Undefined pairs (exactly
// 2^31 apart) are "not greater" either way, the conservative reading.
constexpr bool serial_gt(std::uint32_t a, std::uint32_t b) {
    return a != b && static_cast<std::uint32_t>(a - b) < 0x80000000u;
}

// The next date serial YYYYMMDDnn for the UTC day of now that is greater than existing
// (RFC 1982): today's 01 if that is greater, else existing + 1.
std::uint32_t next_date_serial(std::time_t now, std::optional<std::uint32_t> existing);

// The clock the policy reads: SOURCE_DATE_EPOCH when set (reproducible builds,
// https://reproducible-builds.org/specs/source-date-epoch/), else the system clock.
// A malformed SOURCE_DATE_EPOCH is an error rather than a silent fallback.
Result<std::time_t> policy_clock();

// The serial of a new version of a zone (README "Serial"):
//  1. a fixed serial wins: the inventory's "serial", else zonegen's --serial;
//  2. else, while the new version has the records of the existing one (the zone file that
//     zonegen would replace, or the zone dnsd serves), the existing serial: nothing
//     changed, so secondaries have nothing to transfer;
//  3. else the next date serial of policy_clock() greater than the existing one.
// Whether the records are the same is the caller's to say, since each program holds the
// existing version in its own form: build the new version with first_try() (the existing
// serial in case 2), compare it with the existing version, and pass the answer to decide().
struct SerialPolicy {
    std::optional<std::uint32_t> fixed;
    std::optional<std::uint32_t> existing;

    std::uint32_t first_try() const { return fixed ? *fixed : existing.value_or(0); }
    // same: the version built with first_try() equals the existing one. Fails only when the
    // clock is needed and SOURCE_DATE_EPOCH is malformed.
    Result<std::uint32_t> decide(bool same) const;
};

}  // namespace zonegen
