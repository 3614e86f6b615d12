// The check pipeline: read, validate (validation errors become findings of rule
// "invalid"), apply the rules, compare the committed zone, place, sort, render.
#include "zonegen/commands/check.hpp"

#include "zonegen/commands/check_drift.hpp"
#include "zonegen/commands/check_rules.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace zonegen {

namespace {

// A file that cannot be read: exit 2 with the reason on standard error. In the json and
// github formats it is also the one finding (rule "unreadable"), so that a CI artifact or
// annotation says what went wrong instead of being empty.
CheckReport unreadable(const CheckOptions& opt, const Diagnostic& why) {
    CheckReport report;
    report.status = Exit::Usage;
    report.stderr_lines.push_back("zonegen: " + format_gnu(why));
    if (opt.format != OutputFormat::text)
        report.stdout_text = render_findings({Finding{"unreadable", Severity::error, why.where, why.message}},
                                             opt.format);
    return report;
}

}  // namespace

CheckReport run_check(const CheckOptions& opt) {
    CheckReport report;
    auto file = load_inventory(opt.inventory);
    if (file.status == Exit::Usage) return unreadable(opt, file.errors.front());
    if (!file.inventory) {
        for (const auto& d : file.errors)
            report.findings.push_back(Finding{"invalid", Severity::error, d.where, d.message});
    } else {
        report.findings = inventory_findings(*file.inventory, opt.inventory);
        place_findings(report.findings, file.text, opt.inventory);
        if (opt.zones_dir) {
            std::optional<FileError> io_error;
            auto zone = zone_findings(*file.inventory, *opt.zones_dir, base_name(opt.inventory), &io_error);
            if (!zone) return unreadable(opt, io_error->diagnostic());
            report.findings.insert(report.findings.end(), zone->begin(), zone->end());
        }
    }
    sort_findings(report.findings);
    report.stdout_text = render_findings(report.findings, opt.format);
    bool errors = false, warnings = false;
    for (const auto& f : report.findings) {
        errors = errors || f.severity == Severity::error;
        warnings = warnings || f.severity == Severity::warning;
    }
    report.status = errors || (opt.strict && warnings) ? Exit::Invalid : Exit::Ok;
    if (opt.format == OutputFormat::text)
        report.stderr_lines.push_back("zonegen: " + opt.inventory + ": " + summarize_findings(report.findings) +
                                      (report.status == Exit::Invalid && !errors ? " (--strict)" : ""));
    return report;
}

}  // namespace zonegen
