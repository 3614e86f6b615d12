// Running the parts of a load-time loop side by side (the inventory's "sites", dnsd's answer
// table and the health model's indexes): every part but the first on a thread of its own,
// the first on the caller's. Where no thread can be had, the part runs on the caller's
// thread instead: the results are the same, only later (single-CPU machines and thread
// limits still load).
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <system_error>
#include <thread>
#include <vector>

namespace zonegen {

// Calls part(p) for every p in [0, parts) and returns when all have returned. What the
// caller's thread runs may throw: the other parts are waited for, then it is rethrown.
// What runs on the other threads must not throw (it would end the process).
template <class Part>
void run_parts(unsigned parts, const Part& part) {
    std::vector<std::thread> threads;
    std::vector<unsigned> here;
    for (unsigned p = 1; p < parts; ++p) {
        try {
            threads.emplace_back([&part, p] { part(p); });
        } catch (const std::system_error&) {
            here.push_back(p);
        }
    }
    std::exception_ptr thrown;
    try {
        if (parts > 0) part(0);
        for (unsigned p : here) part(p);
    } catch (...) {
        thrown = std::current_exception();
    }
    for (std::thread& t : threads) t.join();
    if (thrown) std::rethrow_exception(thrown);
}

// The CPUs this process may run on: its affinity mask, which taskset and cpusets narrow (a
// count of the machine's CPUs would oversubscribe a process pinned to one).
unsigned usable_cpus();

// How many parts a loop over count items gets: one per thread, but none smaller than
// min_part items (a thread costs tens of microseconds to start).
inline unsigned part_count(std::size_t count, unsigned threads, std::size_t min_part) {
    const std::size_t by_size = count / min_part;
    return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(by_size, threads)));
}

}  // namespace zonegen
