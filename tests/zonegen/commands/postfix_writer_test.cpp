// The Postfix fragments on a real Postfix: each site's fragment is applied with postconf -e
// to a scratch configuration directory (never the machine's), which `postfix check` must
// accept and `postconf -n` must read without a warning (an unknown parameter name would be
// one); then `zonegen explain` with the limits Postfix now holds must reach every tier of
// the site, where Postfix's default limit did not for the example's sites.
#include "zonegen/commands/postfix_writer.hpp"

#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/shell.hpp"
#include "zonegen/inventory/inventory.hpp"

namespace fs = std::filesystem;
using namespace zonegen;
using testsupport::run_shell;
using testsupport::shell_quote;
using testsupport::TempDir;
using testsupport::write_text;

namespace {

const std::string kSource = SMARTHOST_SOURCE_DIR;
const std::string kData = SMARTHOST_TEST_DATA;

std::vector<std::string> inventories() {
    return {kData + "/generate/minimal.json",    kData + "/generate/tiers.json",    kData + "/generate/ring.json",
            kData + "/exports/no-fallback.json", kData + "/exports/ipv6-only.json", kSource + "/sites.json"};
}

// A Postfix configuration directory of its own, with its own queue and data directories.
struct ScratchPostfix {
    TempDir dir;
    std::string conf = dir / "conf";
    ScratchPostfix() {
        fs::create_directories(conf);
        fs::create_directories(dir / "queue");
        fs::create_directories(dir / "data");
        fs::copy_file("/etc/postfix/master.cf", conf + "/master.cf");
        write_text(conf + "/main.cf", "compatibility_level = 3.7\nqueue_directory = " + (dir / "queue") +
                                          "\ndata_directory = " + (dir / "data") + "\n");
        // postfix check wants data_directory owned by mail_owner.
        if (const passwd* pw = ::getpwnam("postfix")) {
            EXPECT_EQ(::chown((dir / "data").c_str(), pw->pw_uid, pw->pw_gid), 0);
        }
    }
    std::string postconf(const std::string& args) const { return "postconf -c " + shell_quote(conf) + " " + args; }
};

}  // namespace

