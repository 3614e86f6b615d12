// parse_inventory(): the site inventory (DESIGN.md "Inventory", schema version 1) from
// JSON text to checked C++ values. The syntax is checked first (inventory_syntax.hpp, with
// nlohmann/json explaining any error); the text is then read in place
// (inventory_reader.hpp), which gives every value its position for free and builds no
// document tree: a 100,000-site inventory is read in a fraction of the time and memory
// a DOM would take. This file holds the top level, "soa", "nameservers" and "mx";
// inventory_sites.cpp holds "sites", inventory_health.cpp the "health" keys.
#include "zonegen/inventory/inventory.hpp"
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

#include "zonegen/core/files.hpp"
#include "zonegen/core/parallel.hpp"
#include "zonegen/inventory/inventory_reader.hpp"
#include "zonegen/inventory/inventory_rules.hpp"
#include "zonegen/inventory/inventory_syntax.hpp"

namespace zonegen {

namespace {

using inventory_rules::quote;

// RFC 2181 §8: a TTL is at most 2^31 - 1; the SOA timers are held to the same bound.
constexpr std::uint64_t kMaxTtl = 2147483647;

// Accepts every value and keeps only the first syntax error: the parser is used as a
// syntax checker, the values are read from the text afterwards.
class SyntaxCheck final : public nlohmann::json_sax<nlohmann::json> {
public:
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    // position: bytes read so far, for every kind of error (parse_error::byte is the
    // same number, but "number overflow" is an out_of_range error without one).
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
        byte = position;
        message = e.what();
        return false;
    }
    std::size_t byte = 0;  // 1-based index of the last byte read
    std::string message;
};

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line
// 1, column 2: " preamble (its line count is not ours), and with bytes that are not
// printable UTF-8 shown as <0xFF> so the diagnostic stays printable.
std::string clean_syntax_message(std::string_view what) {
    if (auto p = what.find("] "); what.starts_with("[json.exception.") && p != std::string_view::npos)
        what.remove_prefix(p + 2);
    if (what.starts_with("parse error")) {
        if (auto p = what.find(": "); p != std::string_view::npos) what.remove_prefix(p + 2);
    }
    std::string out;
    for (std::size_t i = 0; i < what.size(); ++i) {
        auto c = static_cast<unsigned char>(what[i]);
        std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = n > 0 && i + n <= what.size() && (n > 1 || c >= 0x20) && c != 0x7f;
        for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(what[i + k]) & 0xC0) == 0x80;
        if (!ok) {
            static const char hex[] = "0123456789ABCDEF";
            out += "<0x";
            out += hex[c >> 4];
            out += hex[c & 15];
            out += '>';
            continue;
        }
        out.append(what.substr(i, n));
        i += n - 1;
    }
    return out;
}

}  // namespace

namespace inventory_detail {

std::optional<Diagnostic> json_syntax_error(std::string_view text, const std::string& file) {
    SyntaxCheck check;
    if (nlohmann::json::sax_parse(text.begin(), text.end(), &check)) return std::nullopt;
    std::size_t offset = std::min(check.byte > 0 ? check.byte - 1 : 0, text.size());
    TextPosition at = position_of(text, offset);
    return Diagnostic{{file, at.line, at.column, {}}, clean_syntax_message(check.message)};
}

}  // namespace inventory_detail

namespace {

using namespace inventory_detail;

constexpr Key kTopKeys[] = {{"$schema", false}, {"version", false}, {"zone", true},        {"ttl", false},
                            {"serial", false},  {"soa", false},     {"nameservers", true}, {"mx", false},
                            {"health", false},  {"sites", true}};
enum Top { kSchema, kVersion, kZone, kTtl, kSerial, kSoa, kNameservers, kMx, kHealth, kSites, kTopCount };

constexpr Key kSoaKeys[] = {{"mname", false}, {"rname", false},  {"refresh", false},
                            {"retry", false}, {"expire", false}, {"minimum", false}};
constexpr Key kNameServerKeys[] = {{"name", true}, {"ipv4", false}, {"ipv6", false}};
constexpr Key kMxKeys[] = {{"primary", false}, {"step", false}};

class TopReader {
public:
    TopReader(Reader& r, Inventory& inv, const JsonSplit& split) : r_(r), inv_(inv), split_(split) {}

