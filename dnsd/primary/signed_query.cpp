// Signed queries (RFC 8945 §5): verify, answer through respond(), sign.
#include "dnsd/primary/signed_query.hpp"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <string>

#include "dnsd/answer/query.hpp"
#include "dnsd/answer/wire.hpp"
#include "dnsd/net/log.hpp"
#include "zonegen/core/name.hpp"

namespace dnsd {

namespace {

// respond()'s limits (respond.hpp): the client's EDNS payload within [512, 1232] over UDP,
// 512 without EDNS; a whole frame over TCP.
constexpr std::size_t kMinPayload = 512;
constexpr std::size_t kMaxUdpPayload = 1232;

std::size_t size_limit(const ParsedQuery& q, std::span<std::uint8_t> out, Transport transport) {
    std::size_t limit = std::min(out.size(), wire::kMaxMessage);
    if (transport == Transport::Udp)
        limit = std::min(limit, q.has_opt ? std::clamp<std::size_t>(q.udp_payload, kMinPayload, kMaxUdpPayload)
                                          : kMinPayload);
    return limit;
}

}  // namespace

std::size_t answer_signed(const AnswerTable& table, std::span<const TsigKey> keys,
                          std::span<const std::uint8_t> query, std::span<std::uint8_t> out, Transport transport,
                          std::int64_t now, TsigVerdict* verdict, const AnswerOptions* options) {
    ParsedQuery q;
    if (query.size() < wire::kHeaderSize || parse_query(query, q) != ParseStatus::Ok || !q.has_tsig) return 0;
    TsigVerdict v = verify_request(keys, query, now);
    if (verdict) *verdict = v;
    const std::size_t limit = size_limit(q, out, transport);
    if (!v.is_signed || v.error != TsigError::NoError || !v.key) {
        // §5.2: the error answer (unsigned; see tsig_error_response), or for a TSIG that ldns
        // could not even read, BADSIG as verify_request reports it.
        if (v.error == TsigError::NoError) v.error = TsigError::BadSig;
        if (verdict) *verdict = v;
        const std::vector<std::uint8_t> answer = tsig_error_response(query, v, now);
        if (answer.empty() || answer.size() > limit) return 0;
        std::copy(answer.begin(), answer.end(), out.begin());
        return answer.size();
    }

    // §4.3.3: the request as it was before it was signed: no TSIG, ARCOUNT one less.
    std::vector<std::uint8_t> unsigned_query(query.begin(), query.begin() + static_cast<long>(q.tsig_offset));
    wire::put16(unsigned_query.data() + 10, static_cast<std::uint16_t>(wire::get16(unsigned_query.data() + 10) - 1));

    // respond() answers within the room left for our TSIG, so the signed answer keeps the
    // unsigned one's limit. ldns re-encodes the message as it signs it, and its name
    // compression may differ from ours by a few octets: if the result is over, answer again
    // in that much less room (at most twice: the second shrink covers any difference).
    std::size_t room = limit - std::min(limit, tsig_record_size(*v.key));
    for (int attempt = 0; attempt < 3 && room >= wire::kHeaderSize; ++attempt) {
        const std::size_t len = respond(table, unsigned_query, out.first(room), transport, nullptr, options);
        if (len == 0) return 0;
        std::vector<std::uint8_t> message(out.begin(), out.begin() + static_cast<long>(len));
        TsigSigner signer(*v.key, v.mac);
        if (!signer.sign(message)) return 0;
        if (message.size() <= limit) {
            std::copy(message.begin(), message.end(), out.begin());
            return message.size();
        }
        room -= std::min(room, message.size() - limit);
    }
    return 0;
}

SignedQueryHook make_signed_query_hook(std::shared_ptr<const std::vector<TsigKey>> keys, AnswerOptions options) {
    struct Throttle {
        std::atomic<std::int64_t> last{0};
        std::atomic<std::uint64_t> left_out{0};
    };
    auto throttle = std::make_shared<Throttle>();
    return [keys, throttle, options](const AnswerTable& table, std::span<const std::uint8_t> query,
                                     std::span<std::uint8_t> out, Transport transport, const Endpoint& peer,
                                     QueryInfo& info) -> std::size_t {
        const auto now = static_cast<std::int64_t>(std::time(nullptr));
        TsigVerdict v;
        const std::size_t len = answer_signed(table, *keys, query, out, transport, now, &v, &options);
        if (len >= wire::kHeaderSize) {  // what was sent, for the query log
            info.rcode = static_cast<std::uint8_t>(out[3] & 0x0F);
            info.truncated = (wire::get16(out.data() + 2) & wire::kFlagTc) != 0;
        }
        if (v.error == TsigError::NoError) return len;
        // A failure is worth a line to whoever sets up a secondary, but a flood of forged
        // queries must not become a flood of lines: one a second, the rest counted.
        std::int64_t last = throttle->last.load();
        if (last == now || !throttle->last.compare_exchange_strong(last, now)) {
            throttle->left_out.fetch_add(1);
            return len;
        }
        ParsedQuery q;
        parse_query(query, q);
        std::string qname = "?";
        if (q.has_question)
            qname = zonegen::Name::from_wire({reinterpret_cast<const char*>(q.qname.data()), q.qname_length})
                        .value_or(zonegen::Name())
                        .text();
        const std::uint64_t left_out = throttle->left_out.exchange(0);
        std::string key = "?";
        if (auto name = zonegen::Name::from_wire(v.key_wire)) key = name->text();
        log_line(std::string("signed query for ") + qname + " type " + std::to_string(q.qtype) + " from " +
                 peer.text() + (transport == Transport::Udp ? " over UDP" : " over TCP") + ": TSIG " +
                 tsig_error_name(v.error) + " (key " + key + ")" +
                 (left_out ? ", " + std::to_string(left_out) + " more failures not logged" : ""));
        return len;
    };
}

}  // namespace dnsd
