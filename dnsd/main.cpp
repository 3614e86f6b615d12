// dnsd's command line (DESIGN "Command line"): options in, StartOptions out, and
// start_and_serve() (dnsd/primary/lifecycle.hpp) does the rest.
// Exit status: 0 stopped cleanly, 1 a zone or inventory is bad at start, 2 usage or I/O
// (a source cannot be read, an address cannot be bound), 70 internal error.
#include <boost/program_options.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "dnsd/primary/acl.hpp"
#include "dnsd/primary/lifecycle.hpp"
#include "dnsd/primary/nsid.hpp"
#include "dnsd/primary/privileges.hpp"
#include "dnsd/primary/tsig.hpp"
#include "zonegen/core/decimal.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace po = boost::program_options;

namespace {

constexpr int kExitUsage = static_cast<int>(zonegen::Exit::Usage);
constexpr int kExitInternal = static_cast<int>(zonegen::Exit::Internal);

const char* const kUsage =
    "Usage: dnsd (--zone FILE... | --inventory sites.json) [--listen ADDR:PORT]... [options]\n"
    "Serves the smarthost zone(s) authoritatively over UDP and TCP, and as a hidden primary\n"
    "to secondaries: AXFR to --allow-transfer addresses or keys, NOTIFY to --notify targets;\n"
    "queries signed with a --tsig-key (RFC 8945) get signed answers.\n"
    "SIGHUP reloads the sources (the old zone stays if the new one is broken); SIGTERM or\n"
    "SIGINT stops. Once it answers it prints one line to stderr:\n"
    "  dnsd: ready on udp ADDR:PORT tcp ADDR:PORT (ZONE serial N)\n"
    "Exit status: 0 stopped cleanly, 1 bad zone or inventory at start, 2 usage or I/O error\n"
    "(e.g. address in use, unknown --user), 70 internal error.\n"
    "With --user NAME, dnsd must start as root: it binds its addresses, then becomes NAME\n"
    "(uid, gid and NAME's groups; no capabilities left, none to regain) before the ready\n"
    "line. Reloads then read the sources as NAME, so NAME must be able to read them.\n\n";

int usage_error(const std::string& message) {
    std::cerr << "dnsd: " << message << "\nTry 'dnsd --help'.\n";
    return kExitUsage;
}

void print_all(const std::vector<zonegen::Diagnostic>& errors) {
    for (const auto& d : errors) std::cerr << zonegen::format_gnu(d) << '\n';
    std::cerr.flush();
}

int run(int argc, char** argv) {
    po::options_description desc("Options");
    // clang-format off: one option a line, as --help lists them
    desc.add_options()("zone,z", po::value<std::vector<std::string>>()->multitoken()->composing()->value_name("FILE"),
                       "zone file(s) to serve; repeat the option or list several files after it")(
        "inventory,i", po::value<std::string>()->value_name("FILE"),
        "serve the zone built from this inventory (sites.json)")(
        "listen,l", po::value<std::vector<std::string>>()->composing()->value_name("ADDR:PORT"),
        "ADDR:PORT or [ADDR]:PORT for UDP and TCP, repeatable (default 127.0.0.1:5353; port 0 picks a free one)")(
        "threads,t", po::value<std::string>()->default_value("1")->value_name("N"),
        "worker threads, each with its own sockets")(
        "allow-transfer", po::value<std::vector<std::string>>()->composing()->value_name("ADDR[/LEN][:KEY]|KEY"),
        "allow zone transfers (AXFR, IXFR) over TCP from this address range, signed with this --tsig-key's KEY "
        "name, or both (IPv6 with a key: [ADDR]/LEN:KEY); repeatable (default: nobody). A range without KEY needs "
        "a request signed with any --tsig-key when keys are given, none otherwise")(
        "notify", po::value<std::vector<std::string>>()->composing()->value_name("ADDR:PORT"),
        "send NOTIFY to this secondary after a load or reload that changes a serial, repeatable")(
        "tsig-key", po::value<std::vector<std::string>>()->composing()->value_name("FILE"),
        "BIND key file (hmac-sha256), repeatable with distinct key names (one per group of secondaries): signed "
        "queries (SOA, transfers, anything) get signed answers, bad ones NOTAUTH (RFC 8945); NOTIFY to a target "
        "is signed with the key of the --allow-transfer rule covering it, else with the first key")(
        "user,u", po::value<std::string>()->value_name("NAME"),
        "after binding, run as this user and its groups with no root privileges (start as root)")(
        "log-queries", "log one line per query to stderr")(
        "http", po::value<std::string>()->value_name("ADDR:PORT"),
        "serve /metrics (Prometheus), /healthz (200 once serving, 503 before) and a status page at / over HTTP "
        "on this address (off by default; keep it on loopback or behind a firewall: it has no authentication)")(
        "nsid", po::value<std::string>()->value_name("TEXT|hostname"),
        "answer queries that ask for it (dig +nsid) with this name server identifier (RFC 5001), or with the "
        "machine's hostname; at most 128 octets")(
        "health", po::value<std::string>()->value_name("smtp|tcp|off"),
        "check every address of every in-zone MX target and leave dead ones out of the answers "
        "(README \"Health\"): smtp reads the greeting and sends QUIT, tcp only connects; off by default, "
        "on also when the inventory's \"health\" has \"check\" (--health off overrides it)")(
        "health-port", po::value<std::string>()->value_name("N"), "port probed (default 25, or the inventory's)")(
        "health-interval", po::value<std::string>()->value_name("SEC"),
        "seconds between two probes of one address (default 10)")(
        "health-timeout", po::value<std::string>()->value_name("SEC"),
        "a probe that has not passed after this long fails (default 3)")(
        "health-fall", po::value<std::string>()->value_name("N"),
        "failures in a row that mark an address down (default 3)")(
        "health-rise", po::value<std::string>()->value_name("N"),
        "successes in a row that mark it up again (default 2)")(
        "health-ttl", po::value<std::string>()->value_name("SEC"),
        "TTL of every MX RRset and the smarthosts' A/AAAA while health is on: min(zone TTL, this) (default 30)")(
        "state-dir", po::value<std::string>()->value_name("DIR"),
        "keep the last served serial per zone here; every change of the answers (health or reload) is then a "
        "new serial for secondaries, never lower than one served before, even after a restart; the IXFR journals "
        "are kept here too (ZONE.journal)")(
        "journal-size", po::value<std::string>()->value_name("BYTES"),
        "IXFR journal bound per zone, in memory and in --state-dir (default 67108864): the oldest differences "
        "go first, and a secondary older than the journal gets the full zone")(
        "idle-timeout", po::value<std::string>()->default_value("10")->value_name("SEC"),
        "TCP: close a connection with no query for this long, one whose query has not arrived whole this "
        "long after its first byte, or one that has read none of its waiting answers for this long")(
        "max-connections", po::value<std::string>()->default_value("256")->value_name("N"),
        "open TCP connections at most; at the cap the oldest idle one is closed for a new one, and above 3/4 "
        "of it idle connections are closed after 1 s")("help,h", "show this help and exit")(
        "version,V", "show the version and exit");
    // clang-format on

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return usage_error(e.what());
    }
    if (vm.count("help") || vm.count("version")) {
        if (vm.count("help"))
            std::cout << kUsage << desc;
        else
            std::cout << "dnsd " << SMARTHOST_VERSION << '\n';
        if (std::cout.flush()) return 0;
        std::cerr << "dnsd: cannot write to standard output\n";  // a full disk, a closed pipe
        return kExitUsage;
    }

