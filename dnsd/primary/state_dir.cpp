// The state directory's files (state_dir.hpp): "serial N\ndigest HEX\n" per zone.
#include "dnsd/primary/state_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "zonegen/core/files.hpp"
#include "zonegen/core/serial.hpp"

namespace dnsd {

std::uint32_t next_served_serial(const std::optional<ServedVersion>& last, std::uint32_t loaded_serial,
                                 std::uint64_t digest) {
    if (!last || zonegen::serial_gt(loaded_serial, last->serial)) return loaded_serial;
    if (digest == last->digest) return last->serial;
    return last->serial + 1;  // RFC 1982 §3.1: addition wraps modulo 2^32
}

namespace {

zonegen::Diagnostic failure(const std::string& path, const std::string& what) { return {{path, 0, 0, {}}, what}; }

std::string errno_text() { return std::strerror(errno); }

}  // namespace

zonegen::Result<StateDir> StateDir::open(std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    const std::string probe = path + "/.dnsd-write-test";
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return failure(path, "--state-dir: cannot write here: " + errno_text());
    ::close(fd);
    ::unlink(probe.c_str());
    return StateDir(std::move(path));
}

std::string StateDir::file_of(const zonegen::Name& zone) const {
    std::string name = zone.text();
    if (name.size() > 1) name.pop_back();  // "smarthost.local"
    if (name == ".") name = "root";
    // Zone names may hold any octet (RFC 2181 §11); keep file names to a safe alphabet.
    for (char& c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) c = '_';
    return path_ + "/" + name + ".serial";
}

zonegen::Result<std::optional<ServedVersion>> StateDir::last(const zonegen::Name& zone) const {
    const std::string file = file_of(zone);
    std::string text;
    if (auto err = zonegen::read_file_into(file, text)) {
        if (err->missing) return std::optional<ServedVersion>{};
        return err->diagnostic();
    }
    ServedVersion v;
    unsigned long serial = 0;
    std::uint64_t digest = 0;
    int used = 0;
    if (std::sscanf(text.c_str(), "serial %lu\ndigest %" SCNx64 "\n%n", &serial, &digest, &used) != 2 ||
        static_cast<std::size_t>(used) != text.size() || serial > 0xFFFFFFFFul)
        return failure(file,
                       "not a dnsd state file (expected \"serial N\" and \"digest HEX\" lines); "
                       "fix or remove it to start over from the zone's own serial");
    v.serial = static_cast<std::uint32_t>(serial);
    v.digest = digest;
    return std::optional<ServedVersion>(v);
}

std::optional<zonegen::Diagnostic> StateDir::record(const zonegen::Name& zone, const ServedVersion& v) const {
    char text[64];
    const int n = std::snprintf(text, sizeof text, "serial %u\ndigest %016" PRIx64 "\n", v.serial, v.digest);
    if (auto err = zonegen::write_file_atomically(file_of(zone), std::string_view(text, static_cast<std::size_t>(n))))
        return zonegen::Diagnostic{{}, *err};
    return std::nullopt;
}

}  // namespace dnsd
