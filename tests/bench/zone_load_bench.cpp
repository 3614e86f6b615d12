// What loading a large zone file into dnsd costs, phase by phase (a benchmark, not a test):
//   read+parse  zonegen::load_zone_file (the text read, scanned and built into a Zone)
//   compile     AnswerTable::compile (the table and the zone's image), THREADS threads
//   free        the Zone destroyed (dnsd does it on its retire thread, after the swap)
// with the wall and CPU time of each, and the process's resident and peak memory after each (/proc/self/status, after
// a malloc_trim, as dnsd's retire thread does). Output: one line per phase.
//
// usage: zone_load_bench ZONEFILE [THREADS] [HEALTH]   (HEALTH 1: compile with a health model,
//        as dnsd with --state-dir or --health does)
#include <malloc.h>
#include <ctime>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/answer/answer_table_impl.hpp"
#include "zonegen/zonefile/zone_loader.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The process's CPU time in seconds, all threads: on a shared machine, what the phase
// cost rather than how long it waited for a CPU.
double cpu_now() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double cpu_mark = 0;

// VmRSS and VmHWM in MB.
std::pair<long, long> memory() {
    std::ifstream in("/proc/self/status");
    std::string key;
    long rss = 0, hwm = 0;
    while (in >> key) {
        if (key == "VmRSS:") in >> rss;
        if (key == "VmHWM:") in >> hwm;
    }
    return {rss / 1024, hwm / 1024};
}

void report(const char* phase, double seconds) {
    const double cpu = cpu_now() - cpu_mark;
    ::malloc_trim(0);
    auto [rss, hwm] = memory();
    std::printf("%-8s %7.3f s  cpu %7.3f s  rss %5ld MB  peak %5ld MB\n", phase, seconds, cpu, rss, hwm);
    cpu_mark = cpu_now();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 4) {
        std::cerr << "usage: zone_load_bench ZONEFILE [THREADS] [HEALTH]\n";
        return 2;
    }
    const unsigned threads = argc >= 3 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)) : 1;
    const bool health = argc == 4 && std::string(argv[3]) == "1";
    auto t = Clock::now();
    auto zone = zonegen::load_zone_file(argv[1]);
    if (!zone) {
        std::cerr << zonegen::format_gnu(zone.errors().front()) << '\n';
        return 1;
    }
    std::vector<zonegen::Zone> zones;
    zones.push_back(std::move(zone).value());
    report("parse", since(t));
    t = Clock::now();
    dnsd::CompileOptions options;
    options.threads = threads;
    if (health) options.health_ttl = 0xFFFFFFFFu;
    auto table = dnsd::AnswerTable::compile(zones, options);
    if (!table) {
        std::cerr << zonegen::format_gnu(table.errors().front()) << '\n';
        return 1;
    }
    report("compile", since(t));
    const auto& impl = table.value()->impl();
    // Sizes as written (a big block's unwritten pages are not resident).
    std::printf("table: %zu entries (%zu MB), %zu types (%zu MB), %zu MB bytes, %zu MB relocs, %zu MB names\n",
                impl.entries.size(), impl.entries.size() * sizeof(dnsd::Entry) >> 20, impl.types.size(),
                impl.types.size() * sizeof(dnsd::TypeAnswer) >> 20, impl.bytes.size() >> 20,
                impl.relocs.size() * 2 >> 20, impl.names.size() >> 20);
    t = Clock::now();
    zones.clear();
    report("free", since(t));
    return 0;
}
