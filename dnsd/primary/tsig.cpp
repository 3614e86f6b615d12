// TSIG keys, verification and signing (RFC 8945) over ldns.
#include "dnsd/primary/tsig.hpp"

#include <cstring>

#include "dnsd/answer/message_writer.hpp"
#include "dnsd/answer/query.hpp"
#include "dnsd/answer/wire.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/core/ldns.hpp"
#include "zonegen/core/name.hpp"

namespace dnsd {

namespace {

constexpr const char* kAlgorithm = "hmac-sha256.";

// Tokens of BIND's configuration syntax: words, quoted strings and the punctuation { } ;
struct Token {
    enum Kind { Word, String, Punct, End } kind = End;
    std::string text;
    int line = 0;
};

class Lexer {
public:
    Lexer(std::string_view text, const std::string& file) : text_(text), file_(file) {}

    // Returns an error message in *error on an unterminated string or comment.
    Token next(std::string* error) {
        skip_space_and_comments(error);
        Token t;
        t.line = line_;
        if (pos_ >= text_.size() || !error->empty()) return t;
        char c = text_[pos_];
        if (c == '{' || c == '}' || c == ';') {
            ++pos_;
            t.kind = Token::Punct;
            t.text = std::string(1, c);
        } else if (c == '"') {
            ++pos_;
            t.kind = Token::String;
            while (pos_ < text_.size() && text_[pos_] != '"') {
                if (text_[pos_] == '\n') ++line_;
                t.text += text_[pos_++];
            }
            if (pos_ >= text_.size()) *error = at(t.line) + "unterminated string";
            ++pos_;
        } else {
            t.kind = Token::Word;
            while (pos_ < text_.size() && !std::strchr(" \t\r\n{};\"#", text_[pos_]) &&
                   text_.substr(pos_, 2) != "//" && text_.substr(pos_, 2) != "/*")
                t.text += text_[pos_++];
        }
        return t;
    }

    std::string at(int line) const { return file_ + ":" + std::to_string(line) + ": "; }

private:
    void skip_space_and_comments(std::string* error) {
        while (pos_ < text_.size()) {
            char c = text_[pos_];
            if (c == '\n') {
                ++line_;
                ++pos_;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                ++pos_;
            } else if (c == '#' || text_.substr(pos_, 2) == "//") {
                while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
            } else if (text_.substr(pos_, 2) == "/*") {
                int start = line_;
                auto end = text_.find("*/", pos_ + 2);
                if (end == std::string_view::npos) {
                    *error = at(start) + "unterminated /* comment";
                    pos_ = text_.size();
                    return;
                }
                for (std::size_t i = pos_; i < end; ++i) line_ += text_[i] == '\n';
                pos_ = end + 2;
            } else {
                return;
            }
        }
    }

