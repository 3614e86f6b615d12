// Zone transfers out (RFC 5936 AXFR; RFC 1995 IXFR from the journal, else the whole zone,
// §4): who may transfer, which zone, and the stream of messages that carries it. The stream holds
// the AnswerTable snapshot the transfer started on, so a reload in the middle changes
// nothing for it (DESIGN "Reload").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "dnsd/answer/answer_table.hpp"
#include "dnsd/net/server.hpp"
#include "dnsd/net/tcp_session.hpp"
#include "dnsd/primary/acl.hpp"
#include "dnsd/primary/activity.hpp"
#include "dnsd/primary/journal.hpp"
#include "dnsd/primary/tsig.hpp"
#include "zonegen/core/zone.hpp"

namespace dnsd {

struct TransferPolicy {
    TransferAcl allow;          // --allow-transfer; empty: nobody
    std::vector<TsigKey> keys;  // --tsig-key, names distinct; which one a request needs is allow's to say
    // Target size of one message; a record larger than this goes alone in its message.
    // 16 KiB keeps a message small enough for a slow secondary yet cuts per-message cost.
    std::size_t message_size = 16 * 1024;
    // Where IXFR finds its differences (RFC 1995 §4); nullptr: every IXFR gets the full zone.
    std::shared_ptr<const Journals> journals;
    // Where each transfer's outcome is counted (/metrics, the status page); nullptr: nowhere.
    std::shared_ptr<Activity> activity;
};

// The messages of one AXFR of zone (which must belong to snapshot): the SOA first, then
// every other record in canonical order (RFC 4034 §6.1), the SOA again last (RFC 5936
// §2.2). Every message has QR and AA, the request's ID and question, and names compressed
// only against earlier names of the same message, so each decodes on its own. With a
// signer every message carries a TSIG (RFC 8945 §5.3.1).
std::unique_ptr<MessageStream> make_axfr_stream(std::shared_ptr<const AnswerTable> snapshot, const ZoneImage& zone,
                                                std::span<const std::uint8_t> query, std::size_t message_size,
                                                std::optional<TsigSigner> signer = std::nullopt);

// A stream of one ready-made message (a TSIG error answer).
std::unique_ptr<MessageStream> make_single_message(std::vector<std::uint8_t> message);

// The server's transfer hook: a peer no rule covers or a name that is no zone's apex gets
// respond()'s REFUSED (nullptr); then a TSIG that fails gets NOTAUTH with
// BADKEY/BADSIG/BADTIME; a request whose address and key (or lack of one) no rule allows
// gets REFUSED; otherwise the zone is streamed, signed with the request's key if it was
// signed: for an IXFR whose client is current the SOA alone, for one whose serial is in
// the journal the differences since, else the whole zone. Every decision is logged with
// the peer's address.
TransferHook make_transfer_hook(std::shared_ptr<const TransferPolicy> policy);

}  // namespace dnsd
