// parse_inventory(): what a valid inventory becomes (names, defaults, fallback tiers) and
// how problems are placed. The error catalogue itself is in inventory_golden_test.cpp.
#include "zonegen/inventory/inventory.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using zonegen::Inventory;
using zonegen::Name;
using zonegen::parse_inventory;

namespace {

Name N(const char* s) { return *Name::parse(s); }

// A minimal valid inventory around the given "sites" array text.
std::string with_sites(const std::string& sites, const std::string& extra = "") {
    return R"({ "zone": "smarthost.local", "nameservers": [ { "name": "ns1", "ipv4": ["192.0.2.53"] } ], )" + extra +
           R"( "sites": )" + sites + " }";
}

const char* kHost = R"([ { "name": "mail", "ipv4": ["192.0.2.25"] } ])";

std::string site(const std::string& name, const std::string& rest = "") {
    return R"({ "name": ")" + name + R"(", "smarthosts": )" + kHost + (rest.empty() ? "" : ", " + rest) + " }";
}

Inventory ok(const std::string& text) {
    auto r = parse_inventory(text, "t.json");
    if (!r.ok()) {
        for (const auto& d : r.errors()) ADD_FAILURE() << zonegen::format_gnu(d);
        return {};
    }
    return std::move(r).value();
}

std::vector<std::string> errors(const std::string& text) {
    auto r = parse_inventory(text, "t.json");
    std::vector<std::string> out;
    if (r.ok()) return out;
    for (const auto& d : r.errors()) out.push_back(zonegen::format_gnu(d));
    return out;
}

TEST(Inventory, DefaultsAndDerivedNames) {
    Inventory inv = ok(with_sites("[" + site("oxford") + "]"));
    EXPECT_EQ(inv.zone, N("smarthost.local"));
    EXPECT_EQ(inv.ttl, 300u);
    EXPECT_FALSE(inv.serial);
    EXPECT_EQ(inv.soa_mname, N("ns1.smarthost.local"));  // the first name server
    EXPECT_EQ(inv.soa_rname, N("hostmaster.smarthost.local"));
    EXPECT_EQ(inv.refresh, 3600u);
    EXPECT_EQ(inv.retry, 600u);
    EXPECT_EQ(inv.expire, 1209600u);
    EXPECT_EQ(inv.minimum, 300u);
    EXPECT_EQ(inv.mx_primary, 10u);
    EXPECT_EQ(inv.mx_step, 10u);
    ASSERT_EQ(inv.nameservers.size(), 1u);
    EXPECT_EQ(inv.nameservers[0].name, N("ns1.smarthost.local"));
    EXPECT_EQ(inv.nameservers[0].addresses.ipv4, (std::vector<zonegen::A>{{{192, 0, 2, 53}}}));
    ASSERT_EQ(inv.sites.size(), 1u);
    const auto& s = inv.sites[0];
    EXPECT_EQ(s.label, "oxford");
    EXPECT_EQ(s.name, N("oxford.smarthost.local"));
    ASSERT_EQ(s.smarthosts.size(), 1u);
    EXPECT_EQ(s.smarthosts[0].label, "mail");
    EXPECT_EQ(s.smarthosts[0].name, N("mail.oxford.smarthost.local"));
    EXPECT_TRUE(s.fallback.empty());  // a single site has no ring to fall back on
    EXPECT_FALSE(s.fallback_given);
}

TEST(Inventory, ExplicitValues) {
    Inventory inv = ok(R"({
      "$schema": "./sites.schema.json", "version": 1,
      "zone": "smarthost.local.", "ttl": 0, "serial": 4294967295,
      "soa": { "mname": "ns.example.net.", "rname": "dns-admin.example.com.", "refresh": 1, "retry": 2,
               "expire": 2147483647, "minimum": 4 },
      "nameservers": [ { "name": "ns.example.net." }, { "name": "ns2", "ipv6": ["2001:db8::53"] } ],
      "mx": { "primary": 0, "step": 65535 },
      "sites": [ { "name": "a", "smarthosts": [ { "name": "m", "ipv4": ["192.0.2.1"] } ] } ] })");
    EXPECT_EQ(inv.zone, N("smarthost.local"));
    EXPECT_EQ(inv.ttl, 0u);
    EXPECT_EQ(inv.serial, 4294967295u);
    EXPECT_EQ(inv.soa_mname, N("ns.example.net"));
    EXPECT_EQ(inv.soa_rname, N("dns-admin.example.com"));
    EXPECT_EQ(inv.refresh, 1u);
    EXPECT_EQ(inv.retry, 2u);
    EXPECT_EQ(inv.expire, 2147483647u);
    EXPECT_EQ(inv.minimum, 4u);
    EXPECT_EQ(inv.mx_primary, 0u);
    EXPECT_EQ(inv.mx_step, 65535u);
    ASSERT_EQ(inv.nameservers.size(), 2u);
    EXPECT_EQ(inv.nameservers[0].name, N("ns.example.net"));  // outside the zone: no glue
    EXPECT_TRUE(inv.nameservers[0].addresses.empty());
    EXPECT_EQ(inv.nameservers[1].name, N("ns2.smarthost.local"));
    zonegen::Aaaa v6{};
    v6.addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53};
    EXPECT_EQ(inv.nameservers[1].addresses.ipv6, std::vector<zonegen::Aaaa>{v6});
}

