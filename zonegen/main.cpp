// zonegen's command line: parses arguments, calls the library, prints, sets the exit code.
// The only file of zonegen that sees Boost.Program_options.
#include <boost/program_options.hpp>

#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "zonegen/generate.hpp"

namespace po = boost::program_options;
using zonegen::Exit;

namespace {

constexpr const char* kUsage = R"(usage: zonegen <command> [options]

Turns a site inventory (sites.json) into the DNS zone that routes each site's outbound
mail to its own smarthosts first (MX preference 10) and to other sites' smarthosts after
(20, 30, ...), so mail stays in-site and fails over by itself.

commands:
  generate   write zones/<zone>.zone from the inventory
             (exit 0 written or unchanged, 1 invalid inventory, 2 usage or I/O error)

Run 'zonegen <command> --help' for the options of a command.
options:
  -h, --help     show this help
  -V, --version  show the version
)";

int usage_error(const std::string& msg) {
    std::cerr << "zonegen: " << msg << "\nTry 'zonegen --help'.\n";
    return static_cast<int>(Exit::Usage);
}

int run_generate(const std::vector<std::string>& args) {
    zonegen::GenerateOptions opt;
    std::string format = "bind";
    po::options_description desc(
        "usage: zonegen generate [-i sites.json] [-o zones/] [--serial N] [--format bind]\n\n"
        "Validates the inventory and writes its zone as a BIND master file to\n"
        "<dir>/<zone>.zone, atomically (temporary file, fsync, rename). A zone whose\n"
        "records did not change is not rewritten. Every error in the inventory is\n"
        "reported, and nothing is written while there is any.\n\n"
        "Serial: the inventory's \"serial\" wins, then --serial; otherwise the existing\n"
        "file's serial is kept when nothing changed, else the next YYYYMMDDnn greater than\n"
        "it (the date from SOURCE_DATE_EPOCH when set, else today in UTC).\n\n"
        "Exit status: 0 written or unchanged, 1 invalid inventory, 2 usage or I/O error,\n"
        "70 internal error.\n\noptions");
    std::uint32_t serial = 0;
    desc.add_options()
        ("help,h", "show this help")
        ("inventory,i", po::value(&opt.inventory)->value_name("FILE")->default_value("sites.json"),
         "the site inventory")
        ("output,o", po::value(&opt.output_dir)->value_name("DIR")->default_value("zones"),
         "directory for <zone>.zone; '-' writes the zone to standard output")
        ("serial", po::value(&serial)->value_name("N"), "SOA serial when the inventory sets none")
        ("format", po::value(&format)->value_name("FORMAT")->default_value("bind"),
         "output format; bind (RFC 1035 master file)");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return usage_error(std::string("generate: ") + e.what());
    }
    if (vm.count("help")) {
        std::cout << desc << '\n';
        return 0;
    }
    if (format != "bind") return usage_error("generate: unknown --format '" + format + "' (available: bind)");
    if (vm.count("serial")) opt.serial = serial;

    auto report = zonegen::generate(opt);
    for (const auto& e : report.errors) std::cerr << e << '\n';
    for (const auto& n : report.notes) std::cerr << n << '\n';
    if (report.status == Exit::Invalid)
        std::cerr << "zonegen: " << report.errors.size() << (report.errors.size() == 1 ? " error" : " errors")
                  << " in " << opt.inventory << "; nothing written\n";
    if (!report.stdout_text.empty()) {
        std::cout << report.stdout_text;
        std::cout.flush();
        if (!std::cout) {
            std::cerr << "zonegen: cannot write to standard output\n";
            return static_cast<int>(Exit::Usage);
        }
    }
    return static_cast<int>(report.status);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        if (args.empty()) return usage_error("no command given");
        const std::string cmd = args.front();
        args.erase(args.begin());
        if (cmd == "-h" || cmd == "--help" || cmd == "help") {
            std::cout << kUsage;
            return 0;
        }
        if (cmd == "-V" || cmd == "--version") {
            std::cout << "zonegen " SMARTHOST_VERSION "\n";
            return 0;
        }
        if (cmd == "generate") return run_generate(args);
        return usage_error("unknown command '" + cmd + "'");
    } catch (const std::exception& e) {
        std::cerr << "zonegen: internal error: " << e.what() << '\n';
        return static_cast<int>(Exit::Internal);
    } catch (...) {
        std::cerr << "zonegen: internal error\n";
        return static_cast<int>(Exit::Internal);
    }
}
