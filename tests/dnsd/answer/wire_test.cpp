// dnsd/wire: the bounds-checked reader, name decoding (compression rules and limits) and
// the all-or-nothing writer.
#include "dnsd/answer/wire.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/dns_decode.hpp"

using dnsd::wire::NameStatus;
using dnsd::wire::Reader;
using dnsd::wire::Writer;
using dnstest::Packet;

namespace {

struct Decoded {
    NameStatus status;
    std::string name;  // lower-cased wire form as a string, when Ok
    std::size_t after = 0;
};

Decoded read_at(std::span<const std::uint8_t> msg, std::size_t pos, bool allow_pointers = true) {
    Reader r(msg, pos);
    std::array<std::uint8_t, dnsd::wire::kMaxName> buf;
    std::size_t len = 0;
    Decoded d{dnsd::wire::read_name(r, allow_pointers, buf, len), {}, r.pos()};
    if (d.status == NameStatus::Ok) d.name.assign(reinterpret_cast<const char*>(buf.data()), len);
    return d;
}

// A header (12 octets of zeros) followed by whatever the test appends.
Packet message() {
    Packet p;
    p.header(0, 0, 0, 0, 0, 0);
    return p;
}

}  // namespace

TEST(Reader, ReadsBigEndianAndStopsAtTheEnd) {
    const std::vector<std::uint8_t> b = {0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE};
    Reader r(b);
    std::uint16_t v16 = 0;
    std::uint32_t v32 = 0;
    std::uint8_t v8 = 0;
    ASSERT_TRUE(r.u16(v16));
    EXPECT_EQ(v16, 0x1234);
    ASSERT_TRUE(r.u32(v32));
    EXPECT_EQ(v32, 0x56789ABCu);
    EXPECT_EQ(r.remaining(), 1u);
    EXPECT_FALSE(r.u16(v16));  // one octet left: nothing read, nothing moved
    EXPECT_EQ(r.pos(), 6u);
    EXPECT_FALSE(r.skip(2));
    ASSERT_TRUE(r.u8(v8));
    EXPECT_EQ(v8, 0xDE);
    EXPECT_FALSE(r.u8(v8));
    EXPECT_FALSE(r.u32(v32));
    EXPECT_FALSE(r.seek(8));
    EXPECT_TRUE(r.seek(0));
    EXPECT_TRUE(r.skip(7));
    EXPECT_EQ(r.remaining(), 0u);
}

TEST(ReadName, PlainNameIsLowerCased) {
    Packet p = message();
    p.name("Mail.OXFORD.example").u16(1);
    const auto d = read_at(p, 12, false);
    ASSERT_EQ(d.status, NameStatus::Ok);
    EXPECT_EQ(d.name, std::string_view("\4mail\6oxford\7example\0", 21));
    EXPECT_EQ(d.after, 12u + 21u);
}

TEST(ReadName, RootName) {
    Packet p = message();
    p.u8(0);
    const auto d = read_at(p, 12, false);
    ASSERT_EQ(d.status, NameStatus::Ok);
    EXPECT_EQ(d.name, std::string_view("\0", 1));
    EXPECT_EQ(d.after, 13u);
}

TEST(ReadName, FollowsBackwardPointersAndResumesAfterTheFirst) {
    Packet p = message();
    p.name("example.test");                          // 12..25
    p.u8(4).text("MAIL").u16(0xC00C);                // 26..32: mail + pointer to 12
    p.u8(1).text("x").u16(0xC000 | 26).u16(0xABCD);  // 33..37: x + pointer to 26, then data
    auto d = read_at(p, 26);
    ASSERT_EQ(d.status, NameStatus::Ok);
    EXPECT_EQ(d.name, std::string_view("\4mail\7example\4test\0", 19));
    EXPECT_EQ(d.after, 33u);
    d = read_at(p, 33);
    ASSERT_EQ(d.status, NameStatus::Ok);
    EXPECT_EQ(d.name, std::string_view("\1x\4mail\7example\4test\0", 21));
    EXPECT_EQ(d.after, 37u);  // after the first pointer, not after the name it led to
    // Without pointers allowed, the same bytes are refused.
    EXPECT_EQ(read_at(p, 26, false).status, NameStatus::Pointer);
}

TEST(ReadName, PointerLoopsAreCaught) {
    Packet self = message();
    self.u16(0xC00C);  // points at itself
    EXPECT_EQ(read_at(self, 12).status, NameStatus::PointerLoop);

    Packet run = message();
    run.u8(1).text("a").u16(0xC00C);  // "a", then back to "a": endless
    EXPECT_EQ(read_at(run, 12).status, NameStatus::PointerLoop);

    // Two pointers aimed at each other: one of them is always a forward pointer, refused
    // before a loop can form (from 14 the walk reaches 12, whose pointer to 14 is forward).
    Packet pair = message();
    pair.u16(0xC000 | 14).u16(0xC00C);
    EXPECT_EQ(read_at(pair, 12).status, NameStatus::ForwardPointer);
    EXPECT_EQ(read_at(pair, 14).status, NameStatus::ForwardPointer);
}

