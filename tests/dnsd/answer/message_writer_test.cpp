// dnsd/answer/message_writer: messages decoded by ldns; names compressed only against names
// of ours that are really there; records that do not fit (or would overflow a count) leave
// the message, the counts and the compression dictionary exactly as they were.
#include "dnsd/answer/message_writer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/dnsd/answer/respond_fixture.hpp"

using dnsd::MessageWriter;
using dnsd::wire::Section;
using dnsdtest::N;

namespace {

namespace flag = dnsd::wire;
constexpr std::uint16_t kA = 1, kNs = 2, kSoa = 6, kMx = 15, kTxt = 16, kAaaa = 28, kIn = 1;

const zonegen::Name kZone = N("example.test");
const zonegen::Name kMail = N("mail.example.test");

// Header and the question "example.test. IN MX" of our own.
void start(MessageWriter& w) {
    ASSERT_TRUE(w.header({.id = 42, .flags = flag::kFlagQr | flag::kFlagAa}));
    ASSERT_TRUE(w.question(kZone.wire(), kMx, kIn));
}

std::vector<std::uint8_t> bytes_of(const MessageWriter& w) { return {w.written().begin(), w.written().end()}; }

}  // namespace

TEST(MessageWriter, EveryRecordTypeInEverySectionDecodes) {
    std::vector<std::uint8_t> buf(1024);
    MessageWriter w(buf, buf.size());
    start(w);
    w.start_record(kZone.wire(), kMx, kIn, 300);
    w.rdata(dnsdtest::mx(10, "mail.example.test"));
    ASSERT_TRUE(w.commit(Section::Answer));
    w.start_record(kZone.wire(), kNs, kIn, 3600);
    w.rdata(zonegen::Ns{N("ns.example.net")});
    ASSERT_TRUE(w.commit(Section::Authority));
    w.start_record(kZone.wire(), kSoa, kIn, 3600);
    w.rdata(zonegen::Soa{N("ns.example.net"), N("hostmaster.example.test"), 7, 3600, 600, 86400, 300});
    ASSERT_TRUE(w.commit(Section::Authority));
    w.start_record(kMail.wire(), kA, kIn, 60);
    w.rdata(dnsdtest::v4("192.0.2.25"));
    ASSERT_TRUE(w.commit(Section::Additional));
    w.start_record(kMail.wire(), kAaaa, kIn, 60);
    w.rdata(dnsdtest::v6("2001:db8::25"));
    ASSERT_TRUE(w.commit(Section::Additional));
    w.start_record(N("txt.example.test").wire(), kTxt, kIn, 60);
    w.rdata(zonegen::Txt{{"hello world", ""}});
    ASSERT_TRUE(w.commit(Section::Additional));

    const auto msg = bytes_of(w);
    const auto d = dnstest::decode(msg);
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.id, 42);
    EXPECT_TRUE(d.qr && d.aa);
    EXPECT_EQ((std::vector<int>{d.counts[0], d.counts[1], d.counts[2], d.counts[3]}), (std::vector<int>{1, 1, 2, 3}));
    EXPECT_EQ(d.question, std::vector<std::string>{"example.test. IN MX"});
    EXPECT_EQ(d.answer, std::vector<std::string>{"example.test. 300 IN MX 10 mail.example.test."});
    EXPECT_EQ(d.authority,
              (std::vector<std::string>{
                  "example.test. 3600 IN NS ns.example.net.",
                  "example.test. 3600 IN SOA ns.example.net. hostmaster.example.test. 7 3600 600 86400 300"}));
    EXPECT_EQ(d.additional, (std::vector<std::string>{"mail.example.test. 60 IN A 192.0.2.25",
                                                      "mail.example.test. 60 IN AAAA 2001:db8::25",
                                                      "txt.example.test. 60 IN TXT \"hello world\" \"\""}));
    // The answer's owner is a pointer to the question's name (RFC 1035 §4.1.4).
    const std::size_t answer = 12 + kZone.wire().size() + 4;
    EXPECT_EQ(msg[answer], 0xC0);
    EXPECT_EQ(msg[answer + 1], 12);
}

