// Whole-file reads and atomic writes. A zone on disk is always either the old one or the
// new one: never partial, never lost, whatever kills the writer or fills the disk.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace zonegen {

// Reads a whole file; on failure returns nullopt and sets *error to "path: reason", and
// *missing (if given) to whether the failure was that the file does not exist.
std::optional<std::string> read_file(const std::string& path, std::string* error, bool* missing = nullptr);

// Writes data to path atomically: a temporary file in the same directory, written,
// fsynced, given mode 0666 & ~umask, renamed over path, then the directory fsynced so the
// rename itself survives a crash. On failure the temporary file is removed, path is
// untouched, and the reason ("path: reason") is returned.
std::optional<std::string> write_file_atomically(const std::string& path, std::string_view data);

}  // namespace zonegen
