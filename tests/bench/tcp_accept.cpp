// The smarthosts of the health benchmark (a benchmark tool, not a test): one listening
// socket on [::]:PORT, dual-stack, so that it accepts a connection to any loopback address
// (127.0.0.0/8 and ::1), which is all scripts/make-inventory --loopback hands out. Each
// connection is accepted and closed at once: a `dnsd --health tcp` probe passes on the
// connect alone. Once a second it prints "accepted N" (the total so far), so that the
// script can tell the probes arrived at the rate the interval promises.
//
// usage: tcp_accept PORT   (runs until killed)
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: tcp_accept PORT\n");
        return 2;
    }
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_addr = in6addr_any;
    addr.sin6_port = htons(static_cast<std::uint16_t>(std::atoi(argv[1])));
    const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int off = 0, on = 1;
    if (fd < 0 || ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, SOMAXCONN) != 0) {
        std::perror("tcp_accept: socket");
        return 1;
    }
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    if (ep < 0 || ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        std::perror("tcp_accept: epoll");
        return 1;
    }
    using Clock = std::chrono::steady_clock;
    std::uint64_t accepted = 0;
    Clock::time_point next = Clock::now();
    std::array<epoll_event, 1> events;
    for (;;) {
        ::epoll_wait(ep, events.data(), 1, 1000);
        for (;;) {
            const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) break;
            ::close(c);
            ++accepted;
        }
        if (Clock::now() >= next) {
            std::printf("accepted %llu\n", static_cast<unsigned long long>(accepted));
            std::fflush(stdout);
            next += std::chrono::seconds(1);
        }
    }
}
