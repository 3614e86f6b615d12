// respond() driver for instruction counting (a benchmark, not a test): loads zone files,
// turns a dnsperf query file ("name type" lines) into wire-format queries once, then calls
// respond() on each. Run under callgrind with --toggle-collect='dnsd::respond(*' to count
// respond()'s instructions alone; scripts/bench-dnsd does that and divides by "queries:".
// Natively it also prints the wall time per query, a rough figure that moves with noise.
//
// usage: respond_bench ZONEFILE... QUERYFILE [PASSES]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "dnsd/answer/respond.hpp"
#include "dnsd/answer/wire.hpp"
#include "dnsd/primary/loader.hpp"

namespace {

std::uint16_t type_number(const std::string& t) {
    using namespace dnsd::wire::type;
    if (t == "A") return kA;
    if (t == "NS") return kNs;
    if (t == "SOA") return kSoa;
    if (t == "MX") return kMx;
    if (t == "TXT") return kTxt;
    if (t == "AAAA") return kAaaa;
    if (t == "ANY") return kAny;
    return 0;
}

// A query as dnsperf sends it without -e: header with RD, one question, no EDNS. The
// name keeps its case (the file has mixed-case names on purpose).
bool encode(const std::string& name, std::uint16_t qtype, std::uint16_t id, std::vector<std::uint8_t>& out) {
    out.assign(dnsd::wire::kHeaderSize, 0);
    dnsd::wire::encode_header(out.data(), {.id = id, .flags = dnsd::wire::kFlagRd, .qdcount = 1});
    std::size_t start = 0;
    while (start < name.size()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        const std::size_t len = dot - start;
        if (len == 0 || len > dnsd::wire::kMaxLabel) return false;
        out.push_back(static_cast<std::uint8_t>(len));
        out.insert(out.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
                   name.begin() + static_cast<std::ptrdiff_t>(dot));
        start = dot + 1;
    }
    out.push_back(0);
    for (std::uint16_t v : {qtype, std::uint16_t{1}}) {
        out.push_back(static_cast<std::uint8_t>(v >> 8));
        out.push_back(static_cast<std::uint8_t>(v));
    }
    return true;
}

}  // namespace

// A benchmark driver: an exception ends it through std::terminate, which names it.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
    std::vector<std::string> args(argv + 1, argv + argc);
    unsigned passes = 1;
    if (args.size() >= 3 && args.back().find_first_not_of("0123456789") == std::string::npos) {
        passes = static_cast<unsigned>(std::strtoul(args.back().c_str(), nullptr, 10));
        args.pop_back();
    }
    if (args.size() < 2 || passes == 0) {
        std::cerr << "usage: respond_bench ZONEFILE... QUERYFILE [PASSES]\n";
        return 2;
    }
    const std::string query_file = args.back();
    args.pop_back();

    dnsd::Sources sources;
    sources.zone_files = args;
    auto table = dnsd::load_table(sources);
    if (!table) {
        for (const auto& d : table.errors()) std::cerr << zonegen::format_gnu(d) << '\n';
        return 1;
    }

    std::ifstream in(query_file);
    if (!in) {
        std::cerr << "respond_bench: cannot read " << query_file << '\n';
        return 2;
    }
    std::vector<std::vector<std::uint8_t>> queries;
    std::string line, name, type;
    for (unsigned lineno = 1; std::getline(in, line); ++lineno) {
        std::istringstream fields(line);
        if (!(fields >> name)) continue;
        fields >> type;
        const std::uint16_t qtype = type_number(type);
        std::vector<std::uint8_t> wire;
        if (qtype == 0 || !encode(name, qtype, static_cast<std::uint16_t>(lineno), wire)) {
            std::cerr << query_file << ":" << lineno << ": cannot encode \"" << line << "\"\n";
            return 1;
        }
        queries.push_back(std::move(wire));
    }

    std::uint8_t out[1232];
    std::uint64_t bytes = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (unsigned p = 0; p < passes; ++p)
        for (const auto& q : queries) bytes += dnsd::respond(*table.value().table, q, out, dnsd::Transport::Udp);
    const auto t1 = std::chrono::steady_clock::now();
    const std::uint64_t count = std::uint64_t{passes} * queries.size();
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    std::printf("queries: %llu\n", static_cast<unsigned long long>(count));
    std::printf("response bytes: %llu\n", static_cast<unsigned long long>(bytes));
    std::printf("wall ns/query: %.1f\n", count ? ns / static_cast<double>(count) : 0.0);
    return 0;
}
