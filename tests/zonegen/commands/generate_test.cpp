// The generate pipeline end to end: golden zones, real checkers (BIND, NSD, ldns), the
// round trip through the loader, the committed example, the serial policy, the CLI.
#include "zonegen/commands/generate.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "tests/support/process.hpp"
#include "tests/support/shell.hpp"
#include "zonegen/core/files.hpp"
#include "zonegen/inventory/build.hpp"
#include "zonegen/inventory/inventory.hpp"
#include "zonegen/zonefile/bind_writer.hpp"
#include "zonegen/zonefile/zone_loader.hpp"

namespace fs = std::filesystem;
using namespace zonegen;
using testsupport::read_text;
using testsupport::run_shell;
using testsupport::shell_quote;
using testsupport::TempDir;
using testsupport::write_text;

namespace {

const std::string kData = std::string(SMARTHOST_TEST_DATA) + "/generate";
const std::string kSource = SMARTHOST_SOURCE_DIR;
constexpr const char* k2026_11_24 = "1795478400";

std::vector<std::string> golden_names() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(kData))
        if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string origin_of(const std::string& zone_text) {
    auto p = zone_text.find("$ORIGIN ");
    auto e = zone_text.find('\n', p);
    return zone_text.substr(p + 8, e - p - 8);
}

std::vector<std::string> files_in(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

struct ScopedEnv {
    explicit ScopedEnv(const char* value) { ::setenv("SOURCE_DATE_EPOCH", value, 1); }
    ~ScopedEnv() { ::unsetenv("SOURCE_DATE_EPOCH"); }
};

}  // namespace

TEST(GenerateGolden, EachInventoryGivesExactlyItsZone) {
    ASSERT_GE(golden_names().size(), 3u);
    for (const auto& name : golden_names()) {
        TempDir out;
        auto r = generate({kData + "/" + name + ".json", out.path(), std::nullopt});
        ASSERT_EQ(r.status, Exit::Ok) << name << ": " << (r.errors.empty() ? "" : r.errors.front());
        auto produced = files_in(out.path());
        ASSERT_EQ(produced.size(), 1u) << name;
        EXPECT_EQ(read_text(out / produced.front()), read_text(kData + "/" + name + ".zone")) << name;
    }
}

TEST(GenerateGolden, ZonesPassBindNsdAndLdnsCheckers) {
    std::vector<std::string> files;
    for (const auto& name : golden_names()) files.push_back(kData + "/" + name + ".zone");
    files.push_back(kSource + "/zones/smarthost.local.zone");  // the committed example too
    for (const auto& file : files) {
        const std::string& name = file;
        const std::string origin = origin_of(read_text(file));
        auto bind = run_shell("named-checkzone -k fail -i full -m fail -M fail -n fail -S fail -r fail " +
                              shell_quote(origin) + " " + shell_quote(file));
        EXPECT_EQ(bind.exit_code, 0) << name << "\n" << bind.out << bind.err;
        EXPECT_NE(bind.out.find("OK"), std::string::npos) << bind.out;
        auto nsd = run_shell("nsd-checkzone " + shell_quote(origin) + " " + shell_quote(file));
        EXPECT_EQ(nsd.exit_code, 0) << name << "\n" << nsd.out << nsd.err;
        auto ldns = run_shell("ldns-read-zone " + shell_quote(file) + " >/dev/null");
        EXPECT_EQ(ldns.exit_code, 0) << name << "\n" << ldns.err;
    }
}

