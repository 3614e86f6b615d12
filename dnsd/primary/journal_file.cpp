// The journal file's format (journal_file.hpp): encoding, the checked parse, synced appends.
#include "dnsd/primary/journal_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "dnsd/answer/wire.hpp"
#include "zonegen/core/bytes.hpp"

namespace dnsd {

namespace {

constexpr std::array<std::uint32_t, 256> make_crc_table() {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
    return t;
}
constexpr auto kCrcTable = make_crc_table();

std::uint32_t get32(std::string_view s, std::size_t at) {
    return wire::get32(reinterpret_cast<const std::uint8_t*>(s.data() + at));
}

// The serial of a SOA record's RDATA: the first of the five numbers that end it.
std::optional<std::uint32_t> soa_serial(const JournalRecord& r) {
    if (r.type != wire::type::kSoa || r.rdata.size() < 22) return std::nullopt;
    return get32(r.rdata, r.rdata.size() - 20);
}

// One payload: its fixed fields, then exactly deleted + added + 2 records in which the
// SOAs stand where they must and carry the serials the fields name.
std::optional<std::string> parse_payload(std::string_view p, Difference& d) {
    if (p.size() < kPayloadFixed) return "too short";
    d.from = get32(p, 0);
    d.to = get32(p, 4);
    d.digest = (std::uint64_t{get32(p, 8)} << 32) | get32(p, 12);
    d.deleted = get32(p, 16);
    d.added = get32(p, 20);
    const std::string_view records = p.substr(kPayloadFixed);
    std::size_t offset = 0;
    std::uint64_t count = 0;
    const std::uint64_t new_soa_at = std::uint64_t{d.deleted} + 1;
    JournalRecord r;
    while (offset < records.size()) {
        if (!read_record(records, offset, r)) return "a record that is not whole";
        if (count == 0 && soa_serial(r) != d.from)
            return "it does not start with the SOA of serial " + std::to_string(d.from);
        if (count == new_soa_at && soa_serial(r) != d.to) return "its new SOA is not serial " + std::to_string(d.to);
        ++count;
    }
    if (count != std::uint64_t{d.deleted} + d.added + 2) return "its record count does not match";
    d.records.assign(records);
    return std::nullopt;
}

}  // namespace

std::uint32_t crc32(std::string_view bytes) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : bytes) c = kCrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

std::string encode_entry(const Difference& d) {
    std::string payload;
    payload.reserve(kPayloadFixed + d.records.size());
    zonegen::append32(payload, d.from);
    zonegen::append32(payload, d.to);
    zonegen::append32(payload, static_cast<std::uint32_t>(d.digest >> 32));
    zonegen::append32(payload, static_cast<std::uint32_t>(d.digest));
    zonegen::append32(payload, d.deleted);
    zonegen::append32(payload, d.added);
    payload += d.records;
    std::string entry;
    entry.reserve(kEntryHeader + payload.size());
    zonegen::append32(entry, static_cast<std::uint32_t>(payload.size()));
    zonegen::append32(entry, crc32(payload));
    entry += payload;
    return entry;
}

std::string encode_journal(const Journal& journal) {
    std::string out(kJournalMagic);
    for (const auto& d : journal.entries()) out += encode_entry(*d);
    return out;
}

ParsedJournal parse_journal(std::string_view bytes) {
    ParsedJournal out;
    if (bytes.substr(0, kJournalMagic.size()) != kJournalMagic) {
        out.problem = "not a dnsd journal (no \"dnsd-journal 1\" line)";
        return out;
    }
    std::size_t at = kJournalMagic.size();
    for (std::size_t n = 1; at < bytes.size(); ++n) {
        const std::string where = " in entry " + std::to_string(n) + " at offset " + std::to_string(at);
        if (bytes.size() - at < kEntryHeader) {
            out.problem = "cut short" + where;
            return out;
        }
        const std::uint32_t length = get32(bytes, at);
        if (length > bytes.size() - at - kEntryHeader) {
            out.problem = "cut short or bad length" + where;
            return out;
        }
        const std::string_view payload = bytes.substr(at + kEntryHeader, length);
        if (crc32(payload) != get32(bytes, at + 4)) {
            out.problem = "bad checksum" + where;
            return out;
        }
        auto d = std::make_shared<Difference>();
        if (auto why = parse_payload(payload, *d)) {
            out.problem = *why + where;
            return out;
        }
        if (!out.entries.empty() && out.entries.back()->to != d->from) {
            out.problem = "the chain breaks" + where + " (serial " + std::to_string(out.entries.back()->to) +
                          ", then " + std::to_string(d->from) + ")";
            return out;
        }
        out.entries.push_back(std::move(d));
        at += kEntryHeader + length;
    }
    return out;
}

std::optional<std::string> append_synced(const std::string& path, std::string_view bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return path + ": cannot open: " + std::strerror(errno);
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string why = std::strerror(errno);
            ::close(fd);
            return path + ": cannot append: " + why;
        }
        done += static_cast<std::size_t>(n);
    }
    // fdatasync: the data and the size that finds it, before the version is served.
    if (::fdatasync(fd) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        return path + ": cannot sync: " + why;
    }
    ::close(fd);
    return std::nullopt;
}

}  // namespace dnsd
