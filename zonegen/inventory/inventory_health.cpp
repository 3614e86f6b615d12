// The "health" keys of the inventory (issue 19): the top-level object that sets dnsd's
// probing values for the zone, and a smarthost's own "health" (false, true, or
// {"port": N}). They are only read and checked here; probing happens only in dnsd, with
// --health smtp|tcp or the inventory's own "check", and --health-* options win over these.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "zonegen/inventory/inventory_reader.hpp"

namespace zonegen::inventory_detail {

namespace {

constexpr Key kHealthKeys[] = {{"check", false}, {"port", false}, {"interval", false}, {"timeout", false},
                               {"fall", false},  {"rise", false}, {"ttl", false}};
enum HealthKey { kCheck, kPort, kInterval, kTimeout, kFall, kRise, kTtl, kHealthKeyCount };
constexpr Key kHostHealthKeys[] = {{"port", false}};

constexpr std::uint64_t kMaxTtl = 2147483647;  // RFC 2181 §8

std::optional<std::uint16_t> read_port(Reader& r, const ValueOffsets& m, const Path& object) {
    if (m.key == npos) return std::nullopt;
    auto v = r.integer(m.value, object.member(m.key), 1, std::numeric_limits<std::uint16_t>::max(),
                       "a port from 1 to 65535");
    if (!v) return std::nullopt;
    return static_cast<std::uint16_t>(*v);
}

std::optional<std::uint32_t> read_number(Reader& r, const ValueOffsets& m, const Path& object, std::uint64_t min,
                                         std::uint64_t max, std::string_view what) {
    if (m.key == npos) return std::nullopt;
    auto v = r.integer(m.value, object.member(m.key), min, max, what);
    if (!v) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
}

}  // namespace

void read_health(Reader& r, const ValueOffsets& m, const Path& root, HealthSettings& out) {
    if (m.key == npos) return;
    Path path = root.member(m.key);
    ValueOffsets s[kHealthKeyCount];
    if (!r.object(m.value, path, "a health object", kHealthKeys, s)) return;
    if (s[kCheck].key != npos) {
        std::string scratch;
        const Path at = path.member(s[kCheck].key);
        if (auto v = r.string(s[kCheck].value, at, "\"smtp\" or \"tcp\"", scratch)) {
            if (*v == "smtp")
                out.check = HealthCheck::Smtp;
            else if (*v == "tcp")
                out.check = HealthCheck::Tcp;
            else
                r.error(s[kCheck].value, at, "expected \"smtp\" or \"tcp\", found " + r.describe(s[kCheck].value));
        }
    }
    out.port = read_port(r, s[kPort], path);
    out.interval = read_number(r, s[kInterval], path, 1, kHealthMaxInterval, "an interval from 1 to 3600 seconds");
    out.timeout = read_number(r, s[kTimeout], path, 1, kHealthMaxTimeout, "a timeout from 1 to 60 seconds");
    out.fall = read_number(r, s[kFall], path, 1, kHealthMaxCount,
                           "a count from 1 to 10 (failures in a row that mark an address down)");
    out.rise = read_number(r, s[kRise], path, 1, kHealthMaxCount,
                           "a count from 1 to 10 (successes in a row that mark an address up)");
    // Above the zone TTL is allowed: dnsd serves min(zone TTL, this); check says so.
    out.ttl = read_number(r, s[kTtl], path, 0, kMaxTtl, "a TTL from 0 to 2147483647 seconds (RFC 2181 section 8)");
}

void read_smarthost_health(Reader& r, const ValueOffsets& m, const Path& host, SmarthostHealth& out) {
    if (m.key == npos) return;
    Path path = host.member(m.key);
    switch (r.scan.kind(m.value)) {
        case Kind::boolean: out.checked = r.scan.token(m.value) == "true"; return;
        case Kind::object: {
            ValueOffsets s[1];
            if (r.object(m.value, path, "a health object", kHostHealthKeys, s)) out.port = read_port(r, s[0], path);
            return;
        }
        default:
            r.error(m.value, path,
                    "expected true, false (never checked, never withdrawn) or {\"port\": N}, found " +
                        r.describe(m.value));
    }
}

}  // namespace zonegen::inventory_detail
