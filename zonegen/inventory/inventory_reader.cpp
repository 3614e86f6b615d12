// Typed reading of the inventory text and the collection of its problems (see
// inventory_reader.hpp).
#include "zonegen/inventory/inventory_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "zonegen/inventory/inventory_rules.hpp"

namespace zonegen::inventory_detail {

using inventory_rules::quote;

void Reader::error(std::size_t at, const Path& path, std::string message) {
    errors_.push_back({at, pointer(path), std::move(message)});
}

std::string Reader::pointer(const Path& path) const {
    std::vector<const Path*> chain;
    for (const Path* p = &path; p != nullptr; p = p->up) chain.push_back(p);
    std::string out;
    // The outermost frame is the document itself and names nothing.
    for (auto it = chain.rbegin() + 1; it < chain.rend(); ++it) {
        out += '/';
        out += (*it)->key == npos ? std::to_string((*it)->index) : json_pointer_escape(scan.decoded((*it)->key));
    }
    return out;
}

std::string Reader::describe(std::size_t at) const {
    switch (scan.kind(at)) {
        case Kind::object: return "an object";
        case Kind::array: return "an array";
        case Kind::string: return quote(scan.decoded(at));
        case Kind::none: return "nothing";
        default: return std::string(scan.token(at));
    }
}

bool Reader::expect(std::size_t at, const Path& path, Kind kind, std::string_view what) {
    if (scan.kind(at) == kind) return true;
    error(at, path, "expected " + std::string(what) + ", found " + describe(at));
    return false;
}

bool Reader::object(std::size_t at, const Path& path, std::string_view what, std::span<const Key> keys,
                    std::span<ValueOffsets> out, std::size_t* end, MemberVisitor visit) {
    std::fill(out.begin(), out.end(), ValueOffsets{npos, npos});
    if (!expect(at, path, Kind::object, what)) {
        if (end != nullptr) *end = scan.end_of(at);
        return false;
    }
    std::string scratch;
    std::vector<std::size_t> unknown;  // keys, judged once every member is known
    for (auto m = scan.first_member(at, end); m.key != npos;) {
        std::string_view name = scan.str(m.key, scratch);
        std::size_t k = 0, value_end = npos;
        while (k < keys.size() && keys[k].name != name) ++k;
        if (k == keys.size()) {
            unknown.push_back(m.key);
        } else if (out[k].key != npos) {
            duplicate_keys_ = true;  // reported with every other repeat by finish()
        } else {
            out[k] = m;
            if (visit) value_end = visit(k, m);
        }
        m = value_end != npos ? scan.member_after(value_end, end) : scan.next_member(m, end);
    }
    // A typo is a key the object lacks, so only absent keys are suggested; a required
    // key that was suggested is not reported missing as well.
    std::vector<std::string_view> absent, suggested;
    for (std::size_t k = 0; k < keys.size() && !unknown.empty(); ++k)
        if (out[k].key == npos) absent.push_back(keys[k].name);
    for (std::size_t key : unknown) {
        std::string name = scan.decoded(key);
        std::string msg = "unknown key " + quote(name);
        if (auto near = inventory_rules::closest(name, absent)) {
            msg += "; did you mean " + quote(*near) + "?";
            suggested.push_back(*near);
        } else {
            msg += "; expected one of ";
            for (std::size_t k = 0; k < keys.size(); ++k) msg += (k ? ", " : "") + quote(keys[k].name);
        }
        error(key, path.member(key), std::move(msg));
    }
    for (std::size_t k = 0; k < keys.size(); ++k)
        if (keys[k].required && out[k].key == npos &&
            std::find(suggested.begin(), suggested.end(), keys[k].name) == suggested.end())
            error(at, path, "missing required key " + quote(keys[k].name));
    return true;
}

std::optional<std::string_view> Reader::string(std::size_t at, const Path& path, std::string_view what,
                                               std::string& scratch) {
    if (!expect(at, path, Kind::string, what)) return std::nullopt;
    return scan.str(at, scratch);
}

std::optional<std::uint64_t> Reader::integer(std::size_t at, const Path& path, std::uint64_t min, std::uint64_t max,
                                             std::string_view what) {
    std::string_view token = scan.kind(at) == Kind::number ? scan.token(at) : std::string_view();
    bool plain = !token.empty() && token.find_first_of(".eE") == std::string_view::npos;
    if (plain) {
        // "-0" is zero; any other negative number is below every range here.
        if (token == "-0") return min == 0 ? std::optional<std::uint64_t>(0) : std::nullopt;
        std::uint64_t v = 0;
        auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
        if (ec == std::errc() && end == token.data() + token.size() && v >= min && v <= max) return v;
    } else if (!token.empty()) {
        // 300.0 and 3e2 are integers to JSON Schema (sites.schema.json, and so an editor),
        // so they are here too; 300.5 is not. Every range here is far inside a double's
        // exact integers (2^53).
        double d = 0;
        auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), d);
        if (ec == std::errc() && end == token.data() + token.size() && d == std::floor(d) && d >= double(min) &&
            d <= double(max))
            return static_cast<std::uint64_t>(d);
    }
    std::string expected = what.empty() ? "an integer from " + std::to_string(min) + " to " + std::to_string(max)
                                        : std::string(what);
    error(at, path, "expected " + expected + ", found " + describe(at));
    return std::nullopt;
}

