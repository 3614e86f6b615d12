// What `zonegen check` reports: findings with a stable rule id and a severity, placed in
// the inventory by JSON Pointer and line:column, and rendered for people (GNU style), for
// programs (JSON) or for GitHub Actions (workflow commands, which CI shows next to the
// line at fault).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zonegen/core/diagnostic.hpp"

namespace zonegen {

// error: the inventory or the committed zone is wrong (validation, drift); exit 1.
// warning: mail may not go where the inventory says; exit 1 only with --strict.
// info: worth knowing, never fails a check.
enum class Severity { error, warning, info };
const char* severity_name(Severity s);  // "error", "warning", "info"

struct Finding {
    std::string rule;  // stable kebab-case id, e.g. "mdns-local-zone"
    Severity severity = Severity::warning;
    Location where;  // file, line:column (0 = unknown) and JSON Pointer (may be empty)
    std::string message;
};

enum class OutputFormat { text, json, github };
std::optional<OutputFormat> parse_output_format(std::string_view name);

// Fills line and column of findings in file whose pointer names a value of text (the
// inventory's JSON text), from where that value starts. Others are left as they are.
void place_findings(std::vector<Finding>& findings, std::string_view text, const std::string& file);

// Sorts by file (in order of first appearance), then line and column; stable, so findings
// at one spot keep the order the rules produced them in.
void sort_findings(std::vector<Finding>& findings);

// text:   "file:line:col: severity: [rule] /pointer: message", one per line
// json:   an array of objects {rule, severity, file, line, column, pointer, message}
//         (line and column null when unknown), one object per line
// github: "::error file=F,line=L,col=C,title=[rule]::/pointer: message" (warning, notice)
std::string render_findings(const std::vector<Finding>& findings, OutputFormat format);

// "1 error, 2 warnings, 3 notes" (what the text format prints last, on stderr).
std::string summarize_findings(const std::vector<Finding>& findings);

}  // namespace zonegen