// Canonical RDATA as the zone image keeps it: NS and MX names are compressed, the rest copied.
TEST(MessageWriter, CanonicalRdataIsCompressedWhereRfc3597Allows) {
    std::vector<std::uint8_t> buf(512);
    MessageWriter w(buf, buf.size());
    start(w);
    std::string mx("\0\x14", 2);
    mx += kMail.wire();
    w.start_record(kZone.wire(), kMx, kIn, 300);
    w.rdata(kMx, mx);
    ASSERT_TRUE(w.commit(Section::Answer));
    const std::size_t rdata = w.pos() - (2 + 5 + 2);  // preference, "\4mail", pointer
    w.start_record(kZone.wire(), kNs, kIn, 300);
    w.rdata(kNs, kMail.wire());
    ASSERT_TRUE(w.commit(Section::Answer));
    const auto msg = bytes_of(w);
    const auto d = dnstest::decode(msg);
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.answer, (std::vector<std::string>{"example.test. 300 IN MX 20 mail.example.test.",
                                                  "example.test. 300 IN NS mail.example.test."}));
    EXPECT_EQ(dnsd::wire::get16(msg.data() + rdata - 2), 9) << "RDLENGTH: 2 + 5 + a 2-octet pointer";
    // The NS RDATA is one pointer to the MX's "mail.example.test".
    EXPECT_EQ(dnsd::wire::get16(msg.data() + msg.size() - 2), 0xC000 | (rdata + 2));
}

TEST(MessageWriter, ARecordThatDoesNotFitIsRolledBackWhole) {
    std::vector<std::uint8_t> buf(512);
    MessageWriter w(buf, 100);
    start(w);
    w.start_record(kZone.wire(), kMx, kIn, 300);
    w.rdata(dnsdtest::mx(10, "mail.example.test"));
    ASSERT_TRUE(w.commit(Section::Answer));
    const auto before = bytes_of(w);

    // Its owner (a new name, offered for compression with its suffixes) fits; its RDATA
    // does not.
    const zonegen::Name fresh = N("fresh.example.net");
    w.start_record(fresh.wire(), kTxt, kIn, 300);
    w.rdata(zonegen::Txt{{std::string(100, 'x')}});
    EXPECT_TRUE(w.failed());
    EXPECT_FALSE(w.commit(Section::Answer));
    EXPECT_FALSE(w.failed());
    EXPECT_EQ(bytes_of(w), before) << "bytes and ANCOUNT as before the record";
    EXPECT_EQ(w.count(Section::Answer), 1);

    // The same owner again, where the rolled-back one stood: had its offer survived, this
    // would be a pointer to itself, which ldns rejects.
    const std::size_t at = w.pos();
    w.start_record(fresh.wire(), kA, kIn, 300);
    w.rdata(dnsdtest::v4("192.0.2.1"));
    ASSERT_TRUE(w.commit(Section::Answer));
    EXPECT_EQ(buf[at], 5) << "\"fresh\" written as a label";
    const auto d = dnstest::decode(bytes_of(w));
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.answer, (std::vector<std::string>{"example.test. 300 IN MX 10 mail.example.test.",
                                                  "fresh.example.net. 300 IN A 192.0.2.1"}));
}

TEST(MessageWriter, AFullCountRejectsTheRecord) {
    std::vector<std::uint8_t> buf(512);
    MessageWriter w(buf, buf.size());
    start(w);
    w.set_count(Section::Additional, 0xFFFF);
    const std::size_t at = w.pos();
    w.start_record(kMail.wire(), kA, kIn, 60);
    w.rdata(dnsdtest::v4("192.0.2.25"));
    EXPECT_FALSE(w.commit(Section::Additional));
    EXPECT_EQ(w.pos(), at);
    EXPECT_EQ(w.count(Section::Additional), 0xFFFF);
}

