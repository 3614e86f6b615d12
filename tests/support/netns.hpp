// Network namespaces that a test creates for itself (root only): programs run inside with
// `ip netns exec`, the links and addresses are set with `ip -n`, and a resolver file for
// the namespace goes to /etc/netns/NAME/resolv.conf, which `ip netns exec` bind-mounts over
// /etc/resolv.conf for the programs it starts (the machine's own file is never touched).
// The namespace and that file are removed on destruction, also when the test fails.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace testsupport {

// What a TCP connect from inside a namespace came to within its timeout.
struct ConnectOutcome {
    enum Kind { connected, failed, pending } kind = failed;
    int error = 0;  // errno when failed
    std::string describe() const;
};

class NetNamespace {
public:
    // Creates a namespace called name (callers make it unique, e.g. with their PID) with
    // its loopback up. ok() says whether that worked, error() why not.
    explicit NetNamespace(std::string name);
    ~NetNamespace();  // deletes the namespace and /etc/netns/NAME
    NetNamespace(const NetNamespace&) = delete;
    NetNamespace& operator=(const NetNamespace&) = delete;

    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    const std::string& name() const { return name_; }

    // The arguments of `ip` that run program with args inside the namespace. `ip netns
    // exec` replaces itself with program, so the PID of a Process started with them is the
    // program's own.
    std::vector<std::string> exec_args(const std::string& program, const std::vector<std::string>& args) const;
    // Runs program inside the namespace to completion.
    RunResult run(const std::string& program, const std::vector<std::string>& args,
                  std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
    // `ip -n NAME args...`; false with *why (the command and its stderr) if it failed.
    bool ip(const std::vector<std::string>& args, std::string* why) const;
    // Programs started in the namespace from now on resolve through nameserver.
    bool set_resolver(const std::string& nameserver, std::string* why);

    // The processes in the namespace now (`ip netns pids`).
    std::vector<pid_t> pids() const;

    // A TCP connect from inside the namespace (a thread of this process joins it for the
    // call), given up after timeout.
    ConnectOutcome connect(const std::string& ipv4, std::uint16_t port, std::chrono::milliseconds timeout) const;

private:
    std::string name_;
    std::string error_;
    bool created_ = false;
    bool resolver_written_ = false;
    bool resolver_root_made_ = false;
};

}  // namespace testsupport
