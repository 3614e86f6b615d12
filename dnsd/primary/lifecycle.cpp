// The start-up order, signals, reloads and the lifecycle lines (lifecycle.hpp).
#include "dnsd/primary/lifecycle.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>

#include "dnsd/net/fd.hpp"
#include "dnsd/primary/health_control.hpp"
#include "dnsd/primary/monitor.hpp"
#include "dnsd/primary/notify.hpp"
#include "dnsd/primary/publisher.hpp"
#include "dnsd/primary/retire.hpp"
#include "dnsd/primary/service.hpp"
#include "dnsd/primary/signed_query.hpp"

namespace dnsd {

namespace {

using zonegen::Diagnostic;

// "dnsd: <message>", as log_line() writes it.
void say(const Output& out, std::string_view message, Priority priority = Priority::Info) {
    std::string line;
    line.reserve(message.size() + 8);
    line += "dnsd: ";
    line += message;
    line += '\n';
    out(line, priority);
}

// The state directory, the journals and the prober report in text; the reports that mean
// trouble (a state or journal file not read or written, a smarthost down, an MX set served
// whole because all of it is down) are warnings for the journal, the rest information.
Priority priority_of(std::string_view message) {
    for (std::string_view trouble : {"--state-dir:", " down (", "fail open"})
        if (message.find(trouble) != std::string_view::npos) return Priority::Warning;
    return Priority::Info;
}

// file:line: message, one a line, as zonegen prints them: why dnsd did not start.
void print_all(const Output& out, const std::vector<Diagnostic>& errors) {
    for (const Diagnostic& d : errors) out(zonegen::format_gnu(d) + '\n', Priority::Error);
}

// Blocks SIGHUP, SIGINT and SIGTERM and returns a signalfd that reports them. Threads
// started afterwards inherit the mask, so only the signalfd sees them.
zonegen::Result<Fd> watch_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGHUP, SIGINT, SIGTERM}) {
        // An inherited SIG_IGN would discard the signal before the signalfd could see it.
        ::signal(s, SIG_DFL);
        sigaddset(&set, s);
    }
    if (int err = ::pthread_sigmask(SIG_BLOCK, &set, nullptr); err != 0)
        return Diagnostic{{}, std::string("cannot block signals: ") + std::strerror(err)};
    Fd fd(::signalfd(-1, &set, SFD_CLOEXEC));
    if (!fd) return Diagnostic{{}, std::string("signalfd: ") + std::strerror(errno)};
    return fd;
}

// "ready on udp 127.0.0.1:53531 tcp 127.0.0.1:53531 (smarthost.local serial 2026112301)"
std::string ready_message(const Server& server) {
    return "ready on " + server.bound_text() + " (" + describe_zones(*server.table()) + ")";
}

// "serial N" for the usual single zone, every zone's name and serial otherwise.
std::string serving(const AnswerTable& table) {
    if (table.zones().size() == 1) return "serial " + std::to_string(table.zones().front().serial());
    return describe_zones(table);
}

// What a load leaves behind for the Retirer: the zones and the parsed inventory.
std::shared_ptr<const void> garbage(LoadedTable& loaded) {
    struct Garbage {
        std::vector<zonegen::Zone> zones;
        std::shared_ptr<const zonegen::Inventory> inventory;
    };
    return std::make_shared<const Garbage>(Garbage{std::move(loaded.zones), std::move(loaded.inventory)});
}

// The prober's values: the command line's, else the inventory's, else the defaults.
// Each NOTIFY is signed with the key of its secondary group: the key of the first
// --allow-transfer rule that names one and covers the target's address, else the first
// --tsig-key (one key: that key, as before keys could be named), else none.
std::vector<NotifyTarget> notify_targets(const std::vector<Endpoint>& targets, const TransferPolicy& policy) {
    std::vector<NotifyTarget> out;
    for (const Endpoint& t : targets) {
        std::optional<TsigKey> key;
        if (const std::string* name = policy.allow.key_for(t)) {
            for (const TsigKey& k : policy.keys)
                if (k.name == *name) key = k;
        } else if (!policy.keys.empty()) {
            key = policy.keys.front();
        }
        out.emplace_back(t, std::move(key));
    }
    return out;
}

HealthOptions health_options(const HealthStart& cli, const InventoryHealth& inv) {
    HealthOptions o;
    if (cli.check)
        o.settings.check = *cli.check;
    else
        o.settings.check = *inv.check == zonegen::HealthCheck::Tcp ? health::Check::Tcp : health::Check::Smtp;
    o.port = cli.port ? *cli.port : inv.port.value_or(25);
    auto pick = [](std::optional<std::uint32_t> a, std::optional<std::uint32_t> b, std::uint32_t d) {
        return a ? *a : b.value_or(d);
    };
    o.settings.interval = std::chrono::seconds(pick(cli.interval, inv.interval, 10));
    o.settings.timeout = std::chrono::seconds(pick(cli.timeout, inv.timeout, 3));
    o.settings.fall = pick(cli.fall, inv.fall, 3);
    o.settings.rise = pick(cli.rise, inv.rise, 2);
    return o;
}

