// The prober's targets from a health model, and its changes as table versions
// (health_control.hpp).
#include "dnsd/primary/health_control.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "dnsd/answer/health_model.hpp"
#include "dnsd/primary/publisher.hpp"

namespace dnsd {

namespace {

Endpoint endpoint_of(const HealthModel::Address& a, std::uint16_t port) {
    Endpoint e;
    if (a.v6) {
        auto* s = reinterpret_cast<sockaddr_in6*>(&e.addr);
        s->sin6_family = AF_INET6;
        std::memcpy(&s->sin6_addr, a.bytes.data(), 16);
        e.len = sizeof(sockaddr_in6);
    } else {
        auto* s = reinterpret_cast<sockaddr_in*>(&e.addr);
        s->sin_family = AF_INET;
        std::memcpy(&s->sin_addr, a.bytes.data(), 4);
        e.len = sizeof(sockaddr_in);
    }
    e.set_port(port);
    return e;
}

std::string key_of(const health::Target& t) { return t.host + ' ' + t.address.text(); }

// "oxford" for mail1.oxford.smarthost.local. in smarthost.local.: the label just under the
// apex, where zonegen puts a site's hosts; empty for a host elsewhere.
std::string site_of(const std::string& host, const std::string& origin) {
    if (host.size() <= origin.size() + 1 || host.compare(host.size() - origin.size(), origin.size(), origin) != 0 ||
        host[host.size() - origin.size() - 1] != '.')
        return {};
    const std::string relative = host.substr(0, host.size() - origin.size() - 1);
    const std::size_t dot = relative.rfind('.');
    return dot == std::string::npos ? std::string() : relative.substr(dot + 1);
}

}  // namespace

HealthControl::HealthControl(HealthOptions options, Publisher& publisher, Say say)
    : options_(options), publisher_(publisher), say_(std::move(say)) {}

HealthControl::~HealthControl() { prober_.reset(); }  // no callback runs once it is gone

std::vector<health::Target> HealthControl::targets_of(const AnswerTable& compiled, const HostHealthMap& hosts,
                                                      std::vector<std::uint32_t>& address_of) const {
    const HealthModel& model = *compiled.health();
    std::vector<health::Target> out;
    address_of.clear();
    for (std::uint32_t a = 0; a < model.addresses().size(); ++a) {
        const HealthModel::Host& h = model.hosts()[model.addresses()[a].host];
        std::uint16_t port = options_.port;
        if (auto it = hosts.find(std::string(h.name.wire())); it != hosts.end()) {
            if (!it->second.checked) continue;  // never checked: always up
            if (it->second.port) port = *it->second.port;
        }
        out.push_back({h.name.text(), endpoint_of(model.addresses()[a], port)});
        address_of.push_back(a);
    }
    return out;
}

zonegen::Result<std::unique_ptr<HealthControl>> HealthControl::start(HealthOptions options,
                                                                     std::shared_ptr<const AnswerTable> compiled,
                                                                     HostHealthMap hosts, Publisher& publisher,
                                                                     Say say) {
    std::unique_ptr<HealthControl> c(new HealthControl(options, publisher, std::move(say)));
    std::lock_guard lock(c->mutex_);
    c->targets_ = c->targets_of(*compiled, hosts, c->address_of_);
    for (std::size_t i = 0; i < c->targets_.size(); ++i) c->target_index_[key_of(c->targets_[i])] = i;
    c->up_.assign(compiled->health()->addresses().size(), 1);
    c->compiled_ = std::move(compiled);
    HealthControl* self = c.get();
    auto prober = health::Prober::start(
        c->options_.settings, c->targets_, [self](std::span<const health::Change> ch) { self->on_change(ch); },
        [self](std::string_view line) { self->say_(line); });
    if (!prober) return prober.errors();
    c->prober_ = std::move(prober).value();
    return c;
}

std::vector<std::uint8_t> HealthControl::state_from(const std::vector<bool>& states) const {
    std::vector<std::uint8_t> up(compiled_->health()->addresses().size(), 1);
    for (std::size_t i = 0; i < states.size() && i < address_of_.size(); ++i) up[address_of_[i]] = states[i] ? 1 : 0;
    return up;
}

void HealthControl::reload(std::shared_ptr<const AnswerTable> compiled, HostHealthMap hosts, const Publish& publish) {
    std::vector<std::uint32_t> address_of;
    std::vector<health::Target> targets = targets_of(*compiled, hosts, address_of);
    // Not under mutex_: a change being delivered meanwhile waits for mutex_ in on_change()
    // while the prober holds its delivery lock, which set_targets() needs too.
    prober_->set_targets(targets);
    std::lock_guard lock(mutex_);
    targets_ = std::move(targets);
    address_of_ = std::move(address_of);
    target_index_.clear();
    const auto now = std::chrono::system_clock::now();
    for (std::size_t i = 0; i < targets_.size(); ++i) {
        target_index_[key_of(targets_[i])] = i;
        since_.try_emplace(key_of(targets_[i]), now);  // new with this reload: up since now
    }
    compiled_ = std::move(compiled);
    // Read again under the lock: changes found since set_targets() returned are in it, and
    // their callbacks, waiting for the lock, will find nothing left to change.
    up_ = state_from(prober_->states());
    const bool all_up = std::all_of(up_.begin(), up_.end(), [](std::uint8_t u) { return u != 0; });
    publish(all_up ? std::vector<std::uint8_t>{} : up_);
}

void HealthControl::on_change(std::span<const health::Change> changes) {
    std::lock_guard lock(mutex_);
    std::vector<std::uint8_t> before = up_;
    std::vector<std::uint32_t> hosts;  // whose state changed
    for (const health::Change& c : changes) {
        // The change names its target; one of a list a reload has replaced is not ours.
        auto it = target_index_.find(key_of(c.named));
        if (it == target_index_.end()) continue;
        const std::uint32_t a = address_of_[it->second];
        if ((up_[a] != 0) == c.up) continue;
        up_[a] = c.up ? 1 : 0;
        since_[it->first] = std::chrono::system_clock::now();
        ++(c.up ? changes_up_ : changes_down_);
        hosts.push_back(compiled_->health()->addresses()[a].host);
        say_("health: " + c.named.host + " " + health::address_text(c.named.address) + (c.up ? " up (" : " down (") +
             c.reason + ")");
    }
    if (hosts.empty()) return;
    publisher_.health_changed(compiled_.get(), up_);
    log_fallbacks(hosts, before);
}

std::vector<HealthControl::AddressState> HealthControl::states() const {
    std::lock_guard lock(mutex_);
    const HealthModel& model = *compiled_->health();
    std::vector<AddressState> out;
    out.reserve(targets_.size());
    for (std::size_t i = 0; i < targets_.size(); ++i) {
        const std::uint32_t a = address_of_[i];
        const HealthModel::Host& h = model.hosts()[model.addresses()[a].host];
        AddressState s;
        s.host = targets_[i].host;
        s.site = site_of(s.host, compiled_->zones()[h.zone].origin().text());
        s.address = health::address_text(targets_[i].address);
        s.up = up_[a] != 0;
        auto since = since_.find(key_of(targets_[i]));
        s.since = since == since_.end() ? started_ : since->second;
        out.push_back(std::move(s));
    }
    return out;
}

std::uint64_t HealthControl::changes(bool to_up) const {
    std::lock_guard lock(mutex_);
    return to_up ? changes_up_ : changes_down_;
}

void HealthControl::log_fallbacks(const std::vector<std::uint32_t>& hosts, const std::vector<std::uint8_t>& before) {
    const HealthModel& model = *compiled_->health();
    std::vector<std::uint32_t> sets;
    for (std::uint32_t h : hosts)
        sets.insert(sets.end(), model.hosts()[h].mx_sets.begin(), model.hosts()[h].mx_sets.end());
    std::sort(sets.begin(), sets.end());
    sets.erase(std::unique(sets.begin(), sets.end()), sets.end());
    for (std::uint32_t s : sets) {
        const HealthModel::MxSet& m = model.mx_sets()[s];
        const bool was = model.falls_back(m, before), is = model.falls_back(m, up_);
        if (was == is) continue;
        say_("health: " + m.owner.text() +
             (is ? " MX: every target is down; serving all of them (fail open)"
                 : " MX: a target is back; serving the live ones"));
    }
}

}  // namespace dnsd
