// stderr logging: whole lines, one write each.
#include "dnsd/net/log.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <string>

namespace dnsd {

namespace {

std::atomic<bool> journal_style{false};

void write_all(std::string_view text) {
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // stderr is gone; the server keeps serving
        done += static_cast<std::size_t>(n);
    }
}

// One line in journal style, "<N>" and the line without its "dnsd: ", in one writev so that
// lines of several threads stay whole. A short write (a full pipe, a signal) finishes with
// plain writes: rare, and better than losing the rest of the line.
void write_journal_line(std::string_view line, Priority priority) {
    constexpr std::string_view kName = "dnsd: ";
    if (line.substr(0, kName.size()) == kName) line.remove_prefix(kName.size());
    const bool newline = !line.empty() && line.back() == '\n';
    char prefix[3] = {'<', static_cast<char>('0' + static_cast<int>(priority)), '>'};
    char end = '\n';
    iovec parts[3] = {
        {prefix, sizeof prefix}, {const_cast<char*>(line.data()), line.size()}, {&end, newline ? 0u : 1u}};
    const std::size_t total = sizeof prefix + line.size() + parts[2].iov_len;
    ssize_t n = 0;
    do {
        n = ::writev(STDERR_FILENO, parts, 3);
    } while (n < 0 && errno == EINTR);
    if (n <= 0 || static_cast<std::size_t>(n) == total) return;
    std::size_t done = static_cast<std::size_t>(n);
    for (const iovec& part : parts) {
        std::string_view bytes(static_cast<const char*>(part.iov_base), part.iov_len);
        if (done >= bytes.size()) {
            done -= bytes.size();
            continue;
        }
        write_all(bytes.substr(done));
        done = 0;
    }
}

}  // namespace

void log_to_journal(bool on) { journal_style.store(on, std::memory_order_relaxed); }

void write_stderr(std::string_view text, Priority priority) {
    if (!journal_style.load(std::memory_order_relaxed)) {
        write_all(text);
        return;
    }
    // journald takes the priority of each line from its own prefix.
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::size_t len = end == std::string_view::npos ? text.size() : end + 1;
        write_journal_line(text.substr(0, len), priority);
        text.remove_prefix(len);
    }
}

void log_line(std::string_view message, Priority priority) {
    std::string line;
    line.reserve(message.size() + 8);
    line += "dnsd: ";
    line += message;
    line += '\n';
    write_stderr(line, priority);
}

namespace {

// A bounded appender over a caller's buffer: it never writes past the end.
class Out {
public:
    explicit Out(std::span<char> buf) : buf_(buf) {}
    void put(char c) {
        if (len_ < buf_.size()) buf_[len_++] = c;
    }
    void put(std::string_view s) {
        for (char c : s) put(c);
    }
    void number(unsigned long v) {
        char digits[24];
        int n = std::snprintf(digits, sizeof digits, "%lu", v);
        put(std::string_view(digits, static_cast<std::size_t>(n)));
    }
    std::size_t size() const { return len_; }

private:
    std::span<char> buf_;
    std::size_t len_ = 0;
};

const char* type_text(std::uint16_t type) {
    switch (type) {
        case 1: return "A";
        case 2: return "NS";
        case 6: return "SOA";
        case 15: return "MX";
        case 16: return "TXT";
        case 28: return "AAAA";
        case 251: return "IXFR";
        case 252: return "AXFR";
        case 255: return "ANY";
        default: return nullptr;
    }
}

const char* rcode_text(std::uint8_t rcode) {
    switch (rcode) {
        case 0: return "NOERROR";
        case 1: return "FORMERR";
        case 2: return "SERVFAIL";
        case 3: return "NXDOMAIN";
        case 4: return "NOTIMP";
        case 5: return "REFUSED";
        case 16: return "BADVERS";  // RFC 6891 §6.1.3, an extended RCODE
        default: return nullptr;
    }
}

void put_peer(Out& out, const Endpoint& peer) {
    char addr[INET6_ADDRSTRLEN] = "?";
    if (peer.family() == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&peer.addr)->sin_addr, addr, sizeof addr);
    else if (peer.family() == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&peer.addr)->sin6_addr, addr, sizeof addr);
    bool v6 = peer.family() == AF_INET6;
    if (v6) out.put('[');
    out.put(addr);
    if (v6) out.put(']');
    out.put(':');
    out.number(peer.port());
}

// The question name in presentation form (RFC 1035 §5.1 escapes), or "-" if it does not
// parse as uncompressed labels inside the packet.
void put_qname(Out& out, std::span<const std::uint8_t> query) {
    std::size_t pos = 12, total = 0;
    char text[4 * 255 + 2];
    Out name(text);
    while (pos < query.size()) {
        std::size_t len = query[pos++];
        if (len == 0) {
            if (name.size() == 0) name.put('.');
            out.put(std::string_view(text, name.size()));
            return;
        }
        total += len + 1;
        if (len > 63 || total > 255 || pos + len > query.size()) break;
        for (std::size_t i = 0; i < len; ++i) {
            unsigned char c = query[pos + i];
            if (c == '.' || c == '\\') {
                name.put('\\');
                name.put(static_cast<char>(c));
            } else if (c > 0x20 && c < 0x7f) {
                name.put(static_cast<char>(c));
            } else {
                char esc[5];
                std::snprintf(esc, sizeof esc, "\\%03u", c);
                name.put(esc);
            }
        }
        name.put('.');
        pos += len;
    }
    out.put('-');
}

}  // namespace

std::size_t format_query_line(std::span<char> buf, Transport transport, const Endpoint& peer,
                              std::span<const std::uint8_t> query, const QueryInfo& info, std::size_t response_len) {
    if (buf.empty()) return 0;
    Out out(buf.first(buf.size() - 1));  // the newline always fits
    out.put(transport == Transport::Udp ? "dnsd: query udp " : "dnsd: query tcp ");
    put_peer(out, peer);
    out.put(' ');
    put_qname(out, query);
    out.put(' ');
    if (const char* t = type_text(info.qtype)) {
        out.put(t);
    } else {
        out.put("TYPE");  // RFC 3597 §5
        out.number(info.qtype);
    }
    out.put(' ');
    if (response_len == 0) {
        out.put("dropped");
    } else {
        if (const char* r = rcode_text(info.rcode)) {
            out.put(r);
        } else {
            out.put("RCODE");
            out.number(info.rcode);
        }
        out.put(' ');
        out.number(response_len);
        if (info.truncated) out.put(" TC");
        if (info.is_signed) out.put(" TSIG");
    }
    buf[out.size()] = '\n';
    return out.size() + 1;
}

}  // namespace dnsd
