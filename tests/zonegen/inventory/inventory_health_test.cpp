// The "health" keys of the inventory (inventory_health.cpp, issue 19): what each good value
// becomes in the model, the one located error each bad value gives, and that the generated
// zone does not depend on them. The golden files tests/data/inventory/bad/health-*.json
// show the same errors together, in file order.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/shell.hpp"
#include "zonegen/inventory/build.hpp"
#include "zonegen/inventory/inventory.hpp"
#include "zonegen/zonefile/bind_writer.hpp"

using zonegen::HealthSettings;
using zonegen::Inventory;
using zonegen::parse_inventory;
using zonegen::SmarthostHealth;

namespace {

// One site; top is inserted among the top-level members, host among the smarthost's.
std::string inventory(const std::string& top, const std::string& host = "") {
    return R"({ "zone": "smarthost.test", "nameservers": [ { "name": "ns.example.net." } ], )" + top +
           R"( "sites": [ { "name": "oxford", "smarthosts": [ { "name": "mail", "ipv4": ["192.0.2.25"])" +
           (host.empty() ? "" : ", " + host) + " } ] } ] }";
}

Inventory ok(const std::string& text) {
    auto r = parse_inventory(text, "t.json");
    if (!r.ok()) {
        for (const auto& d : r.errors()) ADD_FAILURE() << zonegen::format_gnu(d);
        return {};
    }
    return std::move(r).value();
}

HealthSettings top(const std::string& health) { return ok(inventory(R"("health": )" + health + ",")).health; }

SmarthostHealth host(const std::string& health) {
    Inventory inv = ok(inventory("", R"("health": )" + health));
    if (inv.sites.empty()) return {};
    return inv.sites[0].smarthosts[0].health;
}

std::vector<std::string> errors(const std::string& text) {
    auto r = parse_inventory(text, "t.json");
    std::vector<std::string> out;
    if (r.ok()) return out;
    for (const auto& d : r.errors()) out.push_back(d.where.pointer + ": " + d.message);
    return out;
}

}  // namespace

TEST(InventoryHealth, AbsentMeansEveryValueUnsetAndEveryHostChecked) {
    Inventory inv = ok(inventory(""));
    EXPECT_EQ(inv.health, HealthSettings{});
    EXPECT_FALSE(inv.health.port || inv.health.interval || inv.health.timeout || inv.health.fall || inv.health.rise ||
                 inv.health.ttl);
    ASSERT_EQ(inv.sites.size(), 1u);
    EXPECT_TRUE(inv.sites[0].smarthosts[0].health.checked);
    EXPECT_FALSE(inv.sites[0].smarthosts[0].health.port);
    EXPECT_EQ(top("{}"), HealthSettings{});
}

TEST(InventoryHealth, TopLevelValuesParseIntoTheModel) {
    HealthSettings h = top(R"({ "port": 2525, "interval": 10, "timeout": 3, "fall": 3, "rise": 2, "ttl": 30 })");
    EXPECT_EQ(h.port, 2525);
    EXPECT_EQ(h.interval, 10u);
    EXPECT_EQ(h.timeout, 3u);
    EXPECT_EQ(h.fall, 3u);
    EXPECT_EQ(h.rise, 2u);
    EXPECT_EQ(h.ttl, 30u);
    // One key leaves the others unset (dnsd's defaults), and key order does not matter.
    HealthSettings only_rise = top(R"({ "rise": 4 })");
    EXPECT_EQ(only_rise.rise, 4u);
    EXPECT_FALSE(only_rise.port || only_rise.interval || only_rise.timeout || only_rise.fall || only_rise.ttl);
    EXPECT_EQ(top(R"({ "ttl": 30, "rise": 2, "fall": 3, "timeout": 3, "interval": 10, "port": 2525 })"), h);
    // "check" asks dnsd to probe; without it probing waits for --health.
    EXPECT_FALSE(h.check);
    EXPECT_EQ(top(R"({ "check": "smtp" })").check, zonegen::HealthCheck::Smtp);
    EXPECT_EQ(top(R"({ "check": "tcp" })").check, zonegen::HealthCheck::Tcp);
}

