// respond() driver for instruction counting (a benchmark, not a test): loads zone files,
// turns a dnsperf query file ("name type" lines) into wire-format queries once, then calls
// respond() on each. Run under callgrind with --toggle-collect='dnsd::respond(*' to count
// respond()'s instructions alone; scripts/bench-dnsd does that and divides by "queries:".
// Natively it also prints the wall time per query, a rough figure that moves with noise.
//
// usage: respond_bench [--edns] [--nsid TEXT] ZONEFILE... QUERYFILE [PASSES]
//   --edns       queries carry an OPT as resolvers send it: payload 1232, DO set, a client
//                cookie (RFC 7873), e.g. BIND and Unbound with DNSSEC validation
//   --nsid TEXT  dnsd --nsid TEXT, and every query asks for it (implies --edns)
#include <algorithm>
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

// A query as dnsperf sends it without -e: header with RD, one question, no EDNS; with
// edns, an OPT as described in the usage. The name keeps its case (the file has mixed-case
// names on purpose).
bool encode(const std::string& name, std::uint16_t qtype, std::uint16_t id, bool edns, bool nsid,
            std::vector<std::uint8_t>& out) {
    out.assign(dnsd::wire::kHeaderSize, 0);
    dnsd::wire::encode_header(
        out.data(),
        {.id = id, .flags = dnsd::wire::kFlagRd, .qdcount = 1, .arcount = static_cast<std::uint16_t>(edns ? 1 : 0)});
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
    if (edns) {
        // Root owner, OPT, payload 1232, TTL with DO, RDLENGTH, then COOKIE (10) and NSID (3).
        const std::uint8_t opt[] = {
            0, 0, 41, 0x04, 0xD0, 0, 0, 0x80, 0, 0, static_cast<std::uint8_t>(nsid ? 16 : 12), 0, 10,
            0, 8, 1,  2,    3,    4, 5, 6,    7, 8};
        out.insert(out.end(), std::begin(opt), std::end(opt));
        if (nsid) out.insert(out.end(), {0, 3, 0, 0});
    }
    return true;
}

}  // namespace

// A benchmark driver: an exception ends it through std::terminate, which names it.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
    std::vector<std::string> args(argv + 1, argv + argc);
    bool edns = false;
    dnsd::AnswerOptions answer;
    while (!args.empty() && (args.front() == "--edns" || args.front() == "--nsid")) {
        edns = true;
        if (args.front() == "--nsid") {
            if (args.size() < 2) break;
            const std::string& text = args[1];
            answer.nsid_length = static_cast<std::uint8_t>(std::min(text.size(), answer.nsid.size()));
            std::copy_n(text.begin(), answer.nsid_length, answer.nsid.begin());
            args.erase(args.begin());
        }
        args.erase(args.begin());
    }
    unsigned passes = 1;
    if (args.size() >= 3 && args.back().find_first_not_of("0123456789") == std::string::npos) {
        passes = static_cast<unsigned>(std::strtoul(args.back().c_str(), nullptr, 10));
        args.pop_back();
    }
    if (args.size() < 2 || passes == 0) {
        std::cerr << "usage: respond_bench [--edns] [--nsid TEXT] ZONEFILE... QUERYFILE [PASSES]\n";
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
        if (qtype == 0 ||
            !encode(name, qtype, static_cast<std::uint16_t>(lineno), edns, answer.nsid_length > 0, wire)) {
            std::cerr << query_file << ":" << lineno << ": cannot encode \"" << line << "\"\n";
            return 1;
        }
        queries.push_back(std::move(wire));
    }

    std::uint8_t out[1232];
    std::uint64_t bytes = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (unsigned p = 0; p < passes; ++p)
        for (const auto& q : queries)
            bytes += dnsd::respond(*table.value().table, q, out, dnsd::Transport::Udp, nullptr, &answer);
    const auto t1 = std::chrono::steady_clock::now();
    const std::uint64_t count = std::uint64_t{passes} * queries.size();
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    std::printf("queries: %llu\n", static_cast<unsigned long long>(count));
    std::printf("response bytes: %llu\n", static_cast<unsigned long long>(bytes));
    std::printf("wall ns/query: %.1f\n", count ? ns / static_cast<double>(count) : 0.0);
    return 0;
}