    dnsd::StartOptions start;
    dnsd::Sources& sources = start.sources;
    if (vm.count("zone")) sources.zone_files = vm["zone"].as<std::vector<std::string>>();
    if (vm.count("inventory")) sources.inventory = vm["inventory"].as<std::string>();
    if (sources.zone_files.empty() == sources.inventory.empty())
        return usage_error("give either --zone FILE... or --inventory FILE");

    dnsd::ServerOptions& options = start.server;
    std::vector<std::string> listen = {"127.0.0.1:5353"};
    if (vm.count("listen")) listen = vm["listen"].as<std::vector<std::string>>();
    for (const std::string& text : listen) {
        auto ep = dnsd::parse_endpoint(text);
        if (!ep) return usage_error("--listen " + ep.errors().front().message);
        options.listen.push_back(ep.value());
    }
    options.log_queries = vm.count("log-queries") > 0;
    if (vm.count("http")) {
        auto ep = dnsd::parse_endpoint(vm["http"].as<std::string>());
        if (!ep) return usage_error("--http " + ep.errors().front().message);
        start.http = ep.value();
    }
    if (vm.count("nsid"))
        if (auto e = dnsd::set_nsid(options.answer, vm["nsid"].as<std::string>())) return usage_error(e->message);
    // A count or a time: digits only, within range (a cast would wrap "-1" to 4294967295).
    std::string usage_problem;
    auto number = [&](const char* option, std::uint32_t min, std::uint32_t max, const char* unit) {
        const std::string& text = vm[option].as<std::string>();
        auto v = zonegen::parse_decimal(text, min, max);
        if (!v)
            usage_problem = std::string("--") + option + " must be a number from " + std::to_string(min) + " to " +
                            std::to_string(max) + unit + ", not '" + text + "'";
        return v.value_or(min);
    };
    options.threads = number("threads", 1, 256, "");
    options.idle_timeout = std::chrono::seconds(number("idle-timeout", 1, 86400, " seconds"));
    options.max_connections = number("max-connections", 1, 1'000'000, "");
    dnsd::HealthStart& health = start.health;
    auto optional_number = [&](const char* option, std::uint32_t min, std::uint32_t max, const char* unit) {
        return vm.count(option) ? std::optional(number(option, min, max, unit)) : std::nullopt;
    };
    if (auto port = optional_number("health-port", 1, 65535, "")) health.port = static_cast<std::uint16_t>(*port);
    health.interval = optional_number("health-interval", 1, zonegen::kHealthMaxInterval, " seconds");
    health.timeout = optional_number("health-timeout", 1, zonegen::kHealthMaxTimeout, " seconds");
    health.fall = optional_number("health-fall", 1, zonegen::kHealthMaxCount, "");
    health.rise = optional_number("health-rise", 1, zonegen::kHealthMaxCount, "");
    health.ttl = optional_number("health-ttl", 0, 0x7FFFFFFF, " seconds");
    if (!usage_problem.empty()) return usage_error(usage_problem);
    if (vm.count("health")) {
        const std::string& check = vm["health"].as<std::string>();
        if (check == "smtp")
            health.check = dnsd::health::Check::Smtp;
        else if (check == "tcp")
            health.check = dnsd::health::Check::Tcp;
        else if (check == "off")
            health.off = true;
        else
            return usage_error("--health must be smtp, tcp or off, not '" + check + "'");
    }
    if (!health.check && !(vm.count("inventory") && !health.off)) {
        for (const char* o :
             {"health-port", "health-interval", "health-timeout", "health-fall", "health-rise", "health-ttl"})
            if (vm.count(o))
                return usage_error(std::string("--") + o +
                                   " needs --health smtp|tcp (or an --inventory whose "
                                   "\"health\" has \"check\")");
    }
    if (vm.count("state-dir")) start.state_dir = vm["state-dir"].as<std::string>();
    if (vm.count("journal-size")) {
        start.journal_size = number("journal-size", 0, 0xFFFFFFFFu, " bytes");
        if (!usage_problem.empty()) return usage_error(usage_problem);
    }

