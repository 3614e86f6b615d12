// AXFR streaming (RFC 5936 §2.2) and the transfer decision (ACL, zone, TSIG).
#include "dnsd/primary/xfr.hpp"

#include <ctime>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dnsd/net/log.hpp"
#include "dnsd/answer/query.hpp"
#include "dnsd/answer/wire.hpp"

namespace dnsd {

namespace {

constexpr std::size_t kPointerLimit = 0x3FFF;  // RFC 1035 §4.1.4: 14-bit offsets
// Room left for the TSIG record (name, algorithm, 32-byte MAC) in a message that must
// still fit the 65535-octet TCP frame.
constexpr std::size_t kTsigRoom = 512;

// Writes one message into a caller's buffer, compressing names against earlier names of
// this message only. Each write is all or nothing (rolled back by the caller via mark()).
class MessageWriter {
public:
    MessageWriter(std::span<std::uint8_t> out, std::size_t limit) : out_(out), limit_(std::min(limit, out.size())) {}

    struct Mark {
        std::size_t pos;
        std::size_t names;
    };
    Mark mark() const { return {pos_, added_.size()}; }
    void rollback(Mark m) {
        pos_ = m.pos;
        while (added_.size() > m.names) {
            known_.erase(added_.back());
            added_.pop_back();
        }
        failed_ = false;
    }
    bool failed() const { return failed_; }
    std::size_t pos() const { return pos_; }
    void set_limit(std::size_t limit) { limit_ = std::min(limit, out_.size()); }

    void u8(std::uint8_t v) {
        if (pos_ + 1 > limit_) {
            failed_ = true;
            return;
        }
        out_[pos_++] = v;
    }
    void u16(std::uint16_t v) {
        u8(static_cast<std::uint8_t>(v >> 8));
        u8(static_cast<std::uint8_t>(v));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v));
    }
    void bytes(std::string_view b) {
        if (pos_ + b.size() > limit_) {
            failed_ = true;
            return;
        }
        std::copy(b.begin(), b.end(), out_.begin() + static_cast<std::ptrdiff_t>(pos_));
        pos_ += b.size();
    }
    void patch16(std::size_t at, std::uint16_t v) { wire::put16(out_.data() + at, v); }

    // name: lower-cased uncompressed wire form. The suffixes are copied for later names to
    // point at: the zone image rebuilds each name in a buffer it reuses.
    void name(std::string_view name) {
        for (std::size_t i = 0; name[i] != 0; i += 1 + static_cast<unsigned char>(name[i])) {
            std::string_view suffix = name.substr(i);
            if (auto it = known_.find(suffix); it != known_.end()) {
                u16(static_cast<std::uint16_t>(0xC000 | it->second));
                return;
            }
            if (pos_ <= kPointerLimit && !failed_) {
                added_.emplace_back(suffix);
                known_.emplace(added_.back(), static_cast<std::uint16_t>(pos_));
            }
            bytes(name.substr(i, 1 + static_cast<unsigned char>(name[i])));
        }
        u8(0);
    }

private:
    std::span<std::uint8_t> out_;
    std::size_t limit_;
    std::size_t pos_ = 0;
    bool failed_ = false;
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, std::uint16_t, Hash, std::equal_to<>> known_;
    std::vector<std::string> added_;
};

// RFC 3597 §4: only the RFC 1035 types may have compressed names in RDATA (here NS and MX;
// the SOA is written from its fields). rdata is canonical wire form from the ZoneImage.
void write_rdata(MessageWriter& w, std::uint16_t type, std::string_view rdata) {
    if (type == wire::type::kNs) {
        w.name(rdata);
    } else if (type == wire::type::kMx) {
        w.bytes(rdata.substr(0, 2));
        w.name(rdata.substr(2));
    } else {
        w.bytes(rdata);
    }
}

void write_soa(MessageWriter& w, const zonegen::Soa& soa) {
    w.name(soa.mname.wire());
    w.name(soa.rname.wire());
    for (std::uint32_t v : {soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum}) w.u32(v);
}

