// A whole number as a person types it on a command line or in a listen address: decimal
// digits only. Stricter than a stream or lexical cast, which take "-5" for an unsigned
// type and wrap it to 4294967291, and take "+5" and " 5" too.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace zonegen {

inline std::optional<std::uint32_t> parse_decimal(std::string_view text, std::uint32_t min, std::uint32_t max) {
    if (text.empty()) return std::nullopt;
    for (char c : text)
        if (c < '0' || c > '9') return std::nullopt;
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || v < min || v > max) return std::nullopt;  // errc: past 2^64
    return static_cast<std::uint32_t>(v);
}

}  // namespace zonegen
