// Proof that the sanitizer build checks anything at all: each mode commits one error the
// sanitizers must catch and halt on. ctest expects their reports (tests/CMakeLists.txt),
// so a build that silently lost -fsanitize, or stopped halting, fails here instead of
// passing every other test without looking.
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "";
    // volatile: the compiler must not fold the errors away.
    volatile int index = argc + 6;
    if (std::strcmp(mode, "heap-overflow") == 0) {
        auto block = std::make_unique<char[]>(8);
        block[static_cast<int>(index)] = 1;  // index 8 (argc is 2): one past the end
        std::printf("%d\n", block[0]);
    } else if (std::strcmp(mode, "signed-overflow") == 0) {
        volatile int big = INT_MAX;
        std::printf("%d\n", big + static_cast<int>(index));
    } else if (std::strcmp(mode, "leak") == 0) {  // LeakSanitizer reports at exit
        char* lost = new char[64];
        lost[0] = static_cast<char>(index);
        std::printf("%d\n", lost[0]);
        lost = nullptr;
    } else {
        return 2;
    }
    std::puts("the sanitizers let this run to the end");
    return 0;
}
