// The "sites" section of the inventory: sites, their smarthosts and addresses, and the
// fallback lists that become the MX tiers (DESIGN.md "Inventory"). Two phases: read()
// takes every site as the text goes, so that resolve() can then find fallbacks to
// sites listed anywhere. A large section is read in parts on two threads (issue 17:
// a reload may use every core), joined in order before resolve().
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "zonegen/core/parallel.hpp"
#include "zonegen/inventory/inventory_reader.hpp"
#include "zonegen/inventory/inventory_rules.hpp"
#include "zonegen/inventory/label_index.hpp"

namespace zonegen::inventory_detail {

namespace {

using inventory_rules::quote;
using inventory_rules::to_lower;

constexpr Key kSiteKeys[] = {{"name", true}, {"smarthosts", true}, {"fallback", false}, {"senders", false}};
constexpr Key kHostKeys[] = {{"name", true}, {"ipv4", false}, {"ipv6", false}, {"health", false}};
constexpr Key kEntryKeys[] = {{"site", true}, {"hosts", false}};
constexpr std::uint64_t kMaxPreference = 65535;  // MX PREFERENCE is 16 bits (RFC 1035 §3.3.9)

// What the second pass needs to know about each site beyond Inventory::sites.
struct SiteText {
    ValueOffsets fallback{npos, npos};
    bool hosts_known = false;  // "smarthosts" was a non-empty array, so a name missing from it is missing
};

std::string too_long(const std::string& name, std::size_t octets) {
    return "name " + quote(name) + " is " + std::to_string(octets) + " octets long, more than 255";
}

}  // namespace

struct SitesReader::Impl {
    Impl(Reader& r, Inventory& inv, const Path& root, const JsonSplit& split)
        : r_(r), inv_(inv), root_(root), split_(split) {}

    std::size_t read(const ValueOffsets& member, bool zone_ok) {
        sites_ = root_.member(member.key);
        zone_ok_ = zone_ok;
        std::size_t end = npos;
        if (!r_.expect(member.value, sites_, Kind::array, "an array of sites")) return r_.scan.end_of(member.value);
        if (split_.array == member.value) {
            // Known sizes: no vector grows, no index rehashes, a merge moves only the second part.
            inv_.sites.reserve(split_.count);
            texts_.reserve(split_.count);
            by_label_.reserve(split_.count);
            if (split_.cuts > 0) return read_split();
        }
        // Sites are not counted first: that would be a pass over the whole file; the
        // vectors grow (cheap moves) and the label index rehashes as they do.
        std::size_t i = 0;
        for (auto e = r_.scan.first_element(member.value, &end); e != npos; ++i)
            e = r_.scan.element_after(read_site(e, i), &end);
        if (i == 0) r_.error(member.value, sites_, "expected at least one site");
        return end;
    }

    bool failed() const { return failed_; }

