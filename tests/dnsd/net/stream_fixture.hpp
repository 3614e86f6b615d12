// Helpers shared by the TCP session and server tests: a query-shaped message and a
// MessageStream that yields a fixed run of them, standing in for a zone transfer.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "dnsd/net/tcp_session.hpp"

namespace nettest {

using Bytes = std::vector<std::uint8_t>;

// A query-shaped message: the ID, QR clear (a message with QR set ends a TCP
// conversation), then filler up to size.
inline Bytes message(std::uint16_t id, std::size_t size = 20) {
    Bytes m(size, 0xab);
    m[0] = static_cast<std::uint8_t>(id >> 8);
    m[1] = static_cast<std::uint8_t>(id);
    m[2] = 0x01;
    return m;
}

// Yields count messages of size bytes, IDs from first_id on.
class FakeStream final : public dnsd::MessageStream {
public:
    FakeStream(std::uint16_t first_id, int count, std::size_t size, int* pulled)
        : id_(first_id), left_(count), size_(size), pulled_(pulled) {}
    std::size_t next(std::span<std::uint8_t> out) override {
        if (left_ == 0) return 0;
        --left_;
        ++*pulled_;
        Bytes m = message(id_++, size_);
        std::memcpy(out.data(), m.data(), m.size());
        return m.size();
    }

private:
    std::uint16_t id_;
    int left_;
    std::size_t size_;
    int* pulled_;
};

}  // namespace nettest
