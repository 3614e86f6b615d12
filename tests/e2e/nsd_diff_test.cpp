// Differential test: the same zones served by dnsd and by NSD (Debian's, started here on a
// loopback port with RRL off) must answer every owner name, empty non-terminal,
// nonexistent and out-of-zone name, for A, AAAA, MX, SOA, NS, TXT and ANY, with the same
// rcode, flags and answer/authority RRsets. Accepted policy differences are listed below,
// each with its reason, and nothing else may differ.
#include <gtest/gtest.h>

#include <set>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/peers.hpp"
#include "tests/support/process.hpp"
#include "zonegen/zonefile/zone_loader.hpp"

using namespace testsupport;

namespace {

const std::string kSource = SMARTHOST_SOURCE_DIR;
const std::string kData = SMARTHOST_TEST_DATA;

std::vector<ZoneSpec> zones_under_test() {
    return {{"smarthost.local", kSource + "/zones/smarthost.local.zone"},
            {"relay.corp.test", kData + "/generate/tiers.zone"}};
}

std::string flags(const dnstest::Decoded& d) {
    std::string f;
    if (d.aa) f += " aa";
    if (d.tc) f += " tc";
    if (d.rd) f += " rd";
    if (d.ra) f += " ra";
    return f;
}

// Accepted policy difference 1, minimal responses: for a positive answer NSD also sends
// the zone's NS RRset in authority (and its glue in additional); dnsd, like Knot and BIND
// with minimal-responses, leaves them out. RFC 2181 §6.1 makes them optional; resolvers do
// not need them from an authoritative-only server, and leaving them out keeps the MX
// answer with its addresses far from the 1232-byte UDP limit. Only exactly that RRset
// may be missing, and only from a NOERROR answer that has records.
void drop_apex_ns_from_positive_answer(dnstest::Decoded& nsd, const dnstest::Decoded& ours) {
    if (nsd.rcode != 0 || nsd.answer.empty() || !ours.authority.empty()) return;
    for (const auto& rr : nsd.authority)
        if (rr.find(" IN NS ") == std::string::npos) return;
    nsd.authority.clear();
}

std::string summary(const dnstest::Decoded& d) {
    return "rcode " + std::to_string(d.rcode) + " flags" + flags(d) + "\nanswer:\n" + dnstest::sorted(d.answer) +
           "\nauthority:\n" + dnstest::sorted(d.authority);
}

// Every name the zones define, their empty non-terminals, and names that do not exist.
std::vector<std::string> names_to_ask() {
    std::set<std::string> names;
    for (const auto& spec : zones_under_test()) {
        auto zone = zonegen::load_zone_file(spec.file);
        if (!zone) continue;
        const auto& z = zone.value();
        for (const auto& node : z.nodes()) {
            for (zonegen::Name n = node.owner; n.is_subdomain_of(z.origin()); n = n.parent()) {
                names.insert(n.text());
                if (n == z.origin()) break;
            }
            names.insert("nonexistent." + node.owner.text());
        }
        names.insert("NoSuchSite." + z.origin().text());
        names.insert("ns1." + z.origin().text());
    }
    // Out of zone: the parent, a sibling, an unrelated name, the root.
    for (const char* n : {"local.", "smarthost.test.", "corp.test.", "example.com.", "."}) names.insert(n);
    return {names.begin(), names.end()};
}

}  // namespace

TEST(NsdDifferential, SameAnswersAsNsd) {
    auto zones = zones_under_test();
    std::string why;
    auto nsd = PeerServer::nsd(zones, &why);
    ASSERT_TRUE(nsd) << why;
    std::vector<std::string> args{"--listen", "127.0.0.1:0"};
    for (const auto& z : zones) args.insert(args.end(), {"--zone", z.file});
    Dnsd dnsd(DNSD_BIN, args);
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();

    const std::vector<std::pair<std::uint16_t, const char*>> types = {
        {1, "A"}, {28, "AAAA"}, {15, "MX"}, {6, "SOA"}, {2, "NS"}, {16, "TXT"}, {255, "ANY"}};
    std::size_t compared = 0;
    for (const auto& name : names_to_ask()) {
        for (const auto& [type, type_text] : types) {
            for (bool edns : {false, true}) {
                dnstest::QueryOptions opt;
                opt.rd = true;
                opt.edns = edns;
                auto q = dnstest::query(name, type, opt);
                auto a = udp_exchange_at("127.0.0.1", dnsd.port(), q);
                auto b = udp_exchange_at("127.0.0.1", nsd->port(), q);
                ASSERT_TRUE(a) << "dnsd did not answer " << name << " " << type_text << "\n" << dnsd.process().err();
                ASSERT_TRUE(b) << "nsd did not answer " << name << " " << type_text << "\n" << nsd->log();
                auto da = dnstest::decode(*a);
                auto db = dnstest::decode(*b);
                ASSERT_TRUE(da.ok) << da.error;
                ASSERT_TRUE(db.ok) << db.error;
                drop_apex_ns_from_positive_answer(db, da);
                EXPECT_EQ(summary(da), summary(db)) << name << " " << type_text << (edns ? " +edns" : "");
                EXPECT_EQ(da.edns, db.edns) << name << " " << type_text;
                ++compared;
            }
        }
    }
    EXPECT_GT(compared, 200u);
}
