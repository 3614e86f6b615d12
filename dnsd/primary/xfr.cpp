// AXFR and IXFR streaming (RFC 5936 §2.2, RFC 1995 §4) and the transfer decision (ACL,
// zone, TSIG, journal).
#include "dnsd/primary/xfr.hpp"

#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dnsd/answer/message_writer.hpp"
#include "dnsd/answer/query.hpp"
#include "dnsd/answer/wire.hpp"
#include "dnsd/net/log.hpp"
#include "dnsd/primary/loader.hpp"
#include "zonegen/core/serial.hpp"

namespace dnsd {

namespace {

// Room left for the TSIG record (name, algorithm, 32-byte MAC) in a message that must
// still fit the 65535-octet TCP frame.
constexpr std::size_t kTsigRoom = 512;

// An AXFR, or with a chain an IXFR: the current SOA, the chain's records (each difference's
// old SOA, deletions, new SOA, additions), the current SOA again; an empty chain is the
// current SOA alone (RFC 1995 §2, §4). Both are framed alike (RFC 5936 §2.2).
class AxfrStream final : public MessageStream {
public:
    AxfrStream(std::shared_ptr<const AnswerTable> snapshot, const ZoneImage& zone,
               std::span<const std::uint8_t> query, std::size_t message_size, std::optional<TsigSigner> signer,
               std::string peer, std::optional<Chain> chain = std::nullopt, std::uint32_t from = 0)
        : snapshot_(std::move(snapshot)),
          zone_(zone),
          message_size_(std::clamp<std::size_t>(message_size, 512, wire::kMaxMessage - kTsigRoom)),
          signer_(std::move(signer)),
          peer_(std::move(peer)),
          ixfr_(chain.has_value()),
          chain_(std::move(chain).value_or(Chain{})),
          from_(from) {
        ParsedQuery q;
        parse_query(query, q);
        id_ = q.id;
        rd_ = (q.flags & wire::kFlagRd) != 0;
        if (q.has_question)
            question_.assign(query.begin() + wire::kHeaderSize, query.begin() + static_cast<long>(q.question_end));
    }

    ~AxfrStream() override {
        if (!peer_.empty() && phase_ != Phase::Done)
            log_line("transfer of " + zone_.origin().text() + " serial " + std::to_string(zone_.serial()) + " to " +
                     peer_ + " aborted after " + std::to_string(messages_) + " messages");
    }

    std::size_t next(std::span<std::uint8_t> out) override {
        if (phase_ == Phase::Done) return 0;
        // Names are compressed against earlier names of this message only (each message
        // decodes on its own), never against the question: it keeps the client's case.
        MessageWriter w(out, message_size_);
        w.header({.id = id_,
                  .flags = static_cast<std::uint16_t>(wire::kFlagQr | wire::kFlagAa | (rd_ ? wire::kFlagRd : 0))});
        if (!question_.empty()) w.question(question_);
        bool widened = false;
        while (phase_ != Phase::Done) {
            if (phase_ == Phase::Body && ixfr_) {
                w.start_record(change_.owner, change_.type, wire::klass::kIn, change_.ttl);
                w.rdata(change_.type, change_.rdata);
            } else if (phase_ == Phase::Body) {
                w.start_record(record_.owner(), record_.type(), wire::klass::kIn, record_.ttl());
                w.rdata(record_.type(), record_.rdata());
            } else {
                w.start_record(zone_.origin().wire(), wire::type::kSoa, wire::klass::kIn, zone_.soa_ttl());
                w.rdata(zone_.soa());
            }
            if (!w.commit(wire::Section::Answer)) {
                // Full (or ANCOUNT at 65535): the record opens the next message.
                if (w.count(wire::Section::Answer) > 0 || widened) break;
                // A record larger than the target travels alone, as large as a frame allows.
                w.set_limit(wire::kMaxMessage - kTsigRoom);
                widened = true;
                continue;
            }
            advance();
            if (widened) break;  // the oversized record travels alone
        }
        const std::uint16_t count = w.count(wire::Section::Answer);
        if (count == 0) {  // cannot happen for a zone that compiled; end rather than loop
            phase_ = Phase::Done;
            return 0;
        }
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
        bytes_ += 2 + len;  // with the TCP length field
        if (phase_ == Phase::Done && !peer_.empty() && ixfr_)
            log_line("IXFR of " + zone_.origin().text() + " from " + peer_ + ": serial " + std::to_string(from_) +
                     " -> " + std::to_string(zone_.serial()) + ", " + std::to_string(chain_.size()) +
                     " differences, " + std::to_string(bytes_) + " bytes" + (signer_ ? ", signed" : ""));
        else if (phase_ == Phase::Done && !peer_.empty())
            log_line("transfer of " + zone_.origin().text() + " serial " + std::to_string(zone_.serial()) + " to " +
                     peer_ + " done: " + std::to_string(records_) + " records in " + std::to_string(messages_) +
                     (messages_ == 1 ? " message" : " messages") + ", " + std::to_string(bytes_) + " bytes" +
                     (signer_ ? ", signed" : ""));
        return len;
    }

private:
    enum class Phase { FirstSoa, Body, LastSoa, Done };

