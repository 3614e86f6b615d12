// A small scanner over raw JSON text (RFC 8259) that knows where values and keys start.
// It never builds values: strings and scalars are skipped by their extent, and
// only keys are decoded, when a pointer or a duplicate check needs their text.
#include "zonegen/inventory/json_locate.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <unordered_map>
#include <utility>

namespace zonegen {

namespace {

constexpr std::size_t npos = ValueOffsets::npos;

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_ws(std::string_view t, std::size_t i) {
    while (i < t.size() && is_ws(t[i])) ++i;
    return i;
}

// Where the document starts: after a UTF-8 byte order mark, which parsers skip.
std::size_t text_start(std::string_view t) { return t.starts_with("\xEF\xBB\xBF") ? 3 : 0; }

// Byte classes for the skipping loops, which spend their time in tight loops over
// bytes that matter to nobody.
constexpr std::array<bool, 256> byte_class(std::string_view members) {
    std::array<bool, 256> table{};
    for (char c : members) table[static_cast<unsigned char>(c)] = true;
    return table;
}
constexpr auto kStringStop = byte_class("\"\\");
constexpr auto kNesting = byte_class("\"{}[],");

// i is at an opening quote; returns the index just past the closing quote.
std::size_t skip_string(std::string_view t, std::size_t i) {
    std::size_t j = i + 1;
    while (j < t.size()) {
        while (j < t.size() && !kStringStop[static_cast<unsigned char>(t[j])]) ++j;
        if (j >= t.size()) break;
        if (t[j] == '"') return j + 1;
        j += 2;  // a backslash and the byte it escapes
    }
    return t.size();
}

bool is_scalar_start(char c) { return c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n'; }

std::size_t skip_scalar(std::string_view t, std::size_t i) {
    while (i < t.size() && !is_ws(t[i]) && t[i] != ',' && t[i] != ']' && t[i] != '}') ++i;
    return i;
}

// i is just inside a container: returns the index just past its closing bracket, and
// counts the commas at its own level into *commas.
std::size_t skip_contents(std::string_view t, std::size_t i, std::size_t* commas) {
    std::size_t depth = 0;
    while (i < t.size()) {
        while (i < t.size() && !kNesting[static_cast<unsigned char>(t[i])]) ++i;
        if (i >= t.size()) break;
        switch (t[i]) {
            case '"': i = skip_string(t, i); continue;
            case '{':
            case '[': ++depth; break;
            case ',':
                if (depth == 0 && commas != nullptr) ++*commas;
                break;
            default:
                if (depth == 0) return i + 1;
                --depth;
        }
        ++i;
    }
    return t.size();
}

// i is at the first byte of a value; returns the index just past it.
std::size_t skip_value(std::string_view t, std::size_t i) {
    if (t[i] == '"') return skip_string(t, i);
    if (t[i] != '{' && t[i] != '[') return skip_scalar(t, i);
    return skip_contents(t, i + 1, nullptr);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Four hex digits at t[i..i+4), or -1.
long read_hex4(std::string_view t, std::size_t i) {
    if (i + 4 > t.size()) return -1;
    long v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
        int h = hex_value(t[i + k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// The text of the string whose opening quote is at i (RFC 8259 §7 escapes, surrogate
// pairs joined; a lone surrogate, which a parser would have rejected, becomes U+FFFD).
std::string decode_string(std::string_view t, std::size_t i) {
    std::size_t end = skip_string(t, i);
    std::size_t stop = end > i + 1 && end <= t.size() && t[end - 1] == '"' ? end - 1 : end;
    std::string out;
    for (std::size_t k = i + 1; k < stop; ++k) {
        char c = t[k];
        if (c != '\\' || k + 1 >= stop) {
            out += c;
            continue;
        }
        char e = t[++k];
        switch (e) {
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                long cp = read_hex4(t, k + 1);
                if (cp < 0) {
                    out += e;
                    break;
                }
                k += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF && k + 6 < stop && t[k + 1] == '\\' && t[k + 2] == 'u') {
                    long lo = read_hex4(t, k + 3);
                    if (lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        k += 6;
                    }
                }
                if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
                append_utf8(out, static_cast<unsigned long>(cp));
                break;
            }
            default: out += e;  // \" \\ \/
        }
    }
    return out;
}

// Walks every value in document order, calling v.value(key_offset, value_offset, first
// byte) before a value's contents and v.end() after a container's. Iterative, so depth
// costs heap, not stack.
template <class Visitor>
void walk(std::string_view t, Visitor& v) {
    std::vector<char> open;  // '{' or '[' for each container we are inside
    std::size_t i = skip_ws(t, text_start(t));
    std::size_t key = npos;
    auto read_key = [&]() -> bool {
        i = skip_ws(t, i);
        if (i >= t.size() || t[i] != '"') return false;
        key = i;
        i = skip_ws(t, skip_string(t, i));
        if (i >= t.size() || t[i] != ':') return false;
        ++i;
        return true;
    };
    while (true) {
        i = skip_ws(t, i);
        if (i >= t.size()) return;
        char c = t[i];
        v.value(key, i, c);
        bool closed = true;  // the value is complete: look for ',' or a closing bracket
        if (c == '{' || c == '[') {
            open.push_back(c);
            i = skip_ws(t, i + 1);
            if (i < t.size() && t[i] == (c == '{' ? '}' : ']')) {
                ++i;
                open.pop_back();
                v.end();
            } else {
                closed = false;
                key = npos;
                if (c == '{' && !read_key()) return;
            }
        } else if (c == '"') {
            i = skip_string(t, i);
        } else if (is_scalar_start(c)) {
            i = skip_scalar(t, i);
        } else {
            return;
        }
        while (closed) {
            if (open.empty()) return;
            i = skip_ws(t, i);
            if (i >= t.size()) return;
            char close = open.back() == '{' ? '}' : ']';
            if (t[i] == close) {
                ++i;
                open.pop_back();
                v.end();
                continue;
            }
            if (t[i] != ',') return;
            ++i;
            key = npos;
            if (open.back() == '{' && !read_key()) return;
            closed = false;
        }
    }
}

struct DuplicateVisitor {
    // Objects are small, so seen keys are compared linearly until there are many.
    static constexpr std::size_t kLinear = 16;
    struct Frame {
        bool object = false;
        std::size_t ordinal = 0;
        std::string token;                                      // this container's reference token in its parent
        std::vector<std::pair<std::string, std::size_t>> keys;  // decoded key, offset
        std::unordered_map<std::string, std::size_t> many;
    };
    std::string_view t;
    std::vector<DuplicateKey>& out;
    std::vector<Frame> frames;  // frames[0, depth) are open; deeper ones are kept for reuse
    std::size_t depth = 0;

    // The offset of an earlier key of this name, or npos after recording this one.
    std::size_t seen_before(Frame& f, std::string key, std::size_t at) {
        if (f.many.empty() && f.keys.size() < kLinear) {
            for (const auto& [k, first] : f.keys)
                if (k == key) return first;
            f.keys.emplace_back(std::move(key), at);
            return npos;
        }
        if (f.many.empty()) f.many.insert(f.keys.begin(), f.keys.end());
        auto [it, inserted] = f.many.emplace(std::move(key), at);
        return inserted ? npos : it->second;
    }

    void value(std::size_t key, std::size_t, char c) {
        std::string token;
        if (depth > 0) {
            Frame& parent = frames[depth - 1];
            if (parent.object) {
                token = decode_string(t, key);
                if (std::size_t first = seen_before(parent, token, key); first != npos) {
                    std::string pointer;
                    for (std::size_t k = 1; k < depth; ++k) pointer += '/' + json_pointer_escape(frames[k].token);
                    pointer += '/' + json_pointer_escape(token);
                    out.push_back({std::move(pointer), key, first});
                }
            } else {
                token = std::to_string(parent.ordinal++);
            }
        }
        if (c != '{' && c != '[') return;
        if (depth == frames.size()) frames.emplace_back();
        Frame& f = frames[depth++];
        f.object = c == '{';
        f.ordinal = 0;
        f.token = std::move(token);
        f.keys.clear();
        f.many.clear();
    }
    void end() { --depth; }
};

// RFC 6901 §4: "~1" is "/" and "~0" is "~"; any other "~" makes the pointer malformed.
std::optional<std::string> unescape_token(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t k = 0; k < raw.size(); ++k) {
        if (raw[k] != '~') {
            out += raw[k];
            continue;
        }
        if (k + 1 >= raw.size() || (raw[k + 1] != '0' && raw[k + 1] != '1')) return std::nullopt;
        out += raw[++k] == '0' ? '~' : '/';
    }
    return out;
}

// An array index token: "0" or digits without a leading zero (RFC 6901 §4).
std::optional<std::size_t> array_index(std::string_view token) {
    if (token.empty() || (token.size() > 1 && token[0] == '0') || token.size() > 18) return std::nullopt;
    std::size_t n = 0;
    for (char c : token) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    return n;
}

}  // namespace

std::string json_pointer_escape(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

TextPosition position_of(std::string_view text, std::size_t offset) { return positions_of(text, {offset}).front(); }

std::vector<TextPosition> positions_of(std::string_view text, const std::vector<std::size_t>& offsets) {
    std::vector<std::size_t> order(offsets.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return offsets[a] < offsets[b]; });
    std::vector<TextPosition> out(offsets.size());
    std::size_t pos = text_start(text);
    int line = 1, column = 1;
    for (std::size_t idx : order) {
        std::size_t target = std::max(std::min(offsets[idx], text.size()), pos);
        while (pos < target) {
            const void* nl = std::memchr(text.data() + pos, '\n', target - pos);
            if (nl == nullptr) break;
            ++line;
            column = 1;
            pos = static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) + 1;
        }
        for (; pos < target; ++pos)
            if ((static_cast<unsigned char>(text[pos]) & 0xC0) != 0x80) ++column;  // not a continuation byte
        out[idx] = {line, column};
    }
    return out;
}

std::vector<DuplicateKey> find_duplicate_keys(std::string_view text) {
    std::vector<DuplicateKey> out;
    DuplicateVisitor v{text, out, {}, 0};
    walk(text, v);
    return out;
}

std::size_t JsonScanner::root() const {
    std::size_t i = skip_ws(t_, text_start(t_));
    return i < t_.size() ? i : npos;
}

JsonScanner::Kind JsonScanner::kind(std::size_t at) const {
    if (at >= t_.size()) return Kind::none;
    switch (t_[at]) {
        case '{': return Kind::object;
        case '[': return Kind::array;
        case '"': return Kind::string;
        case 't':
        case 'f': return Kind::boolean;
        case 'n': return Kind::null;
        default: return is_scalar_start(t_[at]) ? Kind::number : Kind::none;
    }
}

std::size_t JsonScanner::end_of(std::size_t at) const { return at < t_.size() ? skip_value(t_, at) : t_.size(); }

std::string_view JsonScanner::str(std::size_t at, std::string& scratch) const {
    if (kind(at) != Kind::string) return {};
    std::size_t end = skip_string(t_, at);
    std::size_t stop = end > at + 1 && t_[end - 1] == '"' ? end - 1 : end;
    std::string_view raw = t_.substr(at + 1, stop - at - 1);
    if (raw.find('\\') == std::string_view::npos) return raw;
    scratch = decode_string(t_, at);
    return scratch;
}

std::string JsonScanner::decoded(std::size_t at) const {
    return kind(at) == Kind::string ? decode_string(t_, at) : std::string();
}

std::string_view JsonScanner::token(std::size_t at) const {
    return at < t_.size() ? t_.substr(at, skip_scalar(t_, at) - at) : std::string_view();
}

// i is just after an object's opening brace or a member's value: returns the next
// member, or none with *end just past the closing brace.
ValueOffsets JsonScanner::member_after(std::size_t value_end, std::size_t* end) const {
    std::size_t i = value_end;
    i = skip_ws(t_, i);
    if (i < t_.size() && t_[i] == ',') i = skip_ws(t_, i + 1);
    if (i >= t_.size() || t_[i] != '"') {
        if (end != nullptr) *end = i < t_.size() && t_[i] == '}' ? i + 1 : t_.size();
        return {npos, npos};
    }
    std::size_t key = i;
    i = skip_ws(t_, skip_string(t_, i));
    if (i < t_.size() && t_[i] == ':') i = skip_ws(t_, i + 1);
    if (i >= t_.size()) {
        if (end != nullptr) *end = t_.size();
        return {npos, npos};
    }
    return {key, i};
}

ValueOffsets JsonScanner::next_member(const ValueOffsets& member, std::size_t* end) const {
    return member_after(end_of(member.value), end);
}

ValueOffsets JsonScanner::first_member(std::size_t object, std::size_t* end) const {
    if (kind(object) != Kind::object) {
        if (end != nullptr) *end = end_of(object);
        return {npos, npos};
    }
    return member_after(object + 1, end);
}

// i is just after an array's opening bracket or an element: returns the next element,
// or npos with *end just past the closing bracket.
static std::size_t element_at(std::string_view t, std::size_t i, std::size_t* end) {
    i = skip_ws(t, i);
    if (i < t.size() && t[i] == ',') i = skip_ws(t, i + 1);
    if (i < t.size() && t[i] != ']') return i;
    if (end != nullptr) *end = i < t.size() ? i + 1 : t.size();
    return JsonScanner::npos;
}

std::size_t JsonScanner::first_element(std::size_t array, std::size_t* end) const {
    if (kind(array) != Kind::array) {
        if (end != nullptr) *end = end_of(array);
        return npos;
    }
    return element_at(t_, array + 1, end);
}

std::size_t JsonScanner::element_after(std::size_t element_end, std::size_t* end) const {
    return element_at(t_, element_end, end);
}

std::size_t JsonScanner::element_count(std::size_t array) const {
    if (first_element(array) == npos) return 0;
    std::size_t commas = 0;
    skip_contents(t_, array + 1, &commas);
    return commas + 1;
}

std::optional<ValueOffsets> locate_json_pointer(std::string_view text, std::string_view pointer) {
    if (!pointer.empty() && pointer[0] != '/') return std::nullopt;
    JsonScanner s(text);
    ValueOffsets at{npos, s.root()};
    if (at.value == npos) return std::nullopt;
    std::string scratch;
    std::size_t from = 0;
    while (from < pointer.size()) {
        std::size_t slash = pointer.find('/', from + 1);
        if (slash == std::string_view::npos) slash = pointer.size();
        auto token = unescape_token(pointer.substr(from + 1, slash - from - 1));
        from = slash;
        if (!token) return std::nullopt;
        if (s.kind(at.value) == JsonScanner::Kind::object) {
            auto m = s.first_member(at.value);
            while (m.key != npos && s.str(m.key, scratch) != *token) m = s.next_member(m);
            if (m.key == npos) return std::nullopt;
            at = m;
        } else if (s.kind(at.value) == JsonScanner::Kind::array) {
            auto wanted = array_index(*token);
            if (!wanted) return std::nullopt;
            std::size_t e = s.first_element(at.value);
            for (std::size_t k = 0; k < *wanted && e != npos; ++k) e = s.next_element(e);
            if (e == npos) return std::nullopt;
            at = {npos, e};
        } else {
            return std::nullopt;
        }
    }
    return at;
}

}  // namespace zonegen
