// read_file and write_file_atomically: contents, permissions, failures leave no trace.
#include "zonegen/files.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>

#include <filesystem>
#include <fstream>

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

}  // namespace

TEST(Files, WriteThenRead) {
    TempDir d;
    const std::string p = (d.path / "z.zone").string();
    EXPECT_EQ(write_file_atomically(p, "hello\n"), std::nullopt);
    std::string err;
    EXPECT_EQ(read_file(p, &err), std::string("hello\n"));
    EXPECT_EQ(write_file_atomically(p, "replaced\n"), std::nullopt);
    EXPECT_EQ(read_file(p, &err), std::string("replaced\n"));
    EXPECT_EQ(d.entries(), 1u);  // no temporary file left behind
}

TEST(Files, NewFileHonoursUmaskNotMkstempMode) {
    TempDir d;
    const std::string p = (d.path / "z.zone").string();
    mode_t old = ::umask(022);
    ASSERT_EQ(write_file_atomically(p, "x"), std::nullopt);
    ::umask(old);
    struct stat st {};
    ASSERT_EQ(::stat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST(Files, MissingDirectoryFailsCleanly) {
    TempDir d;
    const std::string p = (d.path / "nope" / "z.zone").string();
    auto err = write_file_atomically(p, "x");
    ASSERT_TRUE(err);
    EXPECT_NE(err->find("cannot create a temporary file"), std::string::npos) << *err;
    EXPECT_EQ(d.entries(), 0u);
}

TEST(Files, FailedWriteKeepsTheOldFile) {
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
    auto err = write_file_atomically(p, std::string(1000, 'n'));
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
