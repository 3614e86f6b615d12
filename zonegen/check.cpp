// The check pipeline: read, validate (validation errors become findings of rule
// "invalid"), apply the rules, compare the committed zone, place, sort, render.
#include "zonegen/check.hpp"

#include "zonegen/check_drift.hpp"
#include "zonegen/check_rules.hpp"
#include "zonegen/files.hpp"
#include "zonegen/inventory.hpp"

namespace zonegen {

namespace {

std::string base_name(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

CheckReport run_check(const CheckOptions& opt) {
    CheckReport report;
    std::string io_error;
    auto text = read_file(opt.inventory, &io_error);
    if (!text) {
        report.status = Exit::Usage;
        report.stderr_lines.push_back("zonegen: " + io_error);
        return report;
    }
    auto parsed = parse_inventory(*text, opt.inventory);
    if (!parsed) {
        for (const auto& d : parsed.errors())
            report.findings.push_back(Finding{"invalid", Severity::error, d.where, d.message});
    } else {
        report.findings = inventory_findings(parsed.value(), opt.inventory);
        place_findings(report.findings, *text, opt.inventory);
        if (opt.zones_dir) {
            auto zone = zone_findings(parsed.value(), *opt.zones_dir, base_name(opt.inventory), &io_error);
            if (!zone) {
                report.status = Exit::Usage;
                report.stderr_lines.push_back("zonegen: " + io_error);
                return report;
            }
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
