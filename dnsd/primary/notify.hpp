// NOTIFY out (RFC 1996): after a load or reload that changed a zone's serial, tell every
// --notify target so secondaries transfer at once instead of waiting for their refresh
// timer. One thread of its own sends from an ephemeral UDP socket, off the workers, and
// retries each unanswered NOTIFY with a doubling delay (§3.6) up to a bounded count.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/net/endpoint.hpp"
#include "dnsd/net/fd.hpp"
#include "dnsd/primary/activity.hpp"
#include "dnsd/primary/tsig.hpp"
#include "zonegen/core/diagnostic.hpp"
#include "zonegen/core/zone.hpp"

namespace dnsd {

struct NotifySchedule {
    std::chrono::milliseconds first_retry{1000};  // then 2, 4, 8 ... times this
    unsigned attempts = 6;                        // sends per target and serial, the first included
};

// The NOTIFY query for zone (RFC 1996 §3.7): opcode NOTIFY, AA, the SOA question and the
// new SOA in the answer section as a hint. Signed when key is given.
std::optional<std::vector<std::uint8_t>> notify_message(const ZoneImage& zone, std::uint16_t id, const TsigKey* key);

// The zones of after that before did not have or whose serial changed.
std::vector<const ZoneImage*> changed_zones(const AnswerTable* before, const AnswerTable& after);

// A --notify target and the key its NOTIFYs are signed with, if any (the lifecycle picks
// it: the key of the --allow-transfer rule that covers the target, else the first key).
struct NotifyTarget {
    NotifyTarget(Endpoint to_, std::optional<TsigKey> key_ = std::nullopt) : to(to_), key(std::move(key_)) {}
    Endpoint to;
    std::optional<TsigKey> key;
};

class Notifier {
public:
    // activity, if given, hears how each NOTIFY ended (and must outlive the notifier).
    static zonegen::Result<std::unique_ptr<Notifier>> start(std::vector<NotifyTarget> targets,
                                                            NotifySchedule schedule = {},
                                                            Activity* activity = nullptr);
    ~Notifier();  // stops the thread; NOTIFYs still unanswered are dropped
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    // Queues a NOTIFY of the zone's current serial to every target. One still being retried
    // for the same zone and target is replaced: only the newest serial matters (§3.6).
    void notify(const ZoneImage& zone);

private:
    struct Pending {
        Endpoint target;
        std::vector<std::uint8_t> message;
        std::string what;  // "smarthost.local serial N to 127.0.0.1:5300" for the log
        std::string zone;
        std::uint32_t serial = 0;
        std::uint16_t id = 0;
        unsigned sent = 0;
        std::chrono::steady_clock::time_point due;
    };
    Notifier(std::vector<NotifyTarget> targets, NotifySchedule schedule, Activity* activity);
    void record(const Pending& p, NotifyResult r);
    void run();
    void send_due(std::chrono::steady_clock::time_point now);
    void receive(int fd);
    int socket_for(const Endpoint& target) const;

    std::vector<NotifyTarget> targets_;
    NotifySchedule schedule_;
    Activity* activity_;
    Fd v4_, v6_, wakeup_;
    std::mutex mutex_;
    std::vector<Pending> pending_;
    std::uint32_t id_state_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace dnsd
