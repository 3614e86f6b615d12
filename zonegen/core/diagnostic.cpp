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

}  // namespace zonegen
