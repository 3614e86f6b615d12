// The check pipeline: read, validate (validation errors become findings of rule
// "invalid"), apply the rules, compare the committed zone, place, sort, render.
#include "zonegen/commands/check.hpp"

#include "zonegen/commands/check_drift.hpp"
#include "zonegen/commands/check_rules.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace zonegen {

namespace {

std::string base_name(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A file that cannot be read: exit 2 with the reason on standard error. In the json and
// github formats it is also the one finding (rule "unreadable"), so that a CI artifact or
// annotation says what went wrong instead of being empty. io_error is "path: reason".
CheckReport unreadable(const CheckOptions& opt, const std::string& io_error) {
    CheckReport report;
    report.status = Exit::Usage;
    report.stderr_lines.push_back("zonegen: " + io_error);
    if (opt.format != OutputFormat::text) {
        const auto colon = io_error.find(": ");
        Finding f{"unreadable", Severity::error, {}, io_error};
        if (colon != std::string::npos) {
            f.where.file = io_error.substr(0, colon);
            f.message = io_error.substr(colon + 2);
        }
        report.stdout_text = render_findings({f}, opt.format);
    }
    return report;
}

}  // namespace

CheckReport run_check(const CheckOptions& opt) {
    CheckReport report;
    std::string io_error;
    auto text = read_file(opt.inventory, &io_error);
    if (!text) return unreadable(opt, io_error);
    auto parsed = parse_inventory(*text, opt.inventory);
    if (!parsed) {
        for (const auto& d : parsed.errors())
            report.findings.push_back(Finding{"invalid", Severity::error, d.where, d.message});
    } else {
        report.findings = inventory_findings(parsed.value(), opt.inventory);
        place_findings(report.findings, *text, opt.inventory);
        if (opt.zones_dir) {
            auto zone = zone_findings(parsed.value(), *opt.zones_dir, base_name(opt.inventory), &io_error);
            if (!zone) return unreadable(opt, io_error);
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
