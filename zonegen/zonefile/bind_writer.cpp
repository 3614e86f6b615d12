// BIND master-file rendering. Written for speed as much as looks: a 100,000-site zone is
// ~800,000 lines and is rendered into one reserved string without streams or locales.
#include "zonegen/zonefile/bind_writer.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <span>
#include <vector>

#include "zonegen/core/decimal.hpp"
#include "zonegen/core/parallel.hpp"

namespace zonegen {

static void append_uint(std::string& out, std::uint64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

static void append_name(std::string& out, const Name& n, const Name& origin) {
    if (origin.is_root())
        out += n.text();
    else
        n.append_text_relative_to(out, origin);
}

// RFC 1035 §5.1 character-string: quoted, with " and \ escaped and anything that is not
// printable ASCII as \DDD, so the text survives any editor and reads back identically.
static void append_character_string(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u >= 0x7f) {
            out += '\\';
            out += static_cast<char>('0' + u / 100);
            out += static_cast<char>('0' + (u / 10) % 10);
            out += static_cast<char>('0' + u % 10);
        } else {
            out += c;
        }
    }
    out += '"';
}

static void append_rdata(std::string& out, const Rdata& rd, const Name& origin) {
    struct V {
        std::string& o;
        const Name& origin;
        void operator()(const A& r) const {
            for (std::size_t i = 0; i < 4; ++i) {
                if (i) o += '.';
                append_uint(o, r.addr[i]);
            }
        }
        void operator()(const Aaaa& r) const {
            char buf[INET6_ADDRSTRLEN];
            // glibc's inet_ntop prints the RFC 5952 form: lower case, longest zero run as ::.
            o += inet_ntop(AF_INET6, r.addr.data(), buf, sizeof buf);
        }
        void operator()(const Ns& r) const { append_name(o, r.host, origin); }
        void operator()(const Soa& r) const {
            append_name(o, r.mname, origin);
            o += ' ';
            append_name(o, r.rname, origin);
            for (auto v : {r.serial, r.refresh, r.retry, r.expire, r.minimum}) {
                o += ' ';
                append_uint(o, v);
            }
        }
        void operator()(const Mx& r) const {
            append_uint(o, r.preference);
            o += ' ';
            append_name(o, r.exchange, origin);
        }
        void operator()(const Txt& r) const {
            for (std::size_t i = 0; i < r.strings.size(); ++i) {
                if (i) o += ' ';
                append_character_string(o, r.strings[i]);
            }
        }
    };
    std::visit(V{out, origin}, rd);
}

std::string rdata_text(const Rdata& rd, const Name& origin) {
    std::string out;
    append_rdata(out, rd, origin);
    return out;
}

namespace {

struct Layout {
    const Name& origin;
    std::uint32_t default_ttl;
    std::size_t width;  // of the owner column
};

// The lines of nodes, appended to out. One paragraph per subtree below the apex (a site
// and its smarthosts): canonical order keeps each subtree together, so a blank line goes
// wherever the top label changes; paragraph is the one the node before nodes ended in.
void render_nodes(std::string& out, std::span<const Node> nodes, const Layout& layout, std::string_view paragraph) {
    std::string owner;
    for (const auto& node : nodes) {
        owner.clear();
        node.owner.append_text_relative_to(owner, layout.origin);
        if (std::string_view top = node.owner.label_below(layout.origin); !top.empty()) {
            if (top != paragraph) out += '\n';
            paragraph = top;
        }
        auto emit = [&](const RRset& set) {
            const char* type = type_name(set.type);
            for (const auto& rd : set.rdata) {
                out += owner;
                out.append(owner.size() < layout.width ? layout.width - owner.size() : 0, ' ');
                out += ' ';
                if (set.ttl != layout.default_ttl) {
                    append_uint(out, set.ttl);
                    out += ' ';
                }
                out += "IN ";
                out += type;
                out.append(6 - std::min<std::size_t>(5, std::char_traits<char>::length(type)), ' ');
                append_rdata(out, rd, layout.origin);
                out += '\n';
            }
        };
        // RFC 1035 §5.2: the SOA is the first record of a master file; the rest of the
        // apex follows in type order.
        if (const RRset* soa = node.find(RRType::SOA)) emit(*soa);
        for (const auto& set : node.rrsets)
            if (set.type != RRType::SOA) emit(set);
    }
}

}  // namespace

std::string render_bind(const Zone& zone, std::string_view source) {
    return bind_detail::render_bind(zone, source, part_count(zone.nodes().size(), usable_cpus(), 20'000));
}

std::string bind_detail::render_bind(const Zone& zone, std::string_view source, unsigned parts) {
    const Name& origin = zone.origin();
    // Owner column as wide as the longest relative owner (capped so one long name does not
    // push every line far right).
    std::size_t width = 1;
    for (const auto& node : zone.nodes())
        if (!(node.owner == origin)) width = std::max(width, node.owner.wire().size() - origin.wire().size() - 1);
    const Layout layout{origin, zone.soa_ttl(), std::min<std::size_t>(width, 40)};

    std::string out;
    const std::size_t records = zone.record_count();
    out.reserve(records * (layout.width + 40) + 256);
    out += "; Zone ";
    out += origin.text();
    out += " generated by zonegen from ";
    out += source;
    out += ".\n; Edit the inventory and run zonegen generate instead of editing this file.\n";
    out += "$ORIGIN ";
    out += origin.text();
    out += "\n$TTL ";
    append_uint(out, layout.default_ttl);
    out += '\n';

    // A large zone in parts on every CPU (a million sites are 360 MB of text), each part's
    // text then appended to the first's: the same bytes as one pass.
    const std::span<const Node> nodes(zone.nodes());
    parts = std::max(1u, parts);
    std::vector<std::string> later(parts - 1);
    const std::size_t per_node = out.capacity() / std::max<std::size_t>(nodes.size(), 1);
    run_parts(parts, [&](unsigned p) {
        const std::size_t from = nodes.size() * p / parts, to = nodes.size() * (p + 1) / parts;
        std::string& text = p == 0 ? out : later[p - 1];
        if (p > 0) text.reserve((to - from) * per_node);
        const std::string_view paragraph = from == 0 ? std::string_view() : nodes[from - 1].owner.label_below(origin);
        render_nodes(text, nodes.subspan(from, to - from), layout, paragraph);
    });
    for (std::string& text : later) {
        out += text;
        std::string().swap(text);
    }
    return out;
}

std::optional<std::uint32_t> rendered_serial(std::string_view text) {
    // The first record line is the apex SOA: "@ <spaces> [TTL ]IN SOA mname rname serial ...".
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty() || line[0] == ';' || line[0] == '$') continue;
        std::string_view tokens[8];
        std::size_t n = 0;
        std::size_t i = 0;
        while (i < line.size() && n < 8) {
            while (i < line.size() && line[i] == ' ') ++i;
            std::size_t start = i;
            while (i < line.size() && line[i] != ' ') ++i;
            if (i > start) tokens[n++] = line.substr(start, i - start);
        }
        std::size_t t = (n > 2 && tokens[1] == "IN") ? 2 : 3;  // optional TTL column
        if (n < t + 4 || tokens[0] != "@" || tokens[t - 1] != "IN" || tokens[t] != "SOA") return std::nullopt;
        std::string_view s = tokens[t + 3];
        return parse_decimal(s, 0, UINT32_MAX);
    }
    return std::nullopt;
}

}  // namespace zonegen
