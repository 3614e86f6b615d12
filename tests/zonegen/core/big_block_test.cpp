// big_block: small blocks from operator new, big ones in 2 MiB-aligned mappings that
// hold what is written to them, and a BigVector that grows across the two.
#include "zonegen/core/big_block.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

using namespace zonegen;

TEST(BigBlock, BigBlocksAreHugePageAlignedAndUsable) {
    for (std::size_t bytes : {std::size_t{256} << 10, std::size_t{3} << 20, (std::size_t{8} << 20) + 1}) {
        void* p = big_allocate(bytes);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % (std::size_t{2} << 20), 0u) << bytes;
        auto* b = static_cast<unsigned char*>(p);
        std::memset(b, 0xA5, bytes);  // every byte writable; ASan would see an overrun
        EXPECT_EQ(b[0], 0xA5);
        EXPECT_EQ(b[bytes - 1], 0xA5);
        big_deallocate(p, bytes);
    }
}

TEST(BigBlock, SmallBlocksWork) {
    void* p = big_allocate(100);
    ASSERT_NE(p, nullptr);
    std::memset(p, 1, 100);
    big_deallocate(p, 100);
}

TEST(BigBlock, VectorKeepsItsElementsAcrossGrowth) {
    BigVector<std::uint32_t> v;
    for (std::uint32_t i = 0; i < 1'000'000; ++i) v.push_back(i * 7);  // from small blocks to mappings
    ASSERT_EQ(v.size(), 1'000'000u);
    for (std::uint32_t i = 0; i < v.size(); i += 997) ASSERT_EQ(v[i], i * 7);
    EXPECT_EQ(v.back(), 999'999u * 7);
}