class AxfrStream final : public MessageStream {
public:
    AxfrStream(std::shared_ptr<const AnswerTable> snapshot, const ZoneImage& zone,
               std::span<const std::uint8_t> query, std::size_t message_size, std::optional<TsigSigner> signer,
               std::string peer)
        : snapshot_(std::move(snapshot)),
          zone_(zone),
          message_size_(std::clamp<std::size_t>(message_size, 512, wire::kMaxMessage - kTsigRoom)),
          signer_(std::move(signer)),
          peer_(std::move(peer)) {
        ParsedQuery q;
        parse_query(query, q);
        id_ = q.id;
        rd_ = (q.flags & wire::kFlagRd) != 0;
        if (q.has_question) question_.assign(query.begin() + wire::kHeaderSize, query.begin() + static_cast<long>(q.question_end));
    }

    ~AxfrStream() override {
        if (!peer_.empty() && phase_ != Phase::Done)
            log_line("transfer of " + zone_.origin().text() + " serial " + std::to_string(zone_.serial()) + " to " +
                     peer_ + " aborted after " + std::to_string(messages_) + " messages");
    }

    std::size_t next(std::span<std::uint8_t> out) override {
        if (phase_ == Phase::Done) return 0;
        MessageWriter w(out, message_size_);
        w.u16(id_);
        w.u16(static_cast<std::uint16_t>(wire::kFlagQr | wire::kFlagAa | (rd_ ? wire::kFlagRd : 0)));
        w.u16(question_.empty() ? 0 : 1);
        w.u16(0);  // ANCOUNT, patched below
        w.u16(0);
        w.u16(0);
        w.bytes({reinterpret_cast<const char*>(question_.data()), question_.size()});
        std::uint16_t count = 0;
        bool widened = false;
        while (phase_ != Phase::Done && count < 0xFFFF) {
            const auto mark = w.mark();
            if (phase_ == Phase::Body) {
                w.name(record_.owner());
                w.u16(record_.type());
            } else {
                w.name(zone_.origin().wire());
                w.u16(wire::type::kSoa);
            }
            w.u16(wire::klass::kIn);
            w.u32(phase_ == Phase::Body ? record_.ttl() : zone_.soa_ttl());
            const std::size_t rdlength_at = w.pos();
            w.u16(0);
            if (phase_ == Phase::Body)
                write_rdata(w, record_.type(), record_.rdata());
            else
                write_soa(w, zone_.soa());
            if (w.failed()) {
                w.rollback(mark);
                if (count > 0 || widened) break;
                // A record larger than the target travels alone, as large as a frame allows.
                w.set_limit(wire::kMaxMessage - kTsigRoom);
                widened = true;
                continue;
            }
            w.patch16(rdlength_at, static_cast<std::uint16_t>(w.pos() - rdlength_at - 2));
            ++count;
            advance();
            if (widened) break;  // the oversized record travels alone
        }
        if (count == 0) {  // cannot happen for a zone that compiled; end rather than loop
            phase_ = Phase::Done;
            return 0;
        }
        w.patch16(6, count);
        records_ += count;
        ++messages_;
        std::size_t len = w.pos();
        if (signer_) {
            std::vector<std::uint8_t> msg(out.begin(), out.begin() + static_cast<long>(len));
            if (!signer_->sign(msg) || msg.size() > out.size()) {
                log_line("transfer of " + zone_.origin().text() + " to " + peer_ + ": cannot sign a message");
                phase_ = Phase::Done;
                return 0;
            }
            std::copy(msg.begin(), msg.end(), out.begin());
            len = msg.size();
        }
        if (phase_ == Phase::Done && !peer_.empty())
            log_line("transfer of " + zone_.origin().text() + " serial " + std::to_string(zone_.serial()) + " to " +
                     peer_ + " done: " + std::to_string(records_) + " records in " + std::to_string(messages_) +
                     (messages_ == 1 ? " message" : " messages") + (signer_ ? ", signed" : ""));
        return len;
    }

private:
    enum class Phase { FirstSoa, Body, LastSoa, Done };

    // Moves to the next record: the SOA, the body (read into record_), the SOA again.
    void advance() {
        if (phase_ == Phase::FirstSoa || phase_ == Phase::Body)
            phase_ = zone_.next(offset_, record_) ? Phase::Body : Phase::LastSoa;
        else
            phase_ = Phase::Done;
    }

