// Replays a fuzz target's corpus without libFuzzer: the main() every non-fuzz build links
// with a <name>_fuzz.cpp, so ctest runs each seed and past finding through the target
// under g++ (and under ASan/UBSan in the sanitizer build). A target signals a violated
// property by aborting, which fails the test; so does an empty or missing corpus, since a
// replay of nothing would pass without checking anything.
//
// usage: <name>_fuzz DIR_OR_FILE...   (directories: every regular file in them, sorted)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// Files named on the command line, directories expanded (not recursively) and sorted so the
// order, and thus the log, is the same on every machine.
bool collect(const char* arg, std::vector<fs::path>& files) {
    std::error_code ec;
    const fs::path p(arg);
    if (fs::is_regular_file(p, ec)) {
        files.push_back(p);
        return true;
    }
    if (!fs::is_directory(p, ec)) {
        std::fprintf(stderr, "%s: not a file or directory\n", arg);
        return false;
    }
    std::vector<fs::path> found;
    for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec)) found.push_back(it->path());
    if (ec) {
        std::fprintf(stderr, "%s: %s\n", arg, ec.message().c_str());
        return false;
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i)
        if (!collect(argv[i], files)) return 2;
    if (files.empty()) {
        std::fprintf(stderr, "no inputs to replay: the corpus is empty\n");
        return 1;
    }
    for (const fs::path& f : files) {
        std::ifstream in(f, std::ios::binary);
        const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        if (!in.good() && !in.eof()) {
            std::fprintf(stderr, "%s: cannot read\n", f.c_str());
            return 2;
        }
        // Named before it runs: if the target aborts, the last line names the culprit.
        std::fprintf(stderr, "replaying %s (%zu bytes)\n", f.c_str(), bytes.size());
        // A copy of exactly the file's size, so ASan sees a read one past the end (as it
        // does under libFuzzer).
        std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
        LLVMFuzzerTestOneInput(data.empty() ? nullptr : data.data(), data.size());
    }
    std::printf("replayed %zu inputs\n", files.size());
    return 0;
}