    if (vm.count("tsig-key")) {
        for (const std::string& file : vm["tsig-key"].as<std::vector<std::string>>()) {
            auto key = dnsd::read_tsig_key(file);
            if (!key) {
                print_all(key.errors());
                return kExitUsage;
            }
            // A signed request names its key: two keys of one name could not be told apart.
            for (const dnsd::TsigKey& k : start.transfer.keys)
                if (k.name == key.value().name)
                    return usage_error("--tsig-key " + file + ": another --tsig-key is also named " + k.name);
            start.transfer.keys.push_back(key.value());
        }
    }
    if (vm.count("allow-transfer")) {
        std::vector<dnsd::TransferRule> rules;
        for (const std::string& text : vm["allow-transfer"].as<std::vector<std::string>>()) {
            auto r = dnsd::parse_transfer_rule(text);
            if (!r) return usage_error("--allow-transfer " + r.errors().front().message);
            const std::string& name = r.value().key;
            if (!name.empty() && std::none_of(start.transfer.keys.begin(), start.transfer.keys.end(),
                                              [&](const dnsd::TsigKey& k) { return k.name == name; }))
                return usage_error("--allow-transfer \"" + text + "\": no --tsig-key is named " + name);
            rules.push_back(r.value());
        }
        start.transfer.allow = dnsd::TransferAcl(std::move(rules), !start.transfer.keys.empty());
    }
    if (vm.count("notify")) {
        for (const std::string& text : vm["notify"].as<std::vector<std::string>>()) {
            auto ep = dnsd::parse_endpoint(text);
            if (!ep) return usage_error("--notify " + ep.errors().front().message);
            if (ep.value().port() == 0) return usage_error("--notify \"" + text + "\": the port must not be 0");
            start.notify.push_back(ep.value());
        }
    }
    // Looked up now, while dnsd is single-threaded and before anything is bound: a typo is a
    // usage error.
    if (vm.count("user")) {
        auto found = dnsd::find_account(vm["user"].as<std::string>());
        if (!found) return usage_error(found.errors().front().message);
        start.user = std::move(found).value();
    }
    return static_cast<int>(dnsd::start_and_serve(std::move(start)));
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "dnsd: internal error: " << e.what() << '\n';
    } catch (...) {
        std::cerr << "dnsd: internal error\n";
    }
    return kExitInternal;
}
