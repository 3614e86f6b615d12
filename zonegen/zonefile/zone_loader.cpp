// Zone-file loader: master_text::Scanner cuts the file into entries, and each entry is
// read here, field by field, into zonegen types that ZoneBuilder checks and canonicalises.
//
// The loader reads only what dnsd serves, so it reads it strictly: a number that does not
// fit its field, a TTL with a stray letter, a relative name with no origin or a type it
// does not know are errors at their line, where a lax reader would wrap, truncate or guess
// (ldns 1.8.3 did all four, and took 2.3 s for a 100,000-site zone that this reads in a
// fraction of a second). ldns stays the independent reader in the tests: every generated
// zone must load back through it to the same records.
#include "zonegen/zonefile/zone_loader.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "zonegen/core/big_block.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/zonefile/master_text.hpp"

namespace zonegen {
namespace {

using namespace master_text;

constexpr std::uint64_t kMaxTtl = 0x7fffffffu;  // RFC 2181 §8: the top bit must be clear
constexpr std::uint64_t kMax32 = 0xffffffffu;
constexpr const char* kTtlRule = "seconds from 0 to 2147483647 (RFC 2181 §8), units s, m, h, d, w allowed";

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

// Registered type mnemonics (IANA "Resource Record (RR) TYPEs") that a zone file may
// hold: so that a CNAME is "unsupported" while a typo is "unknown".
constexpr std::array<const char*, 62> kOtherTypes = {
    "MD",     "MF",       "CNAME", "MB",      "MG",         "MR",    "NULL",   "WKS",        "PTR",
    "HINFO",  "MINFO",    "RP",    "AFSDB",   "X25",        "ISDN",  "RT",     "NSAP",       "NSAP-PTR",
    "SIG",    "KEY",      "PX",    "GPOS",    "LOC",        "NXT",   "EID",    "NIMLOC",     "SRV",
    "ATMA",   "NAPTR",    "KX",    "CERT",    "A6",         "DNAME", "SINK",   "APL",        "DS",
    "SSHFP",  "IPSECKEY", "RRSIG", "NSEC",    "DNSKEY",     "DHCID", "NSEC3",  "NSEC3PARAM", "TLSA",
    "SMIMEA", "HIP",      "CDS",   "CDNSKEY", "OPENPGPKEY", "CSYNC", "ZONEMD", "SVCB",       "HTTPS",
    "SPF",    "NID",      "L32",   "L64",     "LP",         "EUI48", "EUI64",  "CAA"};

std::optional<RRType> supported_type(std::string_view t) {
    static constexpr std::pair<const char*, RRType> kTypes[] = {{"A", RRType::A},     {"NS", RRType::NS},
                                                                {"SOA", RRType::SOA}, {"MX", RRType::MX},
                                                                {"TXT", RRType::TXT}, {"AAAA", RRType::AAAA}};
    for (const auto& [name, type] : kTypes)
        if (iequal(t, name)) return type;
    return std::nullopt;
}

// RFC 3597 §5: TYPEnnn and CLASSnnn name any type or class by number.
bool is_generic(std::string_view t, std::string_view prefix) {
    if (t.size() <= prefix.size() || !iequal(t.substr(0, prefix.size()), prefix)) return false;
    return parse_number(t.substr(prefix.size()), 0xffff).has_value();
}

bool is_known_type(std::string_view t) {
    if (is_generic(t, "TYPE") || supported_type(t)) return true;
    return std::any_of(kOtherTypes.begin(), kOtherTypes.end(), [&](const char* k) { return iequal(t, k); });
}

bool is_class(std::string_view t) {
    return iequal(t, "IN") || iequal(t, "CH") || iequal(t, "CS") || iequal(t, "HS") || is_generic(t, "CLASS");
}

Diagnostic diag(const std::string& file, int line, std::string message) {
    Diagnostic d;
    d.where.file = file;
    d.where.line = line;
    d.message = std::move(message);
    return d;
}

// RFC 1035 §3.3: a <character-string> is at most 255 octets; \DDD and \X escapes (§5.1).
std::optional<std::string> character_string(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\') {
            if (++i >= s.size()) return std::nullopt;
            c = s[i];
            if (is_digit(c)) {
                if (i + 2 >= s.size() || !is_digit(s[i + 1]) || !is_digit(s[i + 2])) return std::nullopt;
                const int v = (c - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
                if (v > 255) return std::nullopt;
                c = static_cast<char>(v);
                i += 2;
            }
        }
        out += c;
    }
    if (out.size() > 255) return std::nullopt;
    return out;
}

struct Pending {
    Name owner;
    std::uint32_t ttl;
    Rdata rdata;
    int line;
};

class Loader {
public:
    Loader(std::string_view text, const std::string& file, const std::optional<Name>& origin)
        : scanner_(text), lines_(text.size() / 24 + 1), file_(file), origin_(origin) {
        if (origin) start_zone(*origin);
    }

