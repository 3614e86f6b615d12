// DNS names: parsing, wire form, presentation form and canonical order.
#include "zonegen/core/name.hpp"

#include <array>
#include <cstddef>
#include <cstring>
#include <new>

namespace zonegen {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

static bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_ldh_label(std::string_view s) {
    if (s.empty() || s.size() > Name::kMaxLabel) return false;
    if (s.front() == '-' || s.back() == '-') return false;
    for (char c : s)
        if (!is_alnum(c) && c != '-') return false;
    return true;
}

Name::Rep* Name::root_rep() noexcept {
    // Never freed: retain/release skip it, so moved-from names cost nothing.
    static Rep root{{1}, 1, {'\0'}};
    return &root;
}

Name::Name() noexcept : rep_(root_rep()) {}

Name::Name(std::string_view wire) {
    if (wire.size() == 1) {
        rep_ = root_rep();
        return;
    }
    void* mem = ::operator new(offsetof(Rep, data) + wire.size());
    rep_ = new (mem) Rep{{1}, static_cast<std::uint16_t>(wire.size()), {0}};
    std::memcpy(rep_->data, wire.data(), wire.size());
}

void Name::release() noexcept {
    if (rep_ == root_rep()) return;
    if (rep_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        rep_->~Rep();
        ::operator delete(rep_);
    }
}

std::optional<Name> Name::parse(std::string_view text, std::string* why) { return read(text, Name(), why); }

std::optional<Name> Name::parse(std::string_view text, const Name& origin, std::string* why) {
    if (text == "@") return origin;
    return read(text, origin, why);
}

// One pass from presentation text to wire form in a stack buffer: a zone file names a
// million owners and targets, so no temporary strings.
std::optional<Name> Name::read(std::string_view text, const Name& origin, std::string* why) {
    auto fail = [&](const char* msg) -> std::optional<Name> {
        if (why) *why = msg;
        return std::nullopt;
    };
    if (text.empty() || text == ".") return Name();
    char wire[kMaxWire + kMaxLabel + 2];
    std::size_t size = 0;   // octets written, labels complete
    std::size_t label = 0;  // octets of the label being read
    bool absolute = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '.') {
            if (label == 0) return fail("empty label");
            wire[size] = static_cast<char>(label);
            size += 1 + label;
            label = 0;
            if (i + 1 == text.size()) absolute = true;
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= text.size()) return fail("dangling backslash");
            char n = text[i + 1];
            if (n >= '0' && n <= '9') {
                if (i + 3 >= text.size()) return fail("short \\DDD escape");
                int v = 0;
                for (std::size_t k = 1; k <= 3; ++k) {
                    char d = text[i + k];
                    if (d < '0' || d > '9') return fail("bad \\DDD escape");
                    v = v * 10 + (d - '0');
                }
                if (v > 255) return fail("\\DDD escape above 255");
                c = static_cast<char>(v);
                i += 3;
            } else {
                c = n;
                i += 1;
            }
        }
        if (label == kMaxLabel) return fail("label longer than 63 octets");
        if (size + 1 + label >= kMaxWire) return fail("name longer than 255 octets");
        wire[size + 1 + label++] = ascii_lower(c);
    }
    if (label > 0) {
        wire[size] = static_cast<char>(label);
        size += 1 + label;
    }
    // RFC 1035 §5.1: a name without the final dot is relative to the origin.
    const std::string_view tail = absolute ? std::string_view("\0", 1) : origin.wire();
    if (size + tail.size() > kMaxWire) return fail("name longer than 255 octets");
    std::memcpy(wire + size, tail.data(), tail.size());
    return Name(std::string_view(wire, size + tail.size()));
}

std::optional<Name> Name::from_wire(std::string_view wire) {
    std::string out;
    out.reserve(wire.size());
    std::size_t i = 0;
    while (true) {
        if (i >= wire.size()) return std::nullopt;
        auto len = static_cast<unsigned char>(wire[i]);
        if (len > kMaxLabel) return std::nullopt;  // compression and extended labels are not names
        out += static_cast<char>(len);
        if (len == 0) break;
        if (i + 1 + len > wire.size()) return std::nullopt;
        for (std::size_t k = 0; k < len; ++k) out += ascii_lower(wire[i + 1 + k]);
        i += 1 + len;
    }
    if (i + 1 != wire.size() || out.size() > kMaxWire) return std::nullopt;
    return Name(std::string_view(out));
}

std::optional<Name> Name::prepend(std::string_view label) const {
    if (label.empty() || label.size() > kMaxLabel) return std::nullopt;
    if (wire().size() + 1 + label.size() > kMaxWire) return std::nullopt;
    std::string out;
    out.reserve(wire().size() + 1 + label.size());
    out += static_cast<char>(label.size());
    for (char c : label) out += ascii_lower(c);
    out += wire();
    return Name(std::string_view(out));
}