TEST(ReadName, BadPointers) {
    Packet fwd = message();
    fwd.u16(0xC000 | 14).name("a");
    EXPECT_EQ(read_at(fwd, 12).status, NameStatus::ForwardPointer);

    Packet header = message();
    header.u16(0xC004);
    EXPECT_EQ(read_at(header, 12).status, NameStatus::BadPointer);

    Packet far = message();
    far.u16(0xFFFF);
    EXPECT_EQ(read_at(far, 12).status, NameStatus::ForwardPointer);

    Packet half = message();
    half.u8(0xC0);
    EXPECT_EQ(read_at(half, 12).status, NameStatus::Truncated);
}

TEST(ReadName, LabelAndNameLimits) {
    Packet l63 = message();
    l63.u8(63).text(std::string(63, 'a')).u8(0);
    EXPECT_EQ(read_at(l63, 12).status, NameStatus::Ok);

    for (std::uint8_t bad : {std::uint8_t{64}, std::uint8_t{0x7F}, std::uint8_t{0x80}, std::uint8_t{0xBF}}) {
        Packet p = message();
        p.u8(bad).text(std::string(bad & 0x3F, 'a')).u8(0);
        EXPECT_EQ(read_at(p, 12).status, NameStatus::BadLabelType) << int(bad);
    }

    // 3 x 63 + one of 61 + 4 length octets + root = 255: the longest legal name.
    Packet max = message();
    for (int i = 0; i < 3; ++i) max.u8(63).text(std::string(63, 'a'));
    max.u8(61).text(std::string(61, 'b')).u8(0);
    const auto ok = read_at(max, 12);
    ASSERT_EQ(ok.status, NameStatus::Ok);
    EXPECT_EQ(ok.name.size(), 255u);

    Packet over = message();
    for (int i = 0; i < 3; ++i) over.u8(63).text(std::string(63, 'a'));
    over.u8(62).text(std::string(62, 'b')).u8(0);
    EXPECT_EQ(read_at(over, 12).status, NameStatus::TooLong);

    // Too long only once pointers are followed: 200 octets of labels, then a pointer back
    // to a 101-octet name.
    Packet viaptr = message();
    viaptr.u8(63).text(std::string(63, 'c')).u8(35).text(std::string(35, 'c')).u8(0);  // 12..112
    for (int i = 0; i < 3; ++i) viaptr.u8(63).text(std::string(63, 'd'));
    viaptr.u8(7).text("eeeeeee").u16(0xC00C);
    EXPECT_EQ(read_at(viaptr, 12).status, NameStatus::Ok);
    EXPECT_EQ(read_at(viaptr, 113).status, NameStatus::TooLong);
}

TEST(ReadName, TruncatedNames) {
    Packet p = message();
    p.u8(5).text("abc");
    EXPECT_EQ(read_at(p, 12).status, NameStatus::Truncated);
    Packet q = message();
    q.u8(3).text("abc");  // no root label
    EXPECT_EQ(read_at(q, 12).status, NameStatus::Truncated);
    EXPECT_EQ(read_at(q, 16).status, NameStatus::Truncated);  // at the very end
    // A failed read leaves the reader where it was.
    Reader r(q, 12);
    std::array<std::uint8_t, dnsd::wire::kMaxName> buf;
    std::size_t len = 0;
    EXPECT_NE(dnsd::wire::read_name(r, true, buf, len), NameStatus::Ok);
    EXPECT_EQ(r.pos(), 12u);
}

TEST(ReadName, EveryStatusIsDescribed) {
    for (auto s : {NameStatus::Ok, NameStatus::Truncated, NameStatus::BadLabelType, NameStatus::TooLong,
                   NameStatus::Pointer, NameStatus::BadPointer, NameStatus::ForwardPointer, NameStatus::PointerLoop})
        EXPECT_STRNE(dnsd::wire::describe(s), "?");
}

