// Inventory value rules: labels (RFC 952/1123), names (RFC 1035 §2.3.4 limits),
// addresses, suggestions and quoting for messages.
#include "zonegen/inventory/inventory_rules.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "zonegen/core/name.hpp"

namespace zonegen::inventory_rules {

namespace {

bool is_ldh_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// The whole UTF-8 sequence that starts at s[i] (one byte if it is not a lead byte).
std::string_view char_at(std::string_view s, std::size_t i) {
    auto lead = static_cast<unsigned char>(s[i]);
    std::size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return s.substr(i, n);
}

}  // namespace

std::optional<std::string> label_problem(std::string_view s) {
    if (s.empty()) return "is empty";
    for (std::size_t i = 0; i < s.size(); ++i)
        if (!is_ldh_char(s[i])) return "contains " + quote(char_at(s, i)) + "; use letters, digits and hyphens";
    if (s.size() > Name::kMaxLabel) return "is longer than 63 octets";
    if (s.front() == '-') return std::string("starts with a hyphen");
    if (s.back() == '-') return std::string("ends with a hyphen");
    return std::nullopt;
}

std::optional<std::string> hostname_problem(std::string_view text) {
    if (text.empty()) return "it is empty";
    if (text == ".") return "it is the root";
    if (text.back() == '.') text.remove_suffix(1);
    std::size_t from = 0;
    while (true) {
        std::size_t dot = text.find('.', from);
        std::string_view label = text.substr(from,
                                             dot == std::string_view::npos ? std::string_view::npos : dot - from);
        if (label.empty()) return "it has an empty label";
        if (auto why = label_problem(label)) return "label " + quote(label) + " " + *why;
        if (dot == std::string_view::npos) return std::nullopt;
        from = dot + 1;
    }
}

std::size_t hostname_wire_octets(std::string_view text, std::size_t relative_to_octets) {
    if (!text.empty() && text.back() == '.') return text.size() + 1;  // labels + root byte
    if (relative_to_octets == 0) return text.size() + 2;
    return text.size() + 1 + relative_to_octets;
}

std::optional<A> parse_ipv4(std::string_view s, bool* leading_zero) {
    if (leading_zero) *leading_zero = false;
    A out;
    std::size_t i = 0;
    for (std::size_t part = 0; part < 4; ++part) {
        if (part > 0) {
            if (i >= s.size() || s[i] != '.') return std::nullopt;
            ++i;
        }
        std::size_t start = i;
        unsigned value = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3)
            value = value * 10 + unsigned(s[i++] - '0');
        if (i == start || value > 255) return std::nullopt;
        if (s[start] == '0' && i - start > 1) {
            if (leading_zero) *leading_zero = true;
            return std::nullopt;
        }
        out.addr[part] = static_cast<std::uint8_t>(value);
    }
    if (i != s.size()) return std::nullopt;
    return out;
}

std::optional<Aaaa> parse_ipv6(std::string_view s) {
    char buf[64];
    if (s.size() >= sizeof buf || s.find('\0') != std::string_view::npos) return std::nullopt;
    std::memcpy(buf, s.data(), s.size());
    buf[s.size()] = '\0';
    Aaaa out;
    if (inet_pton(AF_INET6, buf, out.addr.data()) != 1) return std::nullopt;
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Three rows of the usual table: two back for the swap of neighbours.
    std::vector<std::size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::optional<std::string_view> closest(std::string_view word, std::span<const std::string_view> candidates,
                                        std::size_t max_distance) {
    std::optional<std::string_view> best;
    std::size_t best_distance = max_distance + 1;
    std::string lowered = to_lower(word);
    for (std::string_view c : candidates) {
        std::size_t d = edit_distance(lowered, c);
        if (d < best_distance) {
            best = c;
            best_distance = d;
        }
    }
    return best;
}

std::string quote(std::string_view s) {
    constexpr std::size_t kKeep = 60;
    std::string out = "\"";
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) != 0x80 && ++chars > kKeep) {
            out += "...";
            break;
        }
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    static const char hex[] = "0123456789abcdef";
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
    return out;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

}  // namespace zonegen::inventory_rules