// What runs once the ready line is out: the signal loop and the reloads.
class Serving {
public:
    Serving(Server& server, const Sources& sources, const LoadOptions& load, Retirer& retirer, Publisher& publisher,
            HealthControl* health, Activity& activity, Monitor& monitor, const Output& out)
        : server_(server),
          sources_(sources),
          load_(load),
          retirer_(retirer),
          publisher_(publisher),
          health_(health),
          activity_(activity),
          monitor_(monitor),
          out_(out) {}

    zonegen::Exit until_stopped(const Fd& signals) {
        for (;;) {
            signalfd_siginfo info{};
            ssize_t n = ::read(signals.get(), &info, sizeof info);
            if (n < 0 && errno == EINTR) continue;
            if (n != static_cast<ssize_t>(sizeof info)) {
                say(out_, std::string("cannot read signals, stopping: ") + std::strerror(errno), Priority::Error);
                notify_stopping();
                monitor_.stopped();
                server_.stop();
                return zonegen::Exit::Internal;
            }
            if (info.ssi_signo == SIGHUP) {
                reload();  // the workers keep serving meanwhile
                continue;
            }
            notify_stopping();
            monitor_.stopped();  // /healthz says 503 from here on, while the workers finish
            server_.stop();
            say(out_, std::string("stopped (") + (info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM") + ")",
                Priority::Notice);
            return zonegen::Exit::Ok;
        }
    }

private:
    // systemd hears RELOADING=1 first and READY=1 last, whatever the outcome: a reload that
    // failed still leaves the old zones served.
    void reload() {
        notify_reloading();
        notify_ready(reload_once());
    }

    // Returns the status line for systemd.
    std::string reload_once() {
        std::shared_ptr<const AnswerTable> current = server_.table();
        const auto began = std::chrono::steady_clock::now();
        auto next = load_table(sources_, current.get(), load_, &retirer_);
        if (!next) {
            std::string reasons;
            for (const Diagnostic& d : next.errors()) {
                if (!reasons.empty()) reasons += "; ";
                reasons += zonegen::format_gnu(d);
            }
            activity_.reload_failed(reasons);  // before the line: whoever reads it finds it counted
            std::string status = "reload failed, still serving " + serving(*current);
            say(out_, status + ": " + reasons, Priority::Error);
            retirer_.give_back_heap();  // a broken file may have been parsed most of the way
            return status;
        }
        LoadedTable loaded = std::move(next).value();
        current.reset();
        // The publisher swaps it in, NOTIFYs the zones whose serial changed (RFC 1996 §4.7)
        // and retires the table it replaced.
        std::shared_ptr<const AnswerTable> served;
        if (health_)
            health_->reload(loaded.table, std::move(loaded.hosts), [&](std::vector<std::uint8_t> up) {
                served = publisher_.reloaded(loaded.table, std::move(up));
            });
        else
            served = publisher_.reloaded(loaded.table, {});
        activity_.loaded(*served, std::chrono::steady_clock::now() - began, true);
        std::string status = "reloaded (" + describe_zones(*served) + ")";
        say(out_, status, Priority::Notice);
        retirer_.retire(garbage(loaded));
        return status;
    }

    Server& server_;
    const Sources& sources_;
    const LoadOptions& load_;
    Retirer& retirer_;
    Publisher& publisher_;
    HealthControl* health_;
    Activity& activity_;
    Monitor& monitor_;
    const Output& out_;
};

}  // namespace

