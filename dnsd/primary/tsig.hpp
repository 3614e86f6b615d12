// TSIG (RFC 8945) with hmac-sha256 for signed queries, zone transfers and NOTIFY: keys from
// BIND key files, verification of a request, signing of an answer, of every message of a
// transfer (§5.3.1) and of our NOTIFY queries, and the unsigned error answers. The cryptography is ldns's
// (through zonegen/core/ldns.hpp), used only off the packet path.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "zonegen/core/diagnostic.hpp"

namespace dnsd {

struct TsigKey {
    std::string name;       // presentation form, lower-cased, with the trailing dot
    std::string algorithm;  // "hmac-sha256."
    std::string secret;     // base64, as in the file
};

// BIND's key-file syntax (what tsig-keygen writes):
//   key "name" { algorithm hmac-sha256; secret "base64"; };
// with #, // and /* */ comments. Exactly one key; errors are "file:line: message".
zonegen::Result<TsigKey> parse_tsig_key(std::string_view text, const std::string& file);
zonegen::Result<TsigKey> read_tsig_key(const std::string& path);

// The TSIG Error field values of RFC 8945 §5.2.
enum class TsigError : std::uint16_t { NoError = 0, BadSig = 16, BadKey = 17, BadTime = 18 };

// "BADKEY", "BADSIG", "BADTIME" (or "NOERROR"), for the log lines.
const char* tsig_error_name(TsigError e);

inline constexpr std::uint16_t kTsigFudge = 300;  // RFC 8945 §10: 300 seconds recommended
inline constexpr std::uint8_t kRcodeNotAuth = 9;

// What the TSIG record of a request says about it.
struct TsigVerdict {
    bool is_signed = false;
    TsigError error = TsigError::NoError;
    std::vector<std::uint8_t> mac;  // the request's MAC, to be covered by the answer's
    std::string key_wire;           // the key name and algorithm as the request spelled them
    std::string algorithm_wire;
    std::uint64_t time_signed = 0;
    std::uint16_t fudge = 0;
    const TsigKey* key = nullptr;  // the configured key the request named, unless BADKEY
};

// Checks a request's TSIG in the order of RFC 8945 §5.2: the key (one of keys, by name, with
// its algorithm, else BADKEY; a signed request when no key is configured is BADKEY too), the
// MAC (BADSIG), then the time (BADTIME, outside time signed +/- fudge). now: seconds since
// the epoch. A message ldns cannot parse counts as unsigned with BadSig.
TsigVerdict verify_request(std::span<const TsigKey> keys, std::span<const std::uint8_t> message, std::int64_t now);
inline TsigVerdict verify_request(const TsigKey* key, std::span<const std::uint8_t> message, std::int64_t now) {
    return verify_request(key ? std::span<const TsigKey>(key, 1) : std::span<const TsigKey>(), message, now);
}

// The TSIG record's size in a message signed with key (RFC 8945 §4.2, hmac-sha256's 32-byte
// MAC, no Other Data): the room an answer must leave for it.
std::size_t tsig_record_size(const TsigKey& key);

// The answer to a request whose TSIG failed (RFC 8945 §5.2): NOTAUTH, the question, no
// records but a TSIG that carries the error and an empty MAC; for BADTIME, Other Data holds
// our time so the client can see the skew. Unsigned: we cannot sign with a key we do not
// share, and even for BADTIME dnsd sends no MAC (clients reject the answer either way).
std::vector<std::uint8_t> tsig_error_response(std::span<const std::uint8_t> query, const TsigVerdict& verdict,
                                              std::int64_t now);

// Signs the messages of one answer stream: the first covers the request's MAC and all
// TSIG variables, each later one the previous MAC and the timers only (RFC 8945 §5.3.1).
class TsigSigner {
public:
    TsigSigner(TsigKey key, std::vector<std::uint8_t> request_mac);
    ~TsigSigner();
    TsigSigner(TsigSigner&&) noexcept;
    TsigSigner& operator=(TsigSigner&&) noexcept;
    // Replaces message by its signed form (TSIG appended, ARCOUNT raised). False if ldns
    // could not parse or sign it; message is then unchanged.
    bool sign(std::vector<std::uint8_t>& message);

private:
    TsigKey key_;
    std::vector<std::uint8_t> prior_mac_;  // the MAC the next signature covers
    bool first_ = true;
};

// Signs a request (our NOTIFY): all TSIG variables, no prior MAC. nullopt if ldns fails.
std::optional<std::vector<std::uint8_t>> tsig_sign_request(const TsigKey& key, std::span<const std::uint8_t> message);

}  // namespace dnsd