    void resolve(const SiteRules& rules) {
        rules_ = rules;
        for (std::size_t i = 0; i < inv_.sites.size(); ++i) resolve_fallback(i);
    }

private:
    // The sites before the first cut here, then the parts between the cuts on this thread
    // and one more, each taking the next part not taken (so a busy CPU only means fewer
    // parts for its thread), into an Inventory and a Reader of its own. The parts' labels
    // are checked against the ones before them only when the parts are joined, in order.
    // Returns the end of the array.
    std::size_t read_split() {
        struct Part {
            explicit Part(std::string_view text) : reader(text) {}
            Reader reader;
            Inventory inv;
            std::unique_ptr<Impl> impl;
            std::size_t end = npos;
            std::exception_ptr thrown;
        };
        const std::size_t cuts = split_.cuts;  // part k starts at cut k
        std::vector<std::unique_ptr<Part>> parts;
        for (std::size_t k = 0; k < cuts; ++k) {
            auto& p = parts.emplace_back(std::make_unique<Part>(r_.scan.text()));
            p->inv.zone = inv_.zone;
            p->impl = std::make_unique<Impl>(p->reader, p->inv, root_, JsonSplit{});
            p->impl->sites_ = sites_;
            p->impl->zone_ok_ = zone_ok_;
            p->impl->labels_later_ = true;
        }
        std::atomic<std::size_t> next{0};
        auto read_parts = [&] {
            for (std::size_t k = next++; k < cuts; k = next++) {
                Part& p = *parts[k];
                try {
                    const std::size_t stop = k + 1 < cuts ? split_.element[k + 1] : npos;
                    std::size_t i = split_.index[k];
                    for (auto e = split_.element[k]; e != npos && e != stop; ++i)
                        e = p.reader.scan.element_after(p.impl->read_site(e, i), &p.end);
                } catch (...) {
                    p.thrown = std::current_exception();
                }
            }
        };
        // This thread reads the sites before the first cut, then joins the other in taking
        // parts (read_parts catches what they throw; what the leading sites throw ends the
        // read once the other thread is done).
        std::size_t i = 0;
        run_parts(2, [&](unsigned p) {
            if (p == 0)
                for (auto e = r_.scan.first_element(split_.array); e != npos && e != split_.element[0]; ++i)
                    e = r_.scan.element_after(read_site(e, i));
            read_parts();
        });
        if (i != split_.index[0]) failed_ = true;
        for (std::size_t k = 0; k < cuts; ++k) {
            Part& p = *parts[k];
            if (p.thrown) std::rethrow_exception(p.thrown);
            const std::size_t expected = (k + 1 < cuts ? split_.index[k + 1] : split_.count) - split_.index[k];
            if (!p.reader.clean() || p.inv.sites.size() != expected) failed_ = true;
        }
        if (failed_) return parts.back()->end;
        for (auto& p : parts) {
            std::move(p->inv.sites.begin(), p->inv.sites.end(), std::back_inserter(inv_.sites));
            texts_.insert(texts_.end(), p->impl->texts_.begin(), p->impl->texts_.end());
        }
        // A label of a later part that is already taken: the one-thread read says where.
        for (std::size_t k = i; k < inv_.sites.size(); ++k)
            if (by_label_.add(k) != npos) failed_ = true;
        return parts.back()->end;
    }

    // Returns the end of the site's value. "smarthosts" is read as it comes when "name"
    // came first (the usual order), else after the object, when the site's name is known.
    std::size_t read_site(std::size_t at, std::size_t i) {
        Path path = sites_.element(i);
        Site& site = inv_.sites.emplace_back();
        SiteText& text = texts_.emplace_back();
        ValueOffsets m[4];
        std::size_t end = npos;
        bool name_read = false, named = false, hosts_read = false;
        auto visit = [&](std::size_t k, const ValueOffsets& member) -> std::size_t {
            if (k == 0) {
                named = read_site_name(member, path, i, site);
                name_read = true;
            } else if (k == 1 && name_read) {
                hosts_read = true;
                return read_hosts(member, path, site, text, named);
            }
            return npos;
        };
        if (!r_.object(at, path, "a site object", kSiteKeys, m, &end, visit)) return end;
        text.fallback = m[2];
        if (m[1].key != npos && !hosts_read) read_hosts(m[1], path, site, text, named);
        if (m[3].key != npos) read_senders(m[3], path, site);
        return end;
    }