zonegen::Exit start_and_serve(StartOptions o) {
    const Output& out = o.out;
    log_to_journal(stderr_is_journal());  // before any thread logs
    if (o.user) {
        if (auto e = forbid_new_privileges()) {  // before any thread, so every thread has it
            print_all(out, {*e});
            return zonegen::Exit::Usage;
        }
    }
    // A stderr reader that goes away must not kill the server: writes then fail instead.
    ::signal(SIGPIPE, SIG_IGN);
    auto signals = watch_signals();  // before any thread exists
    if (!signals) {
        print_all(out, signals.errors());
        return zonegen::Exit::Internal;
    }

    // --http first: /healthz answers 503 while the zones load, which can take seconds.
    auto activity = std::make_shared<Activity>();
    Monitor monitor(activity);
    std::unique_ptr<HttpServer> http;  // declared after monitor: stopped before it goes
    if (o.http) {
        auto bound = HttpServer::bind(*o.http);
        if (!bound) {
            print_all(out, bound.errors());
            return zonegen::Exit::Usage;
        }
        http = std::move(bound).value();
        if (auto e = http->start([&monitor](std::string_view path) { return monitor.handle(path); })) {
            print_all(out, {*e});
            return zonegen::Exit::Usage;
        }
        say(out, "http on " + http->bound().text() + " (/metrics, /healthz, /)");
    }

    if (auto missing = unreadable_sources(o.sources); !missing.empty()) {
        print_all(out, missing);
        return zonegen::Exit::Usage;
    }
    std::optional<StateDir> state;
    if (o.state_dir) {
        auto opened = StateDir::open(*o.state_dir);
        if (!opened) {
            print_all(out, opened.errors());
            return zonegen::Exit::Usage;
        }
        state = std::move(opened).value();
    }
    LoadOptions load{o.health.check.has_value(), !o.health.off && !o.health.check, o.health.ttl, state.has_value()};
    const auto load_began = std::chrono::steady_clock::now();
    auto loaded = load_table(o.sources, nullptr, load);
    if (!loaded) {
        print_all(out, loaded.errors());
        return zonegen::Exit::Invalid;
    }
    const auto load_took = std::chrono::steady_clock::now() - load_began;
    // Whether dnsd probes is settled at start; reloads compile alike.
    const bool probing = o.health.check || (load.inventory_may_ask && loaded.value().health.check);
    load.health = probing;
    load.inventory_may_ask = false;
    // Outlives the server, so that what it holds is the last reference once the server stops.
    Retirer retirer;
    retirer.retire(garbage(loaded.value()));  // the first answer need not wait for that
    // RFC 1995: the IXFR journals, on disk in the state directory if there is one.
    auto journals = std::make_shared<Journals>(o.journal_size, o.state_dir,
                                               [&out](std::string_view m) { say(out, m, priority_of(m)); });
    Publisher publisher(
        std::move(state), [&out](std::string_view m) { say(out, m, priority_of(m)); }, journals);
    auto first = publisher.first(loaded.value().table);
    if (!first) {
        print_all(out, first.errors());
        return zonegen::Exit::Usage;
    }

    o.transfer.journals = journals;
    o.transfer.activity = activity;
    auto policy = std::make_shared<const TransferPolicy>(std::move(o.transfer));
    o.server.transfer = make_transfer_hook(policy);
    // Always set: a signed query when no key is configured gets BADKEY (RFC 8945 §5.2.1).
    o.server.signed_query = make_signed_query_hook(std::shared_ptr<const std::vector<TsigKey>>(policy, &policy->keys),
                                                   o.server.answer);
    auto server = Server::start(std::move(o.server), std::move(first).value());
    if (!server) {
        for (const Diagnostic& d : server.errors()) say(out, zonegen::format_gnu(d), Priority::Error);
        return zonegen::Exit::Usage;
    }
    std::unique_ptr<Notifier> notifier;
    if (!o.notify.empty()) {
        for (const Endpoint& target : o.notify) activity->add_secondary(target);
        auto started = Notifier::start(notify_targets(o.notify, *policy), {}, activity.get());
        if (!started) {
            for (const Diagnostic& d : started.errors()) say(out, zonegen::format_gnu(d), Priority::Error);
            return zonegen::Exit::Usage;
        }
        notifier = std::move(started).value();
    }
    if (o.user) {
        if (auto e = switch_to(*o.user)) {
            say(out, e->message, Priority::Error);
            return zonegen::Exit::Usage;
        }
        // A source the new user cannot read would only fail at the next SIGHUP; say so now.
        if (auto unreadable = unreadable_sources(o.sources); !unreadable.empty()) {
            for (const Diagnostic& d : unreadable)
                say(out, zonegen::format_gnu(d) + " (as user " + o.user->name + ", who reloads it)", Priority::Error);
            return zonegen::Exit::Usage;
        }
    }
    publisher.attach(*server.value(), notifier.get(), retirer);
    // Probes start once dnsd runs as --user: they need no privilege.
    std::unique_ptr<HealthControl> health;
    if (probing) {
        auto started = HealthControl::start(health_options(o.health, loaded.value().health), loaded.value().table,
                                            std::move(loaded.value().hosts), publisher,
                                            [&out](std::string_view m) { say(out, m, priority_of(m)); });
        if (!started) {
            for (const Diagnostic& d : started.errors()) say(out, zonegen::format_gnu(d), Priority::Error);
            return zonegen::Exit::Usage;
        }
        health = std::move(started).value();
    }
    loaded.value().table.reset();
    activity->loaded(*server.value()->table(), load_took, false);
    monitor.serving(*server.value(), health.get());
    // Whatever way this function returns, no request reads the server or the health
    // checks once they are gone.
    struct Unmonitor {
        Monitor& m;
        ~Unmonitor() { m.stopped(); }
    } unmonitor{monitor};
    const std::string ready = ready_message(*server.value());
    say(out, ready, Priority::Notice);
    notify_ready(ready);  // bound, and the zones are in the server's table
    if (notifier)
        for (const ZoneImage* z : changed_zones(nullptr, *server.value()->table())) notifier->notify(*z);
    return Serving(*server.value(), o.sources, load, retirer, publisher, health.get(), *activity, monitor, out)
        .until_stopped(signals.value());
}

}  // namespace dnsd
