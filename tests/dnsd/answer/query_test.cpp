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
    ASSERT_EQ(dnsd::parse_query(good_question(0, 0, 1).opt(4096, 3, true), q), ParseStatus::Ok);
    EXPECT_TRUE(q.has_question);
    EXPECT_EQ(q.qtype, kMx);
    EXPECT_EQ(q.qclass, 1);
    EXPECT_EQ(q.question_end, 12u + 19u + 4u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(q.qname.data()), q.qname_length),
              std::string("\4site\7example\4test\0", 19));
    EXPECT_TRUE(q.has_opt);
    EXPECT_EQ(q.udp_payload, 4096);
    EXPECT_EQ(q.edns_version, 3);
    EXPECT_EQ(q.id, 0x4242);
    EXPECT_EQ(q.opcode, 0);
}
