// Test network namespaces: created and deleted with ip(8), joined by one short-lived
// thread for a connect (setns(2) changes only the calling thread's namespace).
#include "tests/support/netns.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <thread>

#include "tests/support/shell.hpp"

namespace testsupport {

namespace {

const std::string kResolverRoot = "/etc/netns/";

std::string joined(const std::vector<std::string>& args) {
    std::string out;
    for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
    return out;
}

ConnectOutcome connect_here(const std::string& ipv4, std::uint16_t port, std::chrono::milliseconds timeout) {
    ConnectOutcome outcome;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    if (::inet_pton(AF_INET, ipv4.c_str(), &to.sin_addr) != 1) {
        outcome.error = EINVAL;
        return outcome;
    }
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        outcome.error = errno;
        return outcome;
    }
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0) {
        outcome.kind = ConnectOutcome::connected;
    } else if (errno != EINPROGRESS) {
        outcome.error = errno;
    } else {
        pollfd p{fd, POLLOUT, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
        if (ready == 0) {
            outcome.kind = ConnectOutcome::pending;
        } else {
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err == 0)
                outcome.kind = ConnectOutcome::connected;
            else
                outcome.error = err;
        }
    }
    ::close(fd);
    return outcome;
}

}  // namespace

std::string ConnectOutcome::describe() const {
    switch (kind) {
        case connected: return "connected";
        case pending: return "still pending at the timeout";
        case failed: break;
    }
    return std::string("failed: ") + std::strerror(error);
}

NetNamespace::NetNamespace(std::string name) : name_(std::move(name)) {
    auto added = testsupport::run("ip", {"netns", "add", name_});
    if (added.status != 0) {
        error_ = "ip netns add " + name_ + ": " + added.err;
        return;
    }
    created_ = true;
    ip({"link", "set", "lo", "up"}, &error_);
}

NetNamespace::~NetNamespace() {
    if (resolver_written_) {
        std::error_code ec;
        std::filesystem::remove_all(kResolverRoot + name_, ec);
        // /etc/netns itself only if this test made it and no other namespace has a file there.
        if (resolver_root_made_) std::filesystem::remove(kResolverRoot, ec);
    }
    if (created_) testsupport::run("ip", {"netns", "delete", name_});
}

std::vector<std::string> NetNamespace::exec_args(const std::string& program,
                                                 const std::vector<std::string>& args) const {
    std::vector<std::string> all = {"netns", "exec", name_, program};
    all.insert(all.end(), args.begin(), args.end());
    return all;
}

RunResult NetNamespace::run(const std::string& program, const std::vector<std::string>& args,
                            std::chrono::milliseconds timeout) const {
    return testsupport::run("ip", exec_args(program, args), timeout);
}

bool NetNamespace::ip(const std::vector<std::string>& args, std::string* why) const {
    std::vector<std::string> all = {"-n", name_};
    all.insert(all.end(), args.begin(), args.end());
    auto r = testsupport::run("ip", all);
    if (r.status == 0) return true;
    if (why) *why = "ip " + joined(all) + ": " + r.err;
    return false;
}

std::vector<pid_t> NetNamespace::pids() const {
    std::vector<pid_t> pids;
    const std::string text = testsupport::run("ip", {"netns", "pids", name_}).out;
    const char* at = text.data();
    const char* end = text.data() + text.size();
    while (at < end) {
        pid_t pid = 0;
        auto [next, ec] = std::from_chars(at, end, pid);
        if (ec == std::errc()) pids.push_back(pid);
        at = next == at ? at + 1 : next;
    }
    return pids;
}

bool NetNamespace::set_resolver(const std::string& nameserver, std::string* why) {
    std::error_code ec;
    resolver_root_made_ = std::filesystem::create_directory(kResolverRoot, ec);
    std::filesystem::create_directory(kResolverRoot + name_, ec);
    resolver_written_ = true;
    if (ec) {
        if (why) *why = kResolverRoot + name_ + ": " + ec.message();
        return false;
    }
    write_text(kResolverRoot + name_ + "/resolv.conf", "nameserver " + nameserver + "\n");
    return true;
}

ConnectOutcome NetNamespace::connect(const std::string& ipv4, std::uint16_t port,
                                     std::chrono::milliseconds timeout) const {
    ConnectOutcome outcome;
    std::thread joiner([&] {
        const int ns = ::open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
        if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) {
            outcome.error = errno;
            if (ns >= 0) ::close(ns);
            return;
        }
        ::close(ns);
        outcome = connect_here(ipv4, port, timeout);
    });
    joiner.join();
    return outcome;
}

}  // namespace testsupport