TEST(GenerateGolden, ZonesLoadBackIntoTheSameRecords) {
    std::vector<std::pair<std::string, std::string>> pairs;  // inventory, zone
    for (const auto& name : golden_names())
        pairs.emplace_back(kData + "/" + name + ".json", kData + "/" + name + ".zone");
    pairs.emplace_back(kSource + "/sites.json", kSource + "/zones/smarthost.local.zone");
    for (const auto& [json, zone_file] : pairs) {
        const std::string& name = json;
        std::string err;
        auto text = read_file(json, &err);
        ASSERT_TRUE(text) << err;
        auto inv = parse_inventory(*text, json);
        ASSERT_TRUE(inv) << name;
        auto loaded = load_zone_file(zone_file);
        ASSERT_TRUE(loaded) << name << ": " << format_gnu(loaded.errors().front());
        // The example has no serial of its own: compare with the committed file's serial.
        auto built = build_zone(inv.value(), inv.value().serial.value_or(loaded.value().serial()));
        ASSERT_TRUE(built) << name;
        EXPECT_TRUE(loaded.value() == built.value()) << name;
    }
}

TEST(GenerateExample, SitesJsonRegeneratesTheCommittedZoneByteForByte) {
    const std::string committed = kSource + "/zones/smarthost.local.zone";
    const std::string want = read_text(committed);
    ASSERT_FALSE(want.empty());
    TempDir out;
    write_text(out / "smarthost.local.zone", want);
    auto r = generate({kSource + "/sites.json", out.path(), std::nullopt});
    ASSERT_EQ(r.status, Exit::Ok) << (r.errors.empty() ? "" : r.errors.front());
    EXPECT_EQ(read_text(out / "smarthost.local.zone"), want);
    // And from nothing, with the committed serial given, the very same bytes come out.
    auto serial = rendered_serial(want);
    ASSERT_TRUE(serial);
    TempDir fresh;
    auto r2 = generate({kSource + "/sites.json", fresh.path(), serial});
    ASSERT_EQ(r2.status, Exit::Ok);
    EXPECT_EQ(read_text(fresh / "smarthost.local.zone"), want);
}

TEST(GenerateSerial, DateSerialThenKeptWhileUnchangedThenIncreased) {
    ScopedEnv clock(k2026_11_24);
    TempDir dir;
    std::string inv = read_text(kData + "/ring.json");
    inv.erase(inv.find("\"serial\": 7,"), std::string("\"serial\": 7,").size());
    write_text(dir / "sites.json", inv);
    fs::create_directory(dir / "zones");
    const std::string zone = dir / "zones/smarthost.test.zone";

    auto r1 = generate({dir / "sites.json", dir / "zones", std::nullopt});
    ASSERT_EQ(r1.status, Exit::Ok);
    EXPECT_NE(read_text(zone).find(" 2026112401 "), std::string::npos);

    struct stat before {};
    ASSERT_EQ(::stat(zone.c_str(), &before), 0);
    auto r2 = generate({dir / "sites.json", dir / "zones", std::nullopt});
    ASSERT_EQ(r2.status, Exit::Ok);
    ASSERT_EQ(r2.notes.size(), 1u);
    EXPECT_NE(r2.notes.front().find("unchanged (serial 2026112401)"), std::string::npos) << r2.notes.front();
    struct stat after {};
    ASSERT_EQ(::stat(zone.c_str(), &after), 0);
    EXPECT_EQ(before.st_ino, after.st_ino);  // not rewritten, not even renamed over

    inv.replace(inv.find("\"192.0.2.5\""), 11, "\"192.0.2.9\"");
    write_text(dir / "sites.json", inv);
    auto r3 = generate({dir / "sites.json", dir / "zones", std::nullopt});
    ASSERT_EQ(r3.status, Exit::Ok);
    EXPECT_NE(read_text(zone).find(" 2026112402 "), std::string::npos);
    EXPECT_NE(read_text(zone).find("192.0.2.9"), std::string::npos);
    EXPECT_EQ(files_in(dir / "zones"), std::vector<std::string>{"smarthost.test.zone"});
}

TEST(GenerateSerial, InventorySerialWinsOverFlag) {
    TempDir dir;
    auto r = generate({kData + "/ring.json", dir.path(), 99u});
    ASSERT_EQ(r.status, Exit::Ok);
    EXPECT_NE(read_text(dir / "smarthost.test.zone").find(" IN SOA   ns1 hostmaster 7 "), std::string::npos);
}