    // False if a split read of "sites" failed (SitesReader::failed): read again without.
    bool read() {
        SitesReader sites(r_, inv_, root_, split_);
        read(sites);
        return !sites.failed();
    }

private:
    void read(SitesReader& sites) {
        std::size_t at = r_.scan.root();
        ValueOffsets m[kTopCount];
        // "zone" is read when met, so that "sites", which names build on and which is
        // usually last and nearly all of the file, is read in the same pass.
        bool zone_read = false, sites_read = false;
        auto visit = [&](std::size_t k, const ValueOffsets& member) -> std::size_t {
            if (k == kZone) {
                read_zone(member);
                zone_read = true;
            } else if (k == kSites && zone_read) {
                sites_read = true;
                return sites.read(member, zone_ok_);
            }
            return npos;
        };
        if (!r_.object(at, root_, "an inventory object", kTopKeys, m, nullptr, visit)) return;
        if (m[kSchema].key != npos)
            r_.expect(m[kSchema].value, root_.member(m[kSchema].key), Kind::string, "a string (a JSON Schema URI)");
        if (m[kVersion].key != npos)
            r_.integer(m[kVersion].value, root_.member(m[kVersion].key), 1, 1,
                       "1 (the schema version this program reads)");
        if (!zone_read) read_zone(m[kZone]);
        if (m[kTtl].key != npos)
            if (auto v = r_.integer(m[kTtl].value, root_.member(m[kTtl].key), 0, kMaxTtl,
                                    "a TTL from 0 to 2147483647 seconds (RFC 2181 section 8)"))
                inv_.ttl = static_cast<std::uint32_t>(*v);
        if (m[kSerial].key != npos)
            if (auto v = r_.integer(m[kSerial].value, root_.member(m[kSerial].key), 0,
                                    std::numeric_limits<std::uint32_t>::max()))
                inv_.serial = static_cast<std::uint32_t>(*v);
        read_nameservers(m[kNameservers]);
        read_soa(m[kSoa]);
        Path mx_path = root_.member(m[kMx].key);
        bool mx_ok = read_mx(m[kMx], mx_path);
        read_health(r_, m[kHealth], root_, inv_.health);
        if (m[kSites].key == npos) return;
        if (!sites_read) sites.read(m[kSites], zone_ok_);
        sites.resolve(SiteRules{mx_ok, m[kMx].value, m[kMx].key != npos ? &mx_path : nullptr});
    }

    void read_zone(const ValueOffsets& m) {
        if (m.key == npos) return;
        Path path = root_.member(m.key);
        auto s = r_.string(m.value, path, "a zone name (a string)", scratch_);
        if (!s) return;
        if (auto why = inventory_rules::hostname_problem(*s)) {
            r_.error(m.value, path, quote(*s) + " is not a valid zone name: " + *why);
        } else if (std::size_t n = inventory_rules::hostname_wire_octets(*s, 0); n > Name::kMaxWire) {
            r_.error(m.value, path, "name " + quote(*s) + " is " + std::to_string(n) + " octets long, more than 255");
        } else {
            inv_.zone = *Name::parse(*s);
            zone_ok_ = true;
        }
    }

    // A host name (a name server's or the SOA MNAME): absolute with a trailing dot, else
    // relative to the zone. nullopt if it is wrong (reported) or the zone is unknown.
    std::optional<Name> host_name(std::size_t at, const Path& path, std::string_view what) {
        auto s = r_.string(at, path, "a host name (a string)", scratch_);
        if (!s) return std::nullopt;
        if (auto why = inventory_rules::hostname_problem(*s)) {
            r_.error(at, path, quote(*s) + " is not a valid " + std::string(what) + ": " + *why);
            return std::nullopt;
        }
        bool absolute = s->back() == '.';
        if (!absolute && !zone_ok_) return std::nullopt;
        std::string full = absolute ? std::string(*s) : std::string(*s) + "." + inv_.zone.text();
        std::size_t n = inventory_rules::hostname_wire_octets(*s, absolute ? 0 : inv_.zone.wire().size());
        if (n > Name::kMaxWire) {
            r_.error(at, path, "name " + quote(full) + " is " + std::to_string(n) + " octets long, more than 255");
            return std::nullopt;
        }
        return Name::parse(full);
    }

