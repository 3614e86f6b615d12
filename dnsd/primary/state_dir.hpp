// --state-dir: what dnsd must remember across restarts so that secondaries never see a
// serial go backwards (RFC 1982 §3.2, RFC 1996 §4.7): per zone, the last serial served and
// a digest of the records served under it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "dnsd/answer/zone_image.hpp"
#include "zonegen/core/diagnostic.hpp"
#include "zonegen/core/name.hpp"

namespace dnsd {

struct ServedVersion {
    std::uint32_t serial = 0;
    std::uint64_t digest = 0;  // ZoneImage::digest()
};

// The serial of a version of a zone whose last served version was last: the loaded
// serial if it is greater (an operator's own numbering wins), else the last serial while
// the records are the same, else the last plus one, so that every change reaches the
// secondaries.
std::uint32_t next_served_serial(const std::optional<ServedVersion>& last, std::uint32_t loaded_serial,
                                 std::uint64_t digest);

class StateDir {
public:
    // The directory must exist and be writable (checked with a test file); dnsd keeps one
    // small file per zone in it, "<zone>.serial".
    static zonegen::Result<StateDir> open(std::string path);
    const std::string& path() const { return path_; }

    // nullopt when the zone has no file yet. A file that cannot be read or parsed is an
    // error: serving on without it could lower the serial.
    zonegen::Result<std::optional<ServedVersion>> last(const zonegen::Name& zone) const;
    // Written to a temporary file, synced and renamed over the old one: a crash leaves the
    // old version or the new one, never half of either.
    std::optional<zonegen::Diagnostic> record(const zonegen::Name& zone, const ServedVersion& v) const;

private:
    explicit StateDir(std::string path) : path_(std::move(path)) {}
    std::string file_of(const zonegen::Name& zone) const;
    std::string path_;
};

}  // namespace dnsd