TEST(GenerateSerial, FlagUsedWhenInventoryHasNone) {
    TempDir dir;
    std::string inv = read_text(kData + "/ring.json");
    inv.erase(inv.find("\"serial\": 7,"), std::string("\"serial\": 7,").size());
    write_text(dir / "sites.json", inv);
    auto r = generate({dir / "sites.json", dir.path(), 12345u});
    ASSERT_EQ(r.status, Exit::Ok);
    EXPECT_NE(read_text(dir / "smarthost.test.zone").find(" hostmaster 12345 "), std::string::npos);
}

TEST(GenerateErrors, InvalidInventoryWritesNothing) {
    TempDir dir;
    const std::string old = "; old zone, must survive\n";
    write_text(dir / "smarthost.test.zone", old);
    std::string inv = read_text(kData + "/ring.json");
    inv.replace(inv.find("\"192.0.2.5\""), 11, "\"192.0.2.500\"");
    write_text(dir / "bad.json", inv);
    auto r = generate({dir / "bad.json", dir.path(), std::nullopt});
    EXPECT_EQ(r.status, Exit::Invalid);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_NE(r.errors.front().find("/sites/3/smarthosts/0/ipv4/0: \"192.0.2.500\" is not an IPv4 address"),
              std::string::npos)
        << r.errors.front();
    EXPECT_EQ(read_text(dir / "smarthost.test.zone"), old);
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"bad.json", "smarthost.test.zone"}));
}

// The date-serial policy reads the serial of the zone already in the output directory. If
// that file is not a zone, it is the file that is named, with exit 2 (not 1, which says
// the inventory is invalid), and it stays as it was; --serial goes past it.
TEST(GenerateErrors, ExistingZoneWithoutASerialIsNamedNotTheInventory) {
    TempDir dir;
    const std::string garbage = "garbage\n";
    write_text(dir / "smarthost.test.zone", garbage);
    std::string inv = read_text(kData + "/ring.json");
    inv.erase(inv.find("\"serial\": 7,"), std::string("\"serial\": 7,").size());
    write_text(dir / "sites.json", inv);
    auto r = generate({dir / "sites.json", dir.path(), std::nullopt});
    EXPECT_EQ(r.status, Exit::Usage);
    ASSERT_FALSE(r.errors.empty());
    EXPECT_EQ(r.errors.front(), (dir / "smarthost.test.zone") +
                                    ": cannot read the serial of the existing zone; fix or remove the file, or pass "
                                    "--serial");
    EXPECT_EQ(read_text(dir / "smarthost.test.zone"), garbage);

    const std::string bin = shell_quote(ZONEGEN_BIN);
    auto cli = run_shell(bin + " generate -i " + shell_quote(dir / "sites.json") + " -o " + shell_quote(dir.path()));
    EXPECT_EQ(cli.exit_code, 2);
    EXPECT_EQ(cli.err.find("sites.json; nothing written"), std::string::npos) << cli.err;

    auto forced = generate({dir / "sites.json", dir.path(), 5u});
    EXPECT_EQ(forced.status, Exit::Ok);
    EXPECT_NE(read_text(dir / "smarthost.test.zone").find(" hostmaster 5 "), std::string::npos);
}

// A run that finds the zone unchanged writes nothing, but still removes what a killed
// writer of that zone left behind, as every write does first.
TEST(GenerateSerial, UnchangedRunRemovesTemporariesOfKilledWriters) {
    TempDir dir;
    ASSERT_EQ(generate({kData + "/ring.json", dir.path(), std::nullopt}).status, Exit::Ok);
    const std::string left = temporary_name(dir / "smarthost.test.zone", testsupport::gone_pid(), 0);
    write_text(dir / left, "partial");
    auto again = generate({kData + "/ring.json", dir.path(), std::nullopt});
    ASSERT_EQ(again.status, Exit::Ok);
    ASSERT_FALSE(again.notes.empty());
    EXPECT_NE(again.notes.back().find("unchanged"), std::string::npos) << again.notes.back();
    EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{"smarthost.test.zone"});
}

