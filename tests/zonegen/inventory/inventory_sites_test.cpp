// The "sites" section read in two parts on two threads (inventory_sites.cpp) must be the
// one-thread read, value for value and message for message: checked at every possible
// split of every inventory the tests hold, good and bad, and of a generated large one
// with problems on either side of the split.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "zonegen/inventory/inventory.hpp"
#include "zonegen/inventory/inventory_reader.hpp"
#include "zonegen/inventory/inventory_syntax.hpp"

namespace fs = std::filesystem;
using zonegen::Inventory;
using zonegen::inventory_detail::parse_inventory;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string addresses(const zonegen::Addresses& a) {
    std::string out;
    for (const auto& v4 : a.ipv4)
        for (auto b : v4.addr) out += std::to_string(b) + ".";
    out += "/";
    for (const auto& v6 : a.ipv6)
        for (auto b : v6.addr) out += std::to_string(b) + ":";
    return out;
}

std::string opt(const auto& v) { return v ? std::to_string(*v) : "-"; }

// Everything parse_inventory returns, as text: the messages, or every field.
std::string dump(const zonegen::Result<Inventory>& r) {
    std::string out;
    if (!r.ok()) {
        for (const auto& d : r.errors()) out += zonegen::format_gnu(d) + "\n";
        return out;
    }
    const Inventory& inv = r.value();
    out += inv.zone.text() + " " + std::to_string(inv.ttl) + " " + opt(inv.serial) + " " + inv.soa_mname.text() +
           " " + inv.soa_rname.text() + " " + std::to_string(inv.refresh) + " " + std::to_string(inv.retry) + " " +
           std::to_string(inv.expire) + " " + std::to_string(inv.minimum) + " " + std::to_string(inv.mx_primary) +
           " " + std::to_string(inv.mx_step) + "\n";
    const auto& h = inv.health;
    out += "health " + (h.check ? std::to_string(static_cast<int>(*h.check)) : "-") + " " + opt(h.port) + " " +
           opt(h.interval) + " " + opt(h.timeout) + " " + opt(h.fall) + " " + opt(h.rise) + " " + opt(h.ttl) + "\n";
    for (const auto& ns : inv.nameservers) out += "ns " + ns.name.text() + " " + addresses(ns.addresses) + "\n";
    for (const auto& site : inv.sites) {
        out += "site " + site.label + " " + site.name.text() + (site.fallback_given ? " given" : " ring") + "\n";
        for (const auto& host : site.smarthosts)
            out += "  host " + host.label + " " + host.name.text() + " " + addresses(host.addresses) + " " +
                   (host.health.checked ? "checked " : "unchecked ") + opt(host.health.port) + "\n";
        for (const auto& tier : site.fallback) {
            out += "  tier " + std::to_string(tier.site) + ":";
            for (std::size_t k : tier.hosts) out += " " + std::to_string(k);
            out += "\n";
        }
        for (const auto& sender : site.senders) out += "  sender " + sender + "\n";
    }
    return out;
}

constexpr std::size_t npos = zonegen::JsonSplit::npos;

// The one-thread read (the count of sites is still taken from the syntax pass).
zonegen::Result<Inventory> one_thread(const std::string& text, const std::string& name) {
    return parse_inventory(text, name, 0, npos, false);
}

// Where a cut at byte `at` falls: the element index, 0 if nowhere.
std::size_t split_index(const std::string& text, std::size_t at) {
    zonegen::JsonSplit split;
    split.from = at;
    if (!zonegen::json_well_formed(text, &split) || split.cuts == 0) return 0;
    return split.index[0];
}

std::vector<fs::path> inventories() {
    const fs::path source(SMARTHOST_SOURCE_DIR);
    std::vector<fs::path> out{source / "sites.json"};
    for (const char* dir : {"tests/data/inventory/bad", "tests/data/generate", "tests/fuzz/corpus/inventory"})
        for (const auto& entry : fs::directory_iterator(source / dir))
            if (entry.path().extension() == ".json") out.push_back(entry.path());
    return out;
}

TEST(SplitSitesRead, IsTheOneThreadReadAtEverySplitOfEveryTestInventory) {
    std::size_t files = 0, splits = 0;
    for (const fs::path& path : inventories()) {
        const std::string text = slurp(path);
        const std::string name = path.filename().string();
        const std::string whole = dump(one_thread(text, name));
        ++files;
        for (std::size_t at = 0; at <= text.size(); ++at) {
            // Only the offsets that start a new element give a new split.
            if (at > 0 && split_index(text, at) == split_index(text, at - 1)) continue;
            if (split_index(text, at) != 0) ++splits;
            ASSERT_EQ(dump(parse_inventory(text, name, at, npos, true)), whole) << path << " cut at byte " << at;
            // And cut at every element from there (up to JsonSplit::kMaxCuts parts).
            ASSERT_EQ(dump(parse_inventory(text, name, at, 1, true)), whole) << path << " cuts from byte " << at;
        }
    }
    EXPECT_GE(files, 40u);
    EXPECT_GE(splits, 40u);  // the comparisons above did cut "sites" in two, often
}