    // "senders": the Exchange servers or Postfix hosts that relay through the site's name.
    // They end up inside quoted strings of the Exchange script, so only host names pass.
    void read_senders(const ValueOffsets& m, const Path& path, Site& site) {
        Path sp = path.member(m.key);
        if (!r_.expect(m.value, sp, Kind::array, "an array of sender host names")) return;
        SeenLabels seen;
        std::size_t k = 0;
        for (auto e = r_.scan.first_element(m.value); e != npos; e = r_.scan.next_element(e), ++k) {
            Path ep = sp.element(k);
            auto s = r_.string(e, ep, "a sender host name (a string)", scratch_);
            if (!s) continue;
            std::string name = to_lower(*s);
            if (!name.empty() && name.back() == '.') name.pop_back();
            if (auto why = inventory_rules::hostname_problem(*s)) {
                r_.error(e, ep, quote(*s) + " is not a valid sender host name: " + *why);
            } else if (std::size_t first = seen.add(name, k); first != npos) {
                r_.error(e, ep,
                         "duplicate sender " + quote(*s) + " (first at " + r_.pointer(sp) + "/" +
                             std::to_string(first) + ")");
            } else {
                site.senders.push_back(std::move(name));
            }
        }
    }

    // True if the site got its name.
    bool read_site_name(const ValueOffsets& m, const Path& path, std::size_t i, Site& site) {
        Path np = path.member(m.key);
        auto s = r_.string(m.value, np, "a site name (a string)", scratch_);
        if (!s) return false;
        site.label = to_lower(*s);
        if (std::size_t first = labels_later_ ? npos : by_label_.add(i); first != npos) {
            r_.error(m.value, np, "duplicate site " + quote(*s) + " (first at " + site_pointer(first) + ")");
        } else if (auto why = inventory_rules::label_problem(*s)) {
            r_.error(m.value, np, quote(*s) + " is not a valid site name: it " + *why);
        } else if (zone_ok_) {
            if (auto name = inv_.zone.prepend(site.label)) {
                site.name = std::move(*name);
                return true;
            }
            r_.error(m.value, np,
                     too_long(site.label + "." + inv_.zone.text(), 1 + site.label.size() + inv_.zone.wire().size()));
        }
        return false;
    }

    // Returns the end of the "smarthosts" value.
    std::size_t read_hosts(const ValueOffsets& m, const Path& path, Site& site, SiteText& text, bool site_named) {
        Path hp = path.member(m.key);
        if (!r_.expect(m.value, hp, Kind::array, "an array of smarthosts")) return r_.scan.end_of(m.value);
        seen_.clear();
        // Read into a vector kept from site to site, then moved into one allocation of the
        // right size: counting the elements first would be a second pass over them.
        hosts_.clear();
        std::size_t j = 0, end = npos;
        for (auto e = r_.scan.first_element(m.value, &end); e != npos; ++j)
            e = r_.scan.element_after(read_host(e, hp.element(j), j, site, site_named), &end);
        if (j == 0) r_.error(m.value, hp, "expected at least one smarthost");
        text.hosts_known = j > 0;
        site.smarthosts.assign(std::make_move_iterator(hosts_.begin()), std::make_move_iterator(hosts_.end()));
        return end;
    }

    // Returns the end of the host's value.
    std::size_t read_host(std::size_t at, const Path& path, std::size_t j, Site& site, bool site_named) {
        ValueOffsets m[4];
        std::size_t end = npos;
        Smarthost host;
        bool addresses_ok = true;
        auto visit = [&](std::size_t k, const ValueOffsets& member) -> std::size_t {
            if (k != 1 && k != 2) return npos;
            std::size_t value_end = npos;
            addresses_ok = r_.addresses(member, path, k == 2, host.addresses, &value_end) && addresses_ok;
            return value_end;
        };
        if (!r_.object(at, path, "a smarthost object", kHostKeys, m, &end, visit)) return end;
        if (addresses_ok && host.addresses.empty())
            r_.error(at, path, "the smarthost has no address; add one to \"ipv4\" or \"ipv6\"");
        read_smarthost_health(r_, m[3], path, host.health);
        if (m[0].key == npos) return end;
        Path np = path.member(m[0].key);
        auto s = r_.string(m[0].value, np, "a smarthost name (a string)", scratch_);
        if (!s) return end;
        host.label = to_lower(*s);
        if (std::size_t first = seen_.add(host.label, j); first != npos) {
            r_.error(m[0].value, np,
                     "duplicate smarthost " + quote(*s) + " (first at " + r_.pointer(*path.up) + "/" +
                         std::to_string(first) + ")");
        } else if (auto why = inventory_rules::label_problem(*s)) {
            r_.error(m[0].value, np, quote(*s) + " is not a valid smarthost name: it " + *why);
        } else if (site_named) {
            if (auto name = site.name.prepend(host.label)) {
                host.name = std::move(*name);
            } else {
                r_.error(m[0].value, np,
                         too_long(host.label + "." + site.name.text(),
                                  1 + host.label.size() + site.name.wire().size()));
            }
        }
        // Kept even when invalid, so a fallback naming it is not also "unknown".
        hosts_.push_back(std::move(host));
        return end;
    }

