// Zone construction from an inventory; the MX tiers are the product's whole idea: senders
// round-robin across the lowest preference and move on only when that whole tier is down
// (RFC 5321 §5.1), so a site's own smarthosts come first and other sites follow.
//
// Two ways to the same Zone. The general one feeds every record to a ZoneBuilder, which
// sorts them. The direct one knows the inventory's shape: every site is a label below the
// zone and its smarthosts are labels below the site, so sorting the site labels puts the
// whole zone in canonical order (RFC 4034 §6.1: a site's name, then its hosts, then the
// next site), and each site's nodes can be made in place, on every CPU, with nothing left
// to sort or merge. On a 100,000-site inventory that is most of a reload's zone build
// (issue 14). Anything outside that shape (a name server inside a site's subtree, a label
// given twice) takes the general way.
#include "zonegen/inventory/build.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>

#include "zonegen/core/parallel.hpp"

namespace zonegen {

namespace {

void add_addresses(ZoneBuilder& b, const Name& owner, const Addresses& a, std::uint32_t ttl) {
    for (const auto& v4 : a.ipv4) b.add(owner, ttl, v4);
    for (const auto& v6 : a.ipv6) b.add(owner, ttl, v6);
}

// The apex (SOA, NS) and the name servers' glue: the records that do not come from sites.
void add_apex(ZoneBuilder& b, const Inventory& inv, std::uint32_t serial) {
    const std::uint32_t ttl = inv.ttl;
    b.add(inv.zone, ttl, Soa{inv.soa_mname, inv.soa_rname, serial, inv.refresh, inv.retry, inv.expire, inv.minimum});
    for (const auto& ns : inv.nameservers) {
        b.add(inv.zone, ttl, Ns{ns.name});
        add_addresses(b, ns.name, ns.addresses, ttl);
    }
}

// Every MX record of a site, tier by tier, as fn(Mx).
template <class Fn>
void for_each_mx(const Inventory& inv, const Site& site, Fn&& fn) {
    const auto primary = static_cast<std::uint16_t>(tier_preference(inv, 0));
    for (const auto& host : site.smarthosts) fn(Mx{primary, host.name});
    for (std::size_t k = 0; k < site.fallback.size(); ++k) {
        const auto pref = static_cast<std::uint16_t>(tier_preference(inv, k + 1));
        const Site& other = inv.sites[site.fallback[k].site];
        for (std::size_t h : site.fallback[k].hosts) fn(Mx{pref, other.smarthosts[h].name});
    }
}

bool has_mx(const Site& site) {
    if (!site.smarthosts.empty()) return true;
    return std::any_of(site.fallback.begin(), site.fallback.end(), [](const auto& t) { return !t.hosts.empty(); });
}

std::string_view first_label(const Name& n) {
    const std::string_view w = n.wire();
    return w.substr(1, static_cast<unsigned char>(w[0]));
}

// Sites in canonical order of their labels: siblings compare as their lower-cased octets
// (RFC 4034 §6.1), and inventory labels are lower case. The handles carry the first 16
// octets, so the sort seldom reads a Site (at a million sites, a cache miss each time).
std::vector<std::uint32_t> sites_in_order(const Inventory& inv, unsigned threads) {
    struct Handle {
        std::uint64_t head[2];
        std::uint32_t site;
    };
    const std::size_t n = inv.sites.size();
    std::vector<Handle> h(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::string& label = inv.sites[i].label;
        h[i] = {{0, 0}, i};
        for (std::size_t k = 0; k < 16 && k < label.size(); ++k)
            h[i].head[k / 8] |= std::uint64_t{static_cast<unsigned char>(label[k])} << (8 * (7 - k % 8));
    }
    auto less = [&inv](const Handle& x, const Handle& y) {
        if (x.head[0] != y.head[0]) return x.head[0] < y.head[0];
        if (x.head[1] != y.head[1]) return x.head[1] < y.head[1];
        return inv.sites[x.site].label < inv.sites[y.site].label;
    };
    const unsigned parts = part_count(n, threads, 50'000);
    std::vector<std::ptrdiff_t> cut(parts + 1);
    for (unsigned p = 0; p <= parts; ++p) cut[p] = static_cast<std::ptrdiff_t>(n * p / parts);
    run_parts(parts, [&](unsigned p) { std::sort(h.begin() + cut[p], h.begin() + cut[p + 1], less); });
    for (unsigned p = 1; p < parts; ++p)
        std::inplace_merge(h.begin(), h.begin() + cut[p], h.begin() + cut[p + 1], less);
    std::vector<std::uint32_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = h[i].site;
    return order;
}

// Records of one type in canonical order (RFC 4034 §6.3), duplicates dropped (RFC 2181 §5):
// sorted where they will stay, with no copy on the side (a large inventory's build is
// mostly allocation).
template <class T, class Less>
void sort_unique(std::vector<Rdata>& rdata, Less less) {
    auto by = [&less](const Rdata& a, const Rdata& b) { return less(std::get<T>(a), std::get<T>(b)); };
    std::sort(rdata.begin(), rdata.end(), by);
    rdata.erase(std::unique(rdata.begin(), rdata.end()), rdata.end());
}

// A host's node: its A RRset, then its AAAA RRset (by type number).
Node host_node(const Smarthost& host, std::uint32_t ttl) {
    Node node{host.name, {}};
    node.rrsets.reserve((host.addresses.ipv4.empty() ? 0 : 1) + (host.addresses.ipv6.empty() ? 0 : 1));
    auto add = [&]<class T>(RRType type, const std::vector<T>& addrs) {
        if (addrs.empty()) return;
        RRset& set = node.rrsets.emplace_back(RRset{type, ttl, {}});
        set.rdata.reserve(addrs.size());
        for (const T& a : addrs) set.rdata.emplace_back(a);
        if (addrs.size() > 1) sort_unique<T>(set.rdata, [](const T& a, const T& b) { return a.addr < b.addr; });
    };
    add(RRType::A, host.addresses.ipv4);
    add(RRType::AAAA, host.addresses.ipv6);
    return node;
}

// A site's node: one MX RRset, by preference, then the exchange's wire octets.
Node site_node(const Inventory& inv, const Site& site) {
    std::size_t count = site.smarthosts.size();
    for (const auto& tier : site.fallback) count += tier.hosts.size();
    Node node{site.name, {}};
    RRset& set = node.rrsets.emplace_back(RRset{RRType::MX, inv.ttl, {}});
    set.rdata.reserve(count);
    for_each_mx(inv, site, [&set](Mx r) { set.rdata.emplace_back(std::move(r)); });
    sort_unique<Mx>(set.rdata, [](const Mx& a, const Mx& b) {
        if (a.preference != b.preference) return a.preference < b.preference;
        return a.exchange.wire() < b.exchange.wire();
    });
    return node;
}

std::size_t node_count(const Site& site) {
    std::size_t n = has_mx(site) ? 1 : 0;
    for (const auto& host : site.smarthosts) n += host.addresses.empty() ? 0 : 1;
    return n;
}

}  // namespace

namespace build_detail {

Result<Zone> by_builder(const Inventory& inv, std::uint32_t serial) {
    ZoneBuilder b(inv.zone);
    // Exact counts: the builder then allocates once.
    std::size_t owners = 1 + inv.nameservers.size() + inv.sites.size();
    std::size_t records = 1;
    for (const auto& ns : inv.nameservers) records += 1 + ns.addresses.ipv4.size() + ns.addresses.ipv6.size();
    for (const auto& s : inv.sites) {
        owners += s.smarthosts.size();
        for (const auto& h : s.smarthosts) records += 1 + h.addresses.ipv4.size() + h.addresses.ipv6.size();
        for (const auto& tier : s.fallback) records += tier.hosts.size();
    }
    b.reserve(owners, records);
    add_apex(b, inv, serial);
    for (const auto& site : inv.sites) {
        for_each_mx(inv, site, [&](Mx r) { b.add(site.name, inv.ttl, std::move(r)); });
        for (const auto& host : site.smarthosts) add_addresses(b, host.name, host.addresses, inv.ttl);
    }
    return std::move(b).finish();
}

std::optional<Result<Zone>> direct(const Inventory& inv, std::uint32_t serial, unsigned threads) {
    // The apex and the glue through a builder of their own: a handful of records, with
    // its checks (glue outside the zone, a second SOA).
    ZoneBuilder apex_builder(inv.zone);
    add_apex(apex_builder, inv, serial);
    auto head = std::move(apex_builder).finish();
    if (!head) return head;
    const Zone apex_zone = std::move(head).value();
    std::vector<Node> apex = apex_zone.nodes();  // a copy of a few nodes

    const std::vector<std::uint32_t> order = sites_in_order(inv, threads);
    const std::size_t n = order.size();
    auto label = [&](std::size_t k) -> const std::string& { return inv.sites[order[k]].label; };
    for (std::size_t k = 1; k < n; ++k)
        if (label(k) == label(k - 1)) return std::nullopt;

    // Where each glue owner goes: before the first site whose label sorts after the glue
    // owner's label below the zone. An owner under a site's own label would fall inside
    // that site's nodes: the general way merges those.
    std::vector<std::size_t> glue_rank(apex.size(), 0);
    for (std::size_t j = 1; j < apex.size(); ++j) {
        const std::string_view top = apex[j].owner.label_below(inv.zone);
        std::size_t lo = 0, hi = n;
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (std::string_view(label(mid)) < top)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && std::string_view(label(lo)) == top) return std::nullopt;
        glue_rank[j] = lo;
    }

