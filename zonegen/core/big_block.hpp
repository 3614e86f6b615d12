// Memory for a load's few big arrays (the zone file's text, the builder's records, dnsd's
// answer table): 2 MiB-aligned anonymous mappings marked for transparent huge pages.
//
// A 100,000-site zone touches a few hundred megabytes while it loads, and with 4 KiB pages
// each first touch is a page fault (measured: about 75,000 of them, a fifth of the load's
// time on a VM). A 2 MiB page takes one fault for 512 of those. For dnsd's table it also
// spares queries TLB misses: a query reads a few places scattered over megabytes, often
// with cold caches. THP is only advice: where it is "never", these are ordinary pages.
// Blocks under 256 KiB come from operator new, as usual.
#pragma once

#include <cstddef>
#include <vector>

namespace zonegen {

void* big_allocate(std::size_t bytes);
void big_deallocate(void* p, std::size_t bytes) noexcept;

template <class T>
struct BigAllocator {
    using value_type = T;
    BigAllocator() = default;
    template <class U>
    BigAllocator(const BigAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(big_allocate(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { big_deallocate(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const BigAllocator<U>&) const noexcept {
        return true;
    }
};

template <class T>
using BigVector = std::vector<T, BigAllocator<T>>;

}  // namespace zonegen