TEST(Writer, WritesFitWholeOrNotAtAll) {
    std::array<std::uint8_t, 16> buf{};
    Writer w(buf, 7);
    EXPECT_EQ(w.limit(), 7u);
    EXPECT_TRUE(w.u16(0x1234));
    EXPECT_TRUE(w.u32(0xA1B2C3D4));
    EXPECT_FALSE(w.u16(0xFFFF));  // 6 + 2 > 7
    EXPECT_EQ(w.pos(), 6u);
    const std::array<std::uint8_t, 2> two = {9, 9};
    EXPECT_FALSE(w.bytes(two));
    EXPECT_EQ(w.pos(), 6u);
    EXPECT_TRUE(w.u8(0x55));
    EXPECT_FALSE(w.u8(0x66));
    EXPECT_EQ(buf[6], 0x55);
    EXPECT_EQ(buf[7], 0);  // never touched
    EXPECT_EQ(buf[0], 0x12);
    EXPECT_EQ(buf[5], 0xD4);
    w.patch16(0, 0xBEEF);
    EXPECT_EQ(buf[0], 0xBE);
    EXPECT_EQ(buf[1], 0xEF);
    w.patch16(6, 0x0000);  // not fully written yet: ignored
    EXPECT_EQ(buf[6], 0x55);
    w.truncate(2);
    EXPECT_EQ(w.pos(), 2u);
    w.truncate(5);  // cannot grow
    EXPECT_EQ(w.pos(), 2u);
}

TEST(Writer, LimitIsCappedByTheBuffer) {
    std::array<std::uint8_t, 4> buf{};
    Writer w(buf, 1000);
    EXPECT_EQ(w.limit(), 4u);
    EXPECT_TRUE(w.u32(1));
    EXPECT_FALSE(w.u8(1));
}

// The one header encoder, read back by ldns: every field lands where RFC 1035 §4.1.1 puts it.
TEST(Writer, HeaderEncodesEveryField) {
    std::array<std::uint8_t, 12> buf{};
    Writer w(buf, buf.size());
    ASSERT_TRUE(
        w.header({.id = 0xBEEF,
                  .flags = dnsd::wire::kFlagQr | dnsd::wire::kFlagAa | dnsd::wire::kFlagRd | dnsd::wire::kFlagCd,
                  .opcode = dnsd::wire::opcode::kNotify,
                  .rcode = dnsd::wire::rcode::kRefused}));
    EXPECT_EQ(w.pos(), 12u);
    const auto d = dnstest::decode(buf);
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.id, 0xBEEF);
    EXPECT_EQ(d.opcode, 4);
    EXPECT_EQ(d.rcode, 5);
    EXPECT_TRUE(d.qr && d.aa && d.rd && d.cd);
    EXPECT_FALSE(d.tc || d.ra || d.ad);

    // The counts, read as raw words (ldns would want the records they announce).
    w.truncate(0);
    ASSERT_TRUE(w.header({.qdcount = 1, .ancount = 0x0203, .nscount = 0x0405, .arcount = 0xFFFF}));
    EXPECT_EQ(dnsd::wire::get16(buf.data() + 4), 1);
    EXPECT_EQ(dnsd::wire::get16(buf.data() + 6), 0x0203);
    EXPECT_EQ(dnsd::wire::get16(buf.data() + 8), 0x0405);
    EXPECT_EQ(dnsd::wire::get16(buf.data() + 10), 0xFFFF);
    EXPECT_EQ(dnsd::wire::count_offset(dnsd::wire::Section::Additional), 10u);
}

// Opcode and rcode come from their own fields: stray bits in flags cannot overwrite them,
// and an extended rcode leaves only its low 4 bits in the header (RFC 6891 §6.1.3).
TEST(Writer, HeaderFieldsDoNotBleedIntoEachOther) {
    std::array<std::uint8_t, 12> buf{};
    Writer w(buf, buf.size());
    ASSERT_TRUE(w.header({.flags = 0xFFFF, .opcode = 0, .rcode = dnsd::wire::rcode::kBadVers}));
    EXPECT_EQ(dnsd::wire::get16(buf.data() + 2), 0x87F0);
    w.truncate(0);
    ASSERT_TRUE(w.header({.flags = 0, .opcode = 0xFF, .rcode = 0xFF}));
    EXPECT_EQ(dnsd::wire::get16(buf.data() + 2), 0x780F);
}

TEST(Writer, HeaderFitsWholeOrNotAtAll) {
    std::array<std::uint8_t, 16> buf{};
    Writer w(buf, 12);
    ASSERT_TRUE(w.u8(7));
    EXPECT_FALSE(w.header({.id = 0xFFFF}));  // 1 + 12 > 12
    EXPECT_EQ(w.pos(), 1u);
    EXPECT_EQ(buf[1], 0);
}

TEST(Writer, SetLimitStaysWithinTheBufferAndWhatIsWritten) {
    std::array<std::uint8_t, 8> buf{};
    Writer w(buf, 2);
    ASSERT_TRUE(w.u16(1));
    EXPECT_FALSE(w.u8(1));
    w.set_limit(100);
    EXPECT_EQ(w.limit(), 8u);
    EXPECT_TRUE(w.u32(2));
    w.set_limit(1);  // below what is written: the limit stops at pos
    EXPECT_EQ(w.limit(), 6u);
    EXPECT_FALSE(w.u8(1));
}
