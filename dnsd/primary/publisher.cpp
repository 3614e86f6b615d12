// Serving versions (publisher.hpp): serials, the swap, NOTIFY and retirement.
#include "dnsd/primary/publisher.hpp"

#include "dnsd/answer/health_model.hpp"
#include "dnsd/net/server.hpp"
#include "dnsd/primary/loader.hpp"
#include "dnsd/primary/notify.hpp"
#include "dnsd/primary/retire.hpp"

namespace dnsd {

// With a state directory, each zone is served as the health model edits it, under the
// serial next_served_serial() gives against the last version served (kept in last_, and
// at start read from the directory). Without one, the zones are served as loaded.
std::shared_ptr<const AnswerTable> Publisher::serials(std::shared_ptr<const AnswerTable> t) {
    if (!state_) return t;
    const HealthModel& model = *t->health();
    std::vector<ZoneImage> served;
    served.reserve(t->loaded_zones().size());
    for (const ZoneImage& loaded : t->loaded_zones()) {
        ZoneImage image = model.edited_image(loaded, loaded.serial(), t->health_state());
        const std::uint64_t digest = image.digest();
        const std::string key(loaded.origin().wire());
        std::optional<ServedVersion> last;
        if (auto it = last_.find(key); it != last_.end()) last = it->second;
        const std::uint32_t serial = next_served_serial(last, loaded.serial(), digest);
        if (serial != loaded.serial()) image = std::move(image).with_serial(serial);
        // Recorded before it is served: a crash in between costs at most one unused serial.
        if (!last || last->serial != serial || last->digest != digest) {
            if (auto err = state_->record(loaded.origin(), {serial, digest}))
                say_("--state-dir: " + zonegen::format_gnu(*err) + "; a restart may not know serial " +
                     std::to_string(serial) + " of " + zone_text(loaded.origin()));
            last_[key] = {serial, digest};
        }
        served.push_back(std::move(image));
    }
    return t->with_zones(std::move(served));
}

zonegen::Result<std::shared_ptr<const AnswerTable>> Publisher::first(std::shared_ptr<const AnswerTable> compiled) {
    std::lock_guard lock(mutex_);
    if (state_) {
        for (const ZoneImage& z : compiled->loaded_zones()) {
            auto last = state_->last(z.origin());
            if (!last) return last.errors();
            if (last.value()) last_[std::string(z.origin().wire())] = *last.value();
        }
    }
    compiled_ = &compiled->impl();
    auto served = serials(std::move(compiled));
    if (journals_)
        for (const ZoneImage& z : served->zones()) journals_->open(z);
    return served;
}

void Publisher::attach(Server& server, Notifier* notifier, Retirer& retirer) {
    std::lock_guard lock(mutex_);
    server_ = &server;
    notifier_ = notifier;
    retirer_ = &retirer;
}

// RFC 1995 §4: every change of a zone's served version is a difference in its journal.
void Publisher::journal(const AnswerTable& before, const AnswerTable& after) {
    if (!journals_) return;
    for (const ZoneImage& z : after.zones())
        for (const ZoneImage& old : before.zones())
            if (old.origin() == z.origin() && !(old == z)) journals_->changed(old, z);
}

void Publisher::swap_in(std::shared_ptr<const AnswerTable> next) {
    std::shared_ptr<const AnswerTable> current = server_->table();
    journal(*current, *next);  // before the version is served: an IXFR of it finds its chain
    server_->set_table(next);
    if (notifier_)
        for (const ZoneImage* z : changed_zones(current.get(), *next)) notifier_->notify(*z);
    // Queries and transfers in flight finish on the version they started with (DESIGN
    // "Reload"); the retirer frees it once they have let go.
    retirer_->retire(std::move(current));
}

std::shared_ptr<const AnswerTable> Publisher::reloaded(std::shared_ptr<const AnswerTable> compiled,
                                                       std::vector<std::uint8_t> up) {
    std::lock_guard lock(mutex_);
    compiled_ = &compiled->impl();
    std::shared_ptr<const AnswerTable> next = std::move(compiled);
    if (!up.empty()) next = next->with_health(std::move(up));
    next = serials(std::move(next));
    swap_in(next);
    return next;
}

void Publisher::health_changed(const AnswerTable* compiled, std::vector<std::uint8_t> up) {
    std::lock_guard lock(mutex_);
    if (!server_ || &compiled->impl() != compiled_) return;
    swap_in(serials(server_->table()->with_health(std::move(up))));
}

}  // namespace dnsd
