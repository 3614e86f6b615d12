// dnsd's life from start to stop, in the order that matters: no new privileges and the
// signalfd before any thread, the zones loaded, the sockets bound, the NOTIFY sender, the
// switch to --user, the ready line; then SIGHUP reloads and the SIGTERM stop. Signals arrive
// through a signalfd read by the thread that runs all this, so no work ever runs in a signal
// handler and the workers are never interrupted. dnsd/main.cpp parses the command line into
// StartOptions and calls start_and_serve(); tests call it too.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "dnsd/health/prober.hpp"
#include "dnsd/net/endpoint.hpp"
#include "dnsd/net/log.hpp"
#include "dnsd/net/server.hpp"
#include "dnsd/primary/loader.hpp"
#include "dnsd/primary/privileges.hpp"
#include "dnsd/primary/xfr.hpp"

namespace dnsd {

// Where the lifecycle lines and the start-up errors go: whole lines, each with its newline,
// and their syslog priority (for the journal). Workers, transfers and NOTIFY log to stderr
// directly.
using Output = std::function<void(std::string_view lines, Priority priority)>;

// --health and its values; unset ones come from the inventory's "health", else the defaults
// (README "Health").
struct HealthStart {
    std::optional<health::Check> check;  // --health smtp|tcp
    bool off = false;                    // --health off: not even if the inventory asks
    std::optional<std::uint16_t> port;
    std::optional<std::uint32_t> interval, timeout, fall, rise, ttl;
};

struct StartOptions {
    Sources sources;
    HealthStart health;
    std::optional<std::string> state_dir;                // --state-dir
    std::size_t journal_size = Journals::kDefaultBound;  // --journal-size: per zone, memory and file
    ServerOptions server;                                // its transfer and signed-query hooks come from transfer
    TransferPolicy transfer;                             // --allow-transfer; --tsig-key, which also sign answers
    std::vector<Endpoint> notify;                        // --notify targets
    std::optional<Account> user;                         // --user, already looked up (find_account)
    std::optional<Endpoint> http;                        // --http: /metrics, /healthz, / (monitor.hpp)
    Output out = write_stderr;
};

// Starts dnsd and serves until SIGTERM or SIGINT. Under systemd (dnsd/primary/service.hpp)
// it logs in journal style when stderr is the journal, sends READY=1 after the ready line,
// RELOADING=1 and READY=1 around each reload (failed ones too: the old zones are still
// served) and STOPPING=1 when it begins to stop. Returns the exit status (Ok: stopped
// cleanly); every failure at start says why on out and leaves nothing running:
//   Usage          PR_SET_NO_NEW_PRIVS refused, a source that cannot be opened (before the
//                  switch, or by the user after it), an address that cannot be bound, no
//                  NOTIFY socket, a failed switch to the user
//   Invalid    a zone or inventory that does not load
//   Internal   signals that cannot be blocked or read
// With --http, the HTTP address is bound and served before the zones load ("dnsd: http on
// ADDR:PORT", /healthz 503 until the ready line). Once serving: "dnsd: ready on udp ADDR:PORT tcp ADDR:PORT (ZONE
// serial N)", NOTIFY for every zone loaded; on SIGHUP the sources are loaded again to the side and swapped in only if
// they loaded, compiled and no serial went backwards ("dnsd: reloaded (...)", or "dnsd: reload failed, still serving
// ...: reasons"), then NOTIFY for each zone whose serial changed (RFC 1996 §4.7); SIGTERM or SIGINT stop with "dnsd:
// stopped (SIGTERM)" and status 0.
//
// The signals are blocked in the calling thread and the threads it starts, and read from a
// signalfd: call it in dnsd's only thread (main), or in a test from a thread of its own and
// send it SIGHUP and SIGTERM with pthread_kill (a signal sent to the process could land in
// another thread).
zonegen::Exit start_and_serve(StartOptions options);

}  // namespace dnsd
