// The one gateway to ldns: no other file includes <ldns/ldns.h>.
//
// ldns 1.8.3's headers define bool/true/false as macros unless <stdbool.h> was included
// first, which silently turns C++'s bool into an int inside every later header; clang
// also breaks on standard headers included after that. So <stdbool.h> goes first, the
// standard headers we need come before ldns, and a static_assert proves the trap is shut.
// ldns objects are owned through unique_ptr with their deep-free functions; remember that
// ldns "push" functions take ownership and getters return borrowed pointers.
#pragma once

#include <stdbool.h>  // NOLINT(modernize-deprecated-headers): must precede ldns, see above

#include <cstdio>
#include <memory>
#include <type_traits>

#include <ldns/ldns.h>

static_assert(std::is_same_v<decltype(true), bool>, "ldns redefined true: include <stdbool.h> first");

namespace zonegen::ldns {

struct RrDeleter {
    void operator()(ldns_rr* p) const { ldns_rr_free(p); }
};
struct RrListDeleter {
    void operator()(ldns_rr_list* p) const { ldns_rr_list_deep_free(p); }
};
struct RdfDeleter {
    void operator()(ldns_rdf* p) const { ldns_rdf_deep_free(p); }
};
struct PktDeleter {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct ZoneDeleter {
    void operator()(ldns_zone* p) const { ldns_zone_deep_free(p); }
};
struct BufferDeleter {
    void operator()(ldns_buffer* p) const { ldns_buffer_free(p); }
};
struct ResolverDeleter {
    void operator()(ldns_resolver* p) const { ldns_resolver_deep_free(p); }
};
struct FileDeleter {
    void operator()(std::FILE* f) const {
        if (f) std::fclose(f);
    }
};

using Rr = std::unique_ptr<ldns_rr, RrDeleter>;
using RrList = std::unique_ptr<ldns_rr_list, RrListDeleter>;
using Rdf = std::unique_ptr<ldns_rdf, RdfDeleter>;
using Pkt = std::unique_ptr<ldns_pkt, PktDeleter>;
using ZonePtr = std::unique_ptr<ldns_zone, ZoneDeleter>;
using Buffer = std::unique_ptr<ldns_buffer, BufferDeleter>;
using Resolver = std::unique_ptr<ldns_resolver, ResolverDeleter>;
using File = std::unique_ptr<std::FILE, FileDeleter>;

}  // namespace zonegen::ldns