TEST(Inventory, RelativeNamesAreBelowTheZone) {
    Inventory inv = ok(with_sites("[" + site("a") + "]", R"("soa": { "mname": "ns1.lab", "rname": "john\\.doe" },)"));
    EXPECT_EQ(inv.soa_mname, N("ns1.lab.smarthost.local"));
    EXPECT_EQ(inv.soa_rname, N("john\\.doe.smarthost.local"));
    EXPECT_EQ(inv.soa_rname.label_count(), 3u);  // the escaped dot stays inside the mailbox label
}

TEST(Inventory, NamesAreCaseFolded) {
    Inventory inv = ok(R"({ "zone": "SmartHost.LOCAL", "nameservers": [ { "name": "NS1", "ipv4": ["192.0.2.53"] } ],
      "sites": [ { "name": "Oxford", "smarthosts": [ { "name": "MAIL", "ipv4": ["192.0.2.25"] } ],
                   "fallback": [ { "site": "CAMBRIDGE", "hosts": ["Relay"] } ] },
                 { "name": "cambridge", "smarthosts": [ { "name": "mail", "ipv4": ["192.0.2.26"] },
                                                        { "name": "RELAY", "ipv4": ["192.0.2.27"] } ] } ] })");
    EXPECT_EQ(inv.zone.text(), "smarthost.local.");
    EXPECT_EQ(inv.nameservers[0].name.text(), "ns1.smarthost.local.");
    EXPECT_EQ(inv.sites[0].label, "oxford");
    EXPECT_EQ(inv.sites[0].name.text(), "oxford.smarthost.local.");
    EXPECT_EQ(inv.sites[0].smarthosts[0].label, "mail");
    EXPECT_EQ(inv.sites[0].smarthosts[0].name.text(), "mail.oxford.smarthost.local.");
    EXPECT_EQ(inv.sites[1].smarthosts[1].label, "relay");
    ASSERT_EQ(inv.sites[0].fallback.size(), 1u);
    EXPECT_EQ(inv.sites[0].fallback[0].site, 1u);
    EXPECT_EQ(inv.sites[0].fallback[0].hosts, (std::vector<std::size_t>{1}));
}

TEST(Inventory, RingFallbackIsTheNextSite) {
    Inventory inv = ok(with_sites("[" + site("a") + ", " + site("b") + ", " + site("c") + "]"));
    ASSERT_EQ(inv.sites.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& s = inv.sites[i];
        EXPECT_FALSE(s.fallback_given);
        ASSERT_EQ(s.fallback.size(), 1u);
        EXPECT_EQ(s.fallback[0].site, (i + 1) % 3);
        EXPECT_EQ(s.fallback[0].hosts, (std::vector<std::size_t>{0}));
    }
}