    std::string_view text_;
    const std::string& file_;
    std::size_t pos_ = 0;
    int line_ = 1;
};

zonegen::Diagnostic error_at(const std::string& file, int line, std::string message) {
    return {{file, line, 0, {}}, std::move(message)};
}

std::string lower(std::string s) {
    for (char& c : s) c = zonegen::ascii_lower(c);
    return s;
}

zonegen::ldns::Pkt parse_packet(std::span<const std::uint8_t> message) {
    ldns_pkt* p = nullptr;
    if (ldns_wire2pkt(&p, message.data(), message.size()) != LDNS_STATUS_OK) return nullptr;
    return zonegen::ldns::Pkt(p);
}

std::optional<std::vector<std::uint8_t>> to_wire(const ldns_pkt* pkt) {
    std::uint8_t* out = nullptr;
    std::size_t size = 0;
    if (ldns_pkt2wire(&out, pkt, &size) != LDNS_STATUS_OK) return std::nullopt;
    std::vector<std::uint8_t> bytes(out, out + size);
    std::free(out);
    return bytes;
}

std::vector<std::uint8_t> rdf_bytes(const ldns_rdf* rdf) {
    const std::uint8_t* d = ldns_rdf_data(rdf);
    return {d, d + ldns_rdf_size(rdf)};
}

zonegen::ldns::Rdf mac_rdf(const std::vector<std::uint8_t>& mac) {
    return zonegen::ldns::Rdf(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, mac.size(), mac.data()));
}

// Signs pkt in place; prior: the MAC rdf covered (none for a request).
std::optional<std::vector<std::uint8_t>> sign_packet(const TsigKey& key, ldns_pkt* pkt, const ldns_rdf* prior,
                                                     bool timers_only, std::vector<std::uint8_t>* mac_out) {
    if (ldns_pkt_tsig_sign_next(pkt, key.name.c_str(), key.secret.c_str(), kTsigFudge, key.algorithm.c_str(), prior,
                                timers_only ? 1 : 0) != LDNS_STATUS_OK)
        return std::nullopt;
    const ldns_rr* tsig = ldns_pkt_tsig(pkt);
    if (!tsig || ldns_rr_rd_count(tsig) < 4) return std::nullopt;
    if (mac_out) *mac_out = rdf_bytes(ldns_rr_rdf(tsig, 3));
    return to_wire(pkt);
}

}  // namespace

zonegen::Result<TsigKey> parse_tsig_key(std::string_view text, const std::string& file) {
    Lexer lex(text, file);
    std::string err;
    auto expect = [&](const Token& t, Token::Kind kind, const char* what) -> std::optional<zonegen::Diagnostic> {
        if (!err.empty()) return zonegen::Diagnostic{{}, err};
        if (t.kind == kind && (kind != Token::Punct || t.text == what)) return std::nullopt;
        std::string got = t.kind == Token::End ? "the end of the file" : "\"" + t.text + "\"";
        return error_at(file, t.line, std::string("expected ") + what + ", found " + got);
    };

    Token t = lex.next(&err);
    if (err.empty() && t.kind == Token::End) return error_at(file, t.line, "no key statement in the file");
    if (err.empty() && !(t.kind == Token::Word && t.text == "key"))
        return error_at(file, t.line, "expected \"key\", found \"" + t.text + "\"");
    Token name = lex.next(&err);
    if (!err.empty()) return zonegen::Diagnostic{{}, err};
    if (name.kind != Token::String && name.kind != Token::Word)
        return error_at(file, name.line, "expected the key name after \"key\"");
    std::string why;
    auto parsed = zonegen::Name::parse(name.text, &why);
    if (!parsed || parsed->is_root()) return error_at(file, name.line, "bad key name \"" + name.text + "\": " + why);
    if (auto e = expect(lex.next(&err), Token::Punct, "{")) return *e;

    TsigKey key;
    key.name = parsed->text();
    int algorithm_line = 0, secret_line = 0;
    for (;;) {
        Token field = lex.next(&err);
        if (!err.empty()) return zonegen::Diagnostic{{}, err};
        if (field.kind == Token::Punct && field.text == "}") break;
        if (field.kind != Token::Word) {
            if (auto e = expect(field, Token::Punct, "\"algorithm\", \"secret\" or \"}\"")) return *e;
        }
        Token value = lex.next(&err);
        if (!err.empty()) return zonegen::Diagnostic{{}, err};
        if (value.kind != Token::Word && value.kind != Token::String)
            return error_at(file, value.line, "expected a value after \"" + field.text + "\"");
        if (field.text == "algorithm") {
            if (algorithm_line) return error_at(file, field.line, "algorithm given twice");
            algorithm_line = field.line;
            std::string a = lower(value.text);
            if (a != "hmac-sha256" && a != "hmac-sha256.")
                return error_at(file, value.line,
                                "algorithm \"" + value.text + "\" is not supported: use hmac-sha256");
            key.algorithm = kAlgorithm;
        } else if (field.text == "secret") {
            if (secret_line) return error_at(file, field.line, "secret given twice");
            secret_line = field.line;
            zonegen::ldns::Rdf b64(ldns_rdf_new_frm_str(LDNS_RDF_TYPE_B64, value.text.c_str()));
            if (value.text.empty() || !b64) return error_at(file, value.line, "the secret is not base64");
            key.secret = value.text;
        } else {
            return error_at(file, field.line, "unknown key field \"" + field.text + "\"");
        }
        if (auto e = expect(lex.next(&err), Token::Punct, ";")) return *e;
    }
    Token semi = lex.next(&err);
    if (auto e = expect(semi, Token::Punct, ";")) return *e;
    if (!algorithm_line) return error_at(file, name.line, "key \"" + name.text + "\" has no algorithm");
    if (!secret_line) return error_at(file, name.line, "key \"" + name.text + "\" has no secret");
    Token rest = lex.next(&err);
    if (!err.empty()) return zonegen::Diagnostic{{}, err};
    if (rest.kind != Token::End) return error_at(file, rest.line, "only one key per file is supported");
    return key;
}

