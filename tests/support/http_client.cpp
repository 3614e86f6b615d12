// HTTP GET and exposition parsing for tests (http_client.hpp).
#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <vector>

namespace testsupport {

std::optional<HttpReply> http_get(const std::string& host, std::uint16_t port, const std::string& path,
                                  std::chrono::milliseconds timeout) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) return std::nullopt;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string raw;
    bool complete = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
        if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
            char buf[16384];
            for (;;) {
                auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                                  std::chrono::steady_clock::now());
                pollfd p{fd, POLLIN, 0};
                if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) break;
                ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                if (n < 0) break;
                if (n == 0) {
                    complete = true;
                    break;
                }
                raw.append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    ::close(fd);
    const auto head_end = raw.find("\r\n\r\n");
    if (!complete || head_end == std::string::npos || raw.compare(0, 9, "HTTP/1.1 ") != 0) return std::nullopt;
    HttpReply r;
    r.status = std::atoi(raw.c_str() + 9);
    std::string head = raw.substr(0, head_end);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (auto at = lower.find("\r\ncontent-type: "); at != std::string::npos) {
        const auto from = at + 16;
        r.content_type = head.substr(from, head.find("\r\n", from) - from);
    }
    std::string body = raw.substr(head_end + 4);
    if (lower.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
        std::string plain;
        std::size_t at = 0;
        while (at < body.size()) {
            const std::size_t line_end = body.find("\r\n", at);
            if (line_end == std::string::npos) return std::nullopt;
            const std::size_t size = std::stoul(body.substr(at, line_end - at), nullptr, 16);
            if (size == 0) break;
            plain += body.substr(line_end + 2, size);
            at = line_end + 2 + size + 2;
        }
        body = std::move(plain);
    }
    r.body = std::move(body);
    return r;
}

std::string sample_key(const std::string& name, const std::string& labels) {
    std::vector<std::string> parts;
    std::istringstream in(labels);
    std::string part;
    while (std::getline(in, part, ','))
        if (!part.empty()) {
            const auto eq = part.find('=');
            std::string value = part.substr(eq + 1);
            if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
            parts.push_back(part.substr(0, eq) + "=\"" + value + "\"");
        }
    std::sort(parts.begin(), parts.end());
    std::string key = name;
    if (!parts.empty()) {
        key += '{';
        for (std::size_t i = 0; i < parts.size(); ++i) key += (i ? "," : "") + parts[i];
        key += '}';
    }
    return key;
}

std::map<std::string, double> parse_samples(const std::string& exposition) {
    std::map<std::string, double> out;
    std::istringstream in(exposition);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        // Label values here never hold '}' or a space: dnsd's labels are names and words.
        const auto brace = line.find('{');
        const auto space = line.rfind(' ');
        if (space == std::string::npos) continue;
        std::string name, labels;
        if (brace != std::string::npos && brace < space) {
            name = line.substr(0, brace);
            labels = line.substr(brace + 1, line.find('}') - brace - 1);
        } else {
            name = line.substr(0, space);
        }
        out[sample_key(name, labels)] = std::stod(line.substr(space + 1));
    }
    return out;
}

std::uint16_t http_port_of(const std::string& line) {
    const auto at = line.find("http on ");
    if (at == std::string::npos) return 0;
    const auto colon = line.find(' ', at + 8);
    const std::string address = line.substr(at + 8, colon - at - 8);
    const auto last = address.rfind(':');
    return last == std::string::npos ? 0 : static_cast<std::uint16_t>(std::stoul(address.substr(last + 1)));
}

}  // namespace testsupport