    // The index in Site::smarthosts of the host with this lower-case label, or npos.
    std::size_t host_index(std::size_t site, const std::string& label) {
        const auto& hosts = inv_.sites[site].smarthosts;
        if (hosts.size() <= 16) {
            for (std::size_t k = 0; k < hosts.size(); ++k)
                if (hosts[k].label == label) return k;
            return npos;
        }
        auto [it, added] = big_sites_.try_emplace(site);
        if (added)
            for (std::size_t k = hosts.size(); k-- > 0;) it->second[hosts[k].label] = k;  // the first one wins
        auto found = it->second.find(label);
        return found == it->second.end() ? npos : found->second;
    }

    FallbackTier all_hosts(std::size_t site) const {
        FallbackTier tier{site, {}};
        tier.hosts.resize(inv_.sites[site].smarthosts.size());
        for (std::size_t k = 0; k < tier.hosts.size(); ++k) tier.hosts[k] = k;
        return tier;
    }

    std::string preference_problem(std::size_t tier) const {
        std::uint64_t p = inv_.mx_primary, s = inv_.mx_step, v = p + tier * s;
        if (!rules_.mx_ok || v <= kMaxPreference) return {};
        return "the MX preference for fallback tier " + std::to_string(tier) + " would be " + std::to_string(p) +
               " + " + std::to_string(tier) + "*" + std::to_string(s) + " = " + std::to_string(v) +
               ", more than 65535";
    }

    void resolve_fallback(std::size_t i) {
        Site& site = inv_.sites[i];
        const ValueOffsets& member = texts_[i].fallback;
        if (member.key == npos) {
            // The ring default: the next site in inventory order.
            if (inv_.sites.size() < 2) return;
            site.fallback.push_back(all_hosts((i + 1) % inv_.sites.size()));
            if (std::string why = preference_problem(1); !why.empty() && !ring_reported_ && rules_.mx_path) {
                r_.error(rules_.mx_at, *rules_.mx_path,
                         why + " (sites without \"fallback\" fall back to the next site)");
                ring_reported_ = true;
            }
            return;
        }
        Path site_path = sites_.element(i);
        Path path = site_path.member(member.key);
        if (!r_.expect(member.value, path, Kind::array, "an array of fallback sites")) return;
        site.fallback_given = true;
        SeenLabels seen_sites;
        bool preference_reported = false;
        std::size_t j = 0;
        for (auto e = r_.scan.first_element(member.value); e != npos; e = r_.scan.next_element(e), ++j) {
            Path ep = path.element(j);
            auto tier = resolve_entry(i, e, ep, j, seen_sites, path);
            if (!tier) continue;
            if (std::string why = preference_problem(j + 1); !why.empty() && !preference_reported) {
                r_.error(e, ep, why);
                preference_reported = true;
            }
            site.fallback.push_back(std::move(*tier));
        }
    }

