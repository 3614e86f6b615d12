// The CPU count that sizes every load-time loop's parts (parallel.hpp).
#include "zonegen/core/parallel.hpp"

#include <sched.h>

namespace zonegen {

unsigned usable_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    return static_cast<unsigned>(std::max(CPU_COUNT(&set), 1));
}

}  // namespace zonegen