    // Reads the text into records; then finish() checks and builds them into the zone. The
    // text is no longer needed by then and may be freed first (a large zone's is hundreds
    // of megabytes, beside the records at the peak of a load).
    void scan();
    Result<Zone> finish();

private:
    void start_zone(const Name& origin);
    void directive();
    void record();
    std::optional<Name> name(std::string_view token);
    const Name* owner();  // the record's owner, or null (and an error said once)
    std::optional<Rdata> rdata(RRType type, std::size_t first);
    bool number(std::size_t i, std::uint64_t max, bool period, const char* what, std::uint32_t& out);
    std::string excerpt() const;
    void error(std::string message) { errors_.push_back(diag(file_, entry_.line, std::move(message))); }

    Scanner scanner_;
    std::size_t lines_;  // about how many: zonegen writes 30 to 45 octets per record
    const std::string& file_;
    std::optional<Name> origin_;  // what relative names are completed with now
    std::optional<Name> first_origin_;
    std::optional<std::uint32_t> default_ttl_, last_ttl_;
    std::optional<Name> previous_owner_;  // for entries with a blank owner
    // The text it was read from, and under which origin: zone files repeat the owner on
    // each of its lines, and the same text under the same origin is the same name.
    std::string_view previous_owner_text_;
    std::uint32_t previous_owner_origin_ = 0;
    bool owner_reported_ = false;  // the last owner given was wrong, and said so

    // The last names read, by their text: a zone names each owner on several lines and
    // each smarthost in several MX records, and a hit shares one Name (8 bytes) instead of
    // parsing and storing it again. Cleared when the origin changes.
    struct Cached {
        std::string_view text;
        Name name;
        std::uint32_t origin = 0;  // origin_number_ when cached
    };
    std::vector<Cached> cache_ = std::vector<Cached>(4096);
    std::uint32_t origin_number_ = 1;  // counts $ORIGIN changes: older slots do not match

