// DNS messages for tests: queries built byte by byte (so malformed ones are as easy as good
// ones), and responses decoded by ldns, an independent decoder, into text that tests
// compare section by section (NSD tpkg, CoreDNS tests: decode your bytes with someone
// else's code before believing them).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dnstest {

// Appends raw DNS wire data; names keep their case ("OxFord.example" stays as written).
class Packet {
public:
    Packet& u8(std::uint8_t v);
    Packet& u16(std::uint16_t v);
    Packet& u32(std::uint32_t v);
    Packet& bytes(std::span<const std::uint8_t> b);
    Packet& text(std::string_view raw);  // the characters as octets
    // Presentation form without escapes; "." or "" is the root. A trailing dot is optional.
    Packet& name(std::string_view dotted);
    // A header: id, flags word, then QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT.
    Packet& header(std::uint16_t id, std::uint16_t flags, std::uint16_t qd, std::uint16_t an, std::uint16_t ns,
                   std::uint16_t ar);
    // An OPT pseudo-record (RFC 6891 §6.1.2) with the given options RDATA.
    Packet& opt(std::uint16_t payload, std::uint8_t version = 0, bool dnssec_ok = false,
                std::span<const std::uint8_t> rdata = {});

    const std::vector<std::uint8_t>& data() const { return data_; }
    std::size_t size() const { return data_.size(); }
    operator std::span<const std::uint8_t>() const { return data_; }  // NOLINT: pass where bytes go

private:
    std::vector<std::uint8_t> data_;
};

struct QueryOptions {
    std::uint16_t id = 0x1234;
    std::uint16_t qclass = 1;  // IN
    std::uint8_t opcode = 0;
    bool rd = false;
    bool edns = false;
    std::uint16_t payload = 1232;
    std::uint8_t edns_version = 0;
    bool dnssec_ok = false;
    std::vector<std::uint8_t> edns_options;  // raw option TLVs
};

// A well-formed query: one question, and an OPT if options.edns.
std::vector<std::uint8_t> query(std::string_view name, std::uint16_t qtype, const QueryOptions& options = {});

struct Decoded {
    bool ok = false;    // ldns parsed the message
    std::string error;  // why not, if !ok
    std::uint16_t id = 0;
    std::uint8_t opcode = 0;
    int rcode = 0;  // with the OPT's extended bits (RFC 6891 §6.1.3)
    bool qr = false, aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
    std::uint16_t counts[4] = {};  // QD, AN, NS, AR exactly as in the header
    // One line per RR as ldns prints it, tabs turned into single spaces, in message order.
    std::vector<std::string> question, answer, authority, additional;  // OPT not included
    bool edns = false;
    std::uint16_t edns_payload = 0;
    std::uint8_t edns_version = 0;
    bool edns_do = false;
    std::size_t edns_rdata_size = 0;         // octets of options in the OPT
    std::vector<std::uint8_t> edns_options;  // those octets: the option TLVs as sent
    std::size_t size = 0;                    // octets of the message
};

Decoded decode(std::span<const std::uint8_t> message);

// The lines sorted and joined with '\n', so that tests compare RRsets without caring about
// the order inside a section.
std::string sorted(std::vector<std::string> lines);

}  // namespace dnstest
