// Loopback UDP and TCP exchanges for end-to-end tests.
#include "tests/support/dns_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace testsupport {

namespace {

bool make_address(const std::string& host, std::uint16_t port, sockaddr_storage& ss, socklen_t& len) {
    ss = {};
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        len = sizeof *v4;
        return true;
    }
    if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        len = sizeof *v6;
        return true;
    }
    return false;
}

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

Bytes framed(std::span<const std::uint8_t> message) {
    Bytes out(2 + message.size());
    out[0] = static_cast<std::uint8_t>(message.size() >> 8);
    out[1] = static_cast<std::uint8_t>(message.size());
    if (!message.empty()) std::memcpy(out.data() + 2, message.data(), message.size());
    return out;
}

std::optional<Bytes> udp_exchange_at(const std::string& host, std::uint16_t port, std::span<const std::uint8_t> query,
                                     std::chrono::milliseconds timeout) {
    sockaddr_storage ss;
    socklen_t len = 0;
    if (!make_address(host, port, ss, len)) return std::nullopt;
    int fd = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    std::optional<Bytes> answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 && ::send(fd, query.data(), query.size(), 0) >= 0) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
            Bytes buf(65535);
            ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
            if (n >= 0) {
                buf.resize(static_cast<std::size_t>(n));
                answer = std::move(buf);
            }
        }
    }
    ::close(fd);
    return answer;
}

TcpConnection::TcpConnection(const std::string& host, std::uint16_t port, int receive_buffer) {
    sockaddr_storage ss;
    socklen_t len = 0;
    if (!make_address(host, port, ss, len)) return;
    fd_ = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

TcpConnection::~TcpConnection() {
    if (fd_ >= 0) ::close(fd_);
}

bool TcpConnection::send(std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool TcpConnection::read_exact(std::uint8_t* out, std::size_t n, std::chrono::steady_clock::time_point deadline) {
    std::size_t got = 0;
    while (got < n) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) != 1) return false;
        ssize_t r = ::recv(fd_, out + got, n - got, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        got += static_cast<std::size_t>(r);
    }
    return true;
}

std::optional<Bytes> TcpConnection::read_frame(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::uint8_t len[2];
    if (fd_ < 0 || !read_exact(len, 2, deadline)) return std::nullopt;
    Bytes message(static_cast<std::size_t>(len[0]) << 8 | len[1]);
    if (!read_exact(message.data(), message.size(), deadline)) return std::nullopt;
    return message;
}

bool TcpConnection::closed_by_peer(std::chrono::milliseconds timeout, std::size_t* discarded) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[65536];
    for (;;) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) != 1) return false;
        ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0 || (r < 0 && errno == ECONNRESET)) return true;
        if (r < 0) return false;
        if (discarded) *discarded += static_cast<std::size_t>(r);
    }
}

}  // namespace testsupport
