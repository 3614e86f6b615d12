// Every version dnsd serves goes out through here: the first table, each reload, each
// health change (README "Health"). One place decides a version's serials (with
// --state-dir every change of the served answers is a new serial, never lower than one
// served before, even across restarts), swaps it in, sends NOTIFY for the zones whose
// serial changed (RFC 1996 §4.7) and retires what it replaced. Reloads (the signal
// thread) and health changes (the prober's thread) are serialised by its lock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/primary/journal.hpp"
#include "dnsd/primary/state_dir.hpp"
#include "zonegen/core/diagnostic.hpp"

namespace dnsd {

class Server;
class Notifier;
class Retirer;

class Publisher {
public:
    // say: one message, without "dnsd: " (lifecycle's say()).
    using Say = std::function<void(std::string_view message)>;
    // journals: where each change of a zone's served version is recorded for IXFR (synced
    // to disk, with a state directory, before the version is served); nullptr: nowhere.
    Publisher(std::optional<StateDir> state, Say say, std::shared_ptr<Journals> journals = nullptr)
        : state_(std::move(state)), say_(std::move(say)), journals_(std::move(journals)) {}

    // Tables must be compiled with a health model when a state directory is in use
    // (CompileOptions::health_ttl; the apex SOA answers are managed only then).
    bool needs_health_model() const { return state_.has_value(); }

    // The version to start with: the compiled table under the state directory's serials.
    // Fails if a state file cannot be read (serving on could lower a serial).
    zonegen::Result<std::shared_ptr<const AnswerTable>> first(std::shared_ptr<const AnswerTable> compiled);
    // From here on versions go to the server (and NOTIFY to the notifier, if any).
    void attach(Server& server, Notifier* notifier, Retirer& retirer);

    // A reloaded table, answering for up (one flag per address of its health model; empty:
    // all up). Returns the version now served.
    std::shared_ptr<const AnswerTable> reloaded(std::shared_ptr<const AnswerTable> compiled,
                                                std::vector<std::uint8_t> up);
    // The served table under a new health state. compiled: the table up is numbered for;
    // a state meant for a table that a reload has replaced since is dropped.
    void health_changed(const AnswerTable* compiled, std::vector<std::uint8_t> up);

private:
    std::shared_ptr<const AnswerTable> serials(std::shared_ptr<const AnswerTable> t);
    void swap_in(std::shared_ptr<const AnswerTable> next);
    void journal(const AnswerTable& before, const AnswerTable& after);

    std::mutex mutex_;
    std::optional<StateDir> state_;
    Say say_;
    std::shared_ptr<Journals> journals_;
    Server* server_ = nullptr;
    Notifier* notifier_ = nullptr;
    Retirer* retirer_ = nullptr;
    const AnswerTable::Impl* compiled_ = nullptr;  // the compiled table the served one derives from
    std::map<std::string, ServedVersion> last_;    // per zone origin (wire form): the last served
};

}  // namespace dnsd
