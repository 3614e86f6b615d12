// set_nsid(): --nsid TEXT is the identifier byte for byte, "hostname" is gethostname(2),
// and empty or over-long text is refused without touching the options.
#include "dnsd/primary/nsid.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace {

std::string nsid_text(const dnsd::AnswerOptions& o) {
    return {reinterpret_cast<const char*>(o.nsid.data()), o.nsid_length};
}

}  // namespace

TEST(Nsid, TextIsTakenAsIs) {
    dnsd::AnswerOptions o;
    EXPECT_FALSE(dnsd::set_nsid(o, "ns1 Oxford \xC3\xA9"));
    EXPECT_EQ(nsid_text(o), "ns1 Oxford \xC3\xA9");
    const std::string most(dnsd::AnswerOptions::kMaxNsid, 'x');
    EXPECT_FALSE(dnsd::set_nsid(o, most));
    EXPECT_EQ(nsid_text(o), most);
}

TEST(Nsid, Hostname) {
    std::array<char, 256> host{};
    ASSERT_EQ(::gethostname(host.data(), host.size() - 1), 0);
    dnsd::AnswerOptions o;
    EXPECT_FALSE(dnsd::set_nsid(o, "hostname"));
    EXPECT_EQ(nsid_text(o), std::string(host.data()));
    EXPECT_GT(o.nsid_length, 0);
}

TEST(Nsid, EmptyOrTooLongIsRefused) {
    dnsd::AnswerOptions o;
    ASSERT_FALSE(dnsd::set_nsid(o, "kept"));
    auto e = dnsd::set_nsid(o, "");
    ASSERT_TRUE(e);
    EXPECT_NE(e->message.find("must not be empty"), std::string::npos) << e->message;
    e = dnsd::set_nsid(o, std::string(dnsd::AnswerOptions::kMaxNsid + 1, 'x'));
    ASSERT_TRUE(e);
    EXPECT_NE(e->message.find("129 octets; at most 128"), std::string::npos) << e->message;
    EXPECT_EQ(nsid_text(o), "kept");
}
