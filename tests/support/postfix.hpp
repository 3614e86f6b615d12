// Postfix as a real mail sender in end-to-end tests, inside a test's network namespace: a
// private instance (`postfix -c DIR`, its own queue, data directory and log file, SMTP
// submission on 127.0.0.1:2525 only, nothing delivered locally), and smtp-sink listeners as
// the smarthosts it relays to. The machine's own Postfix (/etc/postfix, its queue, its
// master) is never used or touched.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

namespace testsupport {

class PostfixInstance {
public:
    static constexpr std::uint16_t kSubmissionPort = 2525;

    // Writes the configuration (main.cf gets main_cf_lines after the instance's own
    // settings, so they win) and starts the instance inside ns. ok() says whether the
    // master runs; error() why not.
    PostfixInstance(const NetNamespace& ns, const std::vector<std::string>& main_cf_lines);
    // `postfix stop`; a master still running after a bounded wait is killed by the PID in its
    // pid file (and only that PID).
    ~PostfixInstance();
    PostfixInstance(const PostfixInstance&) = delete;
    PostfixInstance& operator=(const PostfixInstance&) = delete;

    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    pid_t master_pid() const;  // from its pid file; 0 if none

    // Submits count messages over SMTP to the instance with Postfix's smtp-source, run inside
    // the namespace; the result says whether all were accepted.
    RunResult submit(int count, const std::string& recipient) const;

    std::string log() const;  // the instance's maillog_file
    // Lines of the log that contain needle.
    std::vector<std::string> log_lines(std::string_view needle) const;

private:
    const NetNamespace& ns_;
    TempDir dir_;
    std::string error_;
    bool started_ = false;
};

// smtp-sink on ADDRESS:25 inside ns: accepts every message and dumps each one to a file of
// its own, so the test can count what arrived where.
class SmtpSink {
public:
    SmtpSink(const NetNamespace& ns, std::string ipv4);
    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    const std::string& address() const { return address_; }
    pid_t pid() const { return process_ ? process_->pid() : -1; }
    std::size_t messages() const;  // message files dumped so far

private:
    std::string address_;
    TempDir dir_;
    std::unique_ptr<Process> process_;
    std::string error_;
};

}  // namespace testsupport