    std::shared_ptr<const AnswerTable> snapshot_;  // keeps zone_ alive whatever reloads do
    const ZoneImage& zone_;
    std::size_t message_size_;
    std::optional<TsigSigner> signer_;
    std::string peer_;
    std::uint16_t id_ = 0;
    bool rd_ = false;
    std::vector<std::uint8_t> question_;
    Phase phase_ = Phase::FirstSoa;
    std::size_t offset_ = 0;  // into the zone's body, past record_
    ZoneImage::Record record_;
    std::size_t records_ = 0, messages_ = 0;
};

class SingleMessage final : public MessageStream {
public:
    explicit SingleMessage(std::vector<std::uint8_t> message) : message_(std::move(message)) {}
    std::size_t next(std::span<std::uint8_t> out) override {
        if (sent_ || message_.size() > out.size()) return 0;
        sent_ = true;
        std::copy(message_.begin(), message_.end(), out.begin());
        return message_.size();
    }

private:
    std::vector<std::uint8_t> message_;
    bool sent_ = false;
};

const char* tsig_error_name(TsigError e) {
    switch (e) {
        case TsigError::BadKey: return "BADKEY";
        case TsigError::BadSig: return "BADSIG";
        case TsigError::BadTime: return "BADTIME";
        case TsigError::NoError: break;
    }
    return "NOERROR";
}

}  // namespace

std::unique_ptr<MessageStream> make_axfr_stream(std::shared_ptr<const AnswerTable> snapshot, const ZoneImage& zone,
                                                std::span<const std::uint8_t> query, std::size_t message_size,
                                                std::optional<TsigSigner> signer) {
    return std::make_unique<AxfrStream>(std::move(snapshot), zone, query, message_size, std::move(signer),
                                        std::string());
}

std::unique_ptr<MessageStream> make_single_message(std::vector<std::uint8_t> message) {
    return std::make_unique<SingleMessage>(std::move(message));
}

TransferHook make_transfer_hook(std::shared_ptr<const TransferPolicy> policy) {
    return [policy](std::shared_ptr<const AnswerTable> snapshot, std::span<const std::uint8_t> query,
                    const Endpoint& peer) -> std::unique_ptr<MessageStream> {
        ParsedQuery q;
        if (parse_query(query, q) != ParseStatus::Ok || !q.has_question) return nullptr;
        const std::string_view qname(reinterpret_cast<const char*>(q.qname.data()), q.qname_length);
        const char* kind = q.qtype == wire::type::kIxfr ? "IXFR" : "AXFR";
        const ZoneImage* zone = nullptr;
        for (const ZoneImage& z : snapshot->zones())
            if (z.origin().wire() == qname) zone = &z;
        std::string what = std::string(kind) + " of " +
                           (zone ? zone->origin().text() : zonegen::Name::from_wire(qname).value_or(zonegen::Name()).text()) +
                           " from " + peer.text();
        // RFC 5936 §6: transfers only to those allowed; the answer tells a stranger nothing.
        if (!policy->allow.allows(peer)) {
            log_line(what + " refused: address not allowed (--allow-transfer)");
            return nullptr;
        }
        if (!zone) {
            log_line(what + " refused: not a zone served here");
            return nullptr;
        }
        const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
        TsigVerdict verdict = verify_request(policy->key ? &*policy->key : nullptr, query, now);
        if (verdict.is_signed && verdict.error != TsigError::NoError) {
            log_line(what + " refused: TSIG " + tsig_error_name(verdict.error));
            return make_single_message(tsig_error_response(query, verdict, now));
        }
        if (policy->key && !verdict.is_signed) {
            log_line(what + " refused: not signed with TSIG key " + policy->key->name);
            return nullptr;
        }
        std::optional<TsigSigner> signer;
        if (verdict.is_signed) signer.emplace(*policy->key, std::move(verdict.mac));
        // RFC 1995 §4: an IXFR may always be answered with the whole zone, AXFR style.
        log_line(what + ": sending serial " + std::to_string(zone->serial()) + (signer ? " (TSIG)" : ""));
        return std::make_unique<AxfrStream>(snapshot, *zone, query, policy->message_size, std::move(signer),
                                            peer.text());
    };
}

}  // namespace dnsd
