// SOA serial numbers: RFC 1982 serial arithmetic and zonegen's serial policy.
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

}  // namespace zonegen
