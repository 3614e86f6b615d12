// Loading zone files and inventories into an AnswerTable, with the reload rules.
#include "dnsd/primary/loader.hpp"

#include <algorithm>
#include <optional>

#include "zonegen/core/files.hpp"
#include "zonegen/core/parallel.hpp"
#include "zonegen/core/serial.hpp"
#include "zonegen/inventory/build.hpp"
#include "zonegen/inventory/inventory.hpp"
#include "zonegen/zonefile/zone_loader.hpp"

namespace dnsd {

namespace {

using zonegen::Diagnostic;
using zonegen::Zone;

struct Loaded {
    Zone zone;
    std::string file;
    std::optional<ZoneImage> image;  // made already to compare with the served version
};

const ZoneImage* find_zone(const AnswerTable* table, const zonegen::Name& origin) {
    if (!table) return nullptr;
    for (const ZoneImage& z : table->zones())
        if (z.origin() == origin) return &z;
    return nullptr;
}

void add_errors(std::vector<Diagnostic>& to, const std::vector<Diagnostic>& from) {
    to.insert(to.end(), from.begin(), from.end());
}

const ZoneImage* find_loaded(const AnswerTable* table, const zonegen::Name& origin) {
    if (!table) return nullptr;
    for (const ZoneImage& z : table->loaded_zones())
        if (z.origin() == origin) return &z;
    return nullptr;
}

// What the inventory says of health, for dnsd's prober and answers.
void note_health(const zonegen::Inventory& inv, LoadedTable& out) {
    const zonegen::HealthSettings& h = inv.health;
    out.health = {h.check, h.port, h.interval, h.timeout, h.fall, h.rise, h.ttl};
    // Only the hosts that differ from the defaults: most do not, and a map of every host
    // cost a 100,000-site reload 250,000 allocations.
    for (const zonegen::Site& site : inv.sites)
        for (const zonegen::Smarthost& host : site.smarthosts)
            if (!host.health.checked || host.health.port)
                out.hosts[std::string(host.name.wire())] = {host.health.checked, host.health.port};
}

// The zone an inventory describes, with the serial policy (zonegen/core/serial.hpp): the
// existing version is the zone being served; "the same records" compares with the zone as
// it was loaded, before health or --state-dir edited what is served.
zonegen::Result<Loaded> zone_from_inventory(const std::string& path, const AnswerTable* current, LoadedTable& out,
                                            Retirer* early) {
    auto file = zonegen::load_inventory(path);
    if (!file.inventory) return file.errors;
    // The text is done with (the inventory holds copies); the inventory goes to the
    // caller's Retirer with the zones.
    std::string().swap(file.text);
    out.inventory = std::make_shared<const zonegen::Inventory>(std::move(*file.inventory));
    const zonegen::Inventory& inv = *out.inventory;
    note_health(inv, out);

    const ZoneImage* served = find_zone(current, inv.zone);
    const ZoneImage* loaded = find_loaded(current, inv.zone);
    const zonegen::SerialPolicy policy{inv.serial, served ? std::optional(served->serial()) : std::nullopt};
    auto built = zonegen::build_zone(inv, policy.first_try());
    if (!built) return built.errors();
    if (early) early->retire(std::move(out.inventory));  // inv is gone from here on
    Loaded l{std::move(built).value(), path, std::nullopt};
    // The image is the table's too (AnswerTable::compile): made once, digested once.
    if (loaded) l.image.emplace(l.zone);
    auto serial = policy.decide(loaded && l.image->digest() == loaded->digest());
    if (!serial) return serial.errors();
    if (serial.value() == l.zone.serial()) return l;
    l.zone = std::move(l.zone).with_serial(serial.value());
    if (l.image) l.image = std::move(*l.image).with_serial(serial.value());
    return l;
}

}  // namespace

std::vector<Diagnostic> unreadable_sources(const Sources& sources) {
    std::vector<Diagnostic> out;
    std::vector<std::string> paths = sources.zone_files;
    if (!sources.inventory.empty()) paths.push_back(sources.inventory);
    for (const std::string& p : paths)
        if (auto err = zonegen::check_readable(p)) out.push_back(err->diagnostic());
    return out;
}

zonegen::Result<LoadedTable> load_table(const Sources& sources, const AnswerTable* current,
                                        const LoadOptions& options, Retirer* early) {
    LoadedTable out;
    std::vector<Diagnostic> errors;
    std::vector<Loaded> loaded;
    for (const std::string& path : sources.zone_files) {
        auto zone = zonegen::load_zone_file(path);
        if (zone)
            loaded.push_back({std::move(zone).value(), path, std::nullopt});
        else
            add_errors(errors, zone.errors());
    }
    if (!sources.inventory.empty()) {
        auto zone = zone_from_inventory(sources.inventory, current, out, early);
        if (zone)
            loaded.push_back(std::move(zone).value());
        else
            add_errors(errors, zone.errors());
    }

    // RFC 1034 §4.3.5: a secondary compares serials only, so every new version of a zone
    // needs a greater one. A change under the same serial would never reach the
    // secondaries; it is refused like a lower serial, and the zone served stays.
    for (Loaded& l : loaded) {
        const ZoneImage* served = options.renumber ? nullptr : find_zone(current, l.zone.origin());
        if (!served || zonegen::serial_gt(l.zone.serial(), served->serial())) continue;
        const std::string zone = "zone " + zone_text(l.zone.origin()) + " serial " + std::to_string(l.zone.serial());
        if (l.zone.serial() != served->serial())
            errors.push_back({{l.file, 0, 0, {}},
                              zone + " is not greater than the served serial " + std::to_string(served->serial()) +
                                  " (RFC 1982)"});
        else if (!((l.image ? *l.image : l.image.emplace(l.zone)) == *served))  // kept for compile()
            errors.push_back({{l.file, 0, 0, {}},
                              zone + ": the records changed but the serial did not; raise it, or secondaries "
                                     "keep the old records"});
    }
    if (!errors.empty()) return errors;

    out.zones.reserve(loaded.size());
    std::vector<ZoneImage> images;
    for (Loaded& l : loaded) {
        out.zones.push_back(std::move(l.zone));
        if (l.image) images.push_back(std::move(*l.image));
    }
    if (images.size() != loaded.size()) images.clear();  // made for none or only some: compile() makes them
    CompileOptions compile;
    compile.threads = options.threads != 0 ? options.threads : zonegen::usable_cpus();
    if (options.health || (options.inventory_may_ask && out.health.check))
        compile.health_ttl = options.health_ttl ? *options.health_ttl : out.health.ttl.value_or(kDefaultHealthTtl);
    else if (options.renumber) {
        compile.health_ttl = 0xFFFFFFFFu;  // a model for the serials only: every TTL stays
        compile.serials_only = true;
    }
    auto table = AnswerTable::compile(out.zones, compile, std::move(images));
    if (!table) return table.errors();
    out.table = std::move(table).value();
    return out;
}

std::string zone_text(const zonegen::Name& origin) {
    std::string t = origin.text();
    if (t.size() > 1) t.pop_back();  // "smarthost.local", as users write it
    return t;
}

std::string describe_zones(const AnswerTable& table) {
    std::string out;
    for (const ZoneImage& z : table.zones()) {
        if (!out.empty()) out += ", ";
        out += zone_text(z.origin()) + " serial " + std::to_string(z.serial());
    }
    return out;
}

}  // namespace dnsd
