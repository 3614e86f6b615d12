// Adding the workers' counters up, and the label values /metrics shows (traffic.hpp).
#include "dnsd/net/traffic.hpp"

namespace dnsd {

void Traffic::add_to(Totals& totals) const noexcept {
    for (std::size_t t = 0; t < 2; ++t) {
        for (std::size_t y = 0; y < kTypeSlots; ++y)
            for (std::size_t r = 0; r < kRcodeSlots; ++r) totals.queries[t][y][r] += queries_[t][y][r].get();
        totals.truncated[t] += truncated_[t].get();
        for (std::size_t b = 0; b < kSizeBuckets; ++b) totals.sizes[t][b] += sizes_[t][b].get();
        totals.bytes[t] += bytes_[t].get();
        for (std::size_t m = 0; m < kMalformedSlots; ++m) totals.malformed[t][m] += malformed_[t][m].get();
        for (std::size_t d = 0; d < kDroppedSlots; ++d) totals.dropped[t][d] += dropped_[t][d].get();
    }
    totals.send_failed += send_failed_.get();
    totals.opened += opened_.get();
    for (std::size_t c = 0; c < kCloseSlots; ++c) totals.closed[c] += closed_[c].get();
}

std::string_view transport_label(std::size_t transport) { return transport == 0 ? "udp" : "tcp"; }

std::string_view type_label(std::size_t slot) {
    static constexpr std::array<std::string_view, Traffic::kTypeSlots> kNames = {
        "A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "AAAA", "SRV", "IXFR", "AXFR", "ANY", "other"};
    return slot < kNames.size() ? kNames[slot] : "other";
}

std::string_view rcode_label(std::size_t slot) {
    static constexpr std::array<std::string_view, Traffic::kRcodeSlots> kNames = {
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "NOTAUTH", "BADVERS", "other"};
    return slot < kNames.size() ? kNames[slot] : "other";
}

// ParseStatus, in its order (dnsd/answer/query.hpp).
std::string_view malformed_label(std::size_t slot) {
    static constexpr std::array<std::string_view, Traffic::kMalformedSlots> kNames = {
        "ok",         "question_count", "bad_question", "bad_record", "opt_misplaced",
        "second_opt", "bad_opt",        "trailing_data"};
    return slot < kNames.size() ? kNames[slot] : "other";
}

// Dropped, in its order (dnsd/answer/respond.hpp).
std::string_view dropped_label(std::size_t slot) {
    static constexpr std::array<std::string_view, Traffic::kDroppedSlots> kNames = {"no", "short", "response",
                                                                                    "no_room"};
    return slot < kNames.size() ? kNames[slot] : "other";
}

std::string_view close_label(std::size_t slot) {
    static constexpr std::array<std::string_view, Traffic::kCloseSlots> kNames = {
        "peer", "error", "idle_timeout", "io_timeout", "evicted", "output_limit", "refused", "shutdown"};
    return slot < kNames.size() ? kNames[slot] : "other";
}

}  // namespace dnsd