TEST(Inventory, ExplicitFallbacksAndSubsets) {
    std::string two = R"([ { "name": "mail", "ipv4": ["192.0.2.1"] }, { "name": "relay", "ipv4": ["192.0.2.2"] } ])";
    Inventory inv = ok(with_sites(R"([
      { "name": "a", "smarthosts": )" +
                                  std::string(kHost) + R"(,
        "fallback": [ { "site": "c", "hosts": ["relay", "mail"] }, "b", { "site": "c2" } ] },
      { "name": "b", "smarthosts": )" +
                                  std::string(kHost) + R"(, "fallback": [] },
      { "name": "c", "smarthosts": )" +
                                  two + R"( },
      { "name": "c2", "smarthosts": )" +
                                  two + R"(, "fallback": [ { "site": "c", "hosts": ["relay"] } ] } ])"));
    const auto& a = inv.sites[0];
    EXPECT_TRUE(a.fallback_given);
    ASSERT_EQ(a.fallback.size(), 3u);
    EXPECT_EQ(a.fallback[0].site, 2u);
    EXPECT_EQ(a.fallback[0].hosts, (std::vector<std::size_t>{1, 0}));  // in the order listed
    EXPECT_EQ(a.fallback[1].site, 1u);
    EXPECT_EQ(a.fallback[1].hosts, (std::vector<std::size_t>{0}));
    EXPECT_EQ(a.fallback[2].site, 3u);
    EXPECT_EQ(a.fallback[2].hosts, (std::vector<std::size_t>{0, 1}));  // no subset: every host
    EXPECT_TRUE(inv.sites[1].fallback_given);
    EXPECT_TRUE(inv.sites[1].fallback.empty());  // "fallback": [] means none
    EXPECT_FALSE(inv.sites[2].fallback_given);
    ASSERT_EQ(inv.sites[2].fallback.size(), 1u);  // the ring: c falls back to c2
    EXPECT_EQ(inv.sites[2].fallback[0].site, 3u);
    EXPECT_EQ(inv.sites[3].fallback[0].hosts, (std::vector<std::size_t>{1}));
}

TEST(Inventory, AddressesKeepTheirOrder) {
    Inventory inv = ok(with_sites(R"([ { "name": "a", "smarthosts": [ { "name": "m",
        "ipv4": ["198.51.100.7", "0.0.0.0", "255.255.255.255"], "ipv6": ["::ffff:192.0.2.1", "::1"] } ] } ])"));
    const auto& h = inv.sites[0].smarthosts[0].addresses;
    ASSERT_EQ(h.ipv4.size(), 3u);
    EXPECT_EQ(h.ipv4[0].addr, (std::array<std::uint8_t, 4>{198, 51, 100, 7}));
    EXPECT_EQ(h.ipv4[2].addr, (std::array<std::uint8_t, 4>{255, 255, 255, 255}));
    ASSERT_EQ(h.ipv6.size(), 2u);
    EXPECT_EQ(h.ipv6[0].addr[10], 0xff);
    EXPECT_EQ(h.ipv6[0].addr[15], 1);
    EXPECT_EQ(h.ipv6[1].addr[15], 1);
}

TEST(Inventory, LimitsAreInclusive) {
    // MX 10 + 2*32762 = 65534 and 65535 exactly are fine; names of exactly 255 octets too.
    std::string three = "[" + site("a", R"("fallback": ["b", "c"])") + ", " + site("b") + ", " + site("c") + "]";
    EXPECT_TRUE(parse_inventory(with_sites(three, R"("mx": { "primary": 11, "step": 32762 },)"), "t").ok());
    EXPECT_FALSE(parse_inventory(with_sites(three, R"("mx": { "primary": 12, "step": 32762 },)"), "t").ok());
    // A zone of 244 octets, site "s" (+2) and host "mail1234" (+9) make 255 octets.
    std::string zone = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                       std::string(50, 'd');
    auto inventory = [&](const std::string& host) {
        return R"({ "zone": ")" + zone + R"(", "nameservers": [ { "name": "ns.example.net." } ],
                  "sites": [ { "name": "s", "smarthosts": [ { "name": ")" +
               host + R"(", "ipv4": ["192.0.2.1"] } ] } ] })";
    };
    auto fits = parse_inventory(inventory("mail1234"), "t");
    ASSERT_TRUE(fits.ok());
    EXPECT_EQ(fits.value().sites[0].smarthosts[0].name.wire().size(), 255u);
    EXPECT_FALSE(parse_inventory(inventory("mail12345"), "t").ok());
}