    std::optional<FallbackTier> resolve_entry(std::size_t i, std::size_t at, const Path& path, std::size_t j,
                                              SeenLabels& seen_sites, const Path& list) {
        ValueOffsets m[2] = {{npos, at}, {npos, npos}};
        Path name_path = path;
        Kind kind = r_.scan.kind(at);
        if (kind == Kind::object) {
            if (!r_.object(at, path, "a fallback entry", kEntryKeys, m) || m[0].key == npos) return std::nullopt;
            name_path = path.member(m[0].key);
        } else if (kind != Kind::string) {
            r_.error(at, path,
                     "expected a site name or {\"site\": NAME, \"hosts\": [NAMES]}, found " + r_.describe(at));
            return std::nullopt;
        }
        auto name = r_.string(m[0].value, name_path, "a site name (a string)", scratch_);
        if (!name) return std::nullopt;
        std::string label = to_lower(*name);
        std::size_t t = by_label_.find(label);
        if (t == npos) {
            r_.error(m[0].value, name_path, "unknown site " + quote(*name));
            return std::nullopt;
        }
        if (t == i) {
            r_.error(m[0].value, name_path, "site " + quote(*name) + " cannot fall back to itself");
            return std::nullopt;
        }
        if (std::size_t first = seen_sites.add(label, j); first != npos) {
            r_.error(m[0].value, name_path,
                     "duplicate fallback site " + quote(*name) + " (first at " + r_.pointer(list) + "/" +
                         std::to_string(first) + ")");
            return std::nullopt;
        }
        if (m[1].key == npos) return all_hosts(t);
        return subset(t, m[1], path);
    }

    std::optional<FallbackTier> subset(std::size_t t, const ValueOffsets& member, const Path& entry) {
        Path path = entry.member(member.key);
        if (!r_.expect(member.value, path, Kind::array, "an array of smarthost names")) return std::nullopt;
        FallbackTier tier{t, {}};
        if (r_.scan.first_element(member.value) == npos) {
            r_.error(member.value, path, "\"hosts\" is empty; leave it out to use every smarthost of the site");
            return std::nullopt;
        }
        SeenLabels seen_hosts;
        std::size_t k = 0;
        for (auto e = r_.scan.first_element(member.value); e != npos; e = r_.scan.next_element(e), ++k) {
            Path hp = path.element(k);
            auto name = r_.string(e, hp, "a smarthost name (a string)", scratch_);
            if (!name) continue;
            std::string label = to_lower(*name);
            std::size_t index = host_index(t, label);
            if (index == npos) {
                if (texts_[t].hosts_known)
                    r_.error(e, hp, "site " + quote(inv_.sites[t].label) + " has no smarthost " + quote(*name));
                continue;
            }
            if (std::size_t first = seen_hosts.add(std::move(label), k); first != npos) {
                r_.error(e, hp,
                         "duplicate smarthost " + quote(*name) + " (first at " + r_.pointer(path) + "/" +
                             std::to_string(first) + ")");
                continue;
            }
            tier.hosts.push_back(index);
        }
        return tier;
    }

    Reader& r_;
    Inventory& inv_;
    const Path& root_;
    const JsonSplit split_;
    Path sites_;
    bool zone_ok_ = false;
    bool labels_later_ = false;  // the second part of a split read: by_label_ is the first part's
    bool failed_ = false;
    SiteRules rules_;
    std::vector<SiteText> texts_;
    SiteIndex by_label_{inv_.sites};  // every site with a name, valid or not
    std::unordered_map<std::size_t, std::unordered_map<std::string, std::size_t>> big_sites_;
    SeenLabels seen_;
    std::vector<Smarthost> hosts_;  // the site's smarthosts as they are read
    std::string scratch_;
    bool ring_reported_ = false;
};

SitesReader::SitesReader(Reader& r, Inventory& inv, const Path& root, const JsonSplit& split)
    : impl_(std::make_unique<Impl>(r, inv, root, split)) {}
SitesReader::~SitesReader() = default;
bool SitesReader::failed() const { return impl_->failed(); }
std::size_t SitesReader::read(const ValueOffsets& member, bool zone_ok) { return impl_->read(member, zone_ok); }
void SitesReader::resolve(const SiteRules& rules) { impl_->resolve(rules); }

}  // namespace zonegen::inventory_detail
