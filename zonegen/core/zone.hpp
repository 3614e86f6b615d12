// The hub type: one authoritative zone as an immutable value. The inventory builder and
// the zone-file loader both produce it; the writers, dnsd's answer compiler and AXFR read
// it. Nothing here knows JSON, ldns or sockets.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "zonegen/core/diagnostic.hpp"
#include "zonegen/core/name.hpp"

namespace zonegen {

// The record types a zone may hold. Anything else is rejected at load (DESIGN: never
// silently dropped).
enum class RRType : std::uint16_t { A = 1, NS = 2, SOA = 6, MX = 15, TXT = 16, AAAA = 28 };

const char* type_name(RRType t);  // "A", "MX", ...

struct A {
    std::array<std::uint8_t, 4> addr{};
    friend bool operator==(const A&, const A&) = default;
};
struct Aaaa {
    std::array<std::uint8_t, 16> addr{};
    friend bool operator==(const Aaaa&, const Aaaa&) = default;
};
struct Ns {
    Name host;
    friend bool operator==(const Ns&, const Ns&) = default;
};
struct Soa {
    Name mname, rname;
    std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
    friend bool operator==(const Soa&, const Soa&) = default;
};
struct Mx {
    std::uint16_t preference = 0;
    Name exchange;
    friend bool operator==(const Mx&, const Mx&) = default;
};
struct Txt {
    std::vector<std::string> strings;  // each at most 255 octets (RFC 1035 §3.3.14)
    friend bool operator==(const Txt&, const Txt&) = default;
};

using Rdata = std::variant<A, Aaaa, Ns, Soa, Mx, Txt>;

RRType type_of(const Rdata& rd);
// Canonical uncompressed wire form of the RDATA (RFC 4034 §6.2: names lower-cased),
// appended to out. Also the order of records within an RRset (RFC 4034 §6.3).
void append_rdata_wire(const Rdata& rd, std::string& out);

struct RRset {
    RRType type{};
    std::uint32_t ttl = 0;
    std::vector<Rdata> rdata;  // canonical order, no duplicates, never empty
    friend bool operator==(const RRset&, const RRset&) = default;
};

struct Node {
    Name owner;
    std::vector<RRset> rrsets;  // by type number; empty only for empty non-terminals
    const RRset* find(RRType t) const;
    friend bool operator==(const Node&, const Node&) = default;
};

class Zone {
public:
    const Name& origin() const { return origin_; }
    const Soa& soa() const;
    std::uint32_t serial() const { return soa().serial; }
    std::uint32_t soa_ttl() const;
    // Owner names in canonical order (RFC 4034 §6.1); nodes()[0] is the apex. Empty
    // non-terminals are not listed: they exist only as ancestors of listed names.
    const std::vector<Node>& nodes() const { return nodes_; }
    const Node* find(const Name& owner) const;
    // True if some node lies strictly below name (so name exists, RFC 8020).
    bool has_descendant(const Name& name) const;
    std::size_t record_count() const;

    // The same zone with another SOA serial (consumes this one; nothing is copied).
    Zone with_serial(std::uint32_t serial) &&;

    // A zone from nodes already as ZoneBuilder::finish() leaves them: one per owner, in
    // canonical order, the apex first with its SOA, RRsets by type, records canonical and
    // unique. For a builder that can make its nodes in that order directly and in parallel
    // (the inventory's: build.cpp); nothing is checked, so its tests compare with finish().
    static Zone assemble(Name origin, std::vector<Node> nodes);

    friend bool operator==(const Zone&, const Zone&) = default;

private:
    friend class ZoneBuilder;
    Name origin_;
    std::vector<Node> nodes_;
};

// Collects records in any order, then checks and canonicalises them into a Zone: one SOA
// at the apex, every owner inside the origin, one TTL per RRset (RFC 2181 §5.2),
// duplicates merged (RFC 2181 §5), RRsets and records in canonical order.
class ZoneBuilder {
public:
    // file: names the source in errors (empty for records that come from no file).
    explicit ZoneBuilder(Name origin, std::string file = {});
    ~ZoneBuilder();
    ZoneBuilder(ZoneBuilder&&) noexcept;
    ZoneBuilder& operator=(ZoneBuilder&&) noexcept;
    // A hint: about how many distinct owner names and records will be added.
    void reserve(std::size_t owners, std::size_t records);
    // line: where the record stands in file, for errors about it (0: unknown). Only the
    // line is kept per record: a large zone has a million of them.
    // The owner is copied only the first time it is seen.
    void add(const Name& owner, std::uint32_t ttl, Rdata rdata, int line = 0);
    Result<Zone> finish() &&;

private:
    struct Owners;  // records grouped by owner as they arrive
    Location at(int line) const { return Location{file_, line, 0, {}}; }
    Name origin_;
    std::string file_;
    std::vector<Diagnostic> errors_;
    std::size_t soa_count_ = 0;
    std::unique_ptr<Owners> owners_;
};

}  // namespace zonegen