TEST(InventoryHealth, BoundsAreInclusive) {
    HealthSettings low = top(R"({ "port": 1, "interval": 1, "timeout": 1, "fall": 1, "rise": 1, "ttl": 0 })");
    EXPECT_EQ(low.port, 1);
    EXPECT_EQ(low.interval, 1u);
    EXPECT_EQ(low.timeout, 1u);
    EXPECT_EQ(low.fall, 1u);
    EXPECT_EQ(low.rise, 1u);
    EXPECT_EQ(low.ttl, 0u);
    HealthSettings high = top(
        R"({ "port": 65535, "interval": 3600, "timeout": 60, "fall": 10, "rise": 10, "ttl": 2147483647 })");
    EXPECT_EQ(high.port, 65535);
    EXPECT_EQ(high.interval, zonegen::kHealthMaxInterval);
    EXPECT_EQ(high.timeout, zonegen::kHealthMaxTimeout);
    EXPECT_EQ(high.fall, zonegen::kHealthMaxCount);
    EXPECT_EQ(high.rise, zonegen::kHealthMaxCount);
    EXPECT_EQ(high.ttl, 2147483647u);
    // Integers as JSON Schema counts them, like every other number of the inventory.
    EXPECT_EQ(top(R"({ "interval": 10.0, "port": 2.5e1 })").interval, 10u);
    EXPECT_EQ(top(R"({ "interval": 10.0, "port": 2.5e1 })").port, 25);
}

TEST(InventoryHealth, AHealthTtlAboveTheZoneTtlIsNoError) {
    Inventory inv = ok(inventory(R"("ttl": 60, "health": { "ttl": 3600 },)"));
    EXPECT_EQ(inv.ttl, 60u);
    EXPECT_EQ(inv.health.ttl, 3600u);  // dnsd serves min(60, 3600); check reports it
}

TEST(InventoryHealth, SmarthostValuesParseIntoTheModel) {
    EXPECT_EQ(host("false"), (SmarthostHealth{false, std::nullopt}));
    EXPECT_EQ(host("true"), (SmarthostHealth{true, std::nullopt}));
    EXPECT_EQ(host("{}"), (SmarthostHealth{true, std::nullopt}));
    EXPECT_EQ(host(R"({ "port": 2525 })"), (SmarthostHealth{true, 2525}));
    EXPECT_EQ(host(R"({ "port": 1 })").port, 1);
    EXPECT_EQ(host(R"({ "port": 65535 })").port, 65535);
}

TEST(InventoryHealth, EachHostKeepsItsOwnSetting) {
    Inventory inv = ok(R"({ "zone": "smarthost.test", "nameservers": [ { "name": "ns.example.net." } ],
      "sites": [ { "name": "a", "smarthosts": [ { "health": false, "name": "m1", "ipv4": ["192.0.2.1"] },
                                               { "name": "m2", "ipv6": ["2001:db8::2"], "health": { "port": 587 } },
                                               { "name": "m3", "ipv4": ["192.0.2.3"] } ] } ] })");
    ASSERT_EQ(inv.sites.size(), 1u);
    const auto& hosts = inv.sites[0].smarthosts;
    ASSERT_EQ(hosts.size(), 3u);
    EXPECT_EQ(hosts[0].health, (SmarthostHealth{false, std::nullopt}));
    EXPECT_EQ(hosts[1].health, (SmarthostHealth{true, 587}));
    EXPECT_EQ(hosts[2].health, (SmarthostHealth{true, std::nullopt}));
    EXPECT_EQ(hosts[1].name.text(), "m2.a.smarthost.test.");  // the rest of the host is read as before
}

