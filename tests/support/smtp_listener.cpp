// The fake SMTP server's thread: each round reads what clients sent (so an early write is
// seen before the next greeting line goes out), then sends the greeting lines that are due,
// then accepts new connections.
#include "tests/support/smtp_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

namespace testsupport {

using Clock = std::chrono::steady_clock;

struct SmtpListener::Open {
    int fd = -1;
    std::size_t session = 0;         // index into sessions_
    std::vector<std::string> lines;  // greeting lines still to send
    Clock::time_point next_line{};   // when the next one goes out
};

namespace {

std::vector<std::string> split_lines(const std::string& greeting) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < greeting.size()) {
        std::size_t nl = greeting.find('\n', start);
        nl = nl == std::string::npos ? greeting.size() : nl + 1;
        lines.push_back(greeting.substr(start, nl - start));
        start = nl;
    }
    return lines;
}

}  // namespace

SmtpListener::SmtpListener(std::string address, std::uint16_t port) : address_(std::move(address)), port_(port) {
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    restart();
}

SmtpListener::~SmtpListener() {
    stop();
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

bool SmtpListener::listening() const {
    std::lock_guard lock(mutex_);
    return listen_fd_ >= 0;
}

bool SmtpListener::listen_now() {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port_);
    if (inet_pton(AF_INET, address_.c_str(), &sin.sin_addr) != 1) return false;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    socklen_t len = sizeof sin;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0 || ::listen(fd, 128) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len) != 0) {
        ::close(fd);
        return false;
    }
    port_ = ntohs(sin.sin_port);
    listen_fd_ = fd;
    return true;
}

bool SmtpListener::restart() {
    stop();
    {
        std::lock_guard lock(mutex_);
        if (!listen_now()) return false;
        stopping_ = false;
    }
    thread_ = std::thread([this] { run(); });
    return true;
}

void SmtpListener::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    const std::uint64_t one = 1;
    if (thread_.joinable()) {
        (void)!::write(wake_fd_, &one, sizeof one);
        thread_.join();
    }
    std::lock_guard lock(mutex_);
    std::uint64_t drained = 0;
    (void)!::read(wake_fd_, &drained, sizeof drained);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
    for (Open& o : open_) ::close(o.fd);
    open_.clear();
    changed_.notify_all();
}

void SmtpListener::set_greetings(std::vector<std::string> greetings, std::chrono::milliseconds line_gap) {
    std::lock_guard lock(mutex_);
    greetings_ = std::move(greetings);
    line_gap_ = line_gap;
}

void SmtpListener::set_mode(SmtpMode mode) {
    std::lock_guard lock(mutex_);
    mode_ = mode;
}

std::size_t SmtpListener::connections() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

std::vector<SmtpSession> SmtpListener::sessions() const {
    std::lock_guard lock(mutex_);
    return sessions_;
}

std::size_t SmtpListener::max_open() const {
    std::lock_guard lock(mutex_);
    return max_open_;
}

bool SmtpListener::wait_for_connections(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return sessions_.size() >= n; });
}

bool SmtpListener::wait_none_open(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return open_.empty(); });
}

void SmtpListener::accept_all() {
    for (;;) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        SmtpSession s;
        s.accepted = Clock::now();
        s.greeting = greetings_.empty() ? std::string() : greetings_[sessions_.size() % greetings_.size()];
        if (mode_ == SmtpMode::Close || mode_ == SmtpMode::Reset) {
            if (mode_ == SmtpMode::Reset) {
                const linger abort{1, 0};  // close(2) then sends RST instead of FIN
                ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
            }
            ::close(fd);
            sessions_.push_back(std::move(s));
            continue;
        }
        Open o;
        o.fd = fd;
        o.session = sessions_.size();
        if (mode_ == SmtpMode::Greet) o.lines = split_lines(s.greeting);
        o.next_line = s.accepted;
        sessions_.push_back(std::move(s));
        open_.push_back(std::move(o));
        max_open_ = std::max(max_open_, open_.size());
    }
}

void SmtpListener::run() {
    std::vector<pollfd> fds;
    for (;;) {
        int wait = -1;
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            fds.assign({{wake_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}});
            const auto now = Clock::now();
            for (const Open& o : open_) {
                fds.push_back({o.fd, POLLIN, 0});
                if (o.lines.empty()) continue;
                const auto ms = std::chrono::ceil<std::chrono::milliseconds>(o.next_line - now).count();
                wait = wait < 0 ? static_cast<int>(std::max<long long>(ms, 0))
                                : std::min(wait, static_cast<int>(std::max<long long>(ms, 0)));
            }
        }
        ::poll(fds.data(), fds.size(), wait);
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        // Reads first: bytes that arrived before a line is sent count as an early write.
        for (std::size_t i = 2; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            auto it = std::find_if(open_.begin(), open_.end(), [&](const Open& o) { return o.fd == fds[i].fd; });
            if (it == open_.end()) continue;
            SmtpSession& s = sessions_[it->session];
            std::array<char, 512> buf;
            bool closed = false;
            for (;;) {
                const ssize_t n = ::recv(it->fd, buf.data(), buf.size(), 0);
                if (n > 0) {
                    if (!s.greeted) s.wrote_before_greeting = true;
                    s.received.append(buf.data(), static_cast<std::size_t>(n));
                    continue;
                }
                closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
                break;
            }
            s.quit = s.greeted && s.received.find("QUIT\r\n") != std::string::npos;
            if (closed) {
                s.client_closed = true;
                ::close(it->fd);
                open_.erase(it);
            }
        }
        const auto now = Clock::now();
        for (Open& o : open_) {
            if (o.lines.empty() || o.next_line > now) continue;
            const std::string line = o.lines.front();
            o.lines.erase(o.lines.begin());
            (void)::send(o.fd, line.data(), line.size(), MSG_NOSIGNAL);
            o.next_line = now + line_gap_;
            if (o.lines.empty()) sessions_[o.session].greeted = true;
        }
        accept_all();
        changed_.notify_all();
    }
}

}  // namespace testsupport
