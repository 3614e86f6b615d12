// Switching dnsd from root to the --user account (see privileges.hpp).
#include "dnsd/primary/privileges.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace dnsd {

namespace {

zonegen::Diagnostic cannot(const std::string& name, const std::string& why) {
    return zonegen::Diagnostic{{}, "cannot switch to user " + name + ": " + why};
}

std::string os_error(const char* call, int err) { return std::string(call) + ": " + std::strerror(err); }

// The calling thread's effective and permitted capability sets, or nullopt if capget fails.
// Raw syscall: libcap is not a dependency, and two words are all that is needed.
std::optional<bool> has_capabilities() {
    __user_cap_header_struct header{};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    header.pid = 0;
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
    if (::syscall(SYS_capget, &header, data) != 0) return std::nullopt;
    for (const auto& d : data)
        if (d.effective != 0 || d.permitted != 0) return true;
    return false;
}

}  // namespace

zonegen::Result<Account> find_account(const std::string& name) {
    long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buf(hint > 0 ? static_cast<std::size_t>(hint) : 4096);
    passwd pw{};
    passwd* found = nullptr;
    int err = 0;
    while ((err = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found)) == ERANGE)
        buf.resize(buf.size() * 2);
    if (err != 0) return cannot(name, os_error("getpwnam", err));
    if (found == nullptr) return cannot(name, "no such user");

    Account account{pw.pw_name, pw.pw_uid, pw.pw_gid, {}};
    if (account.uid == 0) return cannot(name, "uid 0 keeps every privilege; name an unprivileged user");
    if (::geteuid() != 0) return cannot(name, "not running as root");

    // What initgroups() would install, looked up now: the group database may need NSS
    // modules and files that are not reachable once dnsd is no longer root.
    int count = 16;
    for (;;) {
        account.groups.resize(static_cast<std::size_t>(count));
        int n = count;
        if (::getgrouplist(account.name.c_str(), account.gid, account.groups.data(), &n) >= 0) {
            account.groups.resize(static_cast<std::size_t>(n));
            break;
        }
        if (n <= count) return cannot(name, "cannot read its groups from the group database");
        count = n;
    }
    return account;
}

std::optional<zonegen::Diagnostic> forbid_new_privileges() {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return zonegen::Diagnostic{{}, os_error("prctl(PR_SET_NO_NEW_PRIVS)", errno)};
    return std::nullopt;
}

std::optional<zonegen::Diagnostic> switch_to(const Account& account) {
    const std::string& name = account.name;
    int death_signal = 0;
    ::prctl(PR_GET_PDEATHSIG, &death_signal, 0, 0, 0);
    const pid_t parent = ::getppid();

    // Groups first and uid last: after setresuid, dnsd no longer has the right to change
    // either. glibc runs each of these on every thread (the set*id broadcast), so the
    // workers already serving change with the main thread.
    if (::setgroups(account.groups.size(), account.groups.data()) != 0)
        return cannot(name, os_error("setgroups", errno));
    if (::setresgid(account.gid, account.gid, account.gid) != 0) return cannot(name, os_error("setresgid", errno));
    if (::setresuid(account.uid, account.uid, account.uid) != 0) return cannot(name, os_error("setresuid", errno));

    // Trust, but verify: a saved id of 0 or a SECBIT_KEEP_CAPS inherited from the starter
    // would leave a way back to root.
    uid_t ru = 0, eu = 0, su = 0;
    gid_t rg = 0, eg = 0, sg = 0;
    if (::getresuid(&ru, &eu, &su) != 0 || ::getresgid(&rg, &eg, &sg) != 0 || ru != account.uid ||
        eu != account.uid || su != account.uid || rg != account.gid || eg != account.gid || sg != account.gid)
        return cannot(name, "the user and group ids did not all change");
    auto caps = has_capabilities();
    if (!caps) return cannot(name, os_error("capget", errno));
    if (*caps) return cannot(name, "capabilities are left after the switch");
    if (::setresuid(0, 0, 0) == 0) return cannot(name, "root could be taken back after the switch");

    // prctl(2): a credential change clears the parent-death signal; the starter (a test
    // harness, a supervisor) still wants it.
    if (death_signal != 0) {
        ::prctl(PR_SET_PDEATHSIG, death_signal, 0, 0, 0);
        if (::getppid() != parent) ::raise(death_signal);  // the parent died in between
    }
    return std::nullopt;
}

}  // namespace dnsd
