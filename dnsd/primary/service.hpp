// dnsd under systemd (dnsd/dist/dnsd.service, Type=notify): the state changes the service
// manager waits for, sent with libsystemd's sd_notify(3), and whether stderr is the journal.
// Without NOTIFY_SOCKET (not started by systemd) each notification is a no-op; only this
// file includes <systemd/sd-daemon.h>.
#pragma once

#include <cstdint>
#include <string_view>

namespace dnsd {

// READY=1 with STATUS=status: every address is bound and the zones are served. systemd
// starts the units ordered after dnsd only then, and a reload (below) ends with it.
void notify_ready(std::string_view status);
// RELOADING=1 with the CLOCK_MONOTONIC time in microseconds: systemd 253 and later match it
// to its own reload request (sd_notify(3), "MONOTONIC_USEC"); 252 ignores it.
void notify_reloading();
// STOPPING=1: dnsd has begun to stop (SIGTERM, SIGINT).
void notify_stopping();

// True if stderr is the stream journald gave dnsd: JOURNAL_STREAM holds "DEV:INODE" of
// that stream (systemd.exec(5), "$JOURNAL_STREAM") and stderr is still that file. A
// redirection in between (dnsd 2>file in a unit's shell) makes it false.
bool stderr_is_journal();
// The same test on given values, for the tests: journal_stream is JOURNAL_STREAM's value.
bool is_journal_stream(std::string_view journal_stream, std::uint64_t dev, std::uint64_t ino);

}  // namespace dnsd
