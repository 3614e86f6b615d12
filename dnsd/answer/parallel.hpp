// Running the parts of a compile-time loop side by side (answer_table.cpp, the health model's
// indexes): every part but the first on a thread of its own, the first on the caller's.
// Where no thread can be had, the part runs on the caller's thread instead: the results
// are the same, only later (single-CPU machines and thread limits still load).
#pragma once

#include <algorithm>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

namespace dnsd {

// Calls part(p) for every p in [0, parts) and returns when all have returned.
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
    if (parts > 0) part(0);
    for (unsigned p : here) part(p);
    for (std::thread& t : threads) t.join();
}

// How many parts a loop over count items gets: one per thread, but none smaller than
// min_part items (a thread costs tens of microseconds to start).
inline unsigned part_count(std::size_t count, unsigned threads, std::size_t min_part) {
    const std::size_t by_size = count / min_part;
    return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(by_size, threads)));
}

}  // namespace dnsd