// Past a file-size limit (ulimit -f) the write fails like a full disk: exit 2 naming the
// file, nothing left behind; the kernel's SIGXFSZ would have killed zonegen with no word.
TEST(GenerateErrors, FileSizeLimitIsAWriteError) {
    TempDir dir;
    const std::string bin = shell_quote(ZONEGEN_BIN);
    auto r = run_shell("ulimit -f 1; " + bin + " generate -i " + shell_quote(SMARTHOST_SOURCE_DIR "/sites.json") +
                       " -o " + shell_quote(dir.path()));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(dir / "smarthost.local.zone" + ": cannot write: File too large"), std::string::npos)
        << r.err;
    EXPECT_TRUE(files_in(dir.path()).empty());
}

TEST(GenerateErrors, MissingInventoryIsAnIoError) {
    TempDir dir;
    auto r = generate({dir / "none.json", dir.path(), std::nullopt});
    EXPECT_EQ(r.status, Exit::Usage);
    EXPECT_NE(r.errors.front().find("none.json: cannot open: No such file or directory"), std::string::npos);
}

TEST(GenerateCli, ExitCodesAndStreams) {
    const std::string bin = shell_quote(ZONEGEN_BIN);
    auto help = run_shell(bin + " --help");
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("generate"), std::string::npos);
    auto ghelp = run_shell(bin + " generate --help");
    EXPECT_EQ(ghelp.exit_code, 0);
    EXPECT_NE(ghelp.out.find("--serial"), std::string::npos);
    auto version = run_shell(bin + " --version");
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_EQ(version.out, "zonegen " SMARTHOST_VERSION "\n");

    EXPECT_EQ(run_shell(bin).exit_code, 2);
    EXPECT_EQ(run_shell(bin + " frobnicate").exit_code, 2);
    EXPECT_EQ(run_shell(bin + " generate --no-such-option").exit_code, 2);
    EXPECT_EQ(run_shell(bin + " generate --format yaml").exit_code, 2);
    for (const char* lost : {" --help", " --version", " generate --help"}) {  // output that cannot be written
        auto r = run_shell(bin + lost + " >/dev/full");
        EXPECT_EQ(r.exit_code, 2) << lost;
        EXPECT_NE(r.err.find("zonegen: cannot write to standard output"), std::string::npos) << lost;
    }
    // Digits only: a cast would take "-5" as 4294967291.
    for (const char* bad_serial : {"-5", "+5", "4294967296", "12x", "' 5'"}) {
        auto r = run_shell(bin + " generate -o - --serial " + bad_serial);
        EXPECT_EQ(r.exit_code, 2) << bad_serial;
        EXPECT_NE(r.err.find("--serial must be a number from 0 to 4294967295"), std::string::npos) << r.err;
        EXPECT_TRUE(r.out.empty()) << bad_serial;
    }
    {
        TempDir dir;
        std::string inv = read_text(kData + "/minimal.json");
        inv.erase(inv.find("\"serial\": 1,"), 12);
        write_text(dir / "unserialled.json", inv);
        auto top = run_shell(bin + " generate -i " + shell_quote(dir / "unserialled.json") +
                             " -o - --serial 4294967295");
        EXPECT_EQ(top.exit_code, 0) << top.err;
        EXPECT_NE(top.out.find(" 4294967295 "), std::string::npos) << top.out;
    }

    auto out = run_shell(bin + " generate -i " + shell_quote(kData + "/minimal.json") + " -o -");
    EXPECT_EQ(out.exit_code, 0) << out.err;
    EXPECT_EQ(out.out, read_text(kData + "/minimal.zone"));

    TempDir dir;
    std::string inv = read_text(kData + "/minimal.json");
    inv.replace(inv.find("\"hq\""), 4, "\"h_q\"");
    write_text(dir / "bad.json", inv);
    auto bad = run_shell(bin + " generate -i " + shell_quote(dir / "bad.json") + " -o " + shell_quote(dir.path()));
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("/sites/0/name"), std::string::npos) << bad.err;
    EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{"bad.json"});
}
