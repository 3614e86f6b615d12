// Master-file text helpers (see master_text.hpp).
#include "zonegen/master_text.hpp"

#include <algorithm>

#include "zonegen/name.hpp"

namespace zonegen::master_text {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::optional<std::uint32_t> parse_period(std::string_view s, std::uint64_t max) {
    if (s.empty() || !is_digit(s.front())) return std::nullopt;
    std::uint64_t total = 0, run = 0;
    bool digits = false;
    for (char c : s) {
        if (is_digit(c)) {
            run = run * 10 + static_cast<unsigned>(c - '0');
            if (run > max) return std::nullopt;
            digits = true;
            continue;
        }
        std::uint64_t unit = 0;
        switch (ascii_lower(c)) {
            case 's': unit = 1; break;
            case 'm': unit = 60; break;
            case 'h': unit = 3600; break;
            case 'd': unit = 86400; break;
            case 'w': unit = 604800; break;
            default: return std::nullopt;
        }
        if (!digits) return std::nullopt;
        total += run * unit;
        run = 0;
        digits = false;
        if (total > max) return std::nullopt;
    }
    total += run;
    if (total > max) return std::nullopt;
    return static_cast<std::uint32_t>(total);
}

std::optional<std::uint32_t> parse_number(std::string_view s, std::uint64_t max) {
    return std::all_of(s.begin(), s.end(), is_digit) ? parse_period(s, max) : std::nullopt;
}

bool is_absolute(std::string_view s) {
    if (s.empty() || s.back() != '.') return false;
    std::size_t slashes = 0;
    for (std::size_t i = s.size() - 1; i > 0 && s[i - 1] == '\\'; --i) ++slashes;
    return slashes % 2 == 0;
}

void split_tokens(std::string_view rec, std::vector<std::string_view>& out) {
    out.clear();
    const std::size_t n = rec.size();
    std::size_t i = 0;
    while (i < n) {
        char c = rec[i];
        if (is_space(c) || c == '(' || c == ')') {
            ++i;
            continue;
        }
        if (c == ';') {
            while (i < n && rec[i] != '\n') ++i;
            continue;
        }
        const std::size_t start = i;
        if (c == '"') {
            for (++i; i < n && rec[i] != '"'; ++i)
                if (rec[i] == '\\') ++i;
            ++i;
        } else {
            for (; i < n && !is_space(rec[i]) && rec[i] != '(' && rec[i] != ')' && rec[i] != ';'; ++i)
                if (rec[i] == '\\') ++i;
        }
        i = std::min(i, n);
        out.push_back(rec.substr(start, i - start));
    }
}

}  // namespace zonegen::master_text
