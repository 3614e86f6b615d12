// Delivery plans from records and from the inventory, and Postfix's address limit.
#include "zonegen/commands/explain_plan.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "zonegen/inventory/build.hpp"
#include "zonegen/inventory/inventory_rules.hpp"

namespace zonegen {

std::size_t PlanTier::address_count() const {
    std::size_t n = 0;
    for (const auto& h : hosts) n += h.address_count();
    return n;
}

namespace {

template <class T>
void sort_unique(std::vector<T>& v) {
    std::sort(v.begin(), v.end(), [](const T& a, const T& b) { return a.addr < b.addr; });
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

DeliveryPlan make_plan(const Name& site, std::vector<PlanRecord> records) {
    for (auto& r : records) {
        sort_unique(r.host.ipv4);
        sort_unique(r.host.ipv6);
    }
    std::stable_sort(records.begin(), records.end(), [](const PlanRecord& a, const PlanRecord& b) {
        if (a.preference != b.preference) return a.preference < b.preference;
        return a.host.name < b.host.name;
    });
    DeliveryPlan plan{site, {}};
    for (auto& r : records) {
        if (plan.tiers.empty() || plan.tiers.back().preference != r.preference)
            plan.tiers.push_back(PlanTier{r.preference, {}});
        auto& hosts = plan.tiers.back().hosts;
        if (!hosts.empty() && hosts.back().name == r.host.name) continue;
        hosts.push_back(std::move(r.host));
    }
    return plan;
}

std::size_t find_site(const Inventory& inv, std::string_view label) {
    std::string lower = inventory_rules::to_lower(label);
    for (std::size_t i = 0; i < inv.sites.size(); ++i)
        if (inv.sites[i].label == lower) return i;
    return inv.sites.size();
}

DeliveryPlan plan_from_inventory(const Inventory& inv, std::size_t site) {
    std::vector<PlanRecord> records;
    auto add = [&](std::size_t tier, const Smarthost& h) {
        records.push_back(PlanRecord{static_cast<std::uint16_t>(tier_preference(inv, tier)),
                                     PlanHost{h.name, h.addresses.ipv4, h.addresses.ipv6}});
    };
    const Site& s = inv.sites[site];
    for (const auto& h : s.smarthosts) add(0, h);
    for (std::size_t k = 0; k < s.fallback.size(); ++k)
        for (std::size_t j : s.fallback[k].hosts) add(k + 1, inv.sites[s.fallback[k].site].smarthosts[j]);
    return make_plan(s.name, std::move(records));
}

std::vector<std::size_t> tried_addresses(const DeliveryPlan& plan, std::size_t limit) {
    std::vector<std::size_t> tried;
    std::size_t left = limit;
    for (const auto& t : plan.tiers) {
        std::size_t n = std::min(left, t.address_count());
        tried.push_back(n);
        left -= n;
    }
    return tried;
}

std::string address_text(const A& a) {
    char buf[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, a.addr.data(), buf, sizeof buf);
}

std::string address_text(const Aaaa& a) {
    char buf[INET6_ADDRSTRLEN];
    return inet_ntop(AF_INET6, a.addr.data(), buf, sizeof buf);
}

}  // namespace zonegen
