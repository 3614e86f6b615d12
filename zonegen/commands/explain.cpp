// Rendering of delivery plans and the explain pipeline. The wording follows what a
// sender does (RFC 5321 §5.1): try the lowest preference first, pick among equal ones at
// random, move on only when every address of the tier failed; a Postfix sender also cuts
// the address list at smtp_mx_address_limit before it tries any.
#include "zonegen/commands/explain.hpp"

#include <algorithm>
#include <cstdint>

#include "zonegen/commands/explain_server.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/inventory/inventory.hpp"
#include "zonegen/inventory/inventory_rules.hpp"

namespace zonegen {

namespace {

std::string count(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

bool is_down(const std::vector<Name>& down, const Name& host) {
    return std::find(down.begin(), down.end(), host) != down.end();
}

std::string names(const std::vector<const PlanHost*>& hosts) {
    std::string out;
    for (std::size_t i = 0; i < hosts.size(); ++i)
        out += (i == 0 ? "" : i + 1 == hosts.size() ? " and " : ", ") + hosts[i]->name.text();
    return out;
}

std::string tier_label(std::size_t k, const PlanTier& t) {
    return "tier " + std::to_string(k + 1) + " (MX " + std::to_string(t.preference) + ")";
}

}  // namespace

std::string render_plan(const DeliveryPlan& plan, const std::vector<Name>& down, std::size_t address_limit) {
    // postconf(5): 0 means no limit.
    const std::size_t limit = address_limit == 0 ? SIZE_MAX : address_limit;
    std::string out = "delivery plan for " + plan.site.text() + "\n";
    if (plan.tiers.empty())
        return out +
               "no MX records: a sender would deliver to the name's own address records "
               "(RFC 5321 section 5.1), not to smarthost tiers\n";
    auto tried = tried_addresses(plan, limit);
    std::size_t total = 0;
    for (const auto& t : plan.tiers) total += t.address_count();
    for (std::size_t k = 0; k < plan.tiers.size(); ++k) {
        const PlanTier& t = plan.tiers[k];
        out += "\ntier " + std::to_string(k + 1) + ", MX " + std::to_string(t.preference) + ": ";
        out += t.hosts.size() == 1 ? std::string("1 host")
                                   : count(t.hosts.size(), "host", "hosts") + " share the load";
        if (k == 1) out += ", used when tier 1 is down";
        if (k == 2) out += ", used when tiers 1 and 2 are down";
        if (k > 2) out += ", used when tiers 1 to " + std::to_string(k) + " are down";
        out += "\n";
        if (tried[k] == 0 && t.address_count() > 0)
            out += "  never tried: Postfix stops after " + std::to_string(limit) +
                   " addresses (smtp_mx_address_limit)\n";
        else if (tried[k] < t.address_count())
            out += "  only " + std::to_string(tried[k]) + " of its " + std::to_string(t.address_count()) +
                   (tried[k] == 1 ? " addresses is" : " addresses are") +
                   " tried, picked at random: Postfix stops after " + std::to_string(limit) +
                   " (smtp_mx_address_limit)\n";
        for (const auto& h : t.hosts) {
            out += "  " + h.name.text();
            if (h.address_count() == 0) out += "  (no address: skipped)";
            for (const auto& a : h.ipv4) out += "  " + address_text(a);
            for (const auto& a : h.ipv6) out += "  " + address_text(a);
            if (is_down(down, h.name)) out += "  [down]";
            out += "\n";
        }
    }
    out += "\n";
    if (total > limit)
        out += "Postfix tries " + std::to_string(limit) + " of the plan's " + std::to_string(total) +
               " addresses (smtp_mx_address_limit; down hosts use up places too)\n";

    std::string down_text;
    for (const auto& d : down) down_text += (down_text.empty() ? "" : ", ") + d.text();
    out += down.empty() ? "with every host up: " : "with " + down_text + " down: ";
    for (std::size_t k = 0; k < plan.tiers.size() && tried[k] > 0; ++k) {
        const PlanTier& t = plan.tiers[k];
        std::vector<const PlanHost*> up;
        bool some_down = false;
        for (const auto& h : t.hosts) {
            if (h.address_count() == 0) continue;
            if (is_down(down, h.name))
                some_down = true;
            else
                up.push_back(&h);
        }
        if (up.empty()) continue;
        if (tried[k] < t.address_count() && some_down)
            return out + "mail goes to " + tier_label(k, t) + " only if " +
                   (tried[k] == 1 ? std::string("the address")
                                  : "one of the " + std::to_string(tried[k]) + " addresses") +
                   " Postfix picks there belongs to " + names(up) + "; otherwise it queues and is retried later\n";
        return out + "mail goes to " + tier_label(k, t) + ", " + (up.size() > 1 ? "shared by " : "to ") + names(up) +
               "\n";
    }
    return out +
           "mail queues: every address a sender tries is down; it is retried until a host answers "
           "(Postfix gives up after maximal_queue_lifetime, 5 days by default)\n";
}

Result<std::vector<Name>> resolve_down(const DeliveryPlan& plan, const std::vector<std::string>& args,
                                       const std::optional<Name>& zone) {
    std::vector<Name> out;
    std::vector<Diagnostic> errors;
    auto add = [&](const Name& n) {
        if (!is_down(out, n)) out.push_back(n);
    };
    for (const auto& arg : args) {
        std::vector<Name> candidates;
        auto v4 = inventory_rules::parse_ipv4(arg);
        auto v6 = inventory_rules::parse_ipv6(arg);
        if (!v4 && !v6) {
            if (auto absolute = Name::parse(arg)) candidates.push_back(*absolute);
            if (zone && !arg.empty() && arg.back() != '.')
                if (auto relative = Name::parse(arg + "." + zone->text())) candidates.push_back(*relative);
        }
        bool found = false;
        for (const auto& t : plan.tiers)
            for (const auto& h : t.hosts) {
                bool hit = std::find(candidates.begin(), candidates.end(), h.name) != candidates.end();
                hit = hit || (v4 && std::find(h.ipv4.begin(), h.ipv4.end(), *v4) != h.ipv4.end());
                hit = hit || (v6 && std::find(h.ipv6.begin(), h.ipv6.end(), *v6) != h.ipv6.end());
                if (hit) add(h.name);
                found = found || hit;
            }
        // Filled in place: GCC 12 at -O3 warns, wrongly, about a braced temporary here.
        if (!found)
            errors.emplace_back().message = "--down " + arg + ": no host of the plan for " + plan.site.text() +
                                            " has this name or address";
    }
    if (!errors.empty()) return errors;
    return out;
}

namespace {

ExplainReport fail(Exit status, std::string line) {
    ExplainReport r;
    r.status = status;
    r.errors.push_back(std::move(line));
    return r;
}

}  // namespace

ExplainReport run_explain(const ExplainOptions& opt) {
    std::optional<ServerAddress> server;
    if (opt.server) {
        server = parse_server_address(*opt.server);
        if (!server)
            return fail(Exit::Usage, "zonegen: --server " + *opt.server + ": expected ADDR:PORT or [ADDR]:PORT");
    }
    const bool absolute_site = !opt.site.empty() && opt.site.back() == '.';
    std::optional<Inventory> inv;
    std::optional<Name> zone;
    // The inventory is needed unless the plan comes from a server for a name given in full.
    if (!server || !absolute_site) {
        auto file = load_inventory(opt.inventory);
        if (file.status == Exit::Usage) return fail(Exit::Usage, "zonegen: " + format_gnu(file.errors.front()));
        if (!file.inventory) {
            ExplainReport r;
            r.status = file.status;
            r.errors = format_gnu_lines(file.errors);
            return r;
        }
        inv = std::move(file.inventory);
        zone = inv->zone;
    }

    DeliveryPlan plan;
    if (!server) {
        std::size_t i = absolute_site ? inv->sites.size() : find_site(*inv, opt.site);
        if (absolute_site)
            if (auto n = Name::parse(opt.site))
                for (std::size_t k = 0; k < inv->sites.size(); ++k)
                    if (inv->sites[k].name == *n) i = k;
        if (i == inv->sites.size()) {
            std::string known;
            for (const auto& s : inv->sites) known += (known.empty() ? "" : ", ") + s.label;
            return fail(Exit::Invalid, "zonegen: " + opt.inventory + ": no site " + inventory_rules::quote(opt.site) +
                                           " (sites: " + known + ")");
        }
        plan = plan_from_inventory(*inv, i);
    } else {
        std::string why;
        auto site = absolute_site ? Name::parse(opt.site, &why) : zone->prepend(inventory_rules::to_lower(opt.site));
        if (!site)
            return fail(Exit::Usage, "zonegen: " + inventory_rules::quote(opt.site) + " is not a valid name" +
                                         (why.empty() ? "" : ": " + why));
        auto got = plan_from_server(*site, *server);
        if (!got.plan) {
            ExplainReport r;
            r.status = got.unreachable ? Exit::Usage : Exit::Invalid;
            for (const auto& d : got.plan.errors()) r.errors.push_back("zonegen: " + format_gnu(d));
            return r;
        }
        plan = std::move(got.plan).value();
    }

    // Without the inventory the zone is the site's parent: a site's MX name is <site>.<zone>.
    if (!zone && !plan.site.is_root()) zone = plan.site.parent();
    auto down = resolve_down(plan, opt.down, zone);
    if (!down) {
        ExplainReport r;
        r.status = Exit::Usage;
        for (const auto& d : down.errors()) r.errors.push_back("zonegen: " + d.message);
        return r;
    }
    ExplainReport r;
    r.stdout_text = render_plan(plan, down.value(), opt.address_limit);
    return r;
}

}  // namespace zonegen