TEST(MessageWriter, NothingIsCountedWithoutAHeader) {
    std::vector<std::uint8_t> buf(64);
    MessageWriter w(buf, buf.size());
    EXPECT_FALSE(w.question(kZone.wire(), kMx, kIn));
    EXPECT_EQ(w.pos(), 0u);
    w.start_record(kMail.wire(), kA, kIn, 60);
    w.rdata(dnsdtest::v4("192.0.2.25"));
    EXPECT_FALSE(w.commit(Section::Answer));
    EXPECT_EQ(w.pos(), 0u);
}

// A question copied as the client sent it keeps its case and is never pointed at: a name
// of ours pointing into it would come out in the client's case.
TEST(MessageWriter, AQuestionAsSentIsNotACompressionTarget) {
    dnstest::Packet q;
    q.name("MiXeD.Example.TEST").u16(kA).u16(kIn);
    std::vector<std::uint8_t> buf(512);
    MessageWriter w(buf, buf.size());
    ASSERT_TRUE(w.header({.id = 7, .flags = flag::kFlagQr}));
    ASSERT_TRUE(w.question(q));
    EXPECT_EQ(w.count(Section::Question), 1);
    const zonegen::Name owner = N("mixed.example.test");
    const std::size_t at = w.pos();
    w.start_record(owner.wire(), kA, kIn, 60);
    w.rdata(dnsdtest::v4("192.0.2.7"));
    ASSERT_TRUE(w.commit(Section::Answer));
    EXPECT_EQ(std::string(buf.begin() + static_cast<long>(at),
                          buf.begin() + static_cast<long>(at + owner.wire().size())),
              owner.wire());
    const auto d = dnstest::decode(bytes_of(w));
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.question, std::vector<std::string>{"MiXeD.Example.TEST. IN A"});
    EXPECT_EQ(d.answer, std::vector<std::string>{"mixed.example.test. 60 IN A 192.0.2.7"});
}

// Names placed after max_target are written but not offered (the answer table keeps room to
// move its pointers); the ones before still are.
TEST(MessageWriter, NamesPastMaxTargetAreNotPointedAt) {
    std::vector<std::uint8_t> buf(512);
    MessageWriter w(buf, buf.size(), 29);  // the question "example.test" ends at 29
    start(w);
    const zonegen::Name www = N("www.example.test");
    std::vector<std::size_t> owners;
    for (int i = 0; i < 2; ++i) {
        owners.push_back(w.pos());
        w.start_record(www.wire(), kA, kIn, 60);
        w.rdata(dnsdtest::v4("192.0.2.80"));
        ASSERT_TRUE(w.commit(Section::Answer));
    }
    for (std::size_t at : owners) {
        EXPECT_EQ(buf[at], 3) << "\"www\" in full at " << at;
        EXPECT_EQ(dnsd::wire::get16(buf.data() + at + 4), 0xC00C) << "then the question's name";
    }
    const auto d = dnstest::decode(bytes_of(w));
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.answer.size(), 2u);
}

// The answer table moves the pointers name() writes (answer_table_impl.hpp), so it needs
// all of them, none of the hand-written ones, and none of a record rolled back.
TEST(MessageWriter, PointerLogHoldsTheCompressionPointers) {
    std::vector<std::uint8_t> buf(512);
    MessageWriter w(buf, 100);
    std::vector<std::uint16_t> log;
    start(w);
    w.log_pointers(&log);
    w.start_record();
    w.pointer(12);  // by hand: not logged
    w.fields(kMx, kIn, 300);
    w.rdata(dnsdtest::mx(10, "mail.example.test"));  // "\4mail" then a pointer: logged
    ASSERT_TRUE(w.commit(Section::Answer));
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(dnsd::wire::get16(buf.data() + log[0]), 0xC00C);
    w.start_record(kMail.wire(), kTxt, kIn, 300);  // a pointer to the MX's name, then too big
    w.rdata(zonegen::Txt{{std::string(100, 'x')}});
    EXPECT_FALSE(w.commit(Section::Answer));
    EXPECT_EQ(log.size(), 1u);
    w.start_record(kMail.wire(), kA, kIn, 300);
    w.rdata(dnsdtest::v4("192.0.2.25"));
    ASSERT_TRUE(w.commit(Section::Answer));
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(dnsd::wire::get16(buf.data() + log[1]) & 0xC000, 0xC000);
    const auto d = dnstest::decode(bytes_of(w));
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.answer.back(), "mail.example.test. 300 IN A 192.0.2.25");
}