    // Every node's place, then the nodes themselves, site by site on every CPU.
    std::vector<std::size_t> start(n + 1);
    std::vector<Node> nodes;
    {
        std::size_t pos = 1, j = 1;
        std::vector<std::size_t> glue_at(apex.size(), 0);
        for (std::size_t k = 0; k <= n; ++k) {
            while (j < apex.size() && glue_rank[j] <= k) glue_at[j++] = pos++;
            start[k] = pos;
            if (k < n) pos += node_count(inv.sites[order[k]]);
        }
        nodes.resize(pos);
        nodes[0] = std::move(apex[0]);
        for (std::size_t g = 1; g < apex.size(); ++g) nodes[glue_at[g]] = std::move(apex[g]);
    }
    std::atomic<bool> odd{false};
    const unsigned parts = part_count(n, threads, 4096);
    run_parts(parts, [&](unsigned p) {
        std::vector<const Smarthost*> hosts;
        for (std::size_t k = n * p / parts; k < n * (p + 1) / parts; ++k) {
            const Site& site = inv.sites[order[k]];
            std::size_t at = start[k];
            if (has_mx(site)) nodes[at++] = site_node(inv, site);
            hosts.clear();
            for (const auto& host : site.smarthosts)
                if (!host.addresses.empty()) hosts.push_back(&host);
            std::sort(hosts.begin(), hosts.end(), [](const Smarthost* a, const Smarthost* b) {
                return first_label(a->name) < first_label(b->name);
            });
            for (std::size_t i = 0; i < hosts.size(); ++i) {
                if (i > 0 && first_label(hosts[i]->name) == first_label(hosts[i - 1]->name))
                    odd.store(true, std::memory_order_relaxed);
                nodes[at++] = host_node(*hosts[i], inv.ttl);
            }
        }
    });
    if (odd.load()) return std::nullopt;
    return Zone::assemble(inv.zone, std::move(nodes));
}

}  // namespace build_detail

Result<Zone> build_zone(const Inventory& inv, std::uint32_t serial) {
    if (auto zone = build_detail::direct(inv, serial, usable_cpus())) return std::move(*zone);
    return build_detail::by_builder(inv, serial);
}

}  // namespace zonegen
