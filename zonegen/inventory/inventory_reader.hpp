// Reads the inventory's JSON text against schema version 1: typed values, objects with
// known keys, address lists, and every problem with its place. The sections of
// parse_inventory() are written on top of it. Internal to the inventory parser.
//
// The text has already passed a JSON parser, so values are read in place through
// JsonScanner and each one comes with its byte offset. Where a value sits is a chain of
// Path frames on the stack, turned into a JSON Pointer only when a message needs one;
// the success path builds no pointer strings and computes no line numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "zonegen/core/diagnostic.hpp"
#include "zonegen/inventory/inventory.hpp"
#include "zonegen/inventory/inventory_syntax.hpp"
#include "zonegen/inventory/json_locate.hpp"

namespace zonegen::inventory_detail {

constexpr std::size_t npos = JsonScanner::npos;
using Kind = JsonScanner::Kind;

struct Path {
    const Path* up = nullptr;
    std::size_t key = npos;  // offset of the member's key; npos for an array element
    std::size_t index = 0;
    Path member(std::size_t key_offset) const& { return {this, key_offset, 0}; }
    Path element(std::size_t i) const& { return {this, npos, i}; }
    // A frame must outlive the frames that point to it: no chains off temporaries.
    Path member(std::size_t) const&& = delete;
    Path element(std::size_t) const&& = delete;
};

// A non-owning reference to a callable, for callbacks that must not allocate.
template <class Signature>
class FunctionRef;
template <class R, class... Args>
class FunctionRef<R(Args...)> {
public:
    FunctionRef() = default;
    template <class F>
    requires(!std::is_same_v<std::remove_cv_t<F>, FunctionRef>)
        FunctionRef(F& f)  // NOLINT: implicit, like a function pointer
        : object_(&f), call_([](void* o, Args... args) -> R { return (*static_cast<F*>(o))(args...); }) {}
    explicit operator bool() const { return call_ != nullptr; }
    R operator()(Args... args) const { return call_(object_, args...); }

private:
    void* object_ = nullptr;
    R (*call_)(void*, Args...) = nullptr;
};

// Reads a known member when it is met, in document order, and returns the end of its
// value; or returns npos to leave it for later (it is still in the collected members).
using MemberVisitor = FunctionRef<std::size_t(std::size_t key_index, const ValueOffsets& member)>;

struct Key {
    std::string_view name;
    bool required = false;
};

class Reader {
public:
    explicit Reader(std::string_view text) : scan(text) {}
    const JsonScanner scan;

    // A problem with the value (or key) starting at offset at, which sits at path.
    void error(std::size_t at, const Path& path, std::string message);
    bool clean() const { return errors_.empty() && !duplicate_keys_; }

    std::string pointer(const Path& path) const;
    // A value as a message shows it after "found": "\"text\"", 42, true, "an object".
    std::string describe(std::size_t at) const;

    // Reports "expected <what>, found ..." unless the value is of that kind.
    bool expect(std::size_t at, const Path& path, Kind kind, std::string_view what);
    // The members of an object by the position of their key in keys (ValueOffsets::npos
    // when absent). Unknown keys are reported at the key (with a suggestion), missing
    // required keys at the object; false if it is no object at all. *end (if given) is
    // set just past the value either way. A visitor may read members as they come, which
    // spares a second pass over big values.
    bool object(std::size_t at, const Path& path, std::string_view what, std::span<const Key> keys,
                std::span<ValueOffsets> out, std::size_t* end = nullptr, MemberVisitor visit = {});
    std::optional<std::string_view> string(std::size_t at, const Path& path, std::string_view what,
                                           std::string& scratch);
    // An integer in [min, max]; what defaults to "an integer from MIN to MAX".
    std::optional<std::uint64_t> integer(std::size_t at, const Path& path, std::uint64_t min, std::uint64_t max,
                                         std::string_view what = {});
    // The "ipv4" or "ipv6" member m of the object at path, appended to out; false if
    // anything in it was wrong (each problem reported). *end: just past the value.
    bool addresses(const ValueOffsets& m, const Path& path, bool v6, Addresses& out, std::size_t* end = nullptr);

    // Every problem as diagnostics for file, in the order of the text, with line and
    // column; repeated keys found anywhere in the text are among them.
    std::vector<Diagnostic> finish(const std::string& file) const;

private:
    struct Pending {
        std::size_t offset;
        std::string pointer;
        std::string message;
    };
    std::vector<Pending> errors_;
    bool duplicate_keys_ = false;
};

// parse_inventory() with the cuts of "sites" (JsonSplit) at byte `from` and every `every`
// bytes after it; with threads, SitesReader reads the parts on two threads. The result
// is the one-thread read's, problems and all (tests compare the two at every cut).
// parse_inventory() cuts texts of at least kMinSplit bytes when the process may use two
// CPUs: below that a thread costs more than it saves.
inline constexpr std::size_t kMinSplit = 256 * 1024;
Result<Inventory> parse_inventory(std::string_view text, const std::string& file, std::size_t from, std::size_t every,
                                  bool threads);

// nlohmann/json's verdict on the syntax (inventory.cpp): its first error, placed by its
// byte position, or nullopt if it accepts the text.
std::optional<Diagnostic> json_syntax_error(std::string_view text, const std::string& file);

// The "health" keys (inventory_health.cpp): the top-level member m of the root object at
// root, and a smarthost's member m of the host object at host; absent members leave out
// as it is.
void read_health(Reader& r, const ValueOffsets& m, const Path& root, HealthSettings& out);
void read_smarthost_health(Reader& r, const ValueOffsets& m, const Path& host, SmarthostHealth& out);

// What resolving fallbacks needs from the rest of the inventory.
struct SiteRules {
    bool mx_ok = false;        // inv.mx_primary and inv.mx_step hold valid values
    std::size_t mx_at = npos;  // the "mx" object, if given, and where it sits
    const Path* mx_path = nullptr;
};

// The "sites" section (inventory_sites.cpp) in two phases: read() takes every site as it
// comes; resolve() then resolves the fallback lists, which may name sites listed later,
// and checks the MX preferences of their tiers once "mx" is known.
//
// With cuts in the sites array (json_well_formed found them), read() reads the sites
// before the first cut, then the parts between cuts on this thread and another, each part
// with its own Reader, and appends their sites in order. That is only right for clean
// parts: a site named twice, or any problem after the first cut, and failed() says so;
// the caller then reads the whole text again without cuts, so that every message is the
// one-thread reader's.
class SitesReader {
public:
    SitesReader(Reader& r, Inventory& inv, const Path& root, const JsonSplit& split = {});
    ~SitesReader();
    // Reads "sites" (a member of the root object) into inv.sites; returns the end of its
    // value. zone_ok: inv.zone holds the zone, so names can be made.
    std::size_t read(const ValueOffsets& member, bool zone_ok);
    void resolve(const SiteRules& rules);
    // The read in parts met a problem it cannot place as the one-thread read would.
    bool failed() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace zonegen::inventory_detail