// Each bad value alone gives exactly one error, at the value's JSON Pointer.
TEST(InventoryHealth, EachBadTopLevelValueIsOneLocatedError) {
    struct Case {
        const char* health;
        const char* error;
    };
    const Case cases[] = {
        {R"("yes")", "/health: expected a health object, found \"yes\""},
        {"false", "/health: expected a health object, found false"},
        {"[]", "/health: expected a health object, found an array"},
        {R"({ "port": 0 })", "/health/port: expected a port from 1 to 65535, found 0"},
        {R"({ "port": 65536 })", "/health/port: expected a port from 1 to 65535, found 65536"},
        {R"({ "port": "25" })", "/health/port: expected a port from 1 to 65535, found \"25\""},
        {R"({ "interval": 0 })", "/health/interval: expected an interval from 1 to 3600 seconds, found 0"},
        {R"({ "interval": 3601 })", "/health/interval: expected an interval from 1 to 3600 seconds, found 3601"},
        {R"({ "interval": 1.5 })", "/health/interval: expected an interval from 1 to 3600 seconds, found 1.5"},
        {R"({ "timeout": 0 })", "/health/timeout: expected a timeout from 1 to 60 seconds, found 0"},
        {R"({ "timeout": 61 })", "/health/timeout: expected a timeout from 1 to 60 seconds, found 61"},
        {R"({ "timeout": null })", "/health/timeout: expected a timeout from 1 to 60 seconds, found null"},
        {R"({ "fall": 0 })",
         "/health/fall: expected a count from 1 to 10 (failures in a row that mark an address down), found 0"},
        {R"({ "fall": 11 })",
         "/health/fall: expected a count from 1 to 10 (failures in a row that mark an address down), found 11"},
        {R"({ "rise": 0 })",
         "/health/rise: expected a count from 1 to 10 (successes in a row that mark an address up), found 0"},
        {R"({ "rise": true })",
         "/health/rise: expected a count from 1 to 10 (successes in a row that mark an address up), found true"},
        {R"({ "ttl": -1 })",
         "/health/ttl: expected a TTL from 0 to 2147483647 seconds (RFC 2181 section 8), found -1"},
        {R"({ "ttl": 2147483648 })",
         "/health/ttl: expected a TTL from 0 to 2147483647 seconds (RFC 2181 section 8), found 2147483648"},
        {R"({ "tiemout": 3 })", "/health/tiemout: unknown key \"tiemout\"; did you mean \"timeout\"?"},
        {R"({ "check": "http" })", "/health/check: expected \"smtp\" or \"tcp\", found \"http\""},
        {R"({ "check": 25 })", "/health/check: expected \"smtp\" or \"tcp\", found 25"},
        {R"({ "chek": "smtp" })", "/health/chek: unknown key \"chek\"; did you mean \"check\"?"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(errors(inventory(std::string(R"("health": )") + c.health + ",")), std::vector<std::string>{c.error})
            << c.health;
}

TEST(InventoryHealth, EachBadSmarthostValueIsOneLocatedError) {
    const std::string expected = "expected true, false (never checked, never withdrawn) or {\"port\": N}, found ";
    struct Case {
        const char* health;
        std::string error;
    };
    const Case cases[] = {
        {R"("yes")", "/sites/0/smarthosts/0/health: " + expected + "\"yes\""},
        {R"("false")", "/sites/0/smarthosts/0/health: " + expected + "\"false\""},
        {"null", "/sites/0/smarthosts/0/health: " + expected + "null"},
        {"0", "/sites/0/smarthosts/0/health: " + expected + "0"},
        {"[2525]", "/sites/0/smarthosts/0/health: " + expected + "an array"},
        {R"({ "port": 0 })", "/sites/0/smarthosts/0/health/port: expected a port from 1 to 65535, found 0"},
        {R"({ "port": 65536 })", "/sites/0/smarthosts/0/health/port: expected a port from 1 to 65535, found 65536"},
        {R"({ "port": "smtp" })",
         "/sites/0/smarthosts/0/health/port: expected a port from 1 to 65535, found \"smtp\""},
        {R"({ "prot": 25 })", "/sites/0/smarthosts/0/health/prot: unknown key \"prot\"; did you mean \"port\"?"},
        // The zone-wide values belong at the top, not on a host.
        {R"({ "port": 25, "interval": 5 })",
         "/sites/0/smarthosts/0/health/interval: unknown key \"interval\"; expected one of \"port\""},
        {R"({ "checked": false })",
         "/sites/0/smarthosts/0/health/checked: unknown key \"checked\"; expected one of \"port\""},
    };
    for (const auto& c : cases)
        EXPECT_EQ(errors(inventory("", std::string(R"("health": )") + c.health)), std::vector<std::string>{c.error})
            << c.health;
}

TEST(InventoryHealth, ErrorsCarryLineAndColumn) {
    auto r = parse_inventory(inventory("\n\"health\": { \"fall\": 0 },", "\n  \"health\": \"yes\""),
                             "lab/sites.json");
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.errors().size(), 2u);
    EXPECT_EQ(zonegen::format_gnu(r.errors()[0]),
              "lab/sites.json:2:21: /health/fall: expected a count from 1 to 10 (failures in a row that mark an "
              "address down), found 0");
    EXPECT_EQ(r.errors()[1].where.line, 3);
    EXPECT_EQ(r.errors()[1].where.column, 13);
    EXPECT_EQ(r.errors()[1].where.pointer, "/sites/0/smarthosts/0/health");
}

TEST(InventoryHealth, ABadHealthValueDoesNotHideOtherErrors) {
    auto e = errors(inventory(R"("health": { "port": 0 }, "ttl": -1,)", R"("health": 7, "ipv6": ["nope"])"));
    ASSERT_EQ(e.size(), 4u) << testing::PrintToString(e);
    EXPECT_EQ(e[0].substr(0, 13), "/health/port:");
    EXPECT_EQ(e[1].substr(0, 5), "/ttl:");
    EXPECT_EQ(e[2].substr(0, 29), "/sites/0/smarthosts/0/health:");
    EXPECT_EQ(e[3].substr(0, 29), "/sites/0/smarthosts/0/ipv6/0:");
}

// The health keys are for dnsd only: the zone zonegen writes is the same, byte for byte,
// with or without them. The example inventory is taken as it is and given every key.
TEST(InventoryHealth, TheGeneratedZoneIsByteIdenticalWithOrWithoutHealthKeys) {
    const std::string plain = testsupport::read_text(std::string(SMARTHOST_SOURCE_DIR) + "/sites.json");
    ASSERT_EQ(plain.find("\"health\""), std::string::npos) << "the example is meant to have no health keys";
    std::string with = plain;
    // Every smarthost gets a per-host form, in turn false, a port, true and {}. In the
    // example a host object is a "name" followed by its addresses; a site's "name" is not.
    const char* forms[] = {R"("health": false, )", R"("health": { "port": 2525 }, )", R"("health": true, )",
                           R"("health": {}, )"};
    std::size_t hosts = 0;
    for (std::size_t at = with.find("{ \"name\": \"", with.find("\"sites\"")); at != std::string::npos;
         at = with.find("{ \"name\": \"", at + 1)) {
        std::size_t close = with.find('"', at + 11);
        if (with.compare(close + 1, 6, ", \"ipv") == 0) with.insert(at + 2, forms[hosts++ % 4]);
    }
    ASSERT_GE(hosts, 4u);
    const std::size_t brace = with.find('{');
    with.insert(brace + 1,
                R"( "health": { "port": 25, "interval": 10, "timeout": 3, "fall": 3, "rise": 2, "ttl": 30 },)");

    Inventory a = ok(plain), b = ok(with);
    ASSERT_FALSE(a.sites.empty());
    ASSERT_EQ(b.health.ttl, 30u);
    std::size_t all = 0, unchecked = 0, ported = 0;
    for (const auto& s : b.sites)
        for (const auto& h : s.smarthosts) {
            ++all;
            unchecked += !h.health.checked;
            ported += h.health.port == 2525;
        }
    EXPECT_EQ(all, hosts);  // every host got a form, and the forms were read, not skipped
    EXPECT_EQ(unchecked, (hosts + 3) / 4);
    EXPECT_EQ(ported, (hosts + 2) / 4);

    auto za = zonegen::build_zone(a, 2026010101), zb = zonegen::build_zone(b, 2026010101);
    ASSERT_TRUE(za.ok());
    ASSERT_TRUE(zb.ok());
    const std::string ta = zonegen::render_bind(za.value(), "sites.json");
    const std::string tb = zonegen::render_bind(zb.value(), "sites.json");
    EXPECT_GT(ta.size(), 500u);
    EXPECT_EQ(ta, tb);
}
