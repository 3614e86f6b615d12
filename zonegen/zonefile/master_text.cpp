// Master-file text helpers (see master_text.hpp).
#include "zonegen/zonefile/master_text.hpp"

#include <algorithm>
#include <string_view>

#include "zonegen/core/name.hpp"

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

namespace {

bool ends_token(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(' || c == ')';
}

}  // namespace

bool Scanner::next(Entry& e) {
    const std::size_t n = text_.size();
    e.tokens.clear();
    e.error = nullptr;
    // Blank lines and lines holding only a comment belong to no entry.
    std::size_t i = pos_, start = pos_;
    for (;;) {
        start = i;
        while (i < n && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\r')) ++i;
        if (i < n && text_[i] == ';')
            while (i < n && text_[i] != '\n') ++i;
        if (i >= n) {
            pos_ = n;
            return false;
        }
        if (text_[i] != '\n') break;
        ++i;
        ++line_;
    }
    e.line = line_;
    e.blank_owner = i > start;
    const std::size_t eol = text_.find('\n', start);
    e.text = text_.substr(start, (eol == std::string_view::npos ? n : eol) - start);

    int depth = 0;
    while (i < n) {
        const char c = text_[i];
        if (c == '\n') {
            ++line_;
            ++i;
            if (depth == 0) break;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            ++i;
        } else if (c == ';') {
            while (i < n && text_[i] != '\n') ++i;
        } else if (c == '(') {
            ++depth;
            ++i;
        } else if (c == ')') {
            if (depth == 0 && !e.error) e.error = "\")\" without \"(\"";
            depth = depth > 0 ? depth - 1 : 0;
            ++i;
        } else if (c == '"') {
            const std::size_t from = ++i;
            while (i < n && text_[i] != '"') {
                if (text_[i] == '\\' && i + 1 < n) ++i;
                if (text_[i] == '\n') ++line_;
                ++i;
            }
            if (i >= n) {
                if (!e.error) e.error = "a quoted string without its closing '\"'";
                e.tokens.push_back({text_.substr(from), true});
                break;
            }
            e.tokens.push_back({text_.substr(from, i - from), true});
            ++i;
        } else {
            const std::size_t from = i;
            while (i < n && !ends_token(text_[i])) {
                if (text_[i] == '\\' && i + 1 < n) {
                    ++i;
                    if (text_[i] == '\n') ++line_;
                }
                ++i;
            }
            e.tokens.push_back({text_.substr(from, i - from), false});
        }
    }
    if (depth > 0 && !e.error) e.error = "\"(\" without \")\"";
    pos_ = i;
    return true;
}

}  // namespace zonegen::master_text
