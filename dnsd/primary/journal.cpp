// The IXFR journal (journal.hpp): taking differences, the bounded chain, and the journals of
// all zones with their files.
#include "dnsd/primary/journal.hpp"

#include <array>
#include <cerrno>
#include <compare>
#include <cstring>

#include "dnsd/answer/wire.hpp"
#include "dnsd/primary/journal_file.hpp"
#include "dnsd/primary/loader.hpp"
#include "zonegen/core/bytes.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/core/serial.hpp"

namespace dnsd {

void append_record(std::string& out, const JournalRecord& r) {
    out += r.owner;
    zonegen::append16(out, r.type);
    zonegen::append32(out, r.ttl);
    zonegen::append16(out, static_cast<std::uint32_t>(r.rdata.size()));
    out += r.rdata;
}

bool read_record(std::string_view bytes, std::size_t& offset, JournalRecord& r) {
    // The owner: labels of at most 63 octets, ending in the root, at most 255 in all.
    std::size_t at = offset;
    while (true) {
        if (at >= bytes.size()) return false;
        const auto length = static_cast<unsigned char>(bytes[at]);
        if (length > wire::kMaxLabel) return false;
        at += 1 + length;
        if (at - offset > wire::kMaxName) return false;
        if (length == 0) break;
    }
    if (bytes.size() - at < 8) return false;
    const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data() + at);
    const std::size_t rdlength = wire::get16(p + 6);
    if (bytes.size() - at - 8 < rdlength) return false;
    r.owner = bytes.substr(offset, at - offset);
    r.type = wire::get16(p);
    r.ttl = wire::get32(p + 2);
    r.rdata = bytes.substr(at + 8, rdlength);
    offset = at + 8 + rdlength;
    return true;
}

std::size_t Difference::bytes() const { return kEntryHeader + kPayloadFixed + records.size(); }

