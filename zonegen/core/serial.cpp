// RFC 1982 arithmetic and the serial policy (see serial.hpp).
#include "zonegen/core/serial.hpp"

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace zonegen {

std::uint32_t next_date_serial(std::time_t now, std::optional<std::uint32_t> existing) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    const auto date = static_cast<std::uint32_t>((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
    const std::uint32_t today = date * 100 + 1;
    if (!existing || serial_gt(today, *existing)) return today;
    return *existing + 1;  // wraps modulo 2^32, which RFC 1982 still counts as greater
}

Result<std::time_t> policy_clock() {
    const char* s = std::getenv("SOURCE_DATE_EPOCH");
    if (s == nullptr) return std::time(nullptr);
    long long v = 0;
    const char* end = s + std::strlen(s);
    auto r = std::from_chars(s, end, v);
    if (*s == '\0' || r.ec != std::errc() || r.ptr != end || v < 0)
        return Diagnostic{{}, std::string("SOURCE_DATE_EPOCH=\"") + s + "\" is not a number of seconds since 1970"};
    return static_cast<std::time_t>(v);
}

Result<std::uint32_t> SerialPolicy::decide(bool same) const {
    if (fixed) return *fixed;
    if (same && existing) return *existing;
    auto now = policy_clock();
    if (!now) return now.errors();
    return next_date_serial(now.value(), existing);
}

}  // namespace zonegen