TEST(PostfixWriter, FragmentsPassPostfixAndReachEveryTier) {
    ASSERT_EQ(::geteuid(), 0u) << "postfix check is reserved for the superuser";
    ASSERT_TRUE(fs::exists("/usr/sbin/postfix")) << "scripts/setup installs postfix";
    std::size_t sites = 0, fixed = 0;
    for (const auto& path : inventories()) {
        auto file = load_inventory(path);
        ASSERT_TRUE(file.inventory) << path;
        auto fragments = render_postfix(*file.inventory, {"sites.json", 1});
        ASSERT_EQ(fragments.size(), file.inventory->sites.size());
        for (const auto& f : fragments) {
            ++sites;
            const std::string what = path + " site " + f.site;
            ScratchPostfix pf;
            const std::string fragment = pf.dir / (f.site + ".cf");
            write_text(fragment, f.text);
            // Exactly as the fragment's header says, with the scratch directory added.
            auto apply = run_shell("grep -v '^#' " + shell_quote(fragment) + " | xargs -d '\\n' " +
                                   pf.postconf("-e"));
            ASSERT_EQ(apply.exit_code, 0) << what << ": " << apply.err;
            auto n = run_shell(pf.postconf("-n"));
            ASSERT_EQ(n.exit_code, 0) << n.err;
            EXPECT_EQ(n.err, "") << what << ": postconf warns: " << n.err;
            // postfix logs to syslog unless its standard error is a terminal: script(1) gives it one.
            auto check = run_shell("script -qec " + shell_quote("postfix -c " + shell_quote(pf.conf) + " check") +
                                   " /dev/null");
            EXPECT_EQ(check.exit_code, 0) << what << ": " << check.out << check.err;
            EXPECT_EQ(check.out.find("warning"), std::string::npos) << what << ": " << check.out;
            EXPECT_EQ(check.out.find("fatal"), std::string::npos) << what << ": " << check.out;

            auto values = run_shell(pf.postconf("-h relayhost smtp_mx_address_limit smtp_mx_session_limit"));
            ASSERT_EQ(values.exit_code, 0) << values.err;
            std::istringstream in(values.out);
            std::string relayhost, limit, sessions;
            std::getline(in, relayhost);
            std::getline(in, limit);
            std::getline(in, sessions);
            const Site& site = file.inventory->sites[&f - fragments.data()];
            std::string name = site.name.text();
            name.pop_back();
            EXPECT_EQ(relayhost, name) << what << ": no brackets, the site's MX name";
            EXPECT_GE(std::stoul(sessions), 2u) << what;

            const std::string explain = std::string(ZONEGEN_BIN) + " explain -i " + shell_quote(path) + " " + f.site;
            auto with = run_shell(explain + " --address-limit " + limit);
            ASSERT_EQ(with.exit_code, 0) << what << ": " << with.err;
            EXPECT_EQ(with.out.find("never tried"), std::string::npos) << what << ":\n" << with.out;
            EXPECT_EQ(with.out.find("only "), std::string::npos) << what << ":\n" << with.out;
            EXPECT_EQ(with.out.find("Postfix tries"), std::string::npos) << what << ":\n" << with.out;
            EXPECT_NE(with.out.find("with every host up: mail goes to tier 1"), std::string::npos) << with.out;
            auto by_default = run_shell(explain);
            ASSERT_EQ(by_default.exit_code, 0) << by_default.err;
            if (by_default.out.find("never tried") != std::string::npos) ++fixed;
        }
    }
    EXPECT_EQ(sites, 1u + 3u + 4u + 3u + 3u + 4u);
    // Some sites lost tiers to the default limit of 5 addresses: the fragments fixed them.
    EXPECT_GE(fixed, 4u);
}

TEST(PostfixWriter, NoBracketsAndTheReasonSaid) {
    auto file = load_inventory(kSource + "/sites.json");
    ASSERT_TRUE(file.inventory);
    for (const auto& f : render_postfix(*file.inventory, {"sites.json", 1})) {
        EXPECT_EQ(f.text.find("relayhost = ["), std::string::npos) << f.text;
        EXPECT_NE(f.text.find("# No [brackets]: they would turn off the MX lookup"), std::string::npos) << f.text;
    }
}

TEST(PostfixWriter, LimitsNeverBelowPostfixDefaults) {
    auto file = load_inventory(kData + "/generate/minimal.json");
    ASSERT_TRUE(file.inventory);
    auto fragments = render_postfix(*file.inventory, {"minimal.json", 1});
    ASSERT_EQ(fragments.size(), 1u);
    // One host with one address: the defaults (5 and 2) already reach it and stay.
    EXPECT_NE(fragments[0].text.find("smtp_mx_address_limit = 5\n"), std::string::npos) << fragments[0].text;
    EXPECT_NE(fragments[0].text.find("smtp_mx_session_limit = 2\n"), std::string::npos) << fragments[0].text;
}

// postconf(5): smtp_mx_address_limit = 0 is no limit; explain reads it the same way.
TEST(PostfixWriter, ExplainAddressLimitZeroIsNoLimitAndGarbageIsAUsageError) {
    const std::string explain = std::string(ZONEGEN_BIN) + " explain -i " + shell_quote(kSource + "/sites.json") +
                                " london --address-limit ";
    auto none = run_shell(explain + "0");
    ASSERT_EQ(none.exit_code, 0) << none.err;
    EXPECT_EQ(none.out.find("never tried"), std::string::npos) << none.out;
    auto three = run_shell(explain + "3");
    ASSERT_EQ(three.exit_code, 0) << three.err;
    EXPECT_NE(three.out.find("only 3 of its 5 addresses are tried"), std::string::npos) << three.out;
    auto bad = run_shell(explain + "five");
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("--address-limit must be a number"), std::string::npos) << bad.err;
}
