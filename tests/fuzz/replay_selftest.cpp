// A stand-in fuzz target for testing replay_main.cpp itself: it aborts on an input that
// starts with "abort", the way a real target reports a violated property, and accepts
// everything else.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size >= 5 && std::memcmp(data, "abort", 5) == 0) std::abort();
    return 0;
}