    void read_nameservers(const ValueOffsets& m) {
        if (m.key == npos) return;
        Path path = root_.member(m.key);
        if (!r_.expect(m.value, path, Kind::array, "an array of name servers")) return;
        if (r_.scan.first_element(m.value) == npos) r_.error(m.value, path, "expected at least one name server");
        std::vector<std::size_t> ordinals;  // array position of each entry of inv_.nameservers
        std::size_t i = 0;
        for (auto e = r_.scan.first_element(m.value); e != npos; e = r_.scan.next_element(e), ++i) {
            Path ep = path.element(i);
            ValueOffsets nm[3];
            if (!r_.object(e, ep, "a name server object", kNameServerKeys, nm)) continue;
            NameServer ns;
            bool addresses_ok = r_.addresses(nm[1], ep, false, ns.addresses);
            addresses_ok = r_.addresses(nm[2], ep, true, ns.addresses) && addresses_ok;
            if (nm[0].key == npos) continue;
            Path np = ep.member(nm[0].key);
            auto name = host_name(nm[0].value, np, "name server name");
            if (!name) continue;
            ns.name = std::move(*name);
            std::size_t k = 0;
            while (k < inv_.nameservers.size() && !(inv_.nameservers[k].name == ns.name)) ++k;
            if (k < inv_.nameservers.size()) {
                r_.error(nm[0].value, np,
                         "duplicate name server " + quote(ns.name.text()) + " (first at " + r_.pointer(path) + "/" +
                             std::to_string(ordinals[k]) + ")");
                continue;
            }
            // RFC 1034 §4.2.1: a name server inside the zone it serves is found only
            // through glue; an address for one outside the zone would be data this zone
            // has no authority for.
            if (zone_ok_ && addresses_ok) {
                bool inside = ns.name.is_subdomain_of(inv_.zone);
                if (inside && ns.addresses.empty()) {
                    r_.error(e, ep,
                             "name server " + quote(ns.name.text()) +
                                 " is inside the zone, so it needs an address (glue) in \"ipv4\" or \"ipv6\"");
                } else if (!inside && !ns.addresses.empty()) {
                    const ValueOffsets& a = ns.addresses.ipv4.empty() ? nm[2] : nm[1];
                    r_.error(a.value, ep.member(a.key),
                             "name server " + quote(ns.name.text()) +
                                 " is outside the zone, so it takes no address (glue)");
                }
            }
            inv_.nameservers.push_back(std::move(ns));
            ordinals.push_back(i);
        }
    }

    void read_soa(const ValueOffsets& m) {
        ValueOffsets s[6];
        Path path = root_.member(m.key);
        bool given = m.key != npos && r_.object(m.value, path, "an SOA object", kSoaKeys, s);
        if (!given) std::fill(std::begin(s), std::end(s), ValueOffsets{npos, npos});
        if (s[0].key != npos) {
            if (auto name = host_name(s[0].value, path.member(s[0].key), "host name"))
                inv_.soa_mname = std::move(*name);
        } else if (!inv_.nameservers.empty()) {
            inv_.soa_mname = inv_.nameservers.front().name;
        }
        if (s[1].key != npos) {
            read_rname(s[1].value, path.member(s[1].key));
        } else if (zone_ok_) {
            inv_.soa_rname = *inv_.zone.prepend("hostmaster");
        }
        std::uint32_t* timers[] = {&inv_.refresh, &inv_.retry, &inv_.expire, &inv_.minimum};
        for (std::size_t k = 0; k < 4; ++k)
            if (s[2 + k].key != npos)
                if (auto v = r_.integer(s[2 + k].value, path.member(s[2 + k].key), 0, kMaxTtl))
                    *timers[k] = static_cast<std::uint32_t>(*v);
    }