// As in JSON Schema (and so in sites.schema.json), a number without a fractional part is an
// integer however it is written; one with a fraction is not.
TEST(Inventory, IntegersWrittenWithAFractionOrExponent) {
    const std::string sites = "[" + site("a") + "]";
    EXPECT_EQ(ok(with_sites(sites, R"("ttl": 300.0,)")).ttl, 300u);
    EXPECT_EQ(ok(with_sites(sites, R"("ttl": 3e2,)")).ttl, 300u);
    EXPECT_EQ(ok(with_sites(sites, R"("ttl": 30.0e1,)")).ttl, 300u);
    EXPECT_EQ(errors(with_sites(sites, R"("ttl": 300.5,)")),
              std::vector<std::string>{"t.json:1:99: /ttl: expected a TTL from 0 to 2147483647 seconds (RFC 2181 "
                                       "section 8), found 300.5"});
    EXPECT_EQ(errors(with_sites(sites, R"("ttl": 3e10,)")).size(), 1u);
}

TEST(Inventory, KeyOrderDoesNotMatter) {
    Inventory a = ok(with_sites("[" + site("a") + ", " + site("b", R"("fallback": ["a"])") + "]"));
    Inventory b = ok(R"({ "sites": [ { "fallback": ["a"], "smarthosts": )" + std::string(kHost) +
                     R"(, "name": "b" }, { "smarthosts": )" + std::string(kHost) + R"(, "name": "a" } ],
                        "nameservers": [ { "ipv4": ["192.0.2.53"], "name": "ns1" } ], "zone": "smarthost.local" })");
    ASSERT_EQ(a.sites.size(), 2u);
    ASSERT_EQ(b.sites.size(), 2u);
    EXPECT_EQ(b.zone, a.zone);
    EXPECT_EQ(b.sites[0].name, a.sites[1].name);
    EXPECT_EQ(b.sites[0].smarthosts[0].name, a.sites[1].smarthosts[0].name);
    EXPECT_EQ(b.sites[0].fallback[0].site, 1u);
    EXPECT_EQ(b.soa_mname, a.soa_mname);
}

TEST(Inventory, DiagnosticsCarryFileLineColumnAndPointer) {
    auto r = parse_inventory(
        "{\n  \"zone\": \"smarthost.local\",\n  \"ttl\": true,\n  \"nameservers\": [],\n"
        "  \"sites\": [ { \"name\": \"a~b/c\" } ]\n}\n",
        "lab/sites.json");
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.errors().size(), 4u);
    const auto& ttl = r.errors()[0].where;
    EXPECT_EQ(ttl.file, "lab/sites.json");
    EXPECT_EQ(ttl.line, 3);
    EXPECT_EQ(ttl.column, 10);
    EXPECT_EQ(ttl.pointer, "/ttl");
    EXPECT_EQ(r.errors()[1].where.pointer, "/nameservers");
    EXPECT_EQ(r.errors()[2].where.pointer, "/sites/0");  // missing "smarthosts": at the object
    EXPECT_EQ(r.errors()[2].where.column, 14);
    EXPECT_EQ(r.errors()[3].where.pointer, "/sites/0/name");
    EXPECT_EQ(r.errors()[3].message.substr(0, 8), "\"a~b/c\" ");
}

TEST(Inventory, PointersEscapeKeys) {
    auto e = errors(with_sites("[" + site("a") + "]", R"("we~ird/key": 1,)"));
    ASSERT_EQ(e.size(), 1u);
    EXPECT_NE(e[0].find(": /we~0ird~1key: unknown key \"we~ird/key\""), std::string::npos) << e[0];
}

