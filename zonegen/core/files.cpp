// POSIX file helpers (see files.hpp for the guarantees).
#include "zonegen/core/files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>

namespace zonegen {

static std::string reason(const std::string& path, const char* what, int err) {
    return path + ": " + what + ": " + std::strerror(err);
}

namespace {

// The open every read starts with: the descriptor and the file's size, or why not.
struct Opened {
    int fd = -1;
    std::size_t size = 0;
};

std::optional<FileError> open_for_reading(const std::string& path, Opened& out) {
    auto failed = [&](const char* what, int err) {
        return FileError{path, std::string(what) + ": " + std::strerror(err), err == ENOENT};
    };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return failed("cannot open", errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        const int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
        ::close(fd);
        return failed("cannot open", err);
    }
    out.fd = fd;
    out.size = st.st_size > 0 ? static_cast<std::size_t>(st.st_size) : 0;
    return std::nullopt;
}

}  // namespace

std::optional<FileError> check_readable(const std::string& path) {
    Opened f;
    if (auto err = open_for_reading(path, f)) return err;
    ::close(f.fd);
    return std::nullopt;
}

template <class Buffer>
std::optional<FileError> read_file_into(const std::string& path, Buffer& out) {
    Opened f;
    if (auto err = open_for_reading(path, f)) return err;
    // The size is a hint: the file may grow while it is read, or not be a regular file. One
    // octet more than the size lets the read that finds the end land in the buffer, so a
    // file that did not grow is never copied to a larger one.
    out.resize(f.size + 1);
    std::size_t have = 0;
    for (;;) {
        if (have == out.size()) out.resize(out.size() + 65536);
        const ssize_t got = ::read(f.fd, out.data() + have, out.size() - have);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            const int err = errno;
            ::close(f.fd);
            out.clear();
            return FileError{path, std::string("cannot read: ") + std::strerror(err)};
        }
        if (got == 0) break;
        have += static_cast<std::size_t>(got);
    }
    ::close(f.fd);
    out.resize(have);
    return std::nullopt;
}

template std::optional<FileError> read_file_into(const std::string&, std::string&);
template std::optional<FileError> read_file_into(const std::string&, BigVector<char>&);

std::optional<std::string> read_file(const std::string& path, std::string* error, bool* missing) {
    std::string data;
    auto err = read_file_into(path, data);
    if (missing) *missing = err && err->missing;
    if (err) {
        *error = err->text();
        return std::nullopt;
    }
    return data;
}

std::string base_name(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

namespace {

std::string directory_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// ".z.zone.tmp.": a dot-file next to the target, on the same file system (so rename is
// atomic) and hidden from globs such as zones/*.zone while it exists.
std::string temporary_prefix(const std::string& path) { return "." + base_name(path) + ".tmp."; }

bool all_digits(std::string_view s) {
    return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// Removes ".<file>.tmp.<pid>.<n>" left by a writer that was killed between naming its
// temporary and renaming it. Only names of exactly that form, and only when no process
// <pid> exists: a live writer's temporary is never touched. (A writer in another PID
// namespace sharing the directory could lose its temporary here; its rename would then
// fail and it would report an error, never leave a partial zone.) Best effort: a failure
// leaves a stale file, which is harmless.
void remove_stale_temporaries(const std::string& dir, const std::string& prefix) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    while (const dirent* e = ::readdir(d)) {
        std::string_view name(e->d_name);
        if (!name.starts_with(prefix)) continue;
        std::string_view rest = name.substr(prefix.size());
        auto dot = rest.find('.');
        if (dot == std::string_view::npos || !all_digits(rest.substr(0, dot)) || !all_digits(rest.substr(dot + 1)))
            continue;
        long pid = std::stol(std::string(rest.substr(0, dot)));
        if (pid <= 0 || pid > std::numeric_limits<pid_t>::max() || pid == static_cast<long>(::getpid())) continue;
        if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
        ::unlinkat(::dirfd(d), e->d_name, 0);
    }
    ::closedir(d);
}

// Unique within the process; the pid in the name makes it unique across processes.
std::atomic<unsigned long> temporary_counter{0};

std::string next_temporary(const std::string& dir, const std::string& path) {
    return dir + "/" + temporary_name(base_name(path), static_cast<long>(::getpid()), temporary_counter++);
}

// Gives the anonymous file fd a name in dir. linkat(AT_EMPTY_PATH) needs
// CAP_DAC_READ_SEARCH; the /proc/self/fd path works for anyone where /proc is mounted.
std::optional<int> link_anonymous(int fd, const std::string& dir, const std::string& path, std::string* name) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        *name = next_temporary(dir, path);
        if (::linkat(fd, "", AT_FDCWD, name->c_str(), AT_EMPTY_PATH) == 0) return std::nullopt;
        if (errno == EEXIST) continue;
        const std::string proc = "/proc/self/fd/" + std::to_string(fd);
        if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name->c_str(), AT_SYMLINK_FOLLOW) == 0) return std::nullopt;
        if (errno != EEXIST) return errno;
    }
    return EEXIST;
}

}  // namespace

void remove_orphaned_temporaries(const std::string& path) {
    remove_stale_temporaries(directory_of(path), temporary_prefix(path));
}

std::string temporary_name(const std::string& path, long pid, unsigned long n) {
    return temporary_prefix(path) + std::to_string(pid) + "." + std::to_string(n);
}

// Why the temporary is anonymous: a zonegen killed with SIGKILL (or by the OOM killer, or
// a CI timeout) runs no cleanup, and a named temporary would stay in zones/ for good. With
// O_TMPFILE the slow part (writing and fsyncing megabytes) happens on a file with no name;
// the kernel frees it with the process. The name exists only between linkat() and rename(),
// as Linux has no call that links an anonymous file over an existing one, and a writer
// killed in that window is cleaned up by the next write.
std::optional<std::string> write_file_atomically(const std::string& path, std::string_view data, TempFile how) {
    const std::string dir = directory_of(path);
    remove_orphaned_temporaries(path);

    std::string tmp;  // empty while the file has no name
    int fd = -1;
    if (how == TempFile::Anonymous) {
        fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        // open(2): EOPNOTSUPP from a file system without O_TMPFILE, EISDIR from a kernel
        // older than 3.11 (which reads the flag as O_DIRECTORY); EINVAL, to be safe, from
        // anything else that does not understand the flag.
        if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
            return reason(path, "cannot create a temporary file", errno);
    }
    for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
        tmp = next_temporary(dir, path);
        fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST) return reason(path, "cannot create a temporary file", errno);
    }
    if (fd < 0) return reason(path, "cannot create a temporary file", EEXIST);

    auto fail = [&](const char* what, int err) {
        ::close(fd);
        if (!tmp.empty()) ::unlink(tmp.c_str());
        return reason(path, what, err);
    };
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("cannot write", errno);
        done += static_cast<std::size_t>(n);
    }
    // The temporary is created 0600; a zone file is for name servers to read, like any new file.
    mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd, 0666 & ~mask) != 0) return fail("cannot set permissions", errno);
    if (::fsync(fd) != 0) return fail("cannot sync", errno);
    if (tmp.empty()) {
        if (auto err = link_anonymous(fd, dir, path, &tmp)) {
            tmp.clear();
            return fail("cannot link the temporary file", *err);
        }
    }
    if (::close(fd) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return reason(path, "cannot close", err);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return reason(path, "cannot rename into place", err);
    }
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return std::nullopt;
}

}  // namespace zonegen
