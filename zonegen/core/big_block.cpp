// Big blocks in huge-page-aligned mappings (see big_block.hpp for why).
#include "zonegen/core/big_block.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace zonegen {

namespace {

constexpr std::size_t kHuge = std::size_t{2} << 20;  // x86-64 and arm64 (4 KiB base pages)
constexpr std::size_t kSmall = std::size_t{256} << 10;

std::size_t huge_round(std::size_t bytes) { return (bytes + kHuge - 1) & ~(kHuge - 1); }

}  // namespace

void* big_allocate(std::size_t bytes) {
    if (bytes < kSmall) return ::operator new(bytes);
    // Map one huge page more than needed and unmap the ends, leaving an aligned block.
    const std::size_t size = huge_round(bytes);
    void* raw = ::mmap(nullptr, size + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (start + kHuge - 1) & ~(kHuge - 1);
    if (aligned > start) ::munmap(raw, aligned - start);
    const std::uintptr_t end = start + size + kHuge;
    if (end > aligned + size) ::munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
    ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
    return reinterpret_cast<void*>(aligned);
}

void big_deallocate(void* p, std::size_t bytes) noexcept {
    if (bytes < kSmall) {
        ::operator delete(p);
        return;
    }
    ::munmap(p, huge_round(bytes));
}

}  // namespace zonegen