    Entry entry_;
    std::optional<ZoneBuilder> builder_;
    std::vector<Pending> early_;  // records before the zone's name is known
    std::vector<Diagnostic> errors_;
};

void Loader::scan() {
    while (errors_.size() < kMaxLoadErrors && scanner_.next(entry_)) {
        if (entry_.error)
            error(std::string(entry_.error) + " in \"" + excerpt() + "\"");
        else if (entry_.tokens.empty())
            continue;  // only parentheses, as in "()": nothing in it, like a blank line
        else if (!entry_.blank_owner && entry_.tokens.front().text.starts_with('$'))  // "" is a token too
            directive();
        else
            record();
    }
    // The views into the text end here.
    entry_ = {};
    cache_ = {};
}

Result<Zone> Loader::finish() {
    if (errors_.size() >= kMaxLoadErrors) {
        errors_.push_back(diag(file_, errors_.back().where.line, "too many errors; stopped reading here"));
        return errors_;
    }
    if (!builder_) {
        if (!first_origin_) {
            if (errors_.empty()) errors_.push_back(diag(file_, 0, "no SOA record, so the zone's origin is unknown"));
            return errors_;
        }
        start_zone(*first_origin_);
    }
    Result<Zone> built = std::move(*builder_).finish();
    if (errors_.empty() && built.ok()) return built;
    if (!built.ok()) {
        const bool had_errors = !errors_.empty();
        for (Diagnostic d : built.errors()) {
            // A zone-wide finding ("no SOA") may only echo a record rejected above.
            if (d.where.line == 0 && had_errors) continue;
            if (d.where.file.empty()) d.where.file = file_;
            errors_.push_back(std::move(d));
        }
    }
    std::stable_sort(errors_.begin(), errors_.end(), [](const Diagnostic& a, const Diagnostic& b) {
        auto key = [](const Diagnostic& d) { return d.where.line == 0 ? INT32_MAX : d.where.line; };
        return key(a) < key(b);
    });
    if (errors_.size() > kMaxLoadErrors) {
        errors_.resize(kMaxLoadErrors);
        errors_.push_back(
            diag(file_, 0, "too many errors; only the first " + std::to_string(kMaxLoadErrors) + " are shown"));
    }
    return errors_;
}

void Loader::start_zone(const Name& origin) {
    builder_.emplace(origin, file_);
    // One record per line and two or three records per owner is the common layout (a
    // site's MX set, a host's A and AAAA); reserving for it spares the builder's rehashes
    // as the zone grows. (Counting the lines exactly would cost a pass over the text.)
    builder_->reserve(lines_ / 4, lines_);
    for (auto& r : early_) builder_->add(r.owner, r.ttl, std::move(r.rdata), r.line);
    early_ = {};
}

std::string Loader::excerpt() const {
    std::string_view first = entry_.text;
    while (!first.empty() && is_space(first.front())) first.remove_prefix(1);
    while (!first.empty() && is_space(first.back())) first.remove_suffix(1);
    constexpr std::size_t kMax = 60;
    std::string out(first.substr(0, kMax));
    if (first.size() > kMax) out += "...";
    return out;
}

void Loader::directive() {
    const std::vector<Token>& t = entry_.tokens;
    const std::string_view what = t[0].text;
    if (iequal(what, "$TTL")) {
        if (t.size() == 1) return error("$TTL needs one value");
        if (t.size() > 2) return error("$TTL takes one value, in \"" + excerpt() + "\"");
        std::optional<std::uint32_t> v = parse_period(t[1].text, kMaxTtl);
        if (!v) return error("$TTL " + std::string(t[1].text) + " is not a TTL: " + kTtlRule);
        default_ttl_ = *v;  // RFC 2308 §4
        return;
    }
    if (iequal(what, "$ORIGIN")) {
        if (t.size() == 1) return error("$ORIGIN needs one domain name");
        if (t.size() > 2) return error("$ORIGIN takes one domain name, in \"" + excerpt() + "\"");
        const std::string arg(t[1].text);
        // RFC 1035 §5.1: a relative $ORIGIN is completed with the current one.
        if (!is_absolute(arg) && !origin_)
            return error("relative $ORIGIN " + arg + " with no origin before it: end it with \".\"");
        std::string why;
        std::optional<Name> next = Name::parse(arg, origin_ ? *origin_ : Name(), &why);
        if (!next) return error("$ORIGIN " + arg + " is not a domain name: " + why);
        origin_ = std::move(next);
        if (!first_origin_) first_origin_ = origin_;
        ++origin_number_;
        return;
    }
    if (iequal(what, "$INCLUDE")) return error("$INCLUDE is not supported: keep the whole zone in one file");
    error("unsupported directive " + std::string(what));
}

std::optional<Name> Loader::name(std::string_view token) {
    std::size_t h = 0;
    for (char c : token) h = h * 31 + static_cast<unsigned char>(c);
    Cached& slot = cache_[(h ^ (h >> 12)) & (cache_.size() - 1)];
    if (slot.origin == origin_number_ && slot.text == token) return slot.name;
    if (token.empty()) {
        error("an empty domain name in \"" + excerpt() + "\"");
        return std::nullopt;
    }

    if (!origin_ && !is_absolute(token)) {
        if (token == "@")
            error("\"@\" or a blank owner, but no origin is known: put $ORIGIN before it");
        else
            error("relative name " + std::string(token) + " but no origin is known: put $ORIGIN before it or write " +
                  std::string(token) + ".");
        return std::nullopt;
    }
    std::string why;
    std::optional<Name> n = Name::parse(token, origin_ ? *origin_ : Name(), &why);
    if (!n) {
        error(std::string(token) + " is not a domain name: " + why);
        return std::nullopt;
    }
    slot = {token, *n, origin_number_};
    return n;
}

const Name* Loader::owner() {
    if (!entry_.blank_owner) {
        const std::string_view token = entry_.tokens.front().text;
        // No lookup, no copy: at a million sites the reference counting alone was a tenth
        // of the load (each copy is an atomic add, each drop an atomic subtract).
        if (previous_owner_ && token == previous_owner_text_ && previous_owner_origin_ == origin_number_)
            return &*previous_owner_;
        previous_owner_ = name(token);
        previous_owner_text_ = token;
        previous_owner_origin_ = origin_number_;
        owner_reported_ = !previous_owner_;
        return previous_owner_ ? &*previous_owner_ : nullptr;
    }
    // The records after an owner that was reported wrong are that owner's: one error.
    if (!previous_owner_ && !owner_reported_) {
        if (origin_)
            error("a blank owner, but no record before it to take the owner from");
        else
            error("\"@\" or a blank owner, but no origin is known: put $ORIGIN before it");
    }
    return previous_owner_ ? &*previous_owner_ : nullptr;
}

// RFC 1035 §5.1: <owner> [<TTL>] [<class>] <type> <RDATA>, TTL and class in either order.
void Loader::record() {
    const std::vector<Token>& t = entry_.tokens;
    const Name* own = owner();
    if (!own) return;  // one error per line: the owner's
    std::size_t i = entry_.blank_owner ? 0 : 1;
    std::optional<std::uint32_t> ttl;
    bool has_class = false;
    for (int k = 0; k < 2 && i < t.size(); ++k) {
        const std::string_view tok = t[i].text;
        if (!ttl && !tok.empty() && is_digit(tok.front())) {
            ttl = parse_period(tok, kMaxTtl);
            if (!ttl) return error("TTL " + std::string(tok) + " is not a TTL: " + kTtlRule);
        } else if (!has_class && is_class(tok)) {
            if (!iequal(tok, "IN") && !iequal(tok, "CLASS1"))
                return error("unsupported class " + std::string(tok) + ": dnsd serves class IN only");
            has_class = true;
        } else {
            break;
        }
        ++i;
    }
    if (i >= t.size()) return error("no record type in \"" + excerpt() + "\"");
    const std::string_view type_text = t[i].text;
    std::optional<RRType> type = supported_type(type_text);
    if (!type) {
        if (!is_known_type(type_text)) return error("unknown record type " + std::string(type_text));
        return error("unsupported record type " + std::string(type_text) +
                     ": dnsd serves A, AAAA, NS, SOA, MX and TXT");
    }
    if (ttl) {
        last_ttl_ = ttl;
    } else if (default_ttl_) {
        ttl = default_ttl_;  // RFC 2308 §4
    } else if (last_ttl_) {
        ttl = last_ttl_;  // RFC 1035 §5.1
    } else {
        return error("no TTL: give one, or put a $TTL directive before the first record (RFC 2308 §4)");
    }
    std::optional<Rdata> rd = rdata(*type, i + 1);
    if (!rd) return;
    if (*type == RRType::SOA && !builder_) start_zone(*own);
    if (builder_)
        builder_->add(*own, *ttl, std::move(*rd), entry_.line);
    else
        early_.push_back({*own, *ttl, std::move(*rd), entry_.line});
}

bool Loader::number(std::size_t i, std::uint64_t max, bool period, const char* what, std::uint32_t& out) {
    const std::string_view tok = entry_.tokens[i].text;
    std::optional<std::uint32_t> v = period ? parse_period(tok, max) : parse_number(tok, max);
    if (v) {
        out = *v;
        return true;
    }
    error(std::string(what) + " " + std::string(tok) + " is not " + (period ? "a time in seconds" : "a number") +
          " from 0 to " + std::to_string(max));
    return false;
}

std::optional<Rdata> Loader::rdata(RRType type, std::size_t first) {
    const std::vector<Token>& t = entry_.tokens;
    const std::size_t count = t.size() - first;
    auto wrong_count = [&](const char* needs) -> std::optional<Rdata> {
        error(std::string(type_name(type)) + " record needs " + needs + ", in \"" + excerpt() + "\"");
        return std::nullopt;
    };
    switch (type) {
        case RRType::A:
        case RRType::AAAA: {
            const bool v4 = type == RRType::A;
            if (count != 1) return wrong_count(v4 ? "one IPv4 address" : "one IPv6 address");
            const std::string text(t[first].text);
            Rdata out = v4 ? Rdata(A{}) : Rdata(Aaaa{});
            void* bytes = v4 ? static_cast<void*>(std::get<A>(out).addr.data())
                             : static_cast<void*>(std::get<Aaaa>(out).addr.data());
            if (inet_pton(v4 ? AF_INET : AF_INET6, text.c_str(), bytes) != 1) {
                error(text + " is not an " + (v4 ? "IPv4" : "IPv6") + " address, in \"" + excerpt() + "\"");
                return std::nullopt;
            }
            return out;
        }
        case RRType::NS: {
            if (count != 1) return wrong_count("one domain name");
            std::optional<Name> host = name(t[first].text);
            if (!host) return std::nullopt;
            return Ns{std::move(*host)};
        }
        case RRType::MX: {
            if (count != 2) return wrong_count("a preference and a domain name");
            std::uint32_t pref = 0;
            if (!number(first, 0xffff, false, "MX preference", pref)) return std::nullopt;
            std::optional<Name> exchange = name(t[first + 1].text);
            if (!exchange) return std::nullopt;
            return Mx{static_cast<std::uint16_t>(pref), std::move(*exchange)};
        }
        case RRType::SOA: {
            if (count != 7) return wrong_count("7 fields: mname rname serial refresh retry expire minimum");
            Soa soa;
            // The serial is a plain number; the timers may carry units (RFC 1035 §3.3.13).
            static constexpr const char* kWhat[] = {"SOA serial", "SOA refresh", "SOA retry", "SOA expire",
                                                    "SOA minimum"};
            std::uint32_t* fields[] = {&soa.serial, &soa.refresh, &soa.retry, &soa.expire, &soa.minimum};
            for (std::size_t k = 0; k < 5; ++k)
                if (!number(first + 2 + k, kMax32, k > 0, kWhat[k], *fields[k])) return std::nullopt;
            std::optional<Name> m = name(t[first].text);
            if (!m) return std::nullopt;
            std::optional<Name> r = name(t[first + 1].text);
            if (!r) return std::nullopt;
            soa.mname = std::move(*m);
            soa.rname = std::move(*r);
            return soa;
        }
        case RRType::TXT: {
            if (count == 0) return wrong_count("at least one string");
            Txt txt;
            for (std::size_t k = first; k < t.size(); ++k) {
                std::optional<std::string> s = character_string(t[k].text);
                if (!s) {
                    error("TXT string " + std::string(t[k].text.substr(0, 40)) +
                          (t[k].text.size() > 40 ? "..." : "") +
                          " has a bad escape or is longer than 255 octets (RFC 1035 §3.3)");
                    return std::nullopt;
                }
                txt.strings.push_back(std::move(*s));
            }
            return txt;
        }
    }
    return std::nullopt;
}

}  // namespace

Result<Zone> load_zone_text(std::string_view text, const std::string& file, const std::optional<Name>& origin) {
    Loader loader(text, file, origin);
    loader.scan();
    return loader.finish();
}

Result<Zone> load_zone_file(const std::string& path, const std::optional<Name>& origin) {
    BigVector<char> text;  // a large zone file is tens of megabytes: huge pages (big_block.hpp)
    if (auto err = read_file_into(path, text)) return err->diagnostic();
    Loader loader({text.data(), text.size()}, path, origin);
    loader.scan();
    BigVector<char>().swap(text);
    return loader.finish();
}

}  // namespace zonegen