TEST(Inventory, SyntaxErrorsUseTheBytePosition) {
    // nlohmann counts this position as "line 2, column 0"; the byte says line 1, column 12.
    auto r = parse_inventory("{\"zone\": \"a\nb\"}", "s.json");
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.errors().size(), 1u);
    const auto& d = r.errors()[0];
    EXPECT_EQ(d.where.line, 1);
    EXPECT_EQ(d.where.column, 12);
    EXPECT_TRUE(d.where.pointer.empty());
    EXPECT_EQ(d.message.find("[json.exception"), std::string::npos) << d.message;
    EXPECT_EQ(d.message.find("line"), std::string::npos) << d.message;
    EXPECT_EQ(d.message.substr(0, 13), "syntax error ");

    auto empty = parse_inventory("", "e.json");
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(zonegen::format_gnu(empty.errors()[0]).substr(0, 13), "e.json:1:1: s");
    auto trailing = parse_inventory("{}\n\n  x", "t.json");
    ASSERT_FALSE(trailing.ok());
    EXPECT_EQ(trailing.errors()[0].where.line, 3);
    EXPECT_EQ(trailing.errors()[0].where.column, 3);
}

TEST(Inventory, NumberOverflowIsASyntaxErrorInItsPlace) {
    auto r = parse_inventory("{\n  \"ttl\": 1e999 }", "s.json");
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.errors().size(), 1u);
    EXPECT_EQ(zonegen::format_gnu(r.errors()[0]), "s.json:2:14: number overflow parsing '1e999'");
}

TEST(Inventory, SyntaxMessagesStayPrintable) {
    auto r = parse_inventory("{\"zone\": \"\xff\"}", "s.json");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.errors()[0].message.find("<0xFF>"), std::string::npos) << r.errors()[0].message;
    EXPECT_EQ(r.errors()[0].message.find('\xff'), std::string::npos);
}

TEST(Inventory, ByteOrderMarkIsAccepted) {
    Inventory inv = ok("\xEF\xBB\xBF" + with_sites("[" + site("a") + "]"));
    EXPECT_EQ(inv.sites.size(), 1u);
    auto e = errors("\xEF\xBB\xBF{\"zone\": 1}");
    ASSERT_FALSE(e.empty());
    EXPECT_EQ(e[0].substr(0, 11), "t.json:1:1:");  // the missing keys, at the '{' after the mark
}

TEST(Inventory, OneMistakeIsOneError) {
    // An unknown fallback site with a host list: not also an unknown host.
    EXPECT_EQ(errors(with_sites("[" + site("a", R"("fallback": [{"site": "x", "hosts": ["m", "n"]}])") + "]")).size(),
              1u);
    // A typo for a required key: the suggestion, not also "missing".
    auto typo = errors(with_sites(R"([ { "name": "a", "smarthost": [] } ])"));
    ASSERT_EQ(typo.size(), 1u);
    EXPECT_NE(typo[0].find("did you mean \"smarthosts\"?"), std::string::npos) << typo[0];
    // A bad zone: no complaints about every name built on it.
    EXPECT_EQ(
        errors(R"({ "zone": "bad_zone", "nameservers": [ { "name": "ns1" } ], "sites": [)" + site("a") + "]}").size(),
        1u);
    // A host whose only address is invalid: that error, not also "no address".
    EXPECT_EQ(
        errors(with_sites(R"([ { "name": "a", "smarthosts": [ { "name": "m", "ipv4": ["1.2.3"] } ] } ])")).size(),
        1u);
}

TEST(Inventory, ErrorsAreInFileOrder) {
    // Fallbacks are resolved in a second pass, yet their errors sort among the others.
    auto e = errors(with_sites("[" + site("a", R"("fallback": ["zz"])") + ", " + site("b_") + "]", R"("ttl": -1,)"));
    ASSERT_EQ(e.size(), 3u);
    EXPECT_NE(e[0].find("/ttl"), std::string::npos);
    EXPECT_NE(e[1].find("/sites/0/fallback/0"), std::string::npos);
    EXPECT_NE(e[2].find("/sites/1/name"), std::string::npos);
}

TEST(Inventory, ElementPointers) {
    EXPECT_EQ(zonegen::site_pointer(3), "/sites/3");
    EXPECT_EQ(zonegen::smarthost_pointer(3, 1), "/sites/3/smarthosts/1");
}

