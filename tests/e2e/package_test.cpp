// Installing and packaging (dnsd/dist/CMakeLists.txt): `cmake --install` lays out the
// GNU directories, `cpack -G DEB` builds smarthost_<version>_<arch>.deb with the right
// dependencies, files, conffiles and maintainer scripts, lintian finds no error in it,
// and the programs unpacked from it run: --version, and the installed dnsd serving the
// installed example inventory (unpacked into a scratch folder with dpkg -x). Then the way
// a user does it, as root (CI runs as root): apt-get install ./smarthost_*.deb, the
// programs from their installed paths, apt-get purge, and nothing of the package left;
// the machine is left as it was found (the dnsd user the postinst made is removed again).
// The man pages name every option --help lists. Normal build only (tests/CMakeLists.txt):
// it packages the build it runs in.
#include <pwd.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;
namespace fs = std::filesystem;

namespace {

constexpr std::uint16_t kMX = 15;

std::string sh(const std::string& command) {
    auto r = run_shell(command + " 2>&1");
    EXPECT_EQ(r.exit_code, 0) << command << ":\n" << r.out;
    return r.out;
}

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// The long options a --help lists ("--listen", "--zone", ...).
std::set<std::string> long_options(const std::string& help) {
    std::set<std::string> out;
    static const std::regex option("(^|[ ,(\\[|])(--[a-z][a-z-]*)");
    for (std::sregex_iterator it(help.begin(), help.end(), option), end; it != end; ++it) out.insert((*it)[2]);
    return out;
}

// A man page as plain text: its roff source with "\-" read as "-".
std::string man_source(const std::string& gz) {
    return std::regex_replace(sh("gzip -dc " + shell_quote(gz)), std::regex(R"(\\-)"), "-");
}

// Builds the package of this build into dir/out with cpack and returns its path; "" and a
// failure if cpack made none.
std::string make_package(const TempDir& dir) {
    auto r = run_shell("cpack --config " SMARTHOST_BUILD_DIR "/CPackConfig.cmake -G DEB -B " +
                       shell_quote(dir / "out") + " 2>&1");
    const std::string arch = run_shell("dpkg --print-architecture").out;
    const std::string deb = dir / ("out/smarthost_" SMARTHOST_VERSION "_" + arch.substr(0, arch.find('\n')) + ".deb");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(fs::exists(deb)) << deb << " not made:\n" << r.out;
    return fs::exists(deb) ? deb : "";
}

void control_fields_and_dependencies_from_shlibdeps(const std::string& deb) {
    const std::string control = sh("dpkg-deb -f " + shell_quote(deb));
    EXPECT_TRUE(contains(control, "Package: smarthost\n")) << control;
    EXPECT_TRUE(contains(control, "Version: " SMARTHOST_VERSION "\n")) << control;
    EXPECT_TRUE(contains(control, "Section: net\n")) << control;
    EXPECT_TRUE(std::regex_search(control, std::regex("\nMaintainer: [^\n]+ <[^@\n]+@[^>\n]+>\n"))) << control;
    // dpkg-shlibdeps found the libraries the programs link, with versions.
    std::smatch depends;
    ASSERT_TRUE(std::regex_search(control, depends, std::regex("\nDepends: ([^\n]*)\n"))) << control;
    const std::string d = depends[1];
    for (const char* lib :
         {"adduser", "libc6 (>=", "libstdc++6 (>=", "libldns3 (>=", "libsystemd0",
          "libboost-program-options1.74.0 (>=", "libgvc6", "libmicrohttpd12", "libprometheus-cpp-core1.0"})
        EXPECT_TRUE(contains(d, lib)) << lib << " missing from Depends: " << d;
}

void files_where_debian_wants_them(const std::string& deb) {
    const std::string listing = sh("dpkg-deb -c " + shell_quote(deb));
    for (const char* path : {"./usr/bin/zonegen", "./usr/sbin/dnsd", "./lib/systemd/system/dnsd.service",
                             "./etc/dnsd/sites.json", "./etc/default/dnsd", "./usr/share/man/man1/zonegen.1.gz",
                             "./usr/share/man/man8/dnsd.8.gz", "./usr/share/smarthost/sites.schema.json",
                             "./usr/share/doc/smarthost/copyright", "./usr/share/doc/smarthost/changelog.gz"})
        EXPECT_TRUE(contains(listing, std::string(" ") + path + "\n")) << path << " missing:\n" << listing;
    EXPECT_FALSE(contains(listing, "/usr/local")) << listing;
    // Every file belongs to root; the programs are executable by all.
    std::istringstream lines(listing);
    for (std::string line; std::getline(lines, line);) {
        EXPECT_TRUE(contains(line, " root/root ")) << line;
        if (line.front() == '-' && contains(line, "bin/")) {
            EXPECT_EQ(line.substr(0, 10), "-rwxr-xr-x") << line;
        }
    }
}

void maintainer_scripts_and_conffiles(const std::string& deb, const TempDir& dir) {
    const std::string control = dir / "control";
    sh("dpkg-deb -e " + shell_quote(deb) + " " + shell_quote(control));
    EXPECT_EQ(read_text(control + "/conffiles"), "/etc/dnsd/sites.json\n/etc/default/dnsd\n");
    for (const char* script : {"postinst", "prerm", "postrm"}) {
        const std::string path = control + "/" + script;
        if (!fs::exists(path)) {
            ADD_FAILURE() << script << " missing";
            continue;
        }
        EXPECT_EQ(fs::status(path).permissions() & fs::perms::owner_exec, fs::perms::owner_exec) << script;
        sh("sh -n " + shell_quote(path));
    }
    const std::string postinst = read_text(control + "/postinst");
    EXPECT_TRUE(contains(postinst, "adduser --system --group")) << postinst;
    // The administrator enables the service once the inventory is theirs (README).
    std::istringstream lines(postinst);
    for (std::string line; std::getline(lines, line);)
        if (line.find('#') == std::string::npos) {
            EXPECT_FALSE(contains(line, "enable")) << line;
        }
    EXPECT_TRUE(contains(read_text(control + "/postrm"), "rm -rf /var/lib/dnsd"));
}

void lintian_finds_no_error(const std::string& deb) {
    auto r = run_shell("lintian --display-info --pedantic " + shell_quote(deb) + " 2>&1");
    std::cout << "lintian " << deb << ":\n" << (r.out.empty() ? "(nothing)\n" : r.out);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_FALSE(std::regex_search(r.out, std::regex("(^|\n)E: "))) << r.out;
}

void unpacked_programs_run_and_serve_the_example_inventory(const std::string& root) {
    EXPECT_EQ(sh(root + "/usr/bin/zonegen --version"), "zonegen " SMARTHOST_VERSION "\n");
    EXPECT_EQ(sh(root + "/usr/sbin/dnsd --version"), "dnsd " SMARTHOST_VERSION "\n");
    // The example conffile is a valid inventory, and the packaged dnsd serves it.
    auto check = run_shell(root + "/usr/bin/zonegen check -i " + root + "/etc/dnsd/sites.json 2>&1");
    EXPECT_EQ(check.exit_code, 0) << check.out;
    Dnsd dnsd(root + "/usr/sbin/dnsd", {"--inventory", root + "/etc/dnsd/sites.json", "--listen", "127.0.0.1:0"});
    if (!dnsd.ready()) {
        ADD_FAILURE() << dnsd.process().err();
        return;
    }
    auto answer = udp_exchange_at("127.0.0.1", dnsd.port(), dnstest::query("oxford.smarthost.local", kMX));
    if (!answer) {
        ADD_FAILURE() << "no answer from the unpacked dnsd";
        return;
    }
    auto decoded = dnstest::decode(*answer);
    EXPECT_EQ(decoded.rcode, 0);
    EXPECT_FALSE(decoded.answer.empty());
    EXPECT_EQ(dnsd.process().stop(), 0);
}

void man_pages_name_every_option_of_help(const std::string& root) {
    const std::string dnsd_page = man_source(root + "/usr/share/man/man8/dnsd.8.gz");
    for (const std::string& o : long_options(sh(DNSD_BIN " --help")))
        EXPECT_TRUE(contains(dnsd_page, o)) << "dnsd.8 does not mention " << o;
    const std::string zonegen_page = man_source(root + "/usr/share/man/man1/zonegen.1.gz");
    for (const char* command : {"generate", "check", "explain", "graph"})
        for (const std::string& o : long_options(sh(std::string(ZONEGEN_BIN " ") + command + " --help")))
            EXPECT_TRUE(contains(zonegen_page, o)) << "zonegen.1 does not mention " << command << " " << o;
    // And man renders both without a warning.
    for (const std::string& page :
         {root + "/usr/share/man/man8/dnsd.8.gz", root + "/usr/share/man/man1/zonegen.1.gz"})
        EXPECT_EQ(sh("LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l " + shell_quote(page) + " >/dev/null"), "");
}

}  // namespace

