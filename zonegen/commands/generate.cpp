// The generate pipeline: read, validate, build, choose the serial, render, write.
#include "zonegen/commands/generate.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "zonegen/commands/exchange_writer.hpp"
#include "zonegen/commands/postfix_writer.hpp"
#include "zonegen/commands/powershell_writer.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/core/serial.hpp"
#include "zonegen/inventory/build.hpp"
#include "zonegen/inventory/inventory.hpp"
#include "zonegen/zonefile/bind_writer.hpp"
#include "zonegen/zonefile/zone_loader.hpp"

namespace zonegen {

std::string zone_file_path(const std::string& dir, const std::string& origin_text) {
    std::string name = origin_text;
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    std::string d = dir;
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    return d + "/" + name + ".zone";
}

std::optional<GenerateFormat> parse_generate_format(std::string_view text) {
    if (text == "bind") return GenerateFormat::bind;
    if (text == "powershell") return GenerateFormat::powershell;
    if (text == "exchange") return GenerateFormat::exchange;
    if (text == "postfix") return GenerateFormat::postfix;
    return std::nullopt;
}

static GenerateReport fail(Exit status, std::vector<std::string> errors) {
    GenerateReport r;
    r.status = status;
    r.errors = std::move(errors);
    return r;
}

// Writes text to path unless it holds exactly that already; says which in the report.
static bool write_if_changed(const std::string& path, const std::string& text, GenerateReport& report) {
    std::string old;
    if (!read_file_into(path, old) && old == text) {
        remove_orphaned_temporaries(path);
        report.notes.push_back("zonegen: " + path + " unchanged");
        return true;
    }
    if (auto err = write_file_atomically(path, text)) {
        report.status = Exit::Usage;
        report.errors.push_back(*err);
        return false;
    }
    report.notes.push_back("zonegen: wrote " + path);
    return true;
}

// The site fragments in <dir>/<zone>.postfix/, a directory zonegen owns: created when
// missing, and a fragment of a site no longer in the inventory is removed so that no
// stale relayhost is left for someone to apply.
static GenerateReport write_postfix(const std::string& dir, const std::vector<PostfixFragment>& fragments) {
    GenerateReport report;
    if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
        return fail(Exit::Usage, {dir + ": cannot create: " + std::strerror(errno)});
    std::vector<std::string> wanted;
    for (const auto& f : fragments) {
        wanted.push_back(f.site + ".cf");
        if (!write_if_changed(dir + "/" + f.site + ".cf", f.text, report)) return report;
    }
    std::vector<std::string> stale;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (const dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            if (n.size() > 3 && n.ends_with(".cf") && n[0] != '.' &&
                std::find(wanted.begin(), wanted.end(), n) == wanted.end())
                stale.push_back(n);
        }
        ::closedir(d);
    }
    std::sort(stale.begin(), stale.end());
    for (const auto& n : stale) {
        if (::unlink((dir + "/" + n).c_str()) != 0) {
            report.status = Exit::Usage;
            report.errors.push_back(dir + "/" + n + ": cannot remove: " + std::strerror(errno));
            return report;
        }
        report.notes.push_back("zonegen: removed " + dir + "/" + n + " (its site is no longer in the inventory)");
    }
    return report;
}

// The other formats: the same zone, for Windows DNS, Exchange and Postfix. None of them
// carries an SOA, so no serial is chosen here; the header names the one the zone file
// has (the inventory's, --serial, or the committed zone's), when there is one.
static GenerateReport generate_export(const GenerateOptions& opt, const Inventory& inv) {
    const bool to_stdout = opt.output_dir == "-";
    std::optional<std::uint32_t> serial = inv.serial ? inv.serial : opt.serial;
    if (!serial && !to_stdout) {
        std::string old;
        if (!read_file_into(zone_file_path(opt.output_dir, inv.zone.text()), old)) serial = rendered_serial(old);
    }
    const ExportSource source{base_name(opt.inventory), serial};
    std::string stem = zone_file_path(opt.output_dir, inv.zone.text());
    stem.resize(stem.size() - 5);  // without ".zone"

    std::string text, path;
    switch (opt.format) {
        case GenerateFormat::powershell: {
            auto built = build_zone(inv, serial.value_or(0));
            if (!built) return fail(Exit::Internal, format_gnu_lines(built.errors()));
            text = render_powershell(inv, built.value(), source);
            path = stem + ".ps1";
            break;
        }
        case GenerateFormat::exchange:
            text = render_exchange(inv, source);
            path = stem + ".exchange.ps1";
            break;
        case GenerateFormat::postfix: {
            auto fragments = render_postfix(inv, source);
            if (!to_stdout) return write_postfix(stem + ".postfix", fragments);
            for (const auto& f : fragments) text += (text.empty() ? "" : "\n") + f.text;
            break;
        }
        case GenerateFormat::bind: break;
    }
    GenerateReport report;
    if (to_stdout)
        report.stdout_text = std::move(text);
    else
        write_if_changed(path, text, report);
    return report;
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
    if (opt.format != GenerateFormat::bind) return generate_export(opt, inv);
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
                std::vector<std::string> lines{path +
                                               ": cannot read the serial of the existing zone; "
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
    struct Built {
        InventoryFile file;
        Zone zone;
    };
    auto hand_over = [&] {
        report.built = std::make_shared<const Built>(Built{std::move(file), std::move(zone)});
        return std::move(report);
    };
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
        return hand_over();
    }
    if (same) {
        remove_orphaned_temporaries(path);
        report.notes.push_back("zonegen: " + path + " unchanged (serial " + std::to_string(serial) + ")");
        return hand_over();
    }
    if (auto err = write_file_atomically(path, rendered)) return fail(Exit::Usage, {*err});
    report.notes.push_back("zonegen: wrote " + path + " (serial " + std::to_string(serial) + ", " +
                           std::to_string(zone.record_count()) + " records)");
    return hand_over();
}

}  // namespace zonegen
