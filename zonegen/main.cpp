// zonegen's command line: parses arguments, calls the library, prints, sets the exit code.
// The only file of zonegen that sees Boost.Program_options.
#include <signal.h>

#include <boost/program_options.hpp>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "zonegen/commands/check.hpp"
#include "zonegen/commands/explain.hpp"
#include "zonegen/commands/generate.hpp"
#include "zonegen/commands/graph.hpp"
#include "zonegen/core/decimal.hpp"

namespace po = boost::program_options;
using zonegen::Exit;

namespace {

constexpr const char* kUsage = R"(usage: zonegen <command> [options]

Turns a site inventory (sites.json) into the DNS zone that routes each site's outbound
mail to its own smarthosts first (MX preference 10) and to other sites' smarthosts after
(20, 30, ...), so mail stays in-site and fails over by itself.

commands:
  generate   write zones/<zone>.zone from the inventory, or with --format the same
             tiers for Windows DNS (PowerShell), Exchange send connectors or Postfix
             (exit 0 written or unchanged, 1 invalid inventory, 2 usage or I/O error)
  check      validate the inventory, report risky setups, compare the committed zone
             (exit 0 no errors, 1 errors or, with --strict, warnings, 2 usage or I/O error)
  explain    the delivery plan a sending server follows for one site, tier by tier
             (exit 0 explained, 1 invalid inventory or unknown site, 2 usage or I/O error)
  graph      draw the sites, their smarthosts and MX tiers (SVG or Graphviz DOT)
             (exit 0 drawn, 1 invalid inventory, 2 usage or I/O error)

Exit status 70 means an internal error (a bug: please report it).
Run 'zonegen <command> --help' for the options of a command.

options:
  -h, --help     show this help
  -V, --version  show the version
)";

// command: the subcommand whose --help answers the mistake, if any.
int usage_error(const std::string& msg, const std::string& command = {}) {
    std::cerr << "zonegen: " << msg << "\nTry 'zonegen " << (command.empty() ? "" : command + " ") << "--help'.\n";
    return static_cast<int>(Exit::Usage);
}

// Standard output may be a full disk or a closed pipe: a command whose output was lost
// fails, with exit 2 like any other I/O error.
int finish(int status) {
    if (std::cout.flush()) return status;
    std::cerr << "zonegen: cannot write to standard output\n";
    return static_cast<int>(Exit::Usage);
}

// Parses a subcommand's options. Returns the exit status when the command is done
// already (a usage error, or --help printed), nothing when it should go on.
std::optional<int> parse_options(const std::vector<std::string>& args, const po::options_description& desc,
                                 const po::positional_options_description& pos, const std::string& command,
                                 po::variables_map& vm) {
    try {
        po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return usage_error(command + ": " + e.what(), command);
    }
    if (vm.count("help")) {
        std::cout << desc << '\n';
        return finish(0);
    }
    return std::nullopt;
}

