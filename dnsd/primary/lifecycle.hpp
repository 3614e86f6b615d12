// dnsd's life after the sockets are bound: the ready line, SIGHUP reloads and the SIGTERM
// stop. Signals arrive through a signalfd read by the main thread, so no work ever runs in
// a signal handler and the workers are never interrupted.
#pragma once

#include <functional>
#include <string>

#include "dnsd/net/fd.hpp"
#include "dnsd/primary/loader.hpp"
#include "dnsd/net/server.hpp"
#include "zonegen/core/diagnostic.hpp"

namespace dnsd {

// Blocks SIGHUP, SIGINT and SIGTERM and returns a signalfd that reports them. Call it
// before starting any thread: threads inherit the mask, so only the signalfd sees them.
zonegen::Result<Fd> watch_signals();

// "ready on udp 127.0.0.1:53531 tcp 127.0.0.1:53531 (smarthost.local serial 2026112301)"
std::string ready_message(const Server& server);

// Serves until SIGTERM or SIGINT; on SIGHUP, loads the sources again to the side and swaps
// the new table in only if it loaded, compiled and no serial went backwards. Returns the
// exit status. swapped, if set, runs after each successful swap with the old and the new
// table (NOTIFY hooks in here); never after a failed reload.
using SwapHook = std::function<void(const AnswerTable& before, const AnswerTable& after)>;
int run_until_stopped(Server& server, const Sources& sources, const Fd& signals, const SwapHook& swapped = {});

}  // namespace dnsd
