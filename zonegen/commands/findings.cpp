// Rendering of check findings in the three output formats.
#include "zonegen/commands/findings.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "zonegen/inventory/json_locate.hpp"

namespace zonegen {

const char* severity_name(Severity s) {
    switch (s) {
        case Severity::error: return "error";
        case Severity::warning: return "warning";
        case Severity::info: return "info";
    }
    return "error";
}

std::optional<OutputFormat> parse_output_format(std::string_view name) {
    if (name == "text") return OutputFormat::text;
    if (name == "json") return OutputFormat::json;
    if (name == "github") return OutputFormat::github;
    return std::nullopt;
}

void place_findings(std::vector<Finding>& findings, std::string_view text, const std::string& file) {
    std::vector<std::size_t> offsets;
    std::vector<Finding*> placed;
    for (auto& f : findings) {
        if (f.where.file != file || f.where.line > 0 || f.where.pointer.empty()) continue;
        if (auto at = locate_json_pointer(text, f.where.pointer)) {
            offsets.push_back(at->value);
            placed.push_back(&f);
        }
    }
    auto positions = positions_of(text, offsets);
    for (std::size_t i = 0; i < placed.size(); ++i) {
        placed[i]->where.line = positions[i].line;
        placed[i]->where.column = positions[i].column;
    }
}

void sort_findings(std::vector<Finding>& findings) {
    std::map<std::string, std::size_t> rank;
    for (const auto& f : findings) rank.emplace(f.where.file, rank.size());
    std::stable_sort(findings.begin(), findings.end(), [&](const Finding& a, const Finding& b) {
        auto ra = rank[a.where.file], rb = rank[b.where.file];
        if (ra != rb) return ra < rb;
        if (a.where.line != b.where.line) return a.where.line < b.where.line;
        return a.where.column < b.where.column;
    });
}

namespace {

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + '"';
}

// GitHub workflow commands: message data escapes %, CR and LF; property values also
// ':' and ',' which would end them.
std::string github_escape(std::string_view s, bool property) {
    std::string out;
    for (char c : s) {
        if (c == '%')
            out += "%25";
        else if (c == '\r')
            out += "%0D";
        else if (c == '\n')
            out += "%0A";
        else if (property && c == ':')
            out += "%3A";
        else if (property && c == ',')
            out += "%2C";
        else
            out += c;
    }
    return out;
}

std::string message_with_pointer(const Finding& f) {
    return f.where.pointer.empty() ? f.message : f.where.pointer + ": " + f.message;
}

std::string text_line(const Finding& f) {
    std::string out;
    if (!f.where.file.empty()) {
        out += f.where.file;
        if (f.where.line > 0) {
            out += ':' + std::to_string(f.where.line);
            if (f.where.column > 0) out += ':' + std::to_string(f.where.column);
        }
        out += ": ";
    }
    return out + severity_name(f.severity) + ": [" + f.rule + "] " + message_with_pointer(f) + '\n';
}

std::string json_object(const Finding& f) {
    auto number = [](int v) { return v > 0 ? std::to_string(v) : std::string("null"); };
    return "{\"rule\": " + json_string(f.rule) + ", \"severity\": " + json_string(severity_name(f.severity)) +
           ", \"file\": " + json_string(f.where.file) + ", \"line\": " + number(f.where.line) +
           ", \"column\": " + number(f.where.column) + ", \"pointer\": " + json_string(f.where.pointer) +
           ", \"message\": " + json_string(f.message) + "}";
}

std::string github_line(const Finding& f) {
    const char* level = f.severity == Severity::error     ? "error"
                        : f.severity == Severity::warning ? "warning"
                                                          : "notice";
    std::string out = std::string("::") + level;
    std::string props;
    auto add = [&](const std::string& kv) { props += (props.empty() ? " " : ",") + kv; };
    if (!f.where.file.empty()) add("file=" + github_escape(f.where.file, true));
    if (f.where.line > 0) add("line=" + std::to_string(f.where.line));
    if (f.where.column > 0) add("col=" + std::to_string(f.where.column));
    add("title=" + github_escape("[" + f.rule + "]", true));
    return out + props + "::" + github_escape(message_with_pointer(f), false) + '\n';
}

}  // namespace

std::string render_findings(const std::vector<Finding>& findings, OutputFormat format) {
    std::string out;
    switch (format) {
        case OutputFormat::text:
            for (const auto& f : findings) out += text_line(f);
            break;
        case OutputFormat::github:
            for (const auto& f : findings) out += github_line(f);
            break;
        case OutputFormat::json:
            if (findings.empty()) return "[]\n";
            out = "[\n";
            for (std::size_t i = 0; i < findings.size(); ++i)
                out += "  " + json_object(findings[i]) + (i + 1 < findings.size() ? ",\n" : "\n");
            out += "]\n";
            break;
    }
    return out;
}

std::string summarize_findings(const std::vector<Finding>& findings) {
    std::size_t n[3] = {0, 0, 0};
    for (const auto& f : findings) ++n[static_cast<int>(f.severity)];
    auto part = [](std::size_t k, const char* one, const char* many) {
        return std::to_string(k) + " " + (k == 1 ? one : many);
    };
    return part(n[0], "error", "errors") + ", " + part(n[1], "warning", "warnings") + ", " +
           part(n[2], "note", "notes");
}

}  // namespace zonegen