int run_generate(const std::vector<std::string>& args) {
    zonegen::GenerateOptions opt;
    std::string format = "bind";
    po::options_description desc(
        "usage: zonegen generate [-i sites.json] [-o zones/] [--serial N]\n"
        "                        [--format bind|powershell|exchange|postfix]\n\n"
        "Validates the inventory and writes its zone as a BIND master file to\n"
        "<dir>/<zone>.zone, atomically (temporary file, fsync, rename). A zone whose\n"
        "records did not change is not rewritten. Every error in the inventory is\n"
        "reported, and nothing is written while there is any.\n\n"
        "Serial: the inventory's \"serial\" wins, then --serial; otherwise the existing\n"
        "file's serial is kept when nothing changed, else the next YYYYMMDDnn greater than\n"
        "it (the date from SOURCE_DATE_EPOCH when set, else today in UTC).\n\n"
        "Other formats, for the people who send the mail (written the same way, only when\n"
        "changed; their header names the inventory and the zone's serial):\n"
        "  powershell  <dir>/<zone>.ps1: an idempotent script for the Windows DNS Server\n"
        "              module (-ComputerName, -ReplicationScope or -ZoneFile, -WhatIf)\n"
        "  exchange    <dir>/<zone>.exchange.ps1: one send connector per site with\n"
        "              \"senders\", smart host <site>.<zone>, for the Exchange Management Shell\n"
        "  postfix     <dir>/<zone>.postfix/<site>.cf: per site relayhost = <site>.<zone>\n"
        "              (no brackets) and MX limits that reach every tier, for postconf -e\n\n"
        "Exit status: 0 written or unchanged, 1 invalid inventory, 2 usage or I/O error,\n"
        "70 internal error.\n\noptions");
    std::string serial;
    // clang-format off: one option a line, as --help lists them
    desc.add_options()("help,h", "show this help")(
        "inventory,i", po::value(&opt.inventory)->value_name("FILE")->default_value("sites.json"),
        "the site inventory")("output,o", po::value(&opt.output_dir)->value_name("DIR")->default_value("zones"),
                              "directory for the output; '-' writes it to standard output")(
        "serial", po::value(&serial)->value_name("N"), "SOA serial when the inventory sets none")(
        "format", po::value(&format)->value_name("FORMAT")->default_value("bind"),
        "bind (RFC 1035 master file), powershell, exchange or postfix");
    // clang-format on
    po::variables_map vm;
    if (auto done = parse_options(args, desc, po::positional_options_description{}, "generate", vm)) return *done;
    auto f = zonegen::parse_generate_format(format);
    if (!f)
        return usage_error("generate: unknown --format '" + format +
                               "' (available: bind, powershell, exchange, postfix)",
                           "generate");
    opt.format = *f;
    if (vm.count("serial")) {
        opt.serial = zonegen::parse_decimal(serial, 0, UINT32_MAX);
        if (!opt.serial)
            return usage_error("generate: --serial must be a number from 0 to 4294967295, not '" + serial + "'",
                               "generate");
    }

    auto report = zonegen::generate(opt);
    for (const auto& e : report.errors) std::cerr << e << '\n';
    for (const auto& n : report.notes) std::cerr << n << '\n';
    if (report.status == Exit::Invalid)
        std::cerr << "zonegen: " << report.errors.size() << (report.errors.size() == 1 ? " error" : " errors")
                  << " in " << opt.inventory << "; nothing written\n";
    std::cout << report.stdout_text;
    // Exits here, without freeing what generate() built (report.built): see GenerateReport.
    std::exit(finish(static_cast<int>(report.status)));
}

constexpr const char* kCheckHelp =
    "usage: zonegen check [-i sites.json] [--zones DIR] [--format text|json|github] [--strict]\n\n"
    "Validates the inventory as generate does and reports findings, each with a stable\n"
    "rule id, a severity and the place in the inventory (file:line:col and JSON Pointer).\n"
    "With --zones, the committed DIR/<zone>.zone is compared with what generate would\n"
    "write (the serial aside); every differing record is a drift error.\n\n"
    "rules:\n"
    "  invalid                error    the inventory fails validation (as in generate)\n"
    "  drift                  error    the committed zone differs from the inventory's\n"
    "  mdns-local-zone        warning  the zone is under .local, multicast DNS (RFC 6762)\n"
    "  postfix-address-limit  warning  tiers beyond Postfix's 5 addresses are never reached\n"
    "  no-fallback            warning  a site without fallback: a single point of failure\n"
    "  single-failure-domain  warning  every fallback host is in the site's own networks\n"
    "                                  (one IPv4 /24 or IPv6 /48 is one failure domain)\n"
    "  duplicate-address      warning  one address on two smarthosts\n"
    "  extreme-ttl            warning  TTL under 60 s or over 86400 s\n"
    "  host-site-collision    warning  a smarthost or name server named like a site\n"
    "  shared-sender          warning  one sender in the \"senders\" of two sites\n"
    "  mx-target-without-address\n"
    "                         warning  (--zones) an MX target the committed zone gives no address\n"
    "  fallback-loop          info     two sites fall back only to each other\n"
    "  special-address        info     loopback, unspecified, multicast or documentation address\n"
    "  health-ttl             info     \"health\": {\"ttl\"} above the zone TTL (dnsd serves the smaller)\n\n"
    "Exit status: 0 no errors (warnings allowed unless --strict), 1 errors (or warnings\n"
    "with --strict), 2 usage or I/O error, 70 internal error.\n\noptions";

