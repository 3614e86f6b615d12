// GNU-style rendering of diagnostics (https://www.gnu.org/prep/standards/html_node/Errors.html).
#include "zonegen/core/diagnostic.hpp"

namespace zonegen {

std::string format_gnu(const Diagnostic& d) {
    std::string out;
    const Location& w = d.where;
    if (!w.file.empty()) {
        out += w.file;
        if (w.line > 0) {
            out += ':' + std::to_string(w.line);
            if (w.column > 0) out += ':' + std::to_string(w.column);
        }
        out += ": ";
    }
    if (!w.pointer.empty()) out += w.pointer + ": ";
    out += d.message;
    return out;
}

std::vector<std::string> format_gnu_lines(const std::vector<Diagnostic>& ds) {
    std::vector<std::string> lines;
    lines.reserve(ds.size());
    for (const Diagnostic& d : ds) lines.push_back(format_gnu(d));
    return lines;
}

}  // namespace zonegen
