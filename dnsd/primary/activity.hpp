// What dnsd did besides answering queries, for /metrics and the status page (issue 15):
// loads and reloads, zone transfers, NOTIFYs, per secondary the last of each. Recorded off
// the packet path (the signal thread, the transfer hook when a transfer starts, the notifier
// thread) under one lock, and read by the HTTP thread as a copy.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/net/endpoint.hpp"

namespace dnsd {

enum class TransferResult : std::uint8_t {
    Full,         // the whole zone (AXFR, or an IXFR the journal cannot serve)
    Incremental,  // IXFR differences from the journal (RFC 1995 §4)
    UpToDate,     // IXFR from a client that is current: the SOA alone
    Refused,      // address, key or zone not allowed (RFC 5936 §6)
    TsigError,    // NOTAUTH with BADKEY, BADSIG or BADTIME (RFC 8945 §5.2)
    Count_,
};
enum class NotifyResult : std::uint8_t {
    Answered,  // the secondary answered NOERROR (RFC 1996 §4.7)
    Rejected,  // it answered with another rcode
    GaveUp,    // no answer after every retry (§3.6)
    Failed,    // could not be signed or sent
    Count_,
};
std::string_view transfer_result_label(std::size_t r);  // "full", "incremental", ...
std::string_view notify_result_label(std::size_t r);    // "answered", "rejected", ...

class Activity {
public:
    using Clock = std::chrono::system_clock;

    // One event of a secondary: what happened to which zone serial, and when.
    struct Event {
        Clock::time_point at;
        std::string zone;
        std::uint32_t serial = 0;
        std::string result;  // a label: "answered", "incremental (IXFR)", "refused (AXFR)"
    };
    struct Secondary {
        std::optional<Event> notify, transfer;
    };
    struct Zone {
        std::string name;  // "smarthost.local"
        Clock::time_point loaded;
    };
    struct Snapshot {
        Clock::time_point started;
        std::vector<Zone> zones;  // of the last successful load, in table order
        double load_seconds = 0;  // how long that load took
        std::uint64_t reloads_ok = 0, reloads_failed = 0;
        std::optional<Clock::time_point> last_reload, last_reload_ok;
        std::string last_reload_error;  // empty unless the last reload failed
        // [IXFR?][TransferResult]
        std::uint64_t transfers[2][static_cast<std::size_t>(TransferResult::Count_)] = {};
        std::uint64_t notifies[static_cast<std::size_t>(NotifyResult::Count_)] = {};
        std::map<std::string, Secondary> secondaries;  // by address, without port
    };

    Activity() : started_(Clock::now()) {}

    // A --notify target: listed as a secondary before anything happens to it.
    void add_secondary(const Endpoint& target);
    // The sources loaded (at start, or a reload: reload true) and compiled into table.
    void loaded(const AnswerTable& table, std::chrono::steady_clock::duration took, bool reload);
    void reload_failed(std::string error);
    void transfer(const Endpoint& peer, std::string_view zone, std::uint32_t serial, bool ixfr, TransferResult r);
    void notify(const Endpoint& target, std::string_view zone, std::uint32_t serial, NotifyResult r);

    Snapshot snapshot() const;

private:
    mutable std::mutex mutex_;
    Snapshot s_;
    const Clock::time_point started_;
};

}  // namespace dnsd