zonegen::Result<TsigKey> read_tsig_key(const std::string& path) {
    std::string text;
    if (auto err = zonegen::read_file_into(path, text)) return err->diagnostic();
    return parse_tsig_key(text, path);
}

std::size_t tsig_record_size(const TsigKey& key) {
    // Both names uncompressed in wire form: the text's length plus one (a leading length
    // octet and the root label replace the final dot).
    const std::size_t name = key.name.size() + 1, algorithm = key.algorithm.size() + 1;
    // Owner, TYPE CLASS TTL RDLENGTH, then algorithm, time 48 bits, fudge, MAC size, MAC,
    // original ID, error, other length.
    return name + 10 + algorithm + 6 + 2 + 2 + 32 + 2 + 2 + 2;
}

TsigVerdict verify_request(std::span<const TsigKey> keys, std::span<const std::uint8_t> message, std::int64_t now) {
    TsigVerdict v;
    zonegen::ldns::Pkt pkt = parse_packet(message);
    if (!pkt) {
        v.error = TsigError::BadSig;
        return v;
    }
    const ldns_rr* tsig = ldns_pkt_tsig(pkt.get());
    if (!tsig) return v;
    v.is_signed = true;
    if (ldns_rr_rd_count(tsig) < 7) {
        v.error = TsigError::BadSig;
        return v;
    }
    const ldns_rdf* owner = ldns_rr_owner(tsig);
    const ldns_rdf* algorithm = ldns_rr_rdf(tsig, 0);
    v.key_wire.assign(reinterpret_cast<const char*>(ldns_rdf_data(owner)), ldns_rdf_size(owner));
    v.algorithm_wire.assign(reinterpret_cast<const char*>(ldns_rdf_data(algorithm)), ldns_rdf_size(algorithm));
    const ldns_rdf* time = ldns_rr_rdf(tsig, 1);
    if (ldns_rdf_size(time) == 6) {
        const std::uint8_t* d = ldns_rdf_data(time);
        for (int i = 0; i < 6; ++i) v.time_signed = v.time_signed << 8 | d[i];
    }
    v.fudge = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 2));
    v.mac = rdf_bytes(ldns_rr_rdf(tsig, 3));

    // §5.2.1: a key we do not have, or the right name with another algorithm.
    const TsigKey* key = nullptr;
    for (const TsigKey& k : keys) {
        zonegen::ldns::Rdf want_name(ldns_dname_new_frm_str(k.name.c_str()));
        if (want_name && ldns_dname_compare(owner, want_name.get()) == 0) key = &k;
    }
    zonegen::ldns::Rdf want_alg(ldns_dname_new_frm_str(key ? key->algorithm.c_str() : kAlgorithm));
    if (!key || !want_alg || ldns_dname_compare(algorithm, want_alg.get()) != 0) {
        v.error = TsigError::BadKey;
        return v;
    }
    v.key = key;
    // §5.2.2 before §5.2.3: a forged message must not learn anything from the time check.
    if (!ldns_pkt_tsig_verify(pkt.get(), message.data(), message.size(), key->name.c_str(), key->secret.c_str(),
                              nullptr)) {
        v.error = TsigError::BadSig;
        return v;
    }
    const std::int64_t skew = now - static_cast<std::int64_t>(v.time_signed);
    if (skew > v.fudge || -skew > v.fudge) v.error = TsigError::BadTime;
    return v;
}

