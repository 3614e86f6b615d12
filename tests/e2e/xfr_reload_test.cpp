// A 100,000-site zone (about 830,000 records, scripts/make-inventory) transfers completely
// while dnsd reloads a new serial in the middle: the transfer in flight finishes on the
// snapshot it started with (DESIGN "Reload"), every message decodes on its own, and the
// next transfer carries the new serial. Bounded in time.
#include <signal.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"

using namespace testsupport;

namespace {

constexpr std::uint16_t kAxfr = 252;

std::string only_file_in(const std::string& dir) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) return e.path().string();
    return {};
}

std::string serial_of_soa_line(const std::string& rr) {
    std::istringstream words(rr);
    std::string w;
    for (int i = 0; i < 7 && words >> w;) ++i;
    return w;
}

}  // namespace

TEST(XfrReload, HundredThousandSitesTransferWhileReloading) {
    const auto start = std::chrono::steady_clock::now();
    TempDir dir;
    const std::string inventory = dir / "sites.json";
    auto made = run(SMARTHOST_SOURCE_DIR "/scripts/make-inventory", {"100000", inventory}, std::chrono::seconds(120));
    ASSERT_EQ(made.status, 0) << made.err;
    // The next version: a new serial (the generated inventory carries one, which wins).
    std::string text = read_text(inventory);
    const std::string serial_key = "\"serial\": 2026112401";
    const auto at = text.find(serial_key);
    ASSERT_NE(at, std::string::npos);
    write_text(dir / "next.json", text.replace(at, serial_key.size(), "\"serial\": 2026112402"));
    text.clear();
    auto gen = [&](const std::string& in, const std::string& out) {
        std::filesystem::create_directory(out);
        auto r = run(ZONEGEN_BIN, {"generate", "-i", in, "-o", out}, std::chrono::seconds(60));
        ASSERT_EQ(r.status, 0) << r.err;
    };
    gen(inventory, dir / "zones");
    gen(dir / "next.json", dir / "next");
    const std::string zone_file = only_file_in(dir / "zones");
    const std::string origin = std::filesystem::path(zone_file).stem().string();

    Dnsd dnsd(DNSD_BIN, {"--zone", zone_file, "--listen", "127.0.0.1:0", "--allow-transfer", "127.0.0.1"},
              std::chrono::seconds(60));
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();

    // A small receive buffer keeps most of the zone inside dnsd until we read it.
    TcpConnection c("127.0.0.1", dnsd.port(), 8192);
    ASSERT_TRUE(c.send(framed(dnstest::query(origin, kAxfr))));
    std::size_t records = 0, messages = 0, soas = 0;
    std::set<std::string> serials;
    auto read_some = [&](std::size_t limit) {
        while (soas < 2 && limit-- > 0) {
            auto frame = c.read_frame(std::chrono::seconds(30));
            ASSERT_TRUE(frame) << "transfer stalled after " << messages << " messages\n" << dnsd.process().err();
            auto d = dnstest::decode(*frame);
            ASSERT_TRUE(d.ok) << "message " << messages << ": " << d.error;
            ASSERT_EQ(d.rcode, 0);
            ASSERT_TRUE(d.aa);
            ++messages;
            records += d.answer.size();
            for (const auto& rr : d.answer)
                if (rr.find(" IN SOA ") != std::string::npos) {
                    ++soas;
                    serials.insert(serial_of_soa_line(rr));
                }
        }
    };
    read_some(5);
    ASSERT_EQ(soas, 1u) << "the transfer should still be under way";

    // The new zone replaces the file (as zonegen does it: rename), then SIGHUP.
    std::filesystem::rename(only_file_in(dir / "next"), zone_file);
    std::size_t from = dnsd.process().err_line_count();
    dnsd.process().signal(SIGHUP);
    // Keep reading, slowly, as a secondary would (a client that stops reading is dropped
    // after the idle timeout), until the new zone is in.
    const std::string reloaded = "dnsd: reloaded (" + origin + " serial 2026112402)";
    const auto reload_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (!dnsd.process().wait_for_line(reloaded, std::chrono::milliseconds(10), from)) {
        ASSERT_LT(std::chrono::steady_clock::now(), reload_deadline) << dnsd.process().err();
        read_some(1);
        ASSERT_LT(soas, 2u) << "the transfer finished before the reload did; read more slowly";
    }

    read_some(1'000'000);
    EXPECT_EQ(soas, 2u);
    EXPECT_EQ(serials, std::set<std::string>{"2026112401"}) << "the transfer must keep its snapshot";
    EXPECT_GT(records, 800'000u);
    EXPECT_GT(messages, 100u);
    EXPECT_TRUE(dnsd.process().wait_for_line("done: " + std::to_string(records) + " records in " +
                                                 std::to_string(messages) + " messages",
                                             std::chrono::seconds(5)))
        << dnsd.process().err();

    // A transfer that starts now sees the new serial.
    TcpConnection again("127.0.0.1", dnsd.port());
    ASSERT_TRUE(again.send(framed(dnstest::query(origin, kAxfr))));
    auto first = again.read_frame(std::chrono::seconds(10));
    ASSERT_TRUE(first);
    auto d = dnstest::decode(*first);
    ASSERT_FALSE(d.answer.empty());
    EXPECT_EQ(serial_of_soa_line(d.answer.front()), "2026112402");

    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(240));
}