namespace {

// RFC 4034 §6.1: names compared label by label from the root, each label as octets.
std::strong_ordering compare_names(std::string_view a, std::string_view b) {
    if (a == b) return std::strong_ordering::equal;
    std::array<std::uint8_t, 128> la{}, lb{};
    std::size_t na = 0, nb = 0;
    for (std::size_t i = 0; a[i] != 0; i += 1 + static_cast<unsigned char>(a[i]))
        la[na++] = static_cast<std::uint8_t>(i);
    for (std::size_t i = 0; b[i] != 0; i += 1 + static_cast<unsigned char>(b[i]))
        lb[nb++] = static_cast<std::uint8_t>(i);
    while (na > 0 && nb > 0) {
        --na;
        --nb;
        const std::string_view x = a.substr(la[na] + 1u, static_cast<unsigned char>(a[la[na]]));
        const std::string_view y = b.substr(lb[nb] + 1u, static_cast<unsigned char>(b[lb[nb]]));
        if (const int c = x.compare(y); c != 0)
            return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    }
    return na <=> nb;
}

// The order of a zone image's records: owner (§6.1), then type, then RDATA as octets
// (§6.3; ZoneImage keeps RDATA in canonical form). TTL is not part of a record's identity.
std::strong_ordering compare_records(const ZoneImage::Record& a, const ZoneImage::Record& b) {
    if (auto c = compare_names(a.owner(), b.owner()); std::is_neq(c)) return c;
    if (auto c = a.type() <=> b.type(); std::is_neq(c)) return c;
    const int c = a.rdata().compare(b.rdata());
    return c < 0 ? std::strong_ordering::less : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

JournalRecord view(const ZoneImage::Record& r) { return {r.owner(), r.type(), r.ttl(), r.rdata()}; }

JournalRecord soa_record(const ZoneImage& z, std::string& rdata) {
    zonegen::append_rdata_wire(z.soa(), rdata);
    return {z.origin().wire(), wire::type::kSoa, z.soa_ttl(), rdata};
}

// Reads the records of z from offset begin up to offset end into r, checking that each
// comes after the one before; sets broken if the order is wrong.
class Walker {
public:
    Walker(const ZoneImage& z, std::size_t begin, std::size_t end) : z_(z), offset_(begin), end_(end) {
        more_ = offset_ < end_ && z_.next(offset_, r_);
    }
    bool more() const { return more_; }
    const ZoneImage::Record& record() const { return r_; }
    bool advance() {
        prev_ = r_;
        more_ = offset_ < end_ && z_.next(offset_, r_);
        if (more_ && compare_records(prev_, r_) != std::strong_ordering::less) broken_ = true;
        return more_;
    }
    bool broken() const { return broken_; }

private:
    const ZoneImage& z_;
    std::size_t offset_;
    std::size_t end_;
    ZoneImage::Record r_, prev_;
    bool more_ = false;
    bool broken_ = false;
};

}  // namespace

std::optional<Difference> diff(const ZoneImage& from, const ZoneImage& to) {
    if (!(from.origin() == to.origin())) return std::nullopt;
    Difference d;
    d.from = from.serial();
    d.to = to.serial();
    d.digest = to.digest();
    std::string soa_rdata;
    append_record(d.records, soa_record(from, soa_rdata));
    std::string added;
    // Only where the versions differ: a one-host change of a 100,000-site zone is a few
    // records among 800,000, and walking them all took a fifth of a second.
    const ZoneImage::Differing range = ZoneImage::differing(from, to);
    Walker a(from, range.begin, range.a_end), b(to, range.begin, range.b_end);
    while (a.more() || b.more()) {
        auto c = !a.more() ? std::strong_ordering::greater
                           : (!b.more() ? std::strong_ordering::less : compare_records(a.record(), b.record()));
        if (std::is_eq(c) && a.record().ttl() == b.record().ttl()) {
            a.advance();
            b.advance();
            continue;
        }
        if (std::is_lteq(c)) {  // only in the old version, or its TTL changed: deleted
            append_record(d.records, view(a.record()));
            ++d.deleted;
        }
        if (std::is_gteq(c)) {  // only in the new version, or its TTL changed: added
            append_record(added, view(b.record()));
            ++d.added;
        }
        if (std::is_lteq(c)) a.advance();
        if (std::is_gteq(c)) b.advance();
        if (a.broken() || b.broken()) return std::nullopt;
    }
    if (a.broken() || b.broken()) return std::nullopt;
    soa_rdata.clear();
    append_record(d.records, soa_record(to, soa_rdata));
    d.records += added;
    return d;
}

bool Journal::add(std::shared_ptr<const Difference> d) {
    bool dropped = false;
    if (!entries_.empty() && entries_.back()->to != d->from) {
        clear();
        dropped = true;
    }
    bytes_ += d->bytes();
    entries_.push_back(std::move(d));
    while (!entries_.empty() && bytes_ > bound_) {
        bytes_ -= entries_.front()->bytes();
        entries_.pop_front();
        dropped = true;
    }
    return dropped;
}

void Journal::clear() {
    entries_.clear();
    bytes_ = 0;
}

std::optional<Chain> Journal::chain(std::uint32_t from, std::uint32_t to) const {
    if (from == to) return Chain{};
    // The newest difference that starts at from: serials only grow along the journal, but
    // one could in principle come round again after 2^31 versions.
    for (std::size_t i = entries_.size(); i-- > 0;) {
        if (entries_[i]->from != from) continue;
        Chain c;
        for (std::size_t k = i; k < entries_.size(); ++k) {
            c.push_back(entries_[k]);
            if (entries_[k]->to == to) return c;
        }
        return std::nullopt;
    }
    return std::nullopt;
}

Journals::Journals(std::size_t bound, std::optional<std::string> dir, Say say)
    : bound_(bound), dir_(std::move(dir)), say_(std::move(say)) {
    while (dir_ && dir_->size() > 1 && dir_->back() == '/') dir_->pop_back();
}

Journals::Zone& Journals::zone(const zonegen::Name& origin) {
    return zones_.try_emplace(std::string(origin.wire()), bound_).first->second;
}

std::optional<std::string> Journals::file_of(const zonegen::Name& origin) const {
    if (!dir_) return std::nullopt;
    // The same file names as the state directory's serial files (state_dir.cpp).
    std::string name = zone_text(origin);
    if (name == ".") name = "root";
    for (char& c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) c = '_';
    return *dir_ + "/" + name + ".journal";
}

void Journals::open(const ZoneImage& served) {
    std::lock_guard lock(mutex_);
    Zone& z = zone(served.origin());
    z.journal.clear();
    z.file_bytes = 0;
    const auto path = file_of(served.origin());
    if (!path) return;
    std::string bytes;
    if (auto err = zonegen::read_file_into(*path, bytes)) {
        if (!err->missing) say_("--state-dir: " + err->text() + "; starting with an empty IXFR journal");
        return;
    }
    ParsedJournal parsed = parse_journal(bytes);
    std::optional<std::string> problem = parsed.problem;
    if (!problem && !parsed.entries.empty() &&
        (parsed.entries.back()->to != served.serial() || parsed.entries.back()->digest != served.digest()))
        problem = "its last version (serial " + std::to_string(parsed.entries.back()->to) +
                  ") is not the one served now (serial " + std::to_string(served.serial()) + ")";
    if (problem) {
        say_("--state-dir: " + *path + ": " + *problem +
             "; starting with an empty IXFR journal (secondaries get a full transfer)");
        return;  // file_bytes 0: the next difference rewrites the file
    }
    for (auto& d : parsed.entries) z.journal.add(std::move(d));
    z.file_bytes = bytes.size();
    if (!parsed.entries.empty())
        say_("IXFR journal of " + zone_text(served.origin()) + ": " + std::to_string(z.journal.entries().size()) +
             " differences from serial " + std::to_string(z.journal.entries().front()->from) + " (" + *path + ")");
}

void Journals::store(const zonegen::Name& origin, Zone& z, const Difference& d, bool rewrite) {
    const auto path = file_of(origin);
    if (!path) return;
    std::optional<std::string> err;
    // Appended while the file holds the journal as it was and stays within the bound;
    // otherwise written anew from memory, where the oldest are already dropped.
    if (!rewrite && z.file_bytes > 0 && z.file_bytes + d.bytes() <= bound_ + kJournalMagic.size()) {
        const std::string entry = encode_entry(d);
        err = append_synced(*path, entry);
        if (!err) z.file_bytes += entry.size();
    } else {
        const std::string file = encode_journal(z.journal);
        err = zonegen::write_file_atomically(*path, file);
        if (!err) z.file_bytes = file.size();
    }
    if (err) {
        z.file_bytes = 0;  // rewritten whole next time
        say_("--state-dir: " + *err + "; the IXFR journal of " + zone_text(origin) + " may not survive a restart");
    }
}

void Journals::changed(const ZoneImage& previous, const ZoneImage& served) {
    std::lock_guard lock(mutex_);
    Zone& z = zone(served.origin());
    std::optional<Difference> d;
    if (zonegen::serial_gt(served.serial(), previous.serial())) d = diff(previous, served);
    if (!d) {
        // The same serial with other records, a serial that went back, or images out of
        // order: no chain through this version can be right.
        z.journal.clear();
        store(served.origin(), z, Difference{}, true);
        return;
    }
    const bool rewrite = z.journal.add(std::make_shared<const Difference>(std::move(*d)));
    if (z.journal.entries().empty()) {
        store(served.origin(), z, Difference{}, true);
        return;
    }
    store(served.origin(), z, *z.journal.entries().back(), rewrite);
}

std::optional<Chain> Journals::chain(const zonegen::Name& origin, std::uint32_t from, std::uint32_t to) const {
    std::lock_guard lock(mutex_);
    auto it = zones_.find(std::string(origin.wire()));
    if (it == zones_.end()) return from == to ? std::optional<Chain>(Chain{}) : std::nullopt;
    return it->second.journal.chain(from, to);
}

std::size_t Journals::bytes(const zonegen::Name& origin) const {
    std::lock_guard lock(mutex_);
    auto it = zones_.find(std::string(origin.wire()));
    return it == zones_.end() ? 0 : it->second.journal.bytes();
}

std::size_t Journals::file_bytes(const zonegen::Name& origin) const {
    std::lock_guard lock(mutex_);
    auto it = zones_.find(std::string(origin.wire()));
    return it == zones_.end() ? 0 : it->second.file_bytes;
}

}  // namespace dnsd
