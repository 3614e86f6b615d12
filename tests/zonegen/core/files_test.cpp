// read_file and write_file_atomically, with an anonymous (O_TMPFILE) and a named temporary:
// contents, permissions, failures leave no trace, stale temporaries of dead writers go.
#include "zonegen/core/files.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tests/support/process.hpp"

namespace fs = std::filesystem;
using namespace zonegen;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string t = (fs::temp_directory_path() / "zonegen-files-XXXXXX").string();
        path = ::mkdtemp(t.data());
    }
    ~TempDir() { fs::remove_all(path); }
    std::size_t entries() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {})); }
};

class AtomicWrite : public ::testing::TestWithParam<TempFile> {};
INSTANTIATE_TEST_SUITE_P(Temporaries, AtomicWrite, ::testing::Values(TempFile::Anonymous, TempFile::Named));

}  // namespace

TEST_P(AtomicWrite, WriteThenRead) {
    TempDir d;
    const std::string p = (d.path / "z.zone").string();
    EXPECT_EQ(write_file_atomically(p, "hello\n", GetParam()), std::nullopt);
    std::string err;
    EXPECT_EQ(read_file(p, &err), std::string("hello\n"));
    EXPECT_EQ(write_file_atomically(p, "replaced\n", GetParam()), std::nullopt);
    EXPECT_EQ(read_file(p, &err), std::string("replaced\n"));
    EXPECT_EQ(d.entries(), 1u);  // no temporary file left behind
}

TEST_P(AtomicWrite, NewFileHonoursUmaskNotTheTemporaryMode) {
    TempDir d;
    const std::string p = (d.path / "z.zone").string();
    mode_t old = ::umask(022);
    ASSERT_EQ(write_file_atomically(p, "x", GetParam()), std::nullopt);
    ::umask(old);
    struct stat st {};
    ASSERT_EQ(::stat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_P(AtomicWrite, MissingDirectoryFailsCleanly) {
    TempDir d;
    const std::string p = (d.path / "nope" / "z.zone").string();
    auto err = write_file_atomically(p, "x", GetParam());
    ASSERT_TRUE(err);
    EXPECT_NE(err->find("cannot create a temporary file"), std::string::npos) << *err;
    EXPECT_EQ(d.entries(), 0u);
}

TEST_P(AtomicWrite, FailedWriteKeepsTheOldFile) {
    // A file-size limit makes write() fail part-way (EFBIG) the way a full disk does
    // (ENOSPC), for root too: the old file must survive and the temporary must go.
    TempDir d;
    const std::string p = (d.path / "z.zone").string();
    ASSERT_EQ(write_file_atomically(p, "old\n"), std::nullopt);
    struct rlimit old_limit {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit tiny = old_limit;
    tiny.rlim_cur = 8;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tiny), 0);
    auto err = write_file_atomically(p, std::string(1000, 'n'), GetParam());
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    std::signal(SIGXFSZ, old_handler);
    ASSERT_TRUE(err);
    EXPECT_NE(err->find("cannot write: File too large"), std::string::npos) << *err;
    std::string e;
    EXPECT_EQ(read_file(p, &e), std::string("old\n"));
    EXPECT_EQ(d.entries(), 1u);
}

TEST(Files, ReadReportsMissing) {
    std::string err;
    bool missing = false;
    EXPECT_EQ(read_file("/nonexistent/zonegen/file", &err, &missing), std::nullopt);
    EXPECT_TRUE(missing);
    EXPECT_EQ(err, "/nonexistent/zonegen/file: cannot open: No such file or directory");
}

// One reader for every buffer: the inventory's std::string and a zone's huge-page text.
TEST(Files, ReadsIntoEitherBuffer) {
    TempDir d;
    const std::string dir = d.path.string();
    const std::string p = dir + "/f";
    std::string big(200000, 'x');
    big[199999] = '\n';
    ASSERT_EQ(write_file_atomically(p, big), std::nullopt);
    std::string s = "stale";
    EXPECT_EQ(read_file_into(p, s), std::nullopt);
    EXPECT_EQ(s, big);
    BigVector<char> v(3, 'y');
    EXPECT_EQ(read_file_into(p, v), std::nullopt);
    EXPECT_EQ(std::string(v.begin(), v.end()), big);
}

TEST(Files, ADirectoryIsRefusedWhenOpened) {
    TempDir d;
    const std::string dir = d.path.string();
    std::string s;
    auto err = read_file_into(dir, s);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->text(), dir + ": cannot open: Is a directory");
    EXPECT_FALSE(err->missing);
    auto check = check_readable(dir);
    ASSERT_TRUE(check);
    EXPECT_EQ(format_gnu(check->diagnostic()), dir + ": cannot open: Is a directory");
    EXPECT_EQ(check_readable(dir + "/none")->text(), dir + "/none: cannot open: No such file or directory");
    EXPECT_TRUE(check_readable(dir + "/none")->missing);
}

TEST(Files, BaseName) {
    EXPECT_EQ(base_name("zones/smarthost.local.zone"), "smarthost.local.zone");
    EXPECT_EQ(base_name("/a/b/sites.json"), "sites.json");
    EXPECT_EQ(base_name("sites.json"), "sites.json");
}

TEST(Files, TemporaryNamesCarryTheTargetAndThePid) {
    EXPECT_EQ(temporary_name("zones/smarthost.local.zone", 4242, 7), ".smarthost.local.zone.tmp.4242.7");
    EXPECT_EQ(temporary_name("z.zone", 1, 0), ".z.zone.tmp.1.0");
}

// SIGKILL between naming a temporary and renaming it leaves the name behind; the next write
// of the same file removes it, and nothing else.
TEST_P(AtomicWrite, StaleTemporariesOfDeadWritersAreRemoved) {
    TempDir d;
    const std::string p = (d.path / "z.zone").string();
    const pid_t dead = testsupport::gone_pid();
    const std::vector<std::string> kept = {
        temporary_name(p, ::getpid(), 999),            // this process: maybe another thread's
        temporary_name(p, 1, 0),                       // a live process
        ".z.zone.tmp.abcdef",                          // not of our making
        temporary_name("other.zone", dead, 0),         // another file's
        ".z.zone.tmp." + std::to_string(dead) + ".x",  // not exactly our form
    };
    for (const std::string& name : kept) std::ofstream(d.path / name) << "keep";
    std::ofstream(d.path / temporary_name(p, dead, 0)) << "stale";
    std::ofstream(d.path / temporary_name(p, dead, 12)) << "stale";

    ASSERT_EQ(write_file_atomically(p, "new\n", GetParam()), std::nullopt);
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(d.path)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    std::vector<std::string> expected = kept;
    expected.push_back("z.zone");
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(names, expected);
}
