// The kernel's floor for a UDP server on this machine (a benchmark tool, not a test): it
// answers every datagram with the same bytes and QR set, doing no DNS work, through the
// same loop dnsd's worker runs (epoll_wait, recvmmsg of up to 32, one sendmmsg). dnsperf
// counts such an answer as completed, so scripts/bench-dnsd can time it beside dnsd, NSD
// and Knot: what it costs per query is what any server pays before it does any work.
//
// usage: udp_echo ADDRESS PORT   (runs until killed)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr unsigned kBatch = 32;  // as dnsd's UdpBuffers::kBatch

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: udp_echo ADDRESS PORT\n");
        return 2;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[2])));
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::perror("udp_echo: socket");
        return 1;
    }
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    if (ep < 0 || ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        std::perror("udp_echo: epoll");
        return 1;
    }
    static std::array<std::array<unsigned char, 512>, kBatch> packets;
    static std::array<sockaddr_in, kBatch> peers;
    static std::array<iovec, kBatch> iov;
    static std::array<mmsghdr, kBatch> rx, tx;
    std::array<epoll_event, 8> events;
    for (;;) {
        if (::epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1) <= 0) continue;
        for (unsigned i = 0; i < kBatch; ++i) {
            iov[i] = {packets[i].data(), packets[i].size()};
            rx[i].msg_hdr = {};
            rx[i].msg_hdr.msg_name = &peers[i];
            rx[i].msg_hdr.msg_namelen = sizeof peers[i];
            rx[i].msg_hdr.msg_iov = &iov[i];
            rx[i].msg_hdr.msg_iovlen = 1;
        }
        const int n = ::recvmmsg(fd, rx.data(), kBatch, MSG_DONTWAIT, nullptr);
        if (n <= 0) continue;
        unsigned count = 0;
        for (int i = 0; i < n; ++i) {
            if (rx[i].msg_len < 12) continue;  // no DNS header to flag
            packets[i][2] |= 0x80;             // QR: a response (RFC 1035 §4.1.1)
            iov[i].iov_len = rx[i].msg_len;
            tx[count].msg_hdr = rx[i].msg_hdr;
            ++count;
        }
        if (count) ::sendmmsg(fd, tx.data(), count, MSG_DONTWAIT);
    }
}
