// The generate pipeline: read, validate, build, choose the serial, render, write.
#include "zonegen/commands/generate.hpp"

#include "zonegen/zonefile/bind_writer.hpp"
#include "zonegen/inventory/build.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/inventory/inventory.hpp"
#include "zonegen/core/serial.hpp"
#include "zonegen/zonefile/zone_loader.hpp"

namespace zonegen {

std::string zone_file_path(const std::string& dir, const std::string& origin_text) {
    std::string name = origin_text;
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    std::string d = dir;
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    return d + "/" + name + ".zone";
}

static GenerateReport fail(Exit status, std::vector<std::string> errors) {
    GenerateReport r;
    r.status = status;
    r.errors = std::move(errors);
    return r;
}

// The serial of the zone file already at path, if any: from our own layout when we
// wrote it, else through the full loader (a hand-made or foreign file).
static Result<std::optional<std::uint32_t>> existing_serial(const std::string& path, const std::string& text,
                                                            const Name& origin) {
    if (auto s = rendered_serial(text)) return std::optional<std::uint32_t>(*s);
    auto zone = load_zone_text(text, path, origin);
    if (!zone) return zone.errors();
    return std::optional<std::uint32_t>(zone.value().serial());
}

GenerateReport generate(const GenerateOptions& opt) {
    auto file = load_inventory(opt.inventory);
    if (!file.inventory) return fail(file.status, format_gnu_lines(file.errors));
    const Inventory& inv = *file.inventory;
    const std::string source = base_name(opt.inventory);
    const bool to_stdout = opt.output_dir == "-";
    const std::string path = to_stdout ? std::string() : zone_file_path(opt.output_dir, inv.zone.text());

    // The existing zone file, if there is one, decides "unchanged" and the next serial.
    std::optional<std::string> old_text;
    std::optional<std::uint32_t> old_serial;
    if (!to_stdout) {
        old_text.emplace();
        if (auto err = read_file_into(path, *old_text)) {
            if (!err->missing) return fail(Exit::Usage, {err->text()});
            old_text.reset();
        }
        if (old_text) {
            auto s = existing_serial(path, *old_text, inv.zone);
            if (!s) {
                std::vector<std::string> lines{path + ": cannot read the serial of the existing zone; "
                                                      "fix or remove the file, or pass --serial"};
                for (auto& line : format_gnu_lines(s.errors())) lines.push_back(std::move(line));
                // The inventory is fine; the file in the output directory is not: exit 2, as
                // for an existing zone that cannot be read at all.
                if (!inv.serial && !opt.serial) return fail(Exit::Usage, std::move(lines));
            } else {
                old_serial = s.value();
            }
        }
    }

    const SerialPolicy policy{inv.serial ? inv.serial : opt.serial, old_serial};
    auto built = build_zone(inv, policy.first_try());
    if (!built) return fail(Exit::Internal, format_gnu_lines(built.errors()));  // a validated inventory must build
    Zone zone = std::move(built).value();
    std::string rendered = render_bind(zone, source);

    GenerateReport report;
    // The file is compared whole: it is what zonegen writes for these records, so a file
    // that differs in anything else (an edit by hand, another source) is rewritten too.
    const bool same = old_text && *old_text == rendered;
    auto decided = policy.decide(same);
    if (!decided) return fail(Exit::Usage, format_gnu_lines(decided.errors()));
    const std::uint32_t serial = decided.value();
    if (serial != zone.serial()) {
        zone = std::move(zone).with_serial(serial);
        rendered = render_bind(zone, source);
    }
    if (policy.fixed && old_serial && !same && !serial_gt(serial, *old_serial))
        report.notes.push_back("zonegen: warning: serial " + std::to_string(serial) + " is not greater than " +
                               std::to_string(*old_serial) + " in " + path +
                               "; secondaries will not transfer this change (RFC 1982)");

    if (to_stdout) {
        report.stdout_text = std::move(rendered);
        return report;
    }
    if (same) {
        remove_orphaned_temporaries(path);
        report.notes.push_back("zonegen: " + path + " unchanged (serial " + std::to_string(serial) + ")");
        return report;
    }
    if (auto err = write_file_atomically(path, rendered)) return fail(Exit::Usage, {*err});
    report.notes.push_back("zonegen: wrote " + path + " (serial " + std::to_string(serial) + ", " +
                           std::to_string(zone.record_count()) + " records)");
    return report;
}

}  // namespace zonegen
