// Whole-file reads and atomic writes: the one way both programs read and write files. A
// zone on disk is always either the old one or the new one: never partial, never lost,
// whatever kills the writer or fills the disk.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "zonegen/core/big_block.hpp"
#include "zonegen/core/diagnostic.hpp"

namespace zonegen {

// Why a file could not be read.
struct FileError {
    std::string path;
    std::string reason;    // "cannot open: No such file or directory"
    bool missing = false;  // the file does not exist (ENOENT)

    std::string text() const { return path + ": " + reason; }
    Diagnostic diagnostic() const { return {{path, 0, 0, {}}, reason}; }
};

// Opens path for reading and checks that it can be read as a file: a directory opens fine
// and fails only at the first read, so it is refused here, as EISDIR. For a start-up check
// of the files a program will read later (dnsd after it drops privileges).
std::optional<FileError> check_readable(const std::string& path);

// Reads the whole file at path into out, replacing what out held. Buffer is std::string or
// BigVector<char> (a large zone file's text goes on huge pages).
template <class Buffer>
std::optional<FileError> read_file_into(const std::string& path, Buffer& out);

// read_file_into for a std::string; on failure returns nullopt and sets *error to
// "path: reason", and *missing (if given) to whether the file does not exist.
std::optional<std::string> read_file(const std::string& path, std::string* error, bool* missing = nullptr);

// The last component of path ("zones/a.zone" -> "a.zone"), as the generated files name
// their source.
std::string base_name(const std::string& path);

// How write_file_atomically makes its temporary file.
enum class TempFile {
    // O_TMPFILE: the data is written to a file with no name, which a crash or SIGKILL
    // simply discards; it gets a name only for the microseconds between linkat() and
    // rename(). Falls back to Named where the file system has no O_TMPFILE.
    Anonymous,
    // A named file from the start (what Anonymous falls back to; tests pick it directly).
    Named,
};

// Writes data to path atomically: a temporary file in the same directory, written,
// fsynced, given mode 0666 & ~umask, renamed over path, then the directory fsynced so the
// rename itself survives a crash. On failure the temporary file is removed, path is
// untouched, and the reason ("path: reason") is returned.
//
// A temporary that does get a name is ".<file>.tmp.<pid>.<n>" beside path. SIGKILL runs no
// cleanup, so each write first removes the ones for the same path whose process is gone.
std::optional<std::string> write_file_atomically(const std::string& path, std::string_view data,
                                                 TempFile how = TempFile::Anonymous);

// What every write does first, for a run that finds path unchanged and writes nothing: the
// named temporaries of path left by writers that were killed, removed.
void remove_orphaned_temporaries(const std::string& path);

// The name write_file_atomically gives a temporary for path in process pid, for tests.
std::string temporary_name(const std::string& path, long pid, unsigned long n);

}  // namespace zonegen
