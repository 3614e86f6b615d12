// A minimal DNS client for end-to-end tests: one UDP exchange, or a TCP connection with
// RFC 1035 §4.2.2 framing, both with bounded waits. Messages are raw bytes; tests build and
// decode them with dns_decode.hpp. Only loopback addresses are ever used.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace testsupport {

using Bytes = std::vector<std::uint8_t>;

// The message with its two-byte length in front.
Bytes framed(std::span<const std::uint8_t> message);

// Sends query to host:port (host "127.0.0.1" or "::1") from a fresh socket and returns
// the first datagram that comes back, or nullopt after timeout.
std::optional<Bytes> udp_exchange_at(const std::string& host, std::uint16_t port, std::span<const std::uint8_t> query,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(2));

class TcpConnection {
public:
    // receive_buffer > 0 shrinks SO_RCVBUF before connecting (a client slow to read).
    TcpConnection(const std::string& host, std::uint16_t port, int receive_buffer = 0);
    ~TcpConnection();
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    bool connected() const { return fd_ >= 0; }
    bool send(std::span<const std::uint8_t> bytes);  // all of it, in as many writes as needed
    std::optional<Bytes> read_frame(std::chrono::milliseconds timeout = std::chrono::seconds(2));
    // True if the server closes the connection (EOF or reset) within timeout; whatever it
    // sent before is read and counted into *discarded.
    bool closed_by_peer(std::chrono::milliseconds timeout, std::size_t* discarded = nullptr);

private:
    bool read_exact(std::uint8_t* out, std::size_t n, std::chrono::steady_clock::time_point deadline);
    int fd_ = -1;
};

}  // namespace testsupport