// A large inventory: sites of 1-3 hosts, some with fallbacks to sites on the other side
// of any split, senders, health; `change` edits the text to put a problem in it.
std::string large(std::size_t sites) {
    std::string t = R"({"zone": "big.example", "ttl": 60, "nameservers": [{"name": "ns1", "ipv4": ["192.0.2.53"]}],
"health": {"port": 2525}, "sites": [
)";
    for (std::size_t i = 0; i < sites; ++i) {
        t += i == 0 ? "" : ",\n";
        t += R"({"name": "Site)" + std::to_string(i) + R"(", "smarthosts": [)";
        for (std::size_t h = 0; h <= i % 3; ++h) {
            t += h == 0 ? "" : ", ";
            t += R"({"name": "mail)" + std::to_string(h) + R"(", "ipv4": ["10.)" + std::to_string(i / 250) + "." +
                 std::to_string(i % 250) + "." + std::to_string(h + 1) + "\"]";
            if (i % 7 == 0) t += R"(, "ipv6": ["2001:db8::)" + std::to_string(i % 9999) + "\"]";
            if (i % 11 == 0) t += R"(, "health": false)";
            t += "}";
        }
        t += "]";
        if (i % 5 == 0)
            t += R"(, "fallback": ["site)" + std::to_string((i + sites / 2) % sites) + R"(", {"site": "site)" +
                 std::to_string((i + 1) % sites) + R"(", "hosts": ["mail0"]}])";
        if (i % 13 == 0) t += R"(, "senders": ["ex)" + std::to_string(i) + R"(.corp.example"])";
        t += "}";
    }
    return t + "\n]}\n";
}

void replace(std::string& text, const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
}

TEST(SplitSitesRead, IsTheOneThreadReadWithProblemsOnEitherSide) {
    const std::string good = large(3000);
    const std::string long_label(63, 'x');
    std::vector<std::pair<std::string, std::string>> edits = {
        {"", ""},                                             // as generated: valid
        {R"("name": "Site2500")", R"("name": "site10")"},     // a site named in both parts
        {R"("name": "Site2600")", R"("name": "site2500")"},   // twice in the second part
        {R"("name": "Site2700")", R"("name": "site_2700")"},  // a bad label in the second part
        {R"("name": "Site20")", R"("name": "site_20")"},      // and in the first
        {R"("10.10.0.1")", R"("10.10.0.256")"},               // a bad address in the second part
        {R"("site1")", R"("site99999")"},                     // an unknown fallback
        {R"("ipv4": ["10.11.0.1"])", R"("ipv4": ["10.11.0.1"], "ipv4": ["10.11.0.2"])"},  // a repeated key
    };
    // Under a site named twice, a host name too long for the zone is not reported: the
    // site got no name. The split read must not report it either.
    edits.push_back({R"("name": "Site2800", "smarthosts": [{"name": "mail0")",
                     R"("name": "site0", "smarthosts": [{"name": ")" + long_label + "." + long_label + "." +
                         long_label + "." + long_label + "\"" + R"(}, {"name": "mail0")"});
    for (const auto& [from, to] : edits) {
        std::string text = good;
        if (!from.empty()) replace(text, from, to);
        const std::string whole = dump(one_thread(text, "big.json"));
        EXPECT_EQ(whole.find("big.json:") == std::string::npos, from.empty()) << from << "\n" << whole;
        for (std::size_t at : {text.size() / 10, text.size() / 2, text.size() * 9 / 10}) {
            ASSERT_GT(split_index(text, at), 0u) << from;
            EXPECT_EQ(dump(parse_inventory(text, "big.json", at, npos, true)), whole)
                << from << ": cut at byte " << at;
            EXPECT_EQ(dump(parse_inventory(text, "big.json", at, text.size() / 40, true)), whole)
                << from << ": cuts from byte " << at;
        }
    }
}

TEST(SplitSitesRead, ParseInventorySplitsLargeTexts) {
    // Large enough for parse_inventory() to split (on a machine with two CPUs), and the
    // same as the one-thread read either way.
    const std::string text = large(5000);
    ASSERT_GE(text.size(), zonegen::inventory_detail::kMinSplit);
    EXPECT_EQ(dump(zonegen::parse_inventory(text, "big.json")), dump(one_thread(text, "big.json")));
}

}  // namespace
