// Zone-file loader: ldns reads the master file record by record (ldns_rr_new_frm_fp_l
// handles $ORIGIN, $TTL, parentheses and comments) and each ldns_rr becomes zonegen types
// that ZoneBuilder checks and canonicalises.
//
// ldns 1.8.3 is lax where a typo must be an error, so the loader reads from memory, knows
// which bytes every ldns call consumed, and checks those against what ldns made of them:
//  - a relative name with no origin silently becomes a top-level name in ldns; the loader
//    hands ldns a sentinel origin no file can name by accident and flags names under it;
//  - ldns takes a relative $ORIGIN as absolute; RFC 1035 §5.1 appends the current origin;
//  - ldns wraps numbers (MX 70000 -> 4464) and stops a TTL at a stray letter (3OO -> 3);
//  - an omitted TTL gets ldns's built-in default; the RFCs say the last $TTL (RFC 2308 §4)
//    or else the last explicit TTL (RFC 1035 §5.1);
//  - ldns folds the comment and blank lines before a record into it, so the line a record
//    starts on is found in the text (ldns's line count says where the bytes began).
#include "zonegen/zone_loader.hpp"

#include "zonegen/master_text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "zonegen/ldns.hpp"

namespace zonegen {
namespace {

using namespace master_text;

constexpr std::uint32_t kNoTtl = 0xffffffffu;    // ldns's default TTL: "the record gave none"
constexpr std::uint64_t kMaxTtl = 0x7fffffffu;   // RFC 2181 §8: the top bit must be clear
constexpr std::uint64_t kMax32 = 0xffffffffu;


// The origin ldns completes relative names with while the real one is unknown: its first
// label holds a NUL octet, which a master file can only spell as "\000".
const Name& unknown_origin() {
    static const Name name = [] {
        std::string wire{'\x0a', '\0'};
        wire += "no-origin";
        wire += '\0';
        return *Name::from_wire(wire);
    }();
    return name;
}

std::string_view rdf_bytes(const ldns_rdf* r) {
    return {reinterpret_cast<const char*>(ldns_rdf_data(r)), ldns_rdf_size(r)};
}

ldns::Rdf to_rdf(const Name& n) {
    return ldns::Rdf(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, n.wire().size(), n.wire().data()));
}

// ldns's *2str functions return malloc'd strings.
std::string take_ldns_string(char* s) {
    std::string out = s ? s : "?";
    std::free(s);
    return out;
}

template <class T>
std::optional<Rdata> address(const ldns_rdf* r) {
    if (!r) return std::nullopt;
    T a;
    std::memcpy(a.addr.data(), ldns_rdf_data(r), a.addr.size());
    return a;
}

std::uint32_t get32(const ldns_rdf* r) {
    const std::uint8_t* p = ldns_rdf_data(r);
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

Diagnostic diag(const std::string& file, int line, std::string message) {
    Diagnostic d;
    d.where.file = file;
    d.where.line = line;
    d.message = std::move(message);
    return d;
}

struct Pending { Name owner; std::uint32_t ttl; Rdata rdata; int line; };

class Loader {
public:
    Loader(std::string_view text, const std::string& file, const std::optional<Name>& origin)
        : text_(text), file_(file), origin_(origin ? *origin : unknown_origin()) {
        if (origin) start_zone(*origin);
    }

    Result<Zone> run();

private:
    void read_all();
    void start_zone(const Name& origin);
    int locate(std::string_view span, int lines_before);
    void record(const ldns_rr* rr, int line);
    std::optional<std::uint32_t> record_ttl(const ldns_rr* rr, int line);
    std::optional<Rdata> record_rdata(const ldns_rr* rr, int line);
    std::optional<Name> name_of(const ldns_rdf* rdf, int line);
    bool check_field(std::size_t index, std::uint32_t value, std::uint64_t max, bool period, const char* what,
                     int line);
    void directive_ttl(std::uint32_t ldns_value, int line);
    void directive_origin(ldns::Rdf& origin, int line);
    std::string describe_failure(ldns_status s) const;
    std::optional<std::string> unknown_type() const;
    std::string excerpt() const;
    void error(int line, std::string message) { errors_.push_back(diag(file_, line, std::move(message))); }

    std::string_view text_;
    const std::string& file_;
    Name origin_;  // what relative names are completed with now; unknown_origin() if none
    std::optional<Name> first_origin_;
    std::optional<std::uint32_t> default_ttl_, last_ttl_;

    // The record at hand: its text from the line it starts on, its tokens, and the index
    // of its explicit TTL and of its type mnemonic (tokens_.size() if missing).
    std::string_view rec_;
    std::vector<std::string_view> tokens_;
    std::optional<std::size_t> ttl_index_;
    std::size_t type_index_ = 0;

    // Records go straight into the builder once the zone's name is known (given, or the
    // first SOA's owner); the few before that wait in early_.
    std::optional<ZoneBuilder> builder_;
    std::vector<Pending> early_;
    std::vector<Diagnostic> errors_;
};

Result<Zone> Loader::run() {
    read_all();
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
    // One record per line and a few records per owner is the common layout; reserving for
    // it avoids rehashing the builder's owner index as the zone grows.
    const auto lines = static_cast<std::size_t>(std::count(text_.begin(), text_.end(), '\n')) + 1;
    builder_->reserve(lines / 2, lines);
    for (auto& r : early_) builder_->add(std::move(r.owner), r.ttl, std::move(r.rdata), static_cast<int>(r.line));
    early_ = {};
}

void Loader::read_all() {
    if (text_.empty()) return;
    // fmemopen's "r" mode never writes through the buffer.
    ldns::File fp(fmemopen(const_cast<char*>(text_.data()), text_.size(), "r"));
    if (!fp) {
        errors_.push_back(diag(file_, 0, std::string("cannot read: ") + std::strerror(errno)));
        return;
    }
    ldns::Rdf origin = to_rdf(origin_);
    ldns::Rdf prev;
    std::uint32_t ldns_ttl = kNoTtl;
    int line_nr = 0;
    long pos = 0;
    while (!std::feof(fp.get()) && errors_.size() < kMaxLoadErrors) {
        const int lines_before = line_nr;
        ldns_rr* raw = nullptr;
        ldns_rdf* o = origin.release();
        ldns_rdf* p = prev.release();
        const ldns_status s = ldns_rr_new_frm_fp_l(&raw, fp.get(), &ldns_ttl, &o, &p, &line_nr);
        origin.reset(o);
        prev.reset(p);
        ldns::Rr rr(s == LDNS_STATUS_OK ? raw : nullptr);
        const long end = std::ftell(fp.get());
        if (end < pos || static_cast<std::size_t>(end) > text_.size() || (end == pos && !std::feof(fp.get()))) {
            error(lines_before + 1, "cannot read past this point");
            return;
        }
        const int line = locate(text_.substr(static_cast<std::size_t>(pos), static_cast<std::size_t>(end - pos)),
                                lines_before);
        switch (s) {
            case LDNS_STATUS_OK: record(rr.get(), line); break;
            case LDNS_STATUS_SYNTAX_EMPTY: break;
            case LDNS_STATUS_SYNTAX_TTL:
                directive_ttl(ldns_ttl, line);
                ldns_ttl = kNoTtl;  // keep "no TTL given" visible: record_ttl() applies $TTL
                break;
            case LDNS_STATUS_SYNTAX_ORIGIN: directive_origin(origin, line); break;
            case LDNS_STATUS_SYNTAX_INCLUDE:
                error(line, "$INCLUDE is not supported: keep the whole zone in one file");
                break;
            default: error(line, describe_failure(s)); break;
        }
        // ldns drops the origin when a $ORIGIN does not parse; carry on with the last good one.
        if (!origin) origin = to_rdf(origin_);
        pos = end;
    }
}

// Finds the record in the bytes one ldns call consumed (span starts at a line start) and
// returns its first line. Whole blank and comment lines before it belong to no record.
int Loader::locate(std::string_view span, int lines_before) {
    int line = lines_before + 1;
    std::size_t start = 0;
    while (start < span.size()) {
        const std::size_t eol = span.find('\n', start);
        const std::size_t stop = eol == std::string_view::npos ? span.size() : eol;
        std::size_t k = start;
        while (k < stop && is_space(span[k])) ++k;
        if (k < stop && span[k] != ';') break;
        if (eol == std::string_view::npos) {
            start = span.size();
            break;
        }
        start = eol + 1;
        ++line;
    }
    rec_ = span.substr(start);
    split_tokens(rec_, tokens_);
    // RFC 1035 §5.1: a line starting with a blank has no owner; then [TTL] [class] type,
    // in the order ldns reads them. A TTL starts with a digit; a class is a class name.
    std::size_t i = (!rec_.empty() && (rec_[0] == ' ' || rec_[0] == '\t')) ? 0 : 1;
    ttl_index_.reset();
    if (i < tokens_.size() && is_digit(tokens_[i].front())) ttl_index_ = i++;
    if (i < tokens_.size() && ldns_get_rr_class_by_name(std::string(tokens_[i]).c_str()) != 0) ++i;
    type_index_ = std::min(i, tokens_.size());
    return line;
}

std::string Loader::excerpt() const {
    std::string_view first = rec_.substr(0, rec_.find('\n'));
    while (!first.empty() && is_space(first.front())) first.remove_prefix(1);
    while (!first.empty() && is_space(first.back())) first.remove_suffix(1);
    constexpr std::size_t kMax = 60;
    std::string out(first.substr(0, kMax));
    if (first.size() > kMax) out += "...";
    return out;
}

std::string Loader::describe_failure(ldns_status s) const {
    const bool owner_blank = !rec_.empty() && (rec_[0] == ' ' || rec_[0] == '\t');
    if (!owner_blank && !tokens_.empty() && tokens_[0].front() == '$') {
        if (tokens_[0] == "$TTL") return "$TTL needs one value";
        if (tokens_[0] == "$ORIGIN") return "$ORIGIN needs one domain name";
        return "unsupported directive " + std::string(tokens_[0]);
    }
    if (std::optional<std::string> type = unknown_type()) return "unknown record type " + *type;
    const char* what = ldns_get_errorstr_by_id(s);
    return std::string(what ? what : "syntax error") + " in \"" + excerpt() + "\"";
}

// The type mnemonic if ldns does not know it (it parses some such records as type 0).
std::optional<std::string> Loader::unknown_type() const {
    if (type_index_ >= tokens_.size()) return std::nullopt;
    std::string type(tokens_[type_index_]);
    if (ldns_get_rr_type_by_name(type.c_str()) != 0) return std::nullopt;
    return type;
}

void Loader::directive_ttl(std::uint32_t ldns_value, int line) {
    if (tokens_.size() != 2) {
        error(line, "$TTL takes one value, in \"" + excerpt() + "\"");
        return;
    }
    auto v = parse_period(tokens_[1], kMaxTtl);
    if (!v || *v != ldns_value) {
        error(line, "$TTL " + std::string(tokens_[1]) +
                        " is not a TTL: seconds from 0 to 2147483647 (RFC 2181 §8), units s, m, h, d, w allowed");
        return;
    }
    default_ttl_ = *v;
}

void Loader::directive_origin(ldns::Rdf& origin, int line) {
    auto restore = [&](std::string message) {
        error(line, std::move(message));
        origin = to_rdf(origin_);
    };
    if (tokens_.size() != 2) return restore("$ORIGIN takes one domain name, in \"" + excerpt() + "\"");
    const std::string arg(tokens_[1]);
    std::optional<Name> next = Name::from_wire(rdf_bytes(origin.get()));
    if (!next) return restore("$ORIGIN " + arg + " is not a domain name");
    if (!is_absolute(arg)) {
        // RFC 1035 §5.1: a relative name is completed with the current origin.
        if (origin_ == unknown_origin())
            return restore("relative $ORIGIN " + arg + " with no origin before it: end it with \".\"");
        std::string wire(next->wire().substr(0, next->wire().size() - 1));
        wire += origin_.wire();
        next = Name::from_wire(wire);
        if (!next) return restore("$ORIGIN " + arg + " under " + origin_.text() + " is longer than 255 octets");
        origin = to_rdf(*next);
    }
    origin_ = *next;
    if (!first_origin_) first_origin_ = origin_;
}

void Loader::record(const ldns_rr* rr, int line) {
    const ldns_rr_class cls = ldns_rr_get_class(rr);
    if (cls != LDNS_RR_CLASS_IN) {
        error(line, "unsupported class " + take_ldns_string(ldns_rr_class2str(cls)) + ": dnsd serves class IN only");
        return;
    }
    const ldns_rr_type type = ldns_rr_get_type(rr);
    if (type != LDNS_RR_TYPE_A && type != LDNS_RR_TYPE_AAAA && type != LDNS_RR_TYPE_NS &&
        type != LDNS_RR_TYPE_SOA && type != LDNS_RR_TYPE_MX && type != LDNS_RR_TYPE_TXT) {
        std::optional<std::string> unknown = type == 0 ? unknown_type() : std::nullopt;
        error(line, unknown ? "unknown record type " + *unknown
                            : "unsupported record type " + take_ldns_string(ldns_rr_type2str(type)) +
                                  ": dnsd serves A, AAAA, NS, SOA, MX and TXT");
        return;
    }
    std::optional<Name> owner = name_of(ldns_rr_owner(rr), line);
    if (!owner) return;
    std::optional<std::uint32_t> ttl = record_ttl(rr, line);
    if (!ttl) return;
    std::optional<Rdata> rdata = record_rdata(rr, line);
    if (!rdata) return;
    if (type == LDNS_RR_TYPE_SOA && !builder_) start_zone(*owner);
    if (builder_)
        builder_->add(std::move(*owner), *ttl, std::move(*rdata), static_cast<int>(line));
    else
        early_.push_back({std::move(*owner), *ttl, std::move(*rdata), line});
}

std::optional<std::uint32_t> Loader::record_ttl(const ldns_rr* rr, int line) {
    const std::uint32_t got = ldns_rr_ttl(rr);
    if (ttl_index_ || got != kNoTtl) {
        const std::string tok = ttl_index_ ? std::string(tokens_[*ttl_index_]) : std::to_string(got);
        std::optional<std::uint32_t> v = parse_period(tok, kMaxTtl);
        if (!v || *v != got) {
            error(line, "TTL " + tok +
                            " is not a TTL: seconds from 0 to 2147483647 (RFC 2181 §8), units s, m, h, d, w allowed");
            return std::nullopt;
        }
        last_ttl_ = *v;
        return v;
    }
    if (default_ttl_) return default_ttl_;  // RFC 2308 §4
    if (last_ttl_) return last_ttl_;        // RFC 1035 §5.1
    error(line, "no TTL: give one, or put a $TTL directive before the first record (RFC 2308 §4)");
    return std::nullopt;
}

std::optional<Name> Loader::name_of(const ldns_rdf* rdf, int line) {
    std::optional<Name> n;
    if (rdf && ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME) n = Name::from_wire(rdf_bytes(rdf));
    if (!n) {
        error(line, "malformed domain name in \"" + excerpt() + "\"");
        return std::nullopt;
    }
    if (n->is_subdomain_of(unknown_origin())) {
        const std::string rel = n->text_relative_to(unknown_origin());
        if (rel == "@")
            error(line, "\"@\" or a blank owner, but no origin is known: put $ORIGIN before it");
        else
            error(line, "relative name " + rel + " but no origin is known: put $ORIGIN before it or write " +
                            rel + ".");
        return std::nullopt;
    }
    return n;
}

// ldns wraps numbers that overflow their field, so the token is read again and compared.
// index counts RDATA fields from 0.
bool Loader::check_field(std::size_t index, std::uint32_t value, std::uint64_t max, bool period, const char* what,
                         int line) {
    const std::size_t i = type_index_ + 1 + index;
    if (i >= tokens_.size()) return true;  // ldns parsed what it was given; nothing to compare
    std::optional<std::uint32_t> v = period ? parse_period(tokens_[i], max) : parse_number(tokens_[i], max);
    if (v && *v == value) return true;
    error(line, std::string(what) + " " + std::string(tokens_[i]) + " is not " +
                    (period ? "a time in seconds" : "a number") + " from 0 to " + std::to_string(max));
    return false;
}

std::optional<Rdata> Loader::record_rdata(const ldns_rr* rr, int line) {
    const std::size_t n = ldns_rr_rd_count(rr);
    auto field = [&](std::size_t i, ldns_rdf_type t, std::size_t size) -> const ldns_rdf* {
        if (i >= n) return nullptr;
        const ldns_rdf* r = ldns_rr_rdf(rr, i);
        if (!r || ldns_rdf_get_type(r) != t || (size != 0 && ldns_rdf_size(r) != size)) return nullptr;
        return r;
    };
    const ldns_rr_type type = ldns_rr_get_type(rr);
    switch (type) {
        case LDNS_RR_TYPE_A:
            if (auto a = address<A>(field(0, LDNS_RDF_TYPE_A, 4)); a && n == 1) return a;
            break;
        case LDNS_RR_TYPE_AAAA:
            if (auto a = address<Aaaa>(field(0, LDNS_RDF_TYPE_AAAA, 16)); a && n == 1) return a;
            break;
        case LDNS_RR_TYPE_NS:
            if (const ldns_rdf* r = field(0, LDNS_RDF_TYPE_DNAME, 0); r && n == 1) {
                std::optional<Name> host = name_of(r, line);
                if (!host) return std::nullopt;
                return Ns{std::move(*host)};
            }
            break;
        case LDNS_RR_TYPE_MX: {
            const ldns_rdf* pref = field(0, LDNS_RDF_TYPE_INT16, 2);
            const ldns_rdf* host = field(1, LDNS_RDF_TYPE_DNAME, 0);
            if (!pref || !host || n != 2) break;
            Mx mx;
            mx.preference = static_cast<std::uint16_t>((ldns_rdf_data(pref)[0] << 8) | ldns_rdf_data(pref)[1]);
            if (!check_field(0, mx.preference, 0xffff, false, "MX preference", line)) return std::nullopt;
            std::optional<Name> exchange = name_of(host, line);
            if (!exchange) return std::nullopt;
            mx.exchange = std::move(*exchange);
            return mx;
        }
        case LDNS_RR_TYPE_SOA: {
            const ldns_rdf* mname = field(0, LDNS_RDF_TYPE_DNAME, 0);
            const ldns_rdf* rname = field(1, LDNS_RDF_TYPE_DNAME, 0);
            if (!mname || !rname || n != 7) break;
            Soa soa;
            // The serial is a plain number; the timers may carry units (RFC 1035 §3.3.13).
            static constexpr const char* kWhat[] = {"SOA serial", "SOA refresh", "SOA retry", "SOA expire",
                                                    "SOA minimum"};
            std::uint32_t* slots[] = {&soa.serial, &soa.refresh, &soa.retry, &soa.expire, &soa.minimum};
            std::size_t k = 0;
            for (; k < 5; ++k) {
                const ldns_rdf* r = field(2 + k, k == 0 ? LDNS_RDF_TYPE_INT32 : LDNS_RDF_TYPE_PERIOD, 4);
                if (!r) break;
                *slots[k] = get32(r);
                if (!check_field(2 + k, *slots[k], kMax32, k > 0, kWhat[k], line)) return std::nullopt;
            }
            if (k < 5) break;
            std::optional<Name> m = name_of(mname, line);
            if (!m) return std::nullopt;
            std::optional<Name> rn = name_of(rname, line);
            if (!rn) return std::nullopt;
            soa.mname = std::move(*m);
            soa.rname = std::move(*rn);
            return soa;
        }
        case LDNS_RR_TYPE_TXT: {
            Txt txt;
            for (std::size_t i = 0; i < n; ++i) {
                const ldns_rdf* r = field(i, LDNS_RDF_TYPE_STR, 0);
                if (!r) break;
                std::string_view s = rdf_bytes(r);  // RFC 1035 §3.3: a length octet, then the bytes
                if (s.empty() || static_cast<unsigned char>(s[0]) + 1u != s.size()) break;
                txt.strings.emplace_back(s.substr(1));
            }
            if (n != 0 && txt.strings.size() == n) return txt;
            break;
        }
        default: break;
    }
    error(line, std::string("malformed ") + take_ldns_string(ldns_rr_type2str(type)) + " record in \"" + excerpt() +
                    "\"");
    return std::nullopt;
}

}  // namespace

Result<Zone> load_zone_text(std::string_view text, const std::string& file, const std::optional<Name>& origin) {
    return Loader(text, file, origin).run();
}

Result<Zone> load_zone_file(const std::string& path, const std::optional<Name>& origin) {
    ldns::File f(std::fopen(path.c_str(), "rb"));
    if (!f) return diag(path, 0, std::string("cannot open: ") + std::strerror(errno));
    std::string text;
    char buf[1 << 16];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, f.get())) > 0) text.append(buf, got);
    if (std::ferror(f.get())) return diag(path, 0, std::string("cannot open: ") + std::strerror(errno));
    return load_zone_text(text, path, origin);
}

}  // namespace zonegen
