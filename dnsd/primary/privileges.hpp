// dnsd --user NAME: started as root to bind its ports, dnsd then becomes NAME for good, the
// way NSD (`username:`) and Knot (`user:`) do: supplementary groups, gid, then uid, so no
// capability is left and none can come back. Reloads afterwards read the sources as NAME;
// nothing is ever bound again, so nothing needs root again.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "zonegen/core/diagnostic.hpp"

namespace dnsd {

struct Account {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // the user's groups from the group database, gid included
};

// Looks the user up (user and group databases) while dnsd is still single-threaded and
// before anything is bound, so a typo fails at once. Errors, all for exit 2:
//   cannot switch to user NAME: no such user
//   cannot switch to user NAME: not running as root
//   cannot switch to user root: uid 0 keeps every privilege
// An unprivileged dnsd with --user is an error, not a silent no-op: whoever wrote --user
// expects the server to end up as NAME, and without root it could not get there.
zonegen::Result<Account> find_account(const std::string& name);

// PR_SET_NO_NEW_PRIVS: no execve from here on can gain privileges (set-user-ID binaries,
// file capabilities). dnsd never runs programs, so this costs nothing; it bounds what an
// exploited server could do. The flag is per thread and inherited by new threads, so call
// it before the workers start to cover all of them.
std::optional<zonegen::Diagnostic> forbid_new_privileges();

// Becomes account: setgroups, setresgid, setresuid (glibc applies each to every thread of
// the process), then checks that real, effective and saved ids are the account's, that no
// effective or permitted capability is left, and that root cannot be taken back. Keeps the
// parent-death signal the starter set (the kernel clears it on a change of credentials).
// Call after every socket is bound.
std::optional<zonegen::Diagnostic> switch_to(const Account& account);

}  // namespace dnsd