int run_check(const std::vector<std::string>& args) {
    zonegen::CheckOptions opt;
    std::string format = "text", zones;
    po::options_description desc(kCheckHelp);
    // clang-format off: one option a line, as --help lists them
    desc.add_options()("help,h", "show this help")(
        "inventory,i", po::value(&opt.inventory)->value_name("FILE")->default_value("sites.json"),
        "the site inventory")("zones", po::value(&zones)->value_name("DIR"),
                              "compare the committed zone DIR/<zone>.zone")(
        "format", po::value(&format)->value_name("FORMAT")->default_value("text"),
        "text (file:line:col: severity: [rule] message), json, or github (workflow annotations)")(
        "strict", po::bool_switch(&opt.strict), "warnings fail the check too");
    // clang-format on
    po::variables_map vm;
    if (auto done = parse_options(args, desc, po::positional_options_description{}, "check", vm)) return *done;
    auto f = zonegen::parse_output_format(format);
    if (!f) return usage_error("check: unknown --format '" + format + "' (available: text, json, github)", "check");
    opt.format = *f;
    if (vm.count("zones")) opt.zones_dir = zones;
    auto report = zonegen::run_check(opt);
    std::cout << report.stdout_text;
    std::cout.flush();
    for (const auto& line : report.stderr_lines) std::cerr << line << '\n';
    return finish(static_cast<int>(report.status));
}

int run_explain(const std::vector<std::string>& args) {
    zonegen::ExplainOptions opt;
    std::string server, limit;
    po::options_description desc(
        "usage: zonegen explain [-i sites.json] SITE [--down HOST]... [--server ADDR:PORT]\n\n"
        "Prints the delivery plan a sending server follows for SITE (a site name, or a full\n"
        "name ending in '.'): its MX tiers in preference order, the hosts that share the\n"
        "load in each, which tier receives mail while the --down hosts are down, when mail\n"
        "queues, and where Postfix's smtp_mx_address_limit (5 addresses) cuts the plan.\n"
        "HOST is a host name relative to the zone (mail1.oxford), a full name, or an address.\n"
        "With --server the plan comes from the MX, A and AAAA records that server returns\n"
        "(UDP, TCP when truncated) instead of from the inventory.\n"
        "The address limit counts IPv4 and IPv6 addresses alike (a Postfix with\n"
        "inet_protocols = all); --address-limit gives the sender's own value, e.g. the\n"
        "one 'zonegen generate --format postfix' sets (0: no limit).\n\n"
        "Exit status: 0 explained, 1 invalid inventory, unknown site or a name the server\n"
        "does not know, 2 usage or I/O error (including a server that does not answer),\n"
        "70 internal error.\n\noptions");
    // clang-format off: one option a line, as --help lists them
    desc.add_options()("help,h", "show this help")(
        "inventory,i", po::value(&opt.inventory)->value_name("FILE")->default_value("sites.json"),
        "the site inventory")("site", po::value(&opt.site)->value_name("SITE"), "the site to explain")(
        "down", po::value(&opt.down)->value_name("HOST"), "a host taken as down (repeatable)")(
        "server", po::value(&server)->value_name("ADDR:PORT"), "ask this DNS server instead of the inventory")(
        "address-limit", po::value(&limit)->value_name("N"),
        "the sender's smtp_mx_address_limit (default 5; 0: no limit)");
    // clang-format on
    po::positional_options_description pos;
    pos.add("site", 1);
    po::variables_map vm;
    if (auto done = parse_options(args, desc, pos, "explain", vm)) return *done;
    if (opt.site.empty()) return usage_error("explain: no SITE given", "explain");
    if (vm.count("address-limit")) {
        auto n = zonegen::parse_decimal(limit, 0, UINT32_MAX);
        if (!n)
            return usage_error("explain: --address-limit must be a number from 0 to 4294967295, not '" + limit + "'",
                               "explain");
        opt.address_limit = *n;
    }
    if (vm.count("server")) opt.server = server;
    auto report = zonegen::run_explain(opt);
    for (const auto& e : report.errors) std::cerr << e << '\n';
    std::cout << report.stdout_text;
    return finish(static_cast<int>(report.status));
}

