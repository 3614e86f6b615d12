// A DNS name as a value: validated once, stored in lower-cased wire form (RFC 1035 §3.1),
// compared and ordered canonically (RFC 4034 §6.1). Everything that holds or compares
// names, from the inventory to the answer table, uses this one type.
//
// A Name is one pointer to an immutable, reference-counted wire buffer: a zone names each
// smarthost in its A records and again in every MX that points at it, so copies must be
// cheap, and records holding names stay small (a 100,000-site zone has ~800,000 of them).
#pragma once

#include <atomic>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace zonegen {

class Name {
public:
    static constexpr std::size_t kMaxWire = 255;  // RFC 1035 §2.3.4, including the root byte
    static constexpr std::size_t kMaxLabel = 63;

    Name() noexcept;  // the root
    Name(const Name& other) noexcept : rep_(other.rep_) { retain(); }
    Name(Name&& other) noexcept : rep_(other.rep_) { other.rep_ = root_rep(); }
    Name& operator=(const Name& other) noexcept {
        Name copy(other);
        std::swap(rep_, copy.rep_);
        return *this;
    }
    Name& operator=(Name&& other) noexcept {
        std::swap(rep_, other.rep_);
        return *this;
    }
    ~Name() { release(); }

    // Presentation form, absolute whether or not it ends in '.'; "." or "" is the root.
    // Backslash escapes (\. and \DDD, RFC 1035 §5.1) are understood. On failure, *why
    // (if given) says what is wrong and nullopt is returned.
    static std::optional<Name> parse(std::string_view text, std::string* why = nullptr);
    // The same as a master file reads it (RFC 1035 §5.1): "@" is origin, and a name that
    // does not end in an unescaped '.' is relative to origin.
    static std::optional<Name> parse(std::string_view text, const Name& origin, std::string* why = nullptr);

    // Uncompressed wire form ending in the root label. Upper case is folded.
    static std::optional<Name> from_wire(std::string_view wire);

    // label + "." + *this; nullopt if the label is empty, too long or the result is
    // longer than 255 octets.
    std::optional<Name> prepend(std::string_view label) const;

    // Presentation form with the trailing dot ("mail.oxford.example."); "." for the root.
    std::string text() const;
    // Relative to origin if inside it ("mail.oxford", "@" for the origin), else absolute.
    std::string text_relative_to(const Name& origin) const;
    // The same, appended to out (no temporary string: writers call this per record).
    void append_text_relative_to(std::string& out, const Name& origin) const;

    std::string_view wire() const { return {rep_->data, rep_->size}; }
    std::size_t label_count() const;
    bool is_root() const { return rep_->size == 1; }
    bool is_subdomain_of(const Name& ancestor) const;  // true for the name itself too
    // The label of this name directly below ancestor ("oxford" for mail.oxford.example
    // below example), without its length octet; empty unless the name lies strictly below
    // ancestor. Canonical order keeps each such label's subtree together (RFC 4034 §6.1).
    std::string_view label_below(const Name& ancestor) const;
    // The name with its first label removed; the root stays the root.
    Name parent() const;

    friend bool operator==(const Name& a, const Name& b) { return a.rep_ == b.rep_ || a.wire() == b.wire(); }
    friend std::strong_ordering operator<=>(const Name& a, const Name& b);  // RFC 4034 §6.1

private:
    struct Rep {
        std::atomic<std::uint32_t> refs;
        std::uint16_t size;  // octets of wire form, 1..255
        char data[1];        // really size octets (allocated to fit)
    };
    explicit Name(std::string_view wire);  // wire: already lower-cased and valid
    static std::optional<Name> read(std::string_view text, const Name& origin, std::string* why);
    static Rep* root_rep() noexcept;
    void retain() const noexcept {
        if (rep_ != root_rep()) rep_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    void release() noexcept;
    Rep* rep_;
};

// True if s is a hostname label by RFC 952/1123: letters, digits and inner hyphens,
// 1 to 63 octets. Inventory site and host names must be such labels.
bool is_ldh_label(std::string_view s);

// ASCII-only lower-casing, independent of the locale.
char ascii_lower(char c);

// A 64-bit hash of wire bytes (a name already lower-cased) for open-addressing indexes:
// the zone builder's owners and dnsd's answer table. Not for untrusted keys an attacker
// could pick to collide: both indexes are filled from the zone, not from queries.
// Inline: dnsd's query path calls it once per question.
inline std::uint64_t hash_wire(const void* bytes, std::size_t length) noexcept {
    // Eight bytes at a time with a multiply-xorshift mix (splitmix64 constants); names are
    // short, so the tail is common and handled the same way.
    const auto* p = static_cast<const unsigned char*>(bytes);
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ length;
    auto mix = [&h](std::uint64_t w) {
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    };
    std::size_t i = 0;
    for (; i + 8 <= length; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        mix(w);
    }
    if (i < length) {
        std::uint64_t w = 0;
        std::memcpy(&w, p + i, length - i);
        mix(w);
    }
    h ^= h >> 29;
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 32);
}

}  // namespace zonegen
