// Drift and committed-zone findings. The comparison is made on the canonical text of both
// zones (bind_writer's rendering: one record per line, canonical order), so a difference
// reads as the record lines a user would see in the file.
#include "zonegen/commands/check_drift.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "zonegen/commands/generate.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/inventory/build.hpp"
#include "zonegen/zonefile/bind_writer.hpp"
#include "zonegen/zonefile/zone_loader.hpp"

namespace zonegen {

namespace {

std::vector<std::string> tokens_of(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string t; in >> t;) out.push_back(t);
    return out;
}

std::string joined(const std::vector<std::string>& tokens) {
    std::string out;
    for (const auto& t : tokens) out += (out.empty() ? "" : " ") + t;
    return out;
}

// The record and directive lines of a master file as normalised token strings, each with
// its 1-based line number; comments and blank lines are left out.
std::vector<std::pair<std::string, int>> record_lines(const std::string& text) {
    std::vector<std::pair<std::string, int>> out;
    std::istringstream in(text);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
        if (auto semi = line.find(';'); semi != std::string::npos) line.erase(semi);
        auto t = tokens_of(line);
        if (!t.empty()) out.emplace_back(joined(t), n);
    }
    return out;
}

// The line of the file holding this normalised record text; 0 if the file does not
// hold it in that form (a hand-written layout).
int line_in(const std::vector<std::pair<std::string, int>>& file_lines, const std::string& record) {
    for (const auto& [text, n] : file_lines)
        if (text == record) return n;
    return 0;
}

void mx_without_address(const Zone& zone, const std::string& path,
                        const std::vector<std::pair<std::string, int>>& file_lines, std::vector<Finding>& out) {
    for (const auto& node : zone.nodes()) {
        const RRset* mx = node.find(RRType::MX);
        if (mx == nullptr) continue;
        for (const auto& rd : mx->rdata) {
            const Mx& r = std::get<Mx>(rd);
            if (!r.exchange.is_subdomain_of(zone.origin())) continue;  // not ours to judge
            const Node* target = zone.find(r.exchange);
            if (target && (target->find(RRType::A) || target->find(RRType::AAAA))) continue;
            std::string owner = node.owner.text_relative_to(zone.origin());
            std::string record = owner + " IN MX " + rdata_text(rd, zone.origin());
            int line = 0;
            for (const auto& [text, n] : file_lines) {
                auto t = tokens_of(text);
                if (t.size() >= 4 && t[t.size() - 3] == "MX" && t[t.size() - 2] == std::to_string(r.preference) &&
                    (t.back() == r.exchange.text_relative_to(zone.origin()) || t.back() == r.exchange.text())) {
                    line = n;
                    break;
                }
            }
            out.push_back(Finding{"mx-target-without-address", Severity::warning, Location{path, line, 0, {}},
                                  "MX target " + r.exchange.text() + " of " + node.owner.text() +
                                      " has no A or AAAA record in the zone: senders skip it, or bounce "
                                      "the mail if it is the only target (RFC 5321 section 5.1)"});
        }
    }
}

}  // namespace

std::optional<std::vector<Finding>> zone_findings(const Inventory& inv, const std::string& zones_dir,
                                                  const std::string& source, std::optional<FileError>* io_error) {
    const std::string path = zone_file_path(zones_dir, inv.zone.text());
    std::vector<Finding> out;
    std::string text;
    if (auto err = read_file_into(path, text); err && !err->missing) {
        *io_error = std::move(err);
        return std::nullopt;
    } else if (err) {
        out.push_back(Finding{"drift", Severity::error, Location{path, 0, 0, {}},
                              "the zone file is missing; run zonegen generate and commit it"});
        return out;
    }
    auto loaded = load_zone_text(text, path, inv.zone);
    if (!loaded) {
        for (const auto& d : loaded.errors())
            out.push_back(
                Finding{"drift", Severity::error, d.where, "the committed zone does not load: " + d.message});
        return out;
    }
    const Zone& committed = loaded.value();
    auto file_lines = record_lines(text);
    mx_without_address(committed, path, file_lines, out);

    auto built = build_zone(inv, committed.serial());
    if (!built) {  // a validated inventory always builds; say so rather than hide it
        for (const auto& d : built.errors()) out.push_back(Finding{"drift", Severity::error, d.where, d.message});
        return out;
    }
    auto have = record_lines(render_bind(committed, source));
    auto want = record_lines(render_bind(built.value(), source));
    // Multiset difference, in the canonical order of each side.
    std::map<std::string, int> balance;
    for (const auto& [t, n] : have) ++balance[t];
    for (const auto& [t, n] : want) --balance[t];
    std::map<std::string, int> extra = balance, lacking = balance;
    for (const auto& [t, n] : have) {
        if (extra[t] <= 0) continue;
        --extra[t];
        out.push_back(Finding{"drift", Severity::error, Location{path, line_in(file_lines, t), 0, {}},
                              "the committed zone has \"" + t + "\", which generate would not write"});
    }
    for (const auto& [t, n] : want) {
        if (lacking[t] >= 0) continue;
        ++lacking[t];
        out.push_back(Finding{"drift", Severity::error, Location{path, 0, 0, {}},
                              "the committed zone lacks \"" + t + "\", which generate would write"});
    }
    return out;
}

}  // namespace zonegen