TEST(Inventory, ManySites) {
    // Big enough for the hashed paths (site index, > 16 hosts in one site); the timing
    // is measured outside the test suite.
    std::string sites = "[";
    const std::size_t n = 20002;  // n - 1 is no multiple of 7, so it takes the ring
    for (std::size_t i = 0; i < n; ++i) {
        if (i) sites += ",";
        sites += R"({"name":"s)" + std::to_string(i) + R"(","smarthosts":[{"name":"m","ipv4":["10.0.)" +
                 std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + R"("]}])";
        if (i % 7 == 0)
            sites += R"(,"fallback":["s)" + std::to_string((i + 5) % n) + R"(",{"site":"big","hosts":["h17","h3"]}])";
        sites += "}";
    }
    sites += R"(,{"name":"big","smarthosts":[)";
    for (int h = 0; h < 40; ++h)
        sites += std::string(h ? "," : "") + R"({"name":"h)" + std::to_string(h) + R"(","ipv6":["::)" +
                 std::to_string(h + 1) + R"("]})";
    sites += "]}]";
    Inventory inv = ok(with_sites(sites));
    ASSERT_EQ(inv.sites.size(), n + 1);
    EXPECT_EQ(inv.sites[7].fallback[0].site, 12u);
    EXPECT_EQ(inv.sites[7].fallback[1].site, n);
    EXPECT_EQ(inv.sites[7].fallback[1].hosts, (std::vector<std::size_t>{17, 3}));
    EXPECT_EQ(inv.sites[n - 1].fallback[0].site, n);  // the ring into the last site
    EXPECT_EQ(inv.sites[n].fallback[0].site, 0u);     // and around
    EXPECT_EQ(inv.sites[n].smarthosts.size(), 40u);

    // A duplicate among many sites and among many hosts is still found.
    std::string dup = sites;
    dup.replace(dup.find(R"("name":"s19999")"), 15, R"("name":"S123")");
    dup.replace(dup.find(R"("name":"h39")"), 12, R"("name":"H2")");
    auto e = errors(with_sites(dup));
    ASSERT_EQ(e.size(), 2u);
    EXPECT_NE(e[0].find("duplicate site \"S123\" (first at /sites/123)"), std::string::npos) << e[0];
    EXPECT_NE(e[1].find("duplicate smarthost \"H2\" (first at /sites/" + std::to_string(n) + "/smarthosts/2)"),
              std::string::npos)
        << e[1];
}

// load_inventory(): the file door every command and dnsd use; its status is the exit code.
TEST(LoadInventory, ReadsValidatesAndKeepsTheText) {
    const std::string path = std::string(SMARTHOST_TEST_DATA) + "/generate/minimal.json";
    auto f = zonegen::load_inventory(path);
    EXPECT_EQ(f.status, zonegen::Exit::Ok);
    ASSERT_TRUE(f.inventory);
    EXPECT_EQ(f.inventory->zone.text(), "mail.example.test.");
    EXPECT_NE(f.text.find("\"zone\""), std::string::npos);
    EXPECT_TRUE(f.errors.empty());
}

TEST(LoadInventory, AnUnreadableFileIsAnIoError) {
    auto f = zonegen::load_inventory("/nonexistent/sites.json");
    EXPECT_EQ(f.status, zonegen::Exit::Usage);
    EXPECT_FALSE(f.inventory);
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_EQ(zonegen::format_gnu(f.errors[0]), "/nonexistent/sites.json: cannot open: No such file or directory");
}

TEST(LoadInventory, AnInvalidFileListsEveryError) {
    const std::string path = std::string(SMARTHOST_TEST_DATA) + "/inventory/bad/several-errors.json";
    auto f = zonegen::load_inventory(path);
    EXPECT_EQ(f.status, zonegen::Exit::Invalid);
    EXPECT_FALSE(f.inventory);
    EXPECT_GT(f.errors.size(), 1u);
    for (const auto& d : f.errors) EXPECT_EQ(d.where.file, path);
}

}  // namespace