    // RNAME is a mailbox written as a name (RFC 1035 §8): hostmaster@example.com is
    // hostmaster.example.com. Its first label may hold any character (\-escaped).
    void read_rname(std::size_t at, const Path& path) {
        auto s = r_.string(at, path, "a mailbox as a DNS name (a string)", scratch_);
        if (!s) return;
        if (auto a = s->find('@'); a != std::string_view::npos) {
            std::string local;
            for (char c : s->substr(0, a)) local += c == '.' ? std::string("\\.") : std::string(1, c);
            std::string domain(s->substr(a + 1));
            if (!domain.empty() && domain.back() != '.') domain += '.';
            r_.error(at, path,
                     quote(*s) + " is an e-mail address; write it as a DNS name, e.g. " +
                         quote(local + "." + domain));
            return;
        }
        bool absolute = !s->empty() && s->back() == '.';
        if (!absolute && !zone_ok_) return;
        std::string full = absolute ? std::string(*s) : std::string(*s) + "." + inv_.zone.text();
        std::string why;
        if (auto name = Name::parse(full, &why)) {
            inv_.soa_rname = std::move(*name);
        } else {
            r_.error(at, path, quote(*s) + " is not a valid mailbox name: " + why);
        }
    }

    bool read_mx(const ValueOffsets& m, const Path& path) {
        if (m.key == npos) return true;
        ValueOffsets s[2];
        if (!r_.object(m.value, path, "an MX object", kMxKeys, s)) return false;
        bool ok = true;
        if (s[0].key != npos) {
            auto v = r_.integer(s[0].value, path.member(s[0].key), 0, 65535);
            if (v) inv_.mx_primary = static_cast<std::uint32_t>(*v);
            ok = ok && v;
        }
        if (s[1].key != npos) {
            auto v = r_.integer(s[1].value, path.member(s[1].key), 1, 65535);
            if (v) inv_.mx_step = static_cast<std::uint32_t>(*v);
            ok = ok && v;
        }
        return ok;
    }

    Reader& r_;
    Inventory& inv_;
    const JsonSplit split_;
    Path root_;
    bool zone_ok_ = false;
    std::string scratch_;
};

}  // namespace

namespace inventory_detail {

Result<Inventory> parse_inventory(std::string_view text, const std::string& file, std::size_t from, std::size_t every,
                                  bool threads) {
    // The array cut is counted too; it is "sites" unless another member is as large.
    JsonSplit split;
    split.from = from;
    split.every = every;
    // The fast check passes good files; nlohmann/json says what is wrong with the rest
    // (and has the last word).
    if (!json_well_formed(text, &split))
        if (auto syntax = json_syntax_error(text, file)) return *syntax;
    if (!threads) split.cuts = 0;  // the count still serves
    while (true) {
        Reader r(text);
        Inventory inv;
        if (!TopReader(r, inv, split).read()) {
            split.cuts = 0;
            continue;
        }
        if (!r.clean()) return r.finish(file);
        return inv;
    }
}

}  // namespace inventory_detail

Result<Inventory> parse_inventory(std::string_view text, const std::string& file) {
    // Parts of a 16th: small enough to even out a CPU that is busy with something else.
    const std::size_t part = std::max<std::size_t>(text.size() / 16, 1);
    const bool threads = text.size() >= inventory_detail::kMinSplit && usable_cpus() > 1;
    return inventory_detail::parse_inventory(text, file, part, part, threads);
}

InventoryFile load_inventory(const std::string& path) {
    InventoryFile f;
    if (auto err = read_file_into(path, f.text)) {
        f.status = Exit::Usage;
        f.errors.push_back(err->diagnostic());
        return f;
    }
    auto parsed = parse_inventory(f.text, path);
    if (!parsed) {
        f.status = Exit::Invalid;
        f.errors = parsed.errors();
        return f;
    }
    f.inventory = std::move(parsed).value();
    return f;
}

std::string site_pointer(std::size_t site) { return "/sites/" + std::to_string(site); }

std::string smarthost_pointer(std::size_t site, std::size_t host) {
    return site_pointer(site) + "/smarthosts/" + std::to_string(host);
}

}  // namespace zonegen
