// Strict JSON well-formedness (RFC 8259) as a byte loop with an explicit stack.
#include "zonegen/inventory/inventory_syntax.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <vector>

namespace zonegen {

namespace {

// Bytes that need a closer look inside a string: the quote, the backslash, control
// characters (RFC 8259 §7) and every non-ASCII byte (UTF-8 checks).
constexpr auto kStringSpecial = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 0x20; ++c) t[c] = true;
    for (int c = 0x80; c < 0x100; ++c) t[c] = true;
    t['"'] = t['\\'] = true;
    return t;
}();

class Checker {
public:
    Checker(std::string_view text, JsonSplit* split)
        : begin_(reinterpret_cast<const std::uint8_t*>(text.data())),
          p_(begin_),
          end_(p_ + text.size()),
          split_(split) {}

    bool run() {
        if (end_ - p_ >= 3 && p_[0] == 0xEF && p_[1] == 0xBB && p_[2] == 0xBF) p_ += 3;
        std::vector<std::uint8_t> open;  // '{' or '[' of each container we are in
        while (true) {
            // A value is expected.
            skip_ws();
            if (p_ == end_) return false;
            std::uint8_t c = *p_;
            if (c == '{' || c == '[') {
                const auto at = static_cast<std::size_t>(p_ - begin_);
                ++p_;
                skip_ws();
                const std::uint8_t close = c == '{' ? '}' : ']';
                if (p_ < end_ && *p_ == close) {
                    ++p_;
                } else {
                    open.push_back(c);
                    if (c == '{' && !key()) return false;
                    // An array that is a member of the root object: its elements are counted.
                    if (c == '[' && open.size() == 2 && open[0] == '{') {
                        array_ = at;
                        index_ = 0;
                    }
                    continue;
                }
            } else if (!scalar()) {
                return false;
            }
            // A value is complete: a comma, a closing bracket or the end follows.
            while (true) {
                skip_ws();
                if (open.empty()) return p_ == end_;
                if (p_ == end_) return false;
                std::uint8_t close = open.back() == '{' ? '}' : ']';
                if (*p_ == close) {
                    ++p_;
                    if (open.size() == 2 && split_ != nullptr && split_->array == array_ && split_->count == 0)
                        split_->count = index_ + 1;
                    open.pop_back();
                    continue;
                }
                if (*p_ != ',') return false;
                ++p_;
                if (open.back() == '{' && !key()) return false;
                if (open.size() == 2 && open[0] == '{' && open[1] == '[') note_element();
                break;
            }
        }
    }

private:
    // After a comma between two elements of a root member's array.
    void note_element() {
        ++index_;
        if (split_ == nullptr || split_->from == JsonSplit::npos) return;
        const std::size_t most = split_->every == JsonSplit::npos ? 1 : JsonSplit::kMaxCuts;
        if (split_->cuts == most || (split_->cuts > 0 && split_->array != array_)) return;
        skip_ws();
        const auto at = static_cast<std::size_t>(p_ - begin_);
        if (p_ == end_ || at < split_->from + (split_->cuts == 0 ? 0 : split_->cuts * split_->every)) return;
        split_->array = array_;
        split_->element[split_->cuts] = at;
        split_->index[split_->cuts] = index_;
        ++split_->cuts;
    }