    // Moves to the next record: the SOA, the body (the zone's records read into record_, or
    // the chain's into change_), the SOA again.
    void advance() {
        if (ixfr_ && phase_ == Phase::FirstSoa && chain_.empty())
            phase_ = Phase::Done;  // RFC 1995 §2: the client is current; the SOA alone
        else if (ixfr_ && phase_ != Phase::LastSoa)
            phase_ = next_change() ? Phase::Body : Phase::LastSoa;
        else if (phase_ == Phase::FirstSoa || phase_ == Phase::Body)
            phase_ = zone_.next(offset_, record_) ? Phase::Body : Phase::LastSoa;
        else
            phase_ = Phase::Done;
    }
    bool next_change() {
        for (; diff_ < chain_.size(); ++diff_, diff_offset_ = 0)
            if (read_record(chain_[diff_]->records, diff_offset_, change_)) return true;
        return false;
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
    std::size_t records_ = 0, messages_ = 0, bytes_ = 0;
    bool ixfr_;
    Chain chain_;  // shared with the journal, which may drop them meanwhile
    std::uint32_t from_;
    std::size_t diff_ = 0, diff_offset_ = 0;  // into chain_, past change_
    JournalRecord change_;
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
        const zonegen::Name asked_zone = zone ? zone->origin()
                                              : zonegen::Name::from_wire(qname).value_or(zonegen::Name());
        std::string what = std::string(kind) + " of " + asked_zone.text() + " from " + peer.text();
        const bool ixfr = q.qtype == wire::type::kIxfr;
        auto record = [&](TransferResult r) {
            if (policy->activity)
                policy->activity->transfer(peer, zone_text(asked_zone), zone ? zone->serial() : 0, ixfr, r);
        };
        // RFC 5936 §6: transfers only to those allowed; the answer tells a stranger nothing.
        if (!policy->allow.covers(peer)) {
            log_line(what + " refused: address not allowed (--allow-transfer)");
            record(TransferResult::Refused);
            return nullptr;
        }
        if (!zone) {
            log_line(what + " refused: not a zone served here");
            record(TransferResult::Refused);
            return nullptr;
        }
        const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
        TsigVerdict verdict = verify_request(policy->keys, query, now);
        if (verdict.is_signed && verdict.error != TsigError::NoError) {
            log_line(what + " refused: TSIG " + tsig_error_name(verdict.error));
            record(TransferResult::TsigError);
            return make_single_message(tsig_error_response(query, verdict, now));
        }
        const TsigKey* key = verdict.is_signed ? verdict.key : nullptr;
        if (!policy->allow.allows(peer, key ? &key->name : nullptr)) {
            log_line(what + " refused: " +
                     (key ? "key " + key->name + " is not allowed from this address (--allow-transfer)"
                          : std::string("not signed with a TSIG key that --allow-transfer requires")));
            record(TransferResult::Refused);
            return nullptr;
        }
        std::optional<TsigSigner> signer;
        if (key) signer.emplace(*key, std::move(verdict.mac));
        if (ixfr) {
            // RFC 1995 §2 and §4: a client that is current (or ahead) gets the SOA alone, one
            // whose serial is in the journal the differences since; any other the whole zone.
            std::uint32_t from = 0;
            std::optional<Chain> chain;
            const bool asked = ixfr_client_serial(query, q, from);
            if (asked && !zonegen::serial_gt(zone->serial(), from))
                chain = Chain{};
            else if (asked && policy->journals)
                chain = policy->journals->chain(zone->origin(), from, zone->serial());
            if (chain) {
                record(chain->empty() ? TransferResult::UpToDate : TransferResult::Incremental);
                return std::make_unique<AxfrStream>(snapshot, *zone, query, policy->message_size, std::move(signer),
                                                    peer.text(), std::move(chain), from);
            }
            log_line(what + ": " + (asked ? "serial " + std::to_string(from) : std::string("no SOA in the request")) +
                     " not in the journal, sending the full zone");
        }
        // RFC 1995 §4: an IXFR may always be answered with the whole zone, AXFR style.
        log_line(what + ": sending serial " + std::to_string(zone->serial()) + (signer ? " (TSIG)" : ""));
        record(TransferResult::Full);
        return std::make_unique<AxfrStream>(snapshot, *zone, query, policy->message_size, std::move(signer),
                                            peer.text());
    };
}

}  // namespace dnsd
