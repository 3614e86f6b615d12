// dnsd --health (README "Health"): the prober's targets are the addresses of the smarthosts
// in the served table's health model, and its state changes become new table versions
// through the Publisher. Reloads bring a new model: the addresses still in the zone keep
// their state (the prober matches them by host and address).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/health/prober.hpp"
#include "dnsd/primary/loader.hpp"
#include "zonegen/core/diagnostic.hpp"

namespace dnsd {

class Publisher;

struct HealthOptions {
    health::Settings settings;
    std::uint16_t port = 25;
};

class HealthControl {
public:
    using Say = std::function<void(std::string_view message)>;
    using Publish = std::function<void(std::vector<std::uint8_t> up)>;

    // Starts probing the smarthosts of compiled (its health model), all of them up.
    static zonegen::Result<std::unique_ptr<HealthControl>> start(HealthOptions options,
                                                                 std::shared_ptr<const AnswerTable> compiled,
                                                                 HostHealthMap hosts, Publisher& publisher, Say say);
    // A reload: probes the smarthosts of compiled from now on and calls publish with the
    // state to serve it with, under the same lock as the changes, so that none is lost.
    void reload(std::shared_ptr<const AnswerTable> compiled, HostHealthMap hosts, const Publish& publish);
    ~HealthControl();

    // Every checked address as dnsd sees it now, for /metrics and the status page.
    struct AddressState {
        std::string host;     // "mail1.oxford.smarthost.local."
        std::string site;     // "oxford": the label under the zone's apex (README "The inventory")
        std::string address;  // "192.0.2.25"
        bool up = true;
        std::chrono::system_clock::time_point since;  // of the last change, else of the start
    };
    std::vector<AddressState> states() const;
    // State changes so far, to up and to down.
    std::uint64_t changes(bool to_up) const;
    health::Prober::Durations durations() const { return prober_->durations(); }

private:
    HealthControl(HealthOptions options, Publisher& publisher, Say say);
    std::vector<health::Target> targets_of(const AnswerTable& compiled, const HostHealthMap& hosts,
                                           std::vector<std::uint32_t>& address_of) const;
    void on_change(std::span<const health::Change> changes);
    std::vector<std::uint8_t> state_from(const std::vector<bool>& states) const;
    // "a site falls back to its full RRset" and back, once per MX set that changed so.
    void log_fallbacks(const std::vector<std::uint32_t>& hosts, const std::vector<std::uint8_t>& before);

    HealthOptions options_;
    Publisher& publisher_;
    Say say_;
    mutable std::mutex mutex_;  // what follows; taken before the Publisher's
    std::shared_ptr<const AnswerTable> compiled_;
    std::vector<std::uint32_t> address_of_;                      // per prober target: its HealthModel address
    std::vector<health::Target> targets_;                        // the prober's current list
    std::unordered_map<std::string, std::size_t> target_index_;  // "host address" -> target
    std::vector<std::uint8_t> up_;                               // per HealthModel address
    const std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
    std::unordered_map<std::string, std::chrono::system_clock::time_point> since_;  // by target key
    std::uint64_t changes_up_ = 0, changes_down_ = 0;
    std::unique_ptr<health::Prober> prober_;  // last: stopped first
};

}  // namespace dnsd
