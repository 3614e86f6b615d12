// What a reload of a large inventory costs, phase by phase (a benchmark, not a test;
// scripts/bench-reload runs it): dnsd's own pieces in one process, as `dnsd --inventory FILE
// --state-dir DIR` reloads on SIGHUP. Each round moves one smarthost to another address in
// FILE (a copy the bench owns) and times:
//   parse    zonegen::load_inventory (JSON and validation), alone
//   build    zonegen::build_zone, alone
//   compile  AnswerTable::compile of that zone with the model --state-dir compiles, alone
//   load     load_table() with the served table as current: what dnsd runs, all of the above
//            and the serial checks
//   publish  Publisher::reloaded(): the served version's serials, the journal's difference,
//            the swap into a running Server
//   reload   load + publish: SIGHUP to the new version served, but for the signal
// The first three are measured apart from the load, each on its own, so that what the load
// adds on top of them shows. Output: one line "phase median_s min_s" per phase.
//
// usage: reload_bench INVENTORY ROUNDS [THREADS]   (the inventory is copied, never edited;
//        THREADS: LoadOptions::threads, default 0, one per CPU as dnsd does)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "dnsd/net/server.hpp"
#include "dnsd/primary/journal.hpp"
#include "dnsd/primary/loader.hpp"
#include "dnsd/primary/publisher.hpp"
#include "dnsd/primary/retire.hpp"
#include "dnsd/primary/state_dir.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/inventory/build.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& why) {
    std::cerr << "reload_bench: " << why << '\n';
    std::exit(1);
}

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The first smarthost of the file (scripts/make-inventory's) moved to another address, or back.
void move_one_host(const std::string& path) {
    std::string text;
    if (auto err = zonegen::read_file_into(path, text)) fail(err->text());
    std::string from = "\"10.0.0.1\"", to = "\"10.99.0.1\"";
    std::size_t at = text.find(from);
    if (at == std::string::npos) {
        std::swap(from, to);
        at = text.find(from);
    }
    if (at == std::string::npos) fail(path + " has neither 10.0.0.1 nor 10.99.0.1 (use scripts/make-inventory)");
    text.replace(at, from.size(), to);
    if (auto err = zonegen::write_file_atomically(path, text)) fail(*err);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 && argc != 4) {
        std::cerr << "usage: reload_bench INVENTORY ROUNDS [THREADS]\n";
        return 2;
    }
    const unsigned rounds = static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10));
    const unsigned threads = argc == 4 ? static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10)) : 0;
    const unsigned compile_threads = threads != 0 ? threads : std::max(std::thread::hardware_concurrency(), 1u);
    char dir_template[] = "/tmp/reload_bench.XXXXXX";
    if (!::mkdtemp(dir_template)) fail("mkdtemp failed");
    const std::filesystem::path dir = dir_template;
    std::filesystem::create_directory(dir / "state");
    const std::string inventory = (dir / "sites.json").string();
    std::filesystem::copy_file(argv[1], inventory);

    dnsd::Sources sources;
    sources.inventory = inventory;
    // As dnsd with --state-dir and without --health (lifecycle.cpp).
    dnsd::LoadOptions options;
    options.renumber = true;
    options.threads = threads;
    auto state = dnsd::StateDir::open((dir / "state").string());
    if (!state) fail(zonegen::format_gnu(state.errors().front()));
    std::shared_ptr<const dnsd::AnswerTable> compiled;
    {
        auto loaded = dnsd::load_table(sources, nullptr, options);
        if (!loaded) fail(zonegen::format_gnu(loaded.errors().front()));
        compiled = loaded.value().table;
    }
    auto journals = std::make_shared<dnsd::Journals>(dnsd::Journals::kDefaultBound, (dir / "state").string(),
                                                     [](std::string_view m) { std::cerr << m << '\n'; });
    dnsd::Retirer retirer;
    dnsd::Publisher publisher(
        std::move(state).value(), [](std::string_view m) { std::cerr << m << '\n'; }, journals);
    auto first = publisher.first(compiled);
    if (!first) fail(zonegen::format_gnu(first.errors().front()));
    dnsd::ServerOptions server_options;
    server_options.listen.push_back(dnsd::parse_endpoint("127.0.0.1:0").value());
    auto server = dnsd::Server::start(std::move(server_options), std::move(first).value());
    if (!server) fail(zonegen::format_gnu(server.errors().front()));
    publisher.attach(*server.value(), nullptr, retirer);
    compiled.reset();

    std::map<std::string, std::vector<double>> times;
    for (unsigned r = 0; r < rounds; ++r) {
        move_one_host(inventory);
        {
            auto t = Clock::now();
            auto file = zonegen::load_inventory(inventory);
            times["parse"].push_back(since(t));
            if (!file.inventory) fail("the inventory does not load");
            t = Clock::now();
            auto zone = zonegen::build_zone(*file.inventory, file.inventory->serial.value_or(1));
            times["build"].push_back(since(t));
            if (!zone) fail(zonegen::format_gnu(zone.errors().front()));
            std::vector<zonegen::Zone> zones;
            zones.push_back(std::move(zone).value());
            t = Clock::now();
            auto table = dnsd::AnswerTable::compile(
                zones, {.health_ttl = 0xFFFFFFFFu, .serials_only = true, .threads = compile_threads});
            times["compile"].push_back(since(t));
            if (!table) fail(zonegen::format_gnu(table.errors().front()));
        }
        auto t = Clock::now();
        auto next = dnsd::load_table(sources, server.value()->table().get(), options);
        const double load = since(t);
        if (!next) fail(zonegen::format_gnu(next.errors().front()));
        t = Clock::now();
        auto served = publisher.reloaded(next.value().table, {});
        const double publish = since(t);
        times["load"].push_back(load);
        times["publish"].push_back(publish);
        times["reload"].push_back(load + publish);
        retirer.retire(std::make_shared<const std::vector<zonegen::Zone>>(std::move(next.value().zones)));
        retirer.retire(std::move(next.value().inventory));
        std::cerr << "reload_bench: round " << r + 1 << "/" << rounds << ": " << dnsd::describe_zones(*served) << ", "
                  << load + publish << " s\n";
    }
    server.value()->stop();
    for (const char* phase : {"parse", "build", "compile", "load", "publish", "reload"}) {
        std::vector<double>& v = times[phase];
        std::sort(v.begin(), v.end());
        std::printf("%s %.3f %.3f\n", phase, v[v.size() / 2], v.front());
    }
    std::filesystem::remove_all(dir);
    return 0;
}