std::vector<std::uint8_t> tsig_error_response(std::span<const std::uint8_t> query, const TsigVerdict& verdict,
                                              std::int64_t now) {
    using namespace wire;
    if (query.size() < kHeaderSize) return {};
    ParsedQuery q;
    parse_query(query, q);  // for the question as sent; what follows it does not matter here
    std::vector<std::uint8_t> out(kMaxMessage);
    MessageWriter w(out, out.size());
    w.header({.id = q.id,
              .flags = static_cast<std::uint16_t>(kFlagQr | (q.flags & kFlagRd)),
              .opcode = q.opcode,
              .rcode = kRcodeNotAuth});
    if (q.has_question) w.question(query.subspan(kHeaderSize, q.question_end - kHeaderSize));
    auto u48 = [&w](std::uint64_t v) {
        w.u16(static_cast<std::uint16_t>(v >> 32));
        w.u32(static_cast<std::uint32_t>(v));
    };
    // RFC 8945 §4.2 record layout, class ANY, TTL 0; the names as the request spelled them,
    // uncompressed.
    const std::string_view root("\0", 1);
    w.start_record();
    w.plain_name(verdict.key_wire.empty() ? root : std::string_view(verdict.key_wire));
    w.fields(type::kTsig, klass::kAny, 0);
    w.plain_name(verdict.algorithm_wire.empty() ? root : std::string_view(verdict.algorithm_wire));
    u48(verdict.time_signed);
    w.u16(verdict.fudge);
    w.u16(0);  // MAC size: no MAC
    w.u16(q.id);
    w.u16(static_cast<std::uint16_t>(verdict.error));
    if (verdict.error == TsigError::BadTime) {
        w.u16(6);
        u48(static_cast<std::uint64_t>(now));
    } else {
        w.u16(0);
    }
    if (!w.commit(Section::Additional)) return {};  // cannot happen: the names are at most 255 octets
    out.resize(w.pos());
    return out;
}

TsigSigner::TsigSigner(TsigKey key, std::vector<std::uint8_t> request_mac)
    : key_(std::move(key)), prior_mac_(std::move(request_mac)) {}
TsigSigner::~TsigSigner() = default;
TsigSigner::TsigSigner(TsigSigner&&) noexcept = default;
TsigSigner& TsigSigner::operator=(TsigSigner&&) noexcept = default;

bool TsigSigner::sign(std::vector<std::uint8_t>& message) {
    zonegen::ldns::Pkt pkt = parse_packet(message);
    if (!pkt) return false;
    zonegen::ldns::Rdf prior = mac_rdf(prior_mac_);
    std::vector<std::uint8_t> mac;
    auto signed_wire = sign_packet(key_, pkt.get(), prior.get(), !first_, &mac);
    if (!signed_wire) return false;
    message = std::move(*signed_wire);
    prior_mac_ = std::move(mac);
    first_ = false;
    return true;
}

std::optional<std::vector<std::uint8_t>> tsig_sign_request(const TsigKey& key,
                                                           std::span<const std::uint8_t> message) {
    zonegen::ldns::Pkt pkt = parse_packet(message);
    if (!pkt) return std::nullopt;
    return sign_packet(key, pkt.get(), nullptr, false, nullptr);
}

const char* tsig_error_name(TsigError e) {
    switch (e) {
        case TsigError::BadKey: return "BADKEY";
        case TsigError::BadSig: return "BADSIG";
        case TsigError::BadTime: return "BADTIME";
        case TsigError::NoError: break;
    }
    return "NOERROR";
}

}  // namespace dnsd
