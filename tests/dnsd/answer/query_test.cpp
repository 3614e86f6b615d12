// parse_query(): the status names the first rule a message breaks, and a good query's
// question and OPT fields are read out (the packets come from malformed_cases.hpp).
#include "dnsd/answer/query.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/dnsd/answer/malformed_cases.hpp"

using dnstest::Packet;
using namespace malformed;

TEST(ParseQuery, StatusNamesTheProblem) {
    using dnsd::ParseStatus;
    const std::vector<std::uint8_t> opt_overrun = {0x00, 0x0A, 0x00, 0x08, 1, 2};
    const std::vector<std::pair<Packet, ParseStatus>> table = {
        {good_question(0, 0, 0), ParseStatus::Ok},
        {good_question(0, 0, 1).opt(1232), ParseStatus::Ok},
        {head(2, 0, 0, 0), ParseStatus::QuestionCount},
        {head(1, 0, 0, 0).u16(0xC00C), ParseStatus::BadQuestion},
        {good_question(0, 0, 1), ParseStatus::BadRecord},
        {good_question(1, 0, 0).opt(1232), ParseStatus::OptMisplaced},
        {good_question(0, 0, 2).opt(1232).opt(512), ParseStatus::SecondOpt},
        {good_question(0, 0, 1).opt(1232, 0, false, opt_overrun), ParseStatus::BadOpt},
        {good_question(0, 0, 0).u8(0), ParseStatus::TrailingData},
    };
    for (const auto& [packet, want] : table) {
        dnsd::ParsedQuery q;
        EXPECT_EQ(dnsd::parse_query(packet, q), want) << dnsd::describe(want);
        EXPECT_STRNE(dnsd::describe(want), "?");
    }
    dnsd::ParsedQuery q;
    ASSERT_EQ(dnsd::parse_query(good_question(0, 0, 1).opt(4096, 3, true), q), dnsd::ParseStatus::Ok);
    EXPECT_TRUE(q.has_question);
    EXPECT_EQ(q.qtype, kMx);
    EXPECT_EQ(q.qclass, 1);
    EXPECT_EQ(q.question_end, 12u + 19u + 4u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(q.qname.data()), q.qname_length),
              std::string("\4site\7example\4test\0", 19));
    EXPECT_TRUE(q.has_opt);
    EXPECT_EQ(q.udp_payload, 4096);
    EXPECT_EQ(q.edns_version, 3);
    EXPECT_TRUE(q.dnssec_ok);
    EXPECT_FALSE(q.nsid);
    EXPECT_EQ(q.id, 0x4242);
    EXPECT_EQ(q.opcode, 0);
}

// The DO bit and an NSID option anywhere among the options (RFC 3225 §3, RFC 5001 §2.1).
TEST(ParseQuery, DoBitAndNsid) {
    const std::vector<std::uint8_t> cookie = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};  // RFC 7873 client cookie
    const std::vector<std::uint8_t> nsid = {0, 3, 0, 0};
    const std::vector<std::uint8_t> nsid_with_data = {0, 3, 0, 2, 'h', 'i'};
    auto with = [](std::initializer_list<std::vector<std::uint8_t>> parts) {
        std::vector<std::uint8_t> all;
        for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
        return all;
    };
    struct Case {
        bool dnssec_ok;
        std::vector<std::uint8_t> options;
        bool want_nsid;
    };
    const Case cases[] = {
        {false, {}, false},
        {true, {}, false},
        {true, cookie, false},
        {false, nsid, true},
        {true, with({cookie, nsid}), true},
        {true, with({nsid, cookie}), true},
        {false, nsid_with_data, true},
        {true, {0, 5, 0, 0}, false},  // code 5 (DAU) is not NSID
    };
    for (const Case& c : cases) {
        dnsd::ParsedQuery q;
        ASSERT_EQ(dnsd::parse_query(good_question(0, 0, 1).opt(1232, 0, c.dnssec_ok, c.options), q),
                  dnsd::ParseStatus::Ok);
        EXPECT_EQ(q.dnssec_ok, c.dnssec_ok);
        EXPECT_EQ(q.nsid, c.want_nsid) << c.options.size();
    }
    // Without an OPT there is neither.
    dnsd::ParsedQuery q;
    ASSERT_EQ(dnsd::parse_query(good_question(0, 0, 0), q), dnsd::ParseStatus::Ok);
    EXPECT_FALSE(q.dnssec_ok);
    EXPECT_FALSE(q.nsid);
}
