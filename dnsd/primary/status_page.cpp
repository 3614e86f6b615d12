// The HTML of the status page (status_page.hpp).
#include "dnsd/primary/status_page.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include "dnsd/answer/health_model.hpp"
#include "dnsd/answer/wire.hpp"
#include "dnsd/primary/loader.hpp"

namespace dnsd {

namespace {

using Clock = std::chrono::system_clock;

// Narrow screens first: one column, tables that scroll sideways rather than overflow.
constexpr const char* kStyle = R"(
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:0 12px 24px;color:#1b1f24;background:#f6f7f9}
header{padding:14px 0 6px}h1{font-size:1.3em;margin:0}h2{font-size:1.1em;margin:22px 0 8px}
.sub{color:#57606a;font-size:.9em}.card{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:10px 12px;margin:8px 0}
.wrap{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px 4px 0;vertical-align:top}
th{font-weight:600;color:#57606a;font-size:.85em}code{font-size:.95em}
.tier{display:flex;gap:8px;align-items:baseline;padding:4px 0;border-top:1px solid #eef0f2}.tier:first-of-type{border-top:0}
.pref{min-width:4.5em;color:#57606a;font-size:.9em}.hosts{display:flex;flex-wrap:wrap;gap:6px}
.host{border:1px solid #d8dee4;border-radius:6px;padding:2px 8px}.host small{color:#57606a}
.up{color:#1a7f37}.down{color:#cf222e}.partly{color:#9a6700}.unchecked{color:#57606a}
.withdrawn{text-decoration:line-through;opacity:.65}.err{color:#cf222e}
.badge{font-size:.8em;font-weight:600;text-transform:uppercase;letter-spacing:.03em}
@media (min-width:720px){body{max-width:980px;margin:0 auto}}
)";

std::string utc(Clock::time_point t) {
    const std::time_t tt = Clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

// "2026-12-06 13:44:27 UTC, 3 min ago"
std::string when(Clock::time_point t, Clock::time_point now) {
    const auto ago = std::chrono::duration_cast<std::chrono::seconds>(now - t).count();
    std::string rel;
    if (ago < 0)
        rel = "";
    else if (ago < 120)
        rel = std::to_string(ago) + " s ago";
    else if (ago < 2 * 3600)
        rel = std::to_string(ago / 60) + " min ago";
    else if (ago < 2 * 86400)
        rel = std::to_string(ago / 3600) + " h ago";
    else
        rel = std::to_string(ago / 86400) + " days ago";
    return utc(t) + (rel.empty() ? "" : ", " + rel);
}

std::string no_dot(std::string name) {
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    return name;
}

struct ShownMx {
    std::uint16_t preference = 0;
    std::string target;  // without the final dot
    bool served = true;
};
struct ShownSet {
    std::string owner;
    std::vector<ShownMx> records;
    bool fail_open = false;  // every target down: all served (README "Health")
};

// The MX RRsets as the served version answers them: through the health model when health
// is on (withdrawn records kept, marked), else as the zones hold them. A model for the
// serials only (--state-dir without health checks) holds no MX RRset.
std::vector<ShownSet> mx_sets(const AnswerTable& table) {
    std::vector<ShownSet> out;
    if (const HealthModel* model = table.health(); model && !model->mx_sets().empty()) {
        const auto up = table.health_state();
        for (const HealthModel::MxSet& m : model->mx_sets()) {
            ShownSet s{no_dot(m.owner.text()), {}, !up.empty() && model->falls_back(m, up)};
            for (const HealthModel::MxRecord& r : m.records)
                s.records.push_back({r.mx.preference, no_dot(r.mx.exchange.text()), model->record_served(m, r, up)});
            out.push_back(std::move(s));
        }
        return out;
    }
    for (const ZoneImage& z : table.zones()) {
        std::size_t offset = 0;
        ZoneImage::Record r;
        while (z.next(offset, r)) {
            if (r.type() != wire::type::kMx || r.rdata().size() < 3) continue;
            auto owner = zonegen::Name::from_wire(r.owner());
            auto target = zonegen::Name::from_wire(r.rdata().substr(2));
            if (!owner || !target) continue;
            const std::string name = no_dot(owner->text());
            if (out.empty() || out.back().owner != name) out.push_back({name, {}, false});
            const auto* p = reinterpret_cast<const std::uint8_t*>(r.rdata().data());
            out.back().records.push_back({wire::get16(p), no_dot(target->text()), true});
        }
    }
    return out;
}

class Page {
public:
    void raw(std::string_view s) { html_ += s; }
    void text(std::string_view s) { html_ += html_escape(s); }
    std::string take() && { return std::move(html_); }

private:
    std::string html_;
};

void zones_section(Page& p, const StatusInput& in) {
    p.raw(
        "<h2>Zones</h2><div class=\"card wrap\"><table><tr><th>Zone</th><th>Serial</th><th>Records</th>"
        "<th>Loaded</th></tr>");
    for (const ZoneImage& z : in.table->zones()) {
        const std::string name = zone_text(z.origin());
        p.raw("<tr><td><code>");
        p.text(name);
        p.raw("</code></td><td><code>" + std::to_string(z.serial()) + "</code></td><td>" +
              std::to_string(z.record_count()) + "</td><td>");
        if (in.activity)
            for (const Activity::Zone& a : in.activity->zones)
                if (a.name == name) p.text(when(a.loaded, in.now));
        p.raw("</td></tr>");
    }
    p.raw("</table></div>");
}

void reload_section(Page& p, const StatusInput& in) {
    const Activity::Snapshot& a = *in.activity;
    p.raw("<h2>Last reload</h2><div class=card>");
    if (!a.last_reload) {
        p.raw("None since the start at ");
        p.text(when(a.started, in.now));
        p.raw(" (<code>kill -HUP</code> reloads).");
    } else if (a.last_reload_error.empty()) {
        p.raw("<span class=up>OK</span> at ");
        p.text(when(*a.last_reload, in.now));
    } else {
        p.raw("<span class=err>Failed</span> at ");
        p.text(when(*a.last_reload, in.now));
        p.raw(", still serving the previous version:<pre class=err>");
        p.text(a.last_reload_error);
        p.raw("</pre>");
        if (a.last_reload_ok) {
            p.raw("Last successful reload: ");
            p.text(when(*a.last_reload_ok, in.now));
        }
    }
    p.raw("<div class=sub>" + std::to_string(a.reloads_ok) + " succeeded, " + std::to_string(a.reloads_failed) +
          " failed</div></div>");
}

void event_cell(Page& p, const std::optional<Activity::Event>& e, Clock::time_point now) {
    p.raw("<td>");
    if (!e) {
        p.raw("<span class=unchecked>none yet</span></td>");
        return;
    }
    const bool bad = e->result.rfind("answered", 0) != 0 && e->result.rfind("full", 0) != 0 &&
                     e->result.rfind("incremental", 0) != 0 && e->result.rfind("up_to_date", 0) != 0;
    p.raw(bad ? "<span class=err>" : "<span class=up>");
    p.text(e->result);
    p.raw("</span> <code>");
    p.text(no_dot(e->zone));
    p.raw(" " + std::to_string(e->serial) + "</code><br><small>");
    p.text(when(e->at, now));
    p.raw("</small></td>");
}

void secondaries_section(Page& p, const StatusInput& in) {
    p.raw("<h2>Secondaries</h2><div class=\"card wrap\">");
    if (in.activity->secondaries.empty()) {
        p.raw("None: no <code>--notify</code> target, and no transfer requested yet.</div>");
        return;
    }
    p.raw("<table><tr><th>Address</th><th>Last NOTIFY</th><th>Last transfer</th></tr>");
    for (const auto& [address, s] : in.activity->secondaries) {
        p.raw("<tr><td><code>");
        p.text(address);
        p.raw("</code></td>");
        event_cell(p, s.notify, in.now);
        event_cell(p, s.transfer, in.now);
        p.raw("</tr>");
    }
    p.raw("</table></div>");
}

// One MX target with its health: every checked address, and since when it is in the state
// shown (the latest change of the addresses that make it so).
void host_chip(Page& p, const ShownMx& r, const StatusInput& in) {
    std::vector<const HealthControl::AddressState*> addresses;
    if (in.health)
        for (const auto& s : *in.health)
            if (no_dot(s.host) == r.target) addresses.push_back(&s);
    const auto down = std::count_if(addresses.begin(), addresses.end(), [](const auto* s) { return !s->up; });
    const char* cls = !in.health                                    ? ""
                      : addresses.empty()                           ? "unchecked"
                      : down == 0                                   ? "up"
                      : down == static_cast<long>(addresses.size()) ? "down"
                                                                    : "partly";
    const char* state = !in.health                                    ? ""
                        : addresses.empty()                           ? "not checked"
                        : down == 0                                   ? "up"
                        : down == static_cast<long>(addresses.size()) ? "down"
                                                                      : "partly down";
    p.raw(std::string("<span class=\"host") + (r.served ? "" : " withdrawn") + "\"><code>");
    p.text(r.target);
    p.raw("</code>");
    if (*state) {
        p.raw(std::string(" <span class=\"badge ") + cls + "\">" + state + "</span>");
        Clock::time_point since{};
        for (const auto* s : addresses)
            if ((down == 0 || !s->up) && s->since > since) since = s->since;
        if (!addresses.empty()) {
            p.raw("<br><small>since ");
            p.text(when(since, in.now));
            for (const auto* s : addresses) {
                p.raw("<br>");
                p.raw(s->up ? "<span class=up>&#9679;</span> " : "<span class=down>&#9675;</span> ");
                p.text(s->address);
            }
            p.raw("</small>");
        }
    }
    if (!r.served) p.raw(" <small>(withdrawn)</small>");
    p.raw("</span>");
}

void sites_section(Page& p, const StatusInput& in) {
    p.raw("<h2>Sites: MX tiers as served now</h2>");
    const std::vector<ShownSet> sets = mx_sets(*in.table);
    if (sets.empty()) p.raw("<div class=card>No MX records.</div>");
    for (const ShownSet& s : sets) {
        p.raw("<div class=card><div><b><code>");
        p.text(s.owner);
        p.raw("</code></b>");
        if (s.fail_open) p.raw(" <span class=\"badge down\">every target down: all served (fail open)</span>");
        p.raw("</div>");
        std::map<std::uint16_t, std::vector<const ShownMx*>> tiers;
        for (const ShownMx& r : s.records) tiers[r.preference].push_back(&r);
        int n = 0;
        for (const auto& [preference, records] : tiers) {
            p.raw("<div class=tier><div class=pref>tier " + std::to_string(++n) + "<br>MX " +
                  std::to_string(preference) + "</div><div class=hosts>");
            for (const ShownMx* r : records) host_chip(p, *r, in);
            p.raw("</div></div>");
        }
        p.raw("</div>");
    }
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string render_status_page(const StatusInput& in) {
    Page p;
    p.raw(
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content=\"width=device-width,initial-scale=1\"><title>dnsd status</title><style>");
    p.raw(kStyle);
    p.raw("</style></head><body><header><h1>dnsd ");
    p.text(SMARTHOST_VERSION);
    p.raw("</h1><div class=sub>");
    if (!in.table) {
        p.raw("Starting: loading the zones; not answering yet.</div></header></body></html>\n");
        return std::move(p).take();
    }
    p.text(in.listen);
    p.raw(" &middot; ");
    p.text(utc(in.now));
    p.raw(in.health ? " &middot; health checks on" : " &middot; health checks off");
    p.raw("</div></header>");
    zones_section(p, in);
    if (in.activity) {
        reload_section(p, in);
        secondaries_section(p, in);
    }
    sites_section(p, in);
    p.raw(
        "<p class=sub><a href=\"/metrics\">/metrics</a> &middot; <a href=\"/healthz\">/healthz</a></p>"
        "</body></html>\n");
    return std::move(p).take();
}

}  // namespace dnsd