    void skip_ws() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }

    // A member's key and its colon.
    bool key() {
        skip_ws();
        if (p_ == end_ || *p_ != '"' || !string()) return false;
        skip_ws();
        if (p_ == end_ || *p_ != ':') return false;
        ++p_;
        return true;
    }

    bool scalar() {
        switch (*p_) {
            case '"': return string();
            case 't': return literal("true");
            case 'f': return literal("false");
            case 'n': return literal("null");
            default: return number();
        }
    }

    bool literal(std::string_view word) {
        if (static_cast<std::size_t>(end_ - p_) < word.size()) return false;
        for (char w : word)
            if (*p_++ != static_cast<std::uint8_t>(w)) return false;
        return true;
    }

    bool digit() const { return p_ < end_ && *p_ >= '0' && *p_ <= '9'; }

    // RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    bool number() {
        const std::uint8_t* start = p_;
        if (p_ < end_ && *p_ == '-') ++p_;
        if (!digit()) return false;
        if (*p_++ != '0')
            while (digit()) ++p_;
        bool real = false;
        if (p_ < end_ && *p_ == '.') {
            ++p_;
            if (!digit()) return false;
            while (digit()) ++p_;
            real = true;
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            ++p_;
            if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (!digit()) return false;
            while (digit()) ++p_;
            real = true;
        }
        // Parsers read reals, and integers too long for 64 bits, as doubles and reject
        // what overflows one (nlohmann/json: "number overflow").
        if (!real && p_ - start <= 19) return true;
        std::string_view token(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p_ - start));
        return !overflows_double(token);
    }

    static bool overflows_double(std::string_view token) {
        double value = 0;
        auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
        if (ec != std::errc::result_out_of_range) return false;
        // Out of range is too big or too small: the decimal exponent tells which.
        std::size_t i = token[0] == '-' ? 1 : 0;
        long long magnitude = 0;
        if (token[i] != '0') {
            while (i < token.size() && token[i] >= '0' && token[i] <= '9') ++i, ++magnitude;
        } else {
            for (i += 2; i < token.size() && token[i] == '0'; ++i) --magnitude;
            --magnitude;
        }
        std::size_t e = token.find_first_of("eE");
        if (e != std::string_view::npos) {
            bool negative = token[e + 1] == '-';
            long long exponent = 0;
            for (std::size_t k = e + 1; k < token.size(); ++k)
                if (token[k] >= '0' && token[k] <= '9')
                    exponent = std::min(exponent * 10 + (token[k] - '0'), 1LL << 40);
            magnitude += negative ? -exponent : exponent;
        }
        return magnitude > 0;
    }

    // Four hex digits after "\u"; -1 if they are not.
    long hex4() {
        if (end_ - p_ < 4) return -1;
        long v = 0;
        for (int k = 0; k < 4; ++k) {
            std::uint8_t c = *p_++;
            int h = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (h < 0) return -1;
            v = v * 16 + h;
        }
        return v;
    }

    bool escape() {
        if (p_ == end_) return false;
        switch (*p_++) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't': return true;
            case 'u': {
                long cp = hex4();
                if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) return false;  // a low surrogate alone
                if (cp < 0xD800 || cp > 0xDBFF) return true;
                // A high surrogate must be followed by an escaped low one (RFC 8259 §7).
                if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
                p_ += 2;
                long low = hex4();
                return low >= 0xDC00 && low <= 0xDFFF;
            }
            default: return false;
        }
    }

    // One UTF-8 sequence starting at a byte >= 0x80 (RFC 3629 §4: no overlong forms,
    // no surrogates, nothing above U+10FFFF).
    bool utf8() {
        std::uint8_t c = *p_++;
        std::uint8_t lo = 0x80, hi = 0xBF;
        int more;
        if (c >= 0xC2 && c <= 0xDF)
            more = 1;
        else if (c == 0xE0)
            more = 2, lo = 0xA0;
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
            more = 2;
        else if (c == 0xED)
            more = 2, hi = 0x9F;
        else if (c == 0xF0)
            more = 3, lo = 0x90;
        else if (c >= 0xF1 && c <= 0xF3)
            more = 3;
        else if (c == 0xF4)
            more = 3, hi = 0x8F;
        else
            return false;
        for (int k = 0; k < more; ++k, lo = 0x80, hi = 0xBF) {
            if (p_ == end_ || *p_ < lo || *p_ > hi) return false;
            ++p_;
        }
        return true;
    }

    // p_ is at an opening quote.
    bool string() {
        ++p_;
        while (true) {
            while (p_ < end_ && !kStringSpecial[*p_]) ++p_;
            if (p_ == end_) return false;
            std::uint8_t c = *p_;
            if (c == '"') {
                ++p_;
                return true;
            }
            if (c == '\\') {
                ++p_;
                if (!escape()) return false;
            } else if (c < 0x20 || !utf8()) {
                return false;
            }
        }
    }

    const std::uint8_t* begin_;
    const std::uint8_t* p_;
    const std::uint8_t* end_;
    JsonSplit* split_;
    std::size_t array_ = 0;  // the root member's array we are in, and the element's index
    std::size_t index_ = 0;
};

}  // namespace

bool json_well_formed(std::string_view text, JsonSplit* split) {
    const bool ok = Checker(text, split).run();
    if (!ok && split != nullptr) {
        // A cut in a text that is not JSON means nothing.
        const JsonSplit asked = *split;
        *split = JsonSplit{};
        split->from = asked.from;
        split->every = asked.every;
    }
    return ok;
}

}  // namespace zonegen
