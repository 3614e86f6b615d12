// Asking a live server through ldns's resolver, configured to talk to exactly one
// address: no search list, no recursion desired, no resolv.conf.
#include "zonegen/commands/explain_server.hpp"

#include "zonegen/core/ldns.hpp"

#include <cstring>

#include "zonegen/inventory/inventory_rules.hpp"

namespace zonegen {

std::string ServerAddress::text() const {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<ServerAddress> parse_server_address(std::string_view text) {
    std::string_view host, port;
    if (text.starts_with('[')) {
        auto close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        if (!inventory_rules::parse_ipv6(host)) return std::nullopt;
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (!inventory_rules::parse_ipv4(host)) return std::nullopt;
    }
    if (port.empty() || port.size() > 5) return std::nullopt;
    unsigned long p = 0;
    for (char c : port) {
        if (c < '0' || c > '9') return std::nullopt;
        p = p * 10 + static_cast<unsigned long>(c - '0');
    }
    if (p == 0 || p > 65535) return std::nullopt;
    return ServerAddress{std::string(host), static_cast<std::uint16_t>(p)};
}

namespace {

struct Asker {
    const ServerAddress& server;
    ldns::Resolver res;
    ServerPlan& out;

    std::string where(const Name& name, const char* type) const {
        return server.text() + ": " + name.text() + " " + type;
    }

    void fail(bool unreachable, std::string message) {
        out.unreachable = out.unreachable || unreachable;
        out.plan = Diagnostic{{}, std::move(message)};
    }

    // The answer's records of type t owned by name; nullopt after fail().
    std::optional<std::vector<ldns_rr*>> ask(const Name& name, ldns_rr_type t, const char* type, ldns::Pkt& keep) {
        ldns::Rdf qname(ldns_dname_new_frm_data(static_cast<uint16_t>(name.wire().size()), name.wire().data()));
        ldns_pkt* raw = nullptr;
        ldns_status st = ldns_resolver_send(&raw, res.get(), qname.get(), t, LDNS_RR_CLASS_IN, 0);
        keep.reset(raw);
        if (st != LDNS_STATUS_OK || raw == nullptr) {
            fail(true, where(name, type) + ": no answer: " + ldns_get_errorstr_by_id(st));
            return std::nullopt;
        }
        ldns_pkt_rcode rcode = ldns_pkt_get_rcode(raw);
        if (rcode == LDNS_RCODE_NXDOMAIN) {
            fail(false, where(name, type) + ": no such name (NXDOMAIN)");
            return std::nullopt;
        }
        if (rcode != LDNS_RCODE_NOERROR) {
            ldns_lookup_table* lt = ldns_lookup_by_id(ldns_rcodes, static_cast<int>(rcode));
            fail(false, where(name, type) + ": the server answered " + (lt ? lt->name : std::to_string(rcode)));
            return std::nullopt;
        }
        std::vector<ldns_rr*> rrs;
        ldns_rr_list* answer = ldns_pkt_answer(raw);
        for (std::size_t i = 0; answer && i < ldns_rr_list_rr_count(answer); ++i) {
            ldns_rr* rr = ldns_rr_list_rr(answer, i);
            ldns_rdf* owner = ldns_rr_owner(rr);
            auto o = Name::from_wire(
                std::string_view(reinterpret_cast<const char*>(ldns_rdf_data(owner)), ldns_rdf_size(owner)));
            if (ldns_rr_get_type(rr) == t && o && *o == name) rrs.push_back(rr);
        }
        return rrs;
    }

    template <class T>
    bool addresses(const Name& host, ldns_rr_type t, const char* type, std::vector<T>& into) {
        ldns::Pkt keep;
        auto rrs = ask(host, t, type, keep);
        if (!rrs) return false;
        for (ldns_rr* rr : *rrs) {
            ldns_rdf* rd = ldns_rr_rdf(rr, 0);
            T a;
            if (rd == nullptr || ldns_rdf_size(rd) != a.addr.size()) continue;
            std::memcpy(a.addr.data(), ldns_rdf_data(rd), a.addr.size());
            into.push_back(a);
        }
        return true;
    }
};

}  // namespace

ServerPlan plan_from_server(const Name& site, const ServerAddress& server, std::chrono::milliseconds timeout) {
    ServerPlan out;
    Asker asker{server, ldns::Resolver(ldns_resolver_new()), out};
    ldns_resolver* r = asker.res.get();
    bool v6 = server.host.find(':') != std::string::npos;
    ldns::Rdf ns(ldns_rdf_new_frm_str(v6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, server.host.c_str()));
    if (!r || !ns || ldns_resolver_push_nameserver(r, ns.get()) != LDNS_STATUS_OK) {
        out.unreachable = true;
        out.plan = Diagnostic{{}, server.text() + ": cannot set up a DNS client for this address"};
        return out;
    }
    ldns_resolver_set_port(r, server.port);
    ldns_resolver_set_recursive(r, false);
    ldns_resolver_set_fallback(r, true);  // truncated over UDP: ask again over TCP
    ldns_resolver_set_retry(r, 2);
    ldns_resolver_set_retrans(r, 1);
    ldns_resolver_set_edns_udp_size(r, 1232);  // RFC 9715 / DNS flag day 2020
    ldns_resolver_set_random(r, false);
    struct timeval tv;
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ldns_resolver_set_timeout(r, tv);

    ldns::Pkt mx_answer;
    auto mx = asker.ask(site, LDNS_RR_TYPE_MX, "MX", mx_answer);
    if (!mx) return out;
    std::vector<PlanRecord> records;
    for (ldns_rr* rr : *mx) {
        ldns_rdf* pref = ldns_rr_mx_preference(rr);
        ldns_rdf* exchange = ldns_rr_mx_exchange(rr);
        if (pref == nullptr || exchange == nullptr) continue;
        auto target = Name::from_wire(
            std::string_view(reinterpret_cast<const char*>(ldns_rdf_data(exchange)), ldns_rdf_size(exchange)));
        if (!target) continue;
        PlanRecord rec{ldns_rdf2native_int16(pref), PlanHost{*target, {}, {}}};
        // RFC 5321 §5.1: a target whose address lookup fails is skipped, like one without
        // addresses; only a server that does not answer at all stops the plan.
        if (!asker.addresses(*target, LDNS_RR_TYPE_A, "A", rec.host.ipv4) && out.unreachable) return out;
        if (!asker.addresses(*target, LDNS_RR_TYPE_AAAA, "AAAA", rec.host.ipv6) && out.unreachable) return out;
        records.push_back(std::move(rec));
    }
    out.plan = make_plan(site, std::move(records));
    return out;
}

}  // namespace zonegen