int run_graph(const std::vector<std::string>& args) {
    zonegen::GraphOptions opt;
    std::string format = "svg";
    po::options_description desc(
        "usage: zonegen graph [-i sites.json] [-o FILE] [--format dot|svg]\n\n"
        "Draws the inventory's MX tiers for reviewers: each site a box with its smarthosts\n"
        "inside, an arrow from the site's name to every host of each tier labelled with\n"
        "the MX preference, tiers told apart by colour and line style, and sites without\n"
        "fallback (isolated) or with a single host in their whole plan (a single point\n"
        "of failure) marked in red. SVG is laid out by Graphviz's library inside zonegen;\n"
        "dot writes the Graphviz source instead. FILE is written atomically, and not\n"
        "rewritten when unchanged.\n\n"
        "Exit status: 0 drawn, 1 invalid inventory, 2 usage or I/O error, 70 internal error.\n\noptions");
    // clang-format off: one option a line, as --help lists them
    desc.add_options()("help,h", "show this help")(
        "inventory,i", po::value(&opt.inventory)->value_name("FILE")->default_value("sites.json"),
        "the site inventory")("output,o", po::value(&opt.output)->value_name("FILE")->default_value("-"),
                              "where to write the picture; '-' is standard output")(
        "format", po::value(&format)->value_name("FORMAT")->default_value("svg"), "svg or dot (Graphviz source)");
    // clang-format on
    po::variables_map vm;
    if (auto done = parse_options(args, desc, po::positional_options_description{}, "graph", vm)) return *done;
    auto f = zonegen::parse_graph_format(format);
    if (!f) return usage_error("graph: unknown --format '" + format + "' (available: dot, svg)", "graph");
    opt.format = *f;
    auto report = zonegen::run_graph(opt);
    for (const auto& e : report.errors) std::cerr << e << '\n';
    for (const auto& n : report.notes) std::cerr << n << '\n';
    std::cout << report.stdout_text;
    return finish(static_cast<int>(report.status));
}

}  // namespace

int main(int argc, char** argv) {
    // Past a file-size limit (ulimit -f) the kernel would kill zonegen mid-write with no
    // word; ignored, the write fails with EFBIG and is reported like a full disk.
    ::signal(SIGXFSZ, SIG_IGN);
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        if (args.empty()) return usage_error("no command given");
        const std::string cmd = args.front();
        args.erase(args.begin());
        if (cmd == "-h" || cmd == "--help" || cmd == "help") {
            std::cout << kUsage;
            return finish(0);
        }
        if (cmd == "-V" || cmd == "--version") {
            std::cout << "zonegen " SMARTHOST_VERSION "\n";
            return finish(0);
        }
        if (cmd == "generate") return run_generate(args);
        if (cmd == "check") return run_check(args);
        if (cmd == "explain") return run_explain(args);
        if (cmd == "graph") return run_graph(args);
        return usage_error("unknown command '" + cmd + "'");
    } catch (const std::exception& e) {
        std::cerr << "zonegen: internal error: " << e.what() << '\n';
        return static_cast<int>(Exit::Internal);
    } catch (...) {
        std::cerr << "zonegen: internal error\n";
        return static_cast<int>(Exit::Internal);
    }
}
