// A private Postfix instance and smtp-sink listeners for end-to-end tests (see postfix.hpp).
#include "tests/support/postfix.hpp"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <thread>

namespace testsupport {

namespace {

using namespace std::chrono_literals;

// Every service runs unchrooted (a chroot would need copies of resolv.conf and the
// libraries) and only those the test needs: SMTP in, queue, SMTP out, the log daemon.
constexpr std::string_view kMasterCf = R"(127.0.0.1:2525 inet n - n - - smtpd
cleanup   unix  n - n -    0 cleanup
qmgr      unix  n - n 300  1 qmgr
rewrite   unix  - - n -    - trivial-rewrite
bounce    unix  - - n -    0 bounce
defer     unix  - - n -    0 bounce
trace     unix  - - n -    0 bounce
verify    unix  - - n -    1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -    - proxymap
smtp      unix  - - n -    - smtp
relay     unix  - - n -    - smtp
showq     unix  n - n -    - showq
error     unix  - - n -    - error
retry     unix  - - n -    - error
discard   unix  - - n -    - discard
anvil     unix  - - n -    1 anvil
scache    unix  - - n -    1 scache
postlog   unix-dgram n - n - 1 postlogd
)";

// The directory and everything below it readable by the unprivileged users the daemons
// and smtp-sink run as (mkdtemp makes it 0700).
bool open_up(const std::string& dir, std::string* error) {
    std::error_code ec;
    std::filesystem::permissions(dir,
                                 std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                     std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                     std::filesystem::perms::others_exec,
                                 ec);
    if (ec) *error = dir + ": " + ec.message();
    return !ec;
}

bool make_owned_dir(const std::string& path, const char* user, std::string* error) {
    const passwd* pw = ::getpwnam(user);
    if (pw == nullptr) {
        *error = std::string("no user ") + user + " on this machine";
        return false;
    }
    std::error_code ec;
    std::filesystem::create_directory(path, ec);
    if (ec || ::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        *error = path + ": cannot create it for " + user;
        return false;
    }
    return true;
}

bool alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

}  // namespace

PostfixInstance::PostfixInstance(const NetNamespace& ns, const std::vector<std::string>& main_cf_lines) : ns_(ns) {
    if (!open_up(dir_.path(), &error_)) return;
    const std::string conf = dir_ / "conf";
    // The queue belongs to root; `postfix start` makes its subdirectories for the postfix user.
    std::filesystem::create_directory(conf);
    std::filesystem::create_directory(dir_ / "queue");
    // The postfix user must own the data directory (master.lock, postlogd's state).
    if (!make_owned_dir(dir_ / "data", "postfix", &error_)) return;
    std::string main_cf =
        "compatibility_level = 3.6\n"
        "queue_directory = " +
        dir_ / "queue" +
        "\n"
        "data_directory = " +
        dir_ / "data" +
        "\n"
        "maillog_file = " +
        dir_ / "maillog" +
        "\n"
        "maillog_file_prefixes = " +
        dir_.path() +
        "\n"
        "myhostname = sender.postfix.test\n"
        "mydestination =\n"
        "alias_maps =\n"
        "alias_database =\n"
        "local_recipient_maps =\n"
        "inet_interfaces = loopback-only\n"
        "inet_protocols = ipv4\n"
        "mynetworks = 127.0.0.0/8\n"
        "smtpd_relay_restrictions = permit_mynetworks, reject\n"
        // Nothing may bounce while a test runs: undeliverable mail waits.
        "soft_bounce = yes\n"
        "maximal_queue_lifetime = 1d\n"
        "bounce_queue_lifetime = 1d\n";
    for (const auto& line : main_cf_lines) main_cf += line + "\n";
    write_text(conf + "/main.cf", main_cf);
    write_text(conf + "/master.cf", std::string(kMasterCf));

    auto started = ns_.run("postfix", {"-c", conf, "start"}, 30s);
    started_ = true;
    if (started.status != 0) {
        error_ = "postfix -c " + conf + " start: " + started.out + started.err + "\n" + log();
        return;
    }
    // `postfix start` returns once master has daemonised; it is ready when its SMTP
    // listener accepts.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (ns_.connect("127.0.0.1", kSubmissionPort, 1s).kind != ConnectOutcome::connected) {
        if (std::chrono::steady_clock::now() > deadline) {
            error_ = "postfix started but does not listen on 127.0.0.1:2525 within 10 s\n" + log();
            return;
        }
        std::this_thread::sleep_for(100ms);
    }
}

PostfixInstance::~PostfixInstance() {
    if (!started_) return;
    const pid_t master = master_pid();
    ns_.run("postfix", {"-c", dir_ / "conf", "stop"}, 30s);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (alive(master) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
    if (alive(master)) ::kill(master, SIGKILL);
}

pid_t PostfixInstance::master_pid() const {
    std::string text = read_text(dir_ / "queue/pid/master.pid");
    const auto first = text.find_first_not_of(' ');
    if (first == std::string::npos) return 0;
    int pid = 0;
    auto [end, ec] = std::from_chars(text.data() + first, text.data() + text.size(), pid);
    return ec == std::errc() ? pid : 0;
}

RunResult PostfixInstance::submit(int count, const std::string& recipient) const {
    // -m messages over -s sessions in parallel, as a burst from several clients would.
    return ns_.run("smtp-source",
                   {"-m", std::to_string(count), "-s", "5", "-f", "sender@sender.postfix.test", "-t", recipient,
                    "127.0.0.1:" + std::to_string(kSubmissionPort)},
                   60s);
}

std::string PostfixInstance::log() const { return read_text(dir_ / "maillog"); }

std::vector<std::string> PostfixInstance::log_lines(std::string_view needle) const {
    std::vector<std::string> lines;
    const std::string text = log();
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string_view line(text.data() + start, nl - start);
        if (line.find(needle) != std::string_view::npos) lines.emplace_back(line);
    }
    return lines;
}

SmtpSink::SmtpSink(const NetNamespace& ns, std::string ipv4) : address_(std::move(ipv4)) {
    if (!open_up(dir_.path(), &error_)) return;
    // smtp-sink drops to -u's user before it writes, so that user owns the dump directory.
    if (!make_owned_dir(dir_ / "dump", "nobody", &error_)) return;
    process_ = std::make_unique<Process>(
        "ip", ns.exec_args("smtp-sink", {"-u", "nobody", "-d", dir_ / "dump/message.", address_ + ":25", "64"}));
    if (!process_->started()) {
        error_ = process_->start_error();
        return;
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (ns.connect(address_, 25, 1s).kind != ConnectOutcome::connected) {
        if (std::chrono::steady_clock::now() > deadline || process_->wait(0ms)) {
            error_ = "smtp-sink on " + address_ + ":25 does not accept within 10 s: " + process_->err();
            return;
        }
        std::this_thread::sleep_for(50ms);
    }
}

std::size_t SmtpSink::messages() const {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = std::filesystem::directory_iterator(dir_ / "dump", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++n;
    return n;
}

}  // namespace testsupport