// One test, one package: cpack and lintian take most of its time.
TEST(Package, DebBuildsHasNoLintianErrorAndItsProgramsRun) {
    TempDir dir;
    const std::string deb = make_package(dir);
    ASSERT_FALSE(deb.empty());
    control_fields_and_dependencies_from_shlibdeps(deb);
    files_where_debian_wants_them(deb);
    maintainer_scripts_and_conffiles(deb, dir);
    lintian_finds_no_error(deb);
    const std::string root = dir / "root";
    sh("dpkg -x " + shell_quote(deb) + " " + shell_quote(root));
    unpacked_programs_run_and_serve_the_example_inventory(root);
    man_pages_name_every_option_of_help(root);
}

// cmake --install with another prefix: the GNU directories under it, /etc and the unit too.
TEST(Install, GnuDirectoriesUnderThePrefix) {
    TempDir dir;
    const std::string prefix = dir / "local";
    sh("cmake --install " SMARTHOST_BUILD_DIR " --prefix " + shell_quote(prefix));
    for (const char* path : {"bin/zonegen", "sbin/dnsd", "lib/systemd/system/dnsd.service", "etc/dnsd/sites.json",
                             "etc/default/dnsd", "share/man/man1/zonegen.1.gz", "share/man/man8/dnsd.8.gz",
                             "share/smarthost/sites.schema.json", "share/doc/smarthost/copyright"})
        EXPECT_TRUE(fs::exists(prefix + "/" + path)) << path;
    EXPECT_EQ(sh(prefix + "/sbin/dnsd --version"), "dnsd " SMARTHOST_VERSION "\n");
}