bool Reader::addresses(const ValueOffsets& m, const Path& path, bool v6, Addresses& out, std::size_t* end) {
    if (m.key == npos) return true;
    Path here = path.member(m.key);
    if (!expect(m.value, here, Kind::array, v6 ? "an array of IPv6 addresses" : "an array of IPv4 addresses")) {
        if (end != nullptr) *end = scan.end_of(m.value);
        return false;
    }
    bool ok = true;
    std::string scratch;
    std::size_t i = 0;
    for (auto e = scan.first_element(m.value, end); e != npos; e = scan.next_element(e, end), ++i) {
        Path at = here.element(i);
        auto text = string(e, at, v6 ? "an IPv6 address (a string)" : "an IPv4 address (a string)", scratch);
        if (!text) {
            ok = false;
            continue;
        }
        bool duplicate = false;
        if (v6) {
            if (auto a = inventory_rules::parse_ipv6(*text)) {
                duplicate = std::find(out.ipv6.begin(), out.ipv6.end(), *a) != out.ipv6.end();
                if (!duplicate) out.ipv6.push_back(*a);
            } else {
                std::string msg = quote(*text) + " is not an IPv6 address";
                if (inventory_rules::parse_ipv4(*text)) msg += "; an IPv4 address belongs in \"ipv4\"";
                error(e, at, std::move(msg));
                ok = false;
            }
        } else {
            bool leading_zero = false;
            if (auto a = inventory_rules::parse_ipv4(*text, &leading_zero)) {
                duplicate = std::find(out.ipv4.begin(), out.ipv4.end(), *a) != out.ipv4.end();
                if (!duplicate) out.ipv4.push_back(*a);
            } else {
                std::string msg = quote(*text) + " is not an IPv4 address";
                if (leading_zero)
                    msg += ": leading zeros are not allowed";
                else if (inventory_rules::parse_ipv6(*text))
                    msg += "; an IPv6 address belongs in \"ipv6\"";
                error(e, at, std::move(msg));
                ok = false;
            }
        }
        if (duplicate) {
            error(e, at, "duplicate address " + quote(*text));
            ok = false;
        }
    }
    return ok;
}

std::vector<Diagnostic> Reader::finish(const std::string& file) const {
    std::vector<Pending> all = errors_;
    std::vector<std::size_t> firsts;
    if (!clean()) {
        for (DuplicateKey& d : find_duplicate_keys(scan.text())) {
            firsts.push_back(d.first);
            all.push_back({d.offset, std::move(d.pointer), "duplicate key " + quote(scan.decoded(d.offset))});
        }
    }
    // Where the earlier key of each repeat is, to point the reader at both.
    std::vector<TextPosition> first_at = positions_of(scan.text(), firsts);
    for (std::size_t k = 0; k < firsts.size(); ++k)
        all[errors_.size() + k].message += " (first on line " + std::to_string(first_at[k].line) + ")";

    std::stable_sort(all.begin(), all.end(), [](const Pending& a, const Pending& b) { return a.offset < b.offset; });
    std::vector<std::size_t> offsets;
    offsets.reserve(all.size());
    for (const Pending& p : all) offsets.push_back(p.offset);
    std::vector<TextPosition> at = positions_of(scan.text(), offsets);
    std::vector<Diagnostic> out;
    out.reserve(all.size());
    for (std::size_t k = 0; k < all.size(); ++k)
        out.push_back({{file, at[k].line, at[k].column, std::move(all[k].pointer)}, std::move(all[k].message)});
    return out;
}

}  // namespace zonegen::inventory_detail
