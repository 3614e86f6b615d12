// The README's main command, `scripts/run`, as a new user runs it: on a copy of the
// repository it builds only the two programs, serves the committed zone with the committed
// zone file's serial, and after the README's steps for an edited sites.json (generate,
// SIGHUP) the file and dnsd's answers carry the same new serial.
#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <sstream>
#include <string>

#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;

namespace {

// The SOA serial written in a zone file made by zonegen ("@ IN SOA ns1 hostmaster (" with
// the serial on the next line, or all on one line).
std::string file_serial(const std::string& zone_file) {
    static const std::regex soa(R"(IN\s+SOA\s+\S+\s+\S+\s+\(?\s*(\d+))");
    std::smatch m;
    const std::string text = read_text(zone_file);
    return std::regex_search(text, m, soa) ? m[1].str() : std::string("(no SOA in ") + zone_file + ")";
}

// The serial dnsd answers with, asked with dig at its port and nowhere else.
std::string served_serial(std::uint16_t port) {
    auto r = run("dig", {"@127.0.0.1", "-p", std::to_string(port), "+short", "+norecurse", "smarthost.local", "SOA"});
    std::istringstream in(r.out);
    std::string mname, rname, serial;
    in >> mname >> rname >> serial;
    return serial;
}

std::string mx_answer(std::uint16_t port) {
    return run("dig",
               {"@127.0.0.1", "-p", std::to_string(port), "+short", "+norecurse", "oxford.smarthost.local", "MX"})
        .out;
}

}  // namespace

TEST(FirstRun, ServesTheCommittedSerialAndFollowsAnEdit) {
    TempDir copy;
    // The tracked files as they are in the work tree: what a clone holds, plus local edits.
    auto copied = run_shell("cd " + shell_quote(SMARTHOST_SOURCE_DIR) +
                            " && git ls-files -z | tar --null -T - -cf - | tar -xf - -C " + shell_quote(copy.path()));
    ASSERT_EQ(copied.exit_code, 0) << copied.err;
    const std::string zone_file = copy / "zones/smarthost.local.zone";
    const std::string committed = file_serial(zone_file);

    Process run_script("env", {"SMARTHOST_LISTEN=127.0.0.1:0", copy / "scripts/run"});
    ASSERT_TRUE(run_script.started()) << run_script.start_error();
    // A build of two programs on two busy cores: minutes, not seconds.
    auto ready_line = run_script.wait_for_line("dnsd: ready on", std::chrono::minutes(15));
    ASSERT_TRUE(ready_line) << run_script.out() << run_script.err();
    auto ready = parse_ready(*ready_line);
    ASSERT_TRUE(ready);
    const std::uint16_t port = port_of(ready->udp.front());

    // The build built zonegen and dnsd and nothing of the test suite.
    const std::string build_log = run_script.out();
    EXPECT_NE(build_log.find("Linking CXX executable zonegen"), std::string::npos) << build_log;
    EXPECT_NE(build_log.find("Linking CXX executable dnsd"), std::string::npos) << build_log;
    EXPECT_EQ(build_log.find("tests/"), std::string::npos) << build_log;
    EXPECT_EQ(build_log.find("gtest"), std::string::npos) << build_log;

    // One inventory, one serial: the file was left unchanged and dnsd serves its serial.
    EXPECT_NE(run_script.err().find("zones/smarthost.local.zone unchanged (serial " + committed + ")"),
              std::string::npos)
        << run_script.err();
    EXPECT_EQ(served_serial(port), committed);
    EXPECT_EQ(ready->zones, "smarthost.local serial " + committed);

    // The README's steps after editing sites.json: a new smarthost in Oxford, then
    // `build/zonegen generate`, then SIGHUP.
    std::string inventory = read_text(copy / "sites.json");
    const std::string mail2 = R"({ "name": "mail2", "ipv4": ["192.0.2.26"], "ipv6": ["2001:db8:0:1::26"] })";
    const auto at = inventory.find(mail2);
    ASSERT_NE(at, std::string::npos);
    inventory.insert(at + mail2.size(), R"(,
        { "name": "mail3", "ipv4": ["192.0.2.27"] })");
    write_text(copy / "sites.json", inventory);
    auto generated = run_shell("cd " + shell_quote(copy.path()) + " && build/zonegen generate");
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
    const std::string edited = file_serial(zone_file);
    EXPECT_NE(edited, committed);
    EXPECT_NE(generated.err.find("wrote zones/smarthost.local.zone (serial " + edited + ","), std::string::npos)
        << generated.err;

    const std::size_t lines = run_script.err_line_count();
    run_script.signal(SIGHUP);
    auto reloaded = run_script.wait_for_line("reloaded", std::chrono::seconds(30), lines);
    ASSERT_TRUE(reloaded) << run_script.err();
    EXPECT_NE(reloaded->find("smarthost.local serial " + edited), std::string::npos) << *reloaded;
    EXPECT_EQ(served_serial(port), edited);
    EXPECT_NE(mx_answer(port).find("10 mail3.oxford.smarthost.local."), std::string::npos) << mx_answer(port);

    auto status = run_script.stop();
    ASSERT_TRUE(status);
    EXPECT_EQ(*status, 0) << run_script.err();
}
