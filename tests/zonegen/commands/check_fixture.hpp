// Shared by the zonegen check tests: where the golden cases live (tests/data/check/<case>/)
// and a guard that runs a check from a case's directory, since findings name files as given.
#pragma once

#include <filesystem>
#include <string>

namespace checktest {

inline const std::string kData = std::string(SMARTHOST_TEST_DATA) + "/check";
inline const std::string kSource = SMARTHOST_SOURCE_DIR;

// Findings name files as given, so each case runs from its own directory.
class InDirectory {
public:
    explicit InDirectory(const std::string& dir) : old_(std::filesystem::current_path()) {
        std::filesystem::current_path(dir);
    }
    ~InDirectory() { std::filesystem::current_path(old_); }

private:
    std::filesystem::path old_;
};

}  // namespace checktest
