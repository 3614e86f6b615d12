// Signals, reloads and the lifecycle lines on stderr.
#include "dnsd/primary/lifecycle.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dnsd/net/log.hpp"

namespace dnsd {

namespace {

// "serial N" for the usual single zone, every zone's name and serial otherwise.
std::string serving(const AnswerTable& table) {
    if (table.zones().size() == 1) return "serial " + std::to_string(table.zones().front().serial());
    return describe_zones(table);
}

void reload(Server& server, const Sources& sources, const SwapHook& swapped) {
    std::shared_ptr<const AnswerTable> current = server.table();
    auto next = load_table(sources, current.get());
    if (!next) {
        std::string reasons;
        for (const zonegen::Diagnostic& d : next.errors()) {
            if (!reasons.empty()) reasons += "; ";
            reasons += zonegen::format_gnu(d);
        }
        log_line("reload failed, still serving " + serving(*current) + ": " + reasons);
        return;
    }
    server.set_table(next.value());
    log_line("reloaded (" + describe_zones(*next.value()) + ")");
    if (swapped) swapped(*current, *next.value());
    // The workers let go of the old table with their next batch, so it is usually freed
    // here and its heap returned at once. A transfer in flight keeps it until the
    // transfer ends (and frees it in its worker); a reload does not wait for that.
    for (int i = 0; i < 100 && current.use_count() > 1; ++i) ::usleep(2000);
    current.reset();
    return_free_heap();
}

}  // namespace

zonegen::Result<Fd> watch_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGHUP, SIGINT, SIGTERM}) {
        // An inherited SIG_IGN would discard the signal before the signalfd could see it.
        ::signal(s, SIG_DFL);
        sigaddset(&set, s);
    }
    if (int err = ::pthread_sigmask(SIG_BLOCK, &set, nullptr); err != 0)
        return zonegen::Diagnostic{{}, std::string("cannot block signals: ") + std::strerror(err)};
    Fd fd(::signalfd(-1, &set, SFD_CLOEXEC));
    if (!fd) return zonegen::Diagnostic{{}, std::string("signalfd: ") + std::strerror(errno)};
    return fd;
}

std::string ready_message(const Server& server) {
    return "ready on " + server.bound_text() + " (" + describe_zones(*server.table()) + ")";
}

int run_until_stopped(Server& server, const Sources& sources, const Fd& signals, const SwapHook& swapped) {
    for (;;) {
        signalfd_siginfo info{};
        ssize_t n = ::read(signals.get(), &info, sizeof info);
        if (n < 0 && errno == EINTR) continue;
        if (n != static_cast<ssize_t>(sizeof info)) {
            log_line(std::string("cannot read signals, stopping: ") + std::strerror(errno));
            server.stop();
            return 70;
        }
        if (info.ssi_signo == SIGHUP) {
            reload(server, sources, swapped);  // the workers keep serving meanwhile
            continue;
        }
        server.stop();
        log_line(std::string("stopped (") + (info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM") + ")");
        return 0;
    }
}

}  // namespace dnsd