// What dpkg says of the smarthost package: "install ok installed", or "" if it knows none.
std::string package_status() {
    auto r = run_shell("dpkg-query -W -f='${Status}' smarthost 2>/dev/null");
    return r.exit_code == 0 ? r.out : "";
}

// apt-get install of the .deb, as the README says, and apt-get purge: the programs run from
// /usr/bin and /usr/sbin, the postinst made the dnsd user, and after the purge no file of
// the package, no /etc/dnsd and no /var/lib/dnsd is left. A machine where smarthost is
// installed already is not touched (the test fails and says so).
TEST(Package, AptInstallsItAndPurgeLeavesNothing) {
    ASSERT_EQ(::geteuid(), 0u) << "installing a package needs root: run the suite as root, as CI does";
    const std::string before = package_status();
    ASSERT_TRUE(before.empty() || contains(before, "not-installed"))
        << "smarthost is installed on this machine (" << before << "); this test installs and purges its own";
    const bool user_existed = ::getpwnam("dnsd") != nullptr;
    TempDir dir;
    const std::string deb = make_package(dir);
    ASSERT_FALSE(deb.empty());
    // Whatever happens below, the machine ends as it began.
    struct Restore {
        bool user_existed;
        ~Restore() {
            if (const std::string now = package_status(); !now.empty() && !contains(now, "not-installed"))
                run_shell("DEBIAN_FRONTEND=noninteractive apt-get purge -y -q smarthost >/dev/null 2>&1");
            if (!user_existed && ::getpwnam("dnsd")) run_shell("deluser --system --quiet dnsd >/dev/null 2>&1");
        }
    } restore{user_existed};

    auto install = run_shell("DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends " +
                             shell_quote(deb) + " 2>&1");
    ASSERT_EQ(install.exit_code, 0) << install.out;
    EXPECT_EQ(package_status(), "install ok installed");
    EXPECT_EQ(sh("/usr/sbin/dnsd --version"), "dnsd " SMARTHOST_VERSION "\n");
    EXPECT_EQ(sh("/usr/bin/zonegen --version"), "zonegen " SMARTHOST_VERSION "\n");
    EXPECT_NE(::getpwnam("dnsd"), nullptr) << "the postinst made no dnsd user";
    std::vector<std::string> files;
    std::istringstream listed(sh("dpkg-query -L smarthost"));
    for (std::string path; std::getline(listed, path);)
        if (!path.empty() && !fs::is_directory(path)) files.push_back(path);
    EXPECT_GT(files.size(), 8u);
    for (const char* path : {"/etc/dnsd/sites.json", "/etc/default/dnsd", "/lib/systemd/system/dnsd.service"})
        EXPECT_TRUE(fs::exists(path)) << path;

    auto purge = run_shell("DEBIAN_FRONTEND=noninteractive apt-get purge -y -q smarthost 2>&1");
    ASSERT_EQ(purge.exit_code, 0) << purge.out;
    const std::string after = package_status();
    EXPECT_TRUE(after.empty() || contains(after, "not-installed")) << after;
    for (const std::string& path : files) EXPECT_FALSE(fs::exists(path)) << path << " left after the purge";
    EXPECT_FALSE(fs::exists("/etc/dnsd"));
    EXPECT_FALSE(fs::exists("/var/lib/dnsd"));
    std::cout << "package: apt-get installed and purged " << deb << " (" << files.size() << " files)\n";
}
