// DNS messages for tests: raw query building and ldns-based response decoding.
#include "tests/support/dns_decode.hpp"

#include <algorithm>
#include <cstdlib>

#include "zonegen/core/ldns.hpp"

namespace dnstest {

Packet& Packet::u8(std::uint8_t v) {
    data_.push_back(v);
    return *this;
}

Packet& Packet::u16(std::uint16_t v) {
    return u8(static_cast<std::uint8_t>(v >> 8)).u8(static_cast<std::uint8_t>(v));
}

Packet& Packet::u32(std::uint32_t v) {
    return u16(static_cast<std::uint16_t>(v >> 16)).u16(static_cast<std::uint16_t>(v));
}

Packet& Packet::bytes(std::span<const std::uint8_t> b) {
    data_.insert(data_.end(), b.begin(), b.end());
    return *this;
}

Packet& Packet::text(std::string_view raw) {
    for (char c : raw) u8(static_cast<std::uint8_t>(c));
    return *this;
}

Packet& Packet::name(std::string_view dotted) {
    if (!dotted.empty() && dotted.back() == '.') dotted.remove_suffix(1);
    while (!dotted.empty()) {
        const std::size_t dot = dotted.find('.');
        const std::string_view label = dotted.substr(0, dot);
        u8(static_cast<std::uint8_t>(label.size())).text(label);
        dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
    }
    return u8(0);
}

Packet& Packet::header(std::uint16_t id, std::uint16_t flags, std::uint16_t qd, std::uint16_t an, std::uint16_t ns,
                       std::uint16_t ar) {
    return u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
}

Packet& Packet::opt(std::uint16_t payload, std::uint8_t version, bool dnssec_ok,
                    std::span<const std::uint8_t> rdata) {
    u8(0).u16(41).u16(payload);
    u32((std::uint32_t{version} << 16) | (dnssec_ok ? 0x8000u : 0u));
    return u16(static_cast<std::uint16_t>(rdata.size())).bytes(rdata);
}

std::vector<std::uint8_t> query(std::string_view name, std::uint16_t qtype, const QueryOptions& o) {
    Packet p;
    const std::uint16_t flags = static_cast<std::uint16_t>((o.opcode & 0x0F) << 11) | (o.rd ? 0x0100 : 0);
    p.header(o.id, flags, 1, 0, 0, o.edns ? 1 : 0).name(name).u16(qtype).u16(o.qclass);
    if (o.edns) p.opt(o.payload, o.edns_version, o.dnssec_ok, o.edns_options);
    return p.data();
}

namespace {

std::string rr_text(const ldns_rr* rr) {
    char* s = ldns_rr2str(rr);
    std::string out = s ? s : "";
    std::free(s);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    std::replace(out.begin(), out.end(), '\t', ' ');
    return out;
}

std::vector<std::string> section(const ldns_rr_list* list) {
    std::vector<std::string> out;
    for (std::size_t i = 0; list && i < ldns_rr_list_rr_count(list); ++i)
        out.push_back(rr_text(ldns_rr_list_rr(list, i)));
    return out;
}

}  // namespace

Decoded decode(std::span<const std::uint8_t> message) {
    Decoded d;
    d.size = message.size();
    ldns_pkt* raw = nullptr;
    const ldns_status st = ldns_wire2pkt(&raw, message.data(), message.size());
    zonegen::ldns::Pkt pkt(raw);
    if (st != LDNS_STATUS_OK) {
        d.error = ldns_get_errorstr_by_id(st);
        return d;
    }
    d.ok = true;
    for (std::size_t i = 0; i < 4 && message.size() >= 12; ++i)
        d.counts[i] = static_cast<std::uint16_t>((message[4 + 2 * i] << 8) | message[5 + 2 * i]);
    d.id = ldns_pkt_id(raw);
    d.opcode = static_cast<std::uint8_t>(ldns_pkt_get_opcode(raw));
    d.qr = ldns_pkt_qr(raw);
    d.aa = ldns_pkt_aa(raw);
    d.tc = ldns_pkt_tc(raw);
    d.rd = ldns_pkt_rd(raw);
    d.ra = ldns_pkt_ra(raw);
    d.ad = ldns_pkt_ad(raw);
    d.cd = ldns_pkt_cd(raw);
    d.question = section(ldns_pkt_question(raw));
    d.answer = section(ldns_pkt_answer(raw));
    d.authority = section(ldns_pkt_authority(raw));
    d.additional = section(ldns_pkt_additional(raw));
    d.edns = ldns_pkt_edns(raw);
    d.rcode = ldns_pkt_get_rcode(raw);
    if (d.edns) {
        d.rcode |= ldns_pkt_edns_extended_rcode(raw) << 4;
        d.edns_payload = ldns_pkt_edns_udp_size(raw);
        d.edns_version = ldns_pkt_edns_version(raw);
        d.edns_do = ldns_pkt_edns_do(raw);
        if (const ldns_rdf* data = ldns_pkt_edns_data(raw)) {
            d.edns_rdata_size = ldns_rdf_size(data);
            d.edns_options.assign(ldns_rdf_data(data), ldns_rdf_data(data) + ldns_rdf_size(data));
        }
    }
    return d;
}

std::string sorted(std::vector<std::string> lines) {
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) {
        if (!out.empty()) out += '\n';
        out += l;
    }
    return out;
}

}  // namespace dnstest