// A transfer's messages hold hundreds of names: past a handful the dictionary is a hash
// table, and it must find the same names the scan did.
TEST(MessageWriter, ManyNamesCompressAgainstEachOther) {
    std::vector<std::uint8_t> buf(65535);
    MessageWriter w(buf, buf.size());
    start(w);
    std::vector<zonegen::Name> names;
    names.reserve(300);
    for (int i = 0; i < 300; ++i) names.push_back(N(("host" + std::to_string(i) + ".example.test").c_str()));
    for (int round = 0; round < 2; ++round)
        for (const auto& n : names) {
            w.start_record(n.wire(), kA, kIn, 60);
            w.rdata(dnsdtest::v4("192.0.2.1"));
            ASSERT_TRUE(w.commit(Section::Answer));
        }
    // The second round's owners are all pointers: 2 + 10 + 4 octets a record.
    const std::size_t first_round_end = w.pos() - names.size() * 16;
    for (std::size_t i = 0; i < names.size(); ++i)
        EXPECT_EQ(buf[first_round_end + 16 * i] & 0xC0, 0xC0) << names[i].text();
    const auto d = dnstest::decode(bytes_of(w));
    ASSERT_TRUE(d.ok) << d.error;
    ASSERT_EQ(d.answer.size(), 600u);
    EXPECT_EQ(d.answer[599], "host299.example.test. 60 IN A 192.0.2.1");
}

TEST(MessageWriter, ClearStartsANewMessageWithNothingToPointAt) {
    std::vector<std::uint8_t> buf(512);
    MessageWriter w(buf, buf.size());
    start(w);
    w.start_record(kMail.wire(), kA, kIn, 60);
    w.rdata(dnsdtest::v4("192.0.2.25"));
    ASSERT_TRUE(w.commit(Section::Answer));
    w.clear();
    EXPECT_EQ(w.pos(), 0u);
    ASSERT_TRUE(w.header({.id = 9}));
    w.start_record(kMail.wire(), kA, kIn, 60);
    w.rdata(dnsdtest::v4("192.0.2.25"));
    ASSERT_TRUE(w.commit(Section::Answer));
    EXPECT_EQ(w.pos(), 12u + kMail.wire().size() + 10 + 4) << "the name in full";
    const auto d = dnstest::decode(bytes_of(w));
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.answer, std::vector<std::string>{"mail.example.test. 60 IN A 192.0.2.25"});
}

// A record larger than the limit fits once the limit is widened (what AXFR does for a
// record larger than its message target).
TEST(MessageWriter, WideningTheLimitLetsABigRecordIn) {
    std::vector<std::uint8_t> buf(2048);
    MessageWriter w(buf, 512);
    start(w);
    const zonegen::Txt big{{std::string(255, 'a'), std::string(255, 'b'), std::string(255, 'c')}};
    w.start_record(kZone.wire(), kTxt, kIn, 60);
    w.rdata(big);
    EXPECT_FALSE(w.commit(Section::Answer));
    w.set_limit(buf.size());
    w.start_record(kZone.wire(), kTxt, kIn, 60);
    w.rdata(big);
    ASSERT_TRUE(w.commit(Section::Answer));
    const auto d = dnstest::decode(bytes_of(w));
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.answer.size(), 1u);
}
