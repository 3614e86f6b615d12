// The one-host change of a make-inventory inventory (one_host_change.hpp).
#include "tests/support/one_host_change.hpp"

#include "tests/support/shell.hpp"

namespace testsupport {

std::string move_first_host(const std::string& inventory, int version) {
    std::string text = read_text(inventory);
    const std::string was = version == 1 ? "\"10.0.0.1\"" : "\"10.99.0." + std::to_string(version - 1) + "\"";
    const auto at = text.find(was);
    if (at == std::string::npos) return inventory + " has no " + was;
    text.replace(at, was.size(), "\"10.99.0." + std::to_string(version) + "\"");
    write_text(inventory, text);
    return {};
}

}  // namespace testsupport
