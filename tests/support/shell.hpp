// Runs a shell command line for tests and captures what it printed and how it ended.
#pragma once

#include <string>

namespace testsupport {

struct CommandResult {
    int exit_code = -1;  // -1 if it did not exit normally
    std::string out;
    std::string err;
};

CommandResult run_shell(const std::string& command_line);

// Quotes s for /bin/sh.
std::string shell_quote(const std::string& s);

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);

}  // namespace testsupport