// Characters that need a backslash in presentation form (RFC 1035 §5.1): outside
// printable ASCII they become \DDD, the special ones get a plain backslash.
static bool needs_escape(unsigned char u) {
    return u <= 0x20 || u >= 0x7f || u == '.' || u == '\\' || u == '"' || u == ';' || u == '(' || u == ')' ||
           u == '@' || u == '$';
}

static void append_label_text(std::string& out, std::string_view label) {
    std::size_t plain = 0;
    while (plain < label.size() && !needs_escape(static_cast<unsigned char>(label[plain]))) ++plain;
    out.append(label.data(), plain);  // the whole label, for every hostname
    for (char c : label.substr(plain)) {
        auto u = static_cast<unsigned char>(c);
        if (!needs_escape(u)) {
            out += c;
        } else if (u > 0x20 && u < 0x7f) {
            out += '\\';
            out += c;
        } else {
            const char buf[] = {'\\', static_cast<char>('0' + u / 100), static_cast<char>('0' + (u / 10) % 10),
                                static_cast<char>('0' + u % 10)};
            out.append(buf, 4);
        }
    }
}

std::string Name::text() const {
    if (is_root()) return ".";
    std::string out;
    out.reserve(wire().size());
    std::size_t i = 0;
    while (auto len = static_cast<unsigned char>(wire()[i])) {
        append_label_text(out, std::string_view(wire()).substr(i + 1, len));
        out += '.';
        i += 1 + len;
    }
    return out;
}

std::string Name::text_relative_to(const Name& origin) const {
    std::string out;
    append_text_relative_to(out, origin);
    return out;
}

void Name::append_text_relative_to(std::string& out, const Name& origin) const {
    if (*this == origin) {
        out += '@';
        return;
    }
    if (!is_subdomain_of(origin) || origin.is_root()) {
        out += text();
        return;
    }
    const std::size_t stop = wire().size() - origin.wire().size();
    std::size_t i = 0;
    while (i < stop) {
        auto len = static_cast<unsigned char>(wire()[i]);
        if (i > 0) out += '.';
        append_label_text(out, std::string_view(wire()).substr(i + 1, len));
        i += 1 + len;
    }
}

std::size_t Name::label_count() const {
    std::size_t n = 0;
    for (std::size_t i = 0; wire()[i] != 0; i += 1 + static_cast<unsigned char>(wire()[i])) ++n;
    return n;
}

bool Name::is_subdomain_of(const Name& a) const {
    if (a.wire().size() > wire().size()) return false;
    std::size_t off = wire().size() - a.wire().size();
    // The suffix must start on a label boundary, not merely match bytes.
    std::size_t i = 0;
    while (i < off) i += 1 + static_cast<unsigned char>(wire()[i]);
    return i == off && std::string_view(wire()).substr(off) == a.wire();
}

std::string_view Name::label_below(const Name& ancestor) const {
    const std::string_view w = wire();
    if (ancestor.wire().size() >= w.size()) return {};
    const std::size_t end = w.size() - ancestor.wire().size();
    std::size_t i = 0, last = 0;
    while (i < end) {
        last = i;
        i += 1 + static_cast<unsigned char>(w[i]);
    }
    if (i != end || w.substr(end) != ancestor.wire()) return {};
    return w.substr(last + 1, static_cast<unsigned char>(w[last]));
}

Name Name::parent() const {
    if (is_root()) return *this;
    return Name(wire().substr(1 + static_cast<unsigned char>(rep_->data[0])));
}

// RFC 4034 §6.1: compare label by label from the most significant (rightmost) one, each
// label as a case-folded octet string, a missing label sorting first.
std::strong_ordering operator<=>(const Name& a, const Name& b) {
    std::array<std::uint8_t, 128> la{}, lb{};
    std::size_t na = 0, nb = 0;
    for (std::size_t i = 0; a.wire()[i] != 0; i += 1 + static_cast<unsigned char>(a.wire()[i]))
        la[na++] = static_cast<std::uint8_t>(i);
    for (std::size_t i = 0; b.wire()[i] != 0; i += 1 + static_cast<unsigned char>(b.wire()[i]))
        lb[nb++] = static_cast<std::uint8_t>(i);
    while (na > 0 && nb > 0) {
        --na;
        --nb;
        std::string_view x = std::string_view(a.wire()).substr(la[na] + 1,
                                                               static_cast<unsigned char>(a.wire()[la[na]]));
        std::string_view y = std::string_view(b.wire()).substr(lb[nb] + 1,
                                                               static_cast<unsigned char>(b.wire()[lb[nb]]));
        if (int c = x.compare(y); c != 0) return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    }
    return na <=> nb;
}

}  // namespace zonegen
