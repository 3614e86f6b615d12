// The SMTP greeting reader as a table: whole greetings and greetings cut at every byte
// must read alike (the socket delivers them in any pieces).
#include "dnsd/health/greeting.hpp"

#include <gtest/gtest.h>

#include <string>

using dnsd::health::GreetingReader;
using State = GreetingReader::State;

namespace {

struct Case {
    const char* bytes;
    State state;
    int code;
    const char* text_or_problem;
};

const Case cases[] = {
    {"220 mail.example ESMTP\r\n", State::Complete, 220, "mail.example ESMTP"},
    {"220-mail.example ESMTP\r\n220-second line\r\n220 last\r\n", State::Complete, 220, "last"},
    {"220-bare\n220 lf\n", State::Complete, 220, "lf"},
    {"220\r\n", State::Complete, 220, ""},
    {"421 busy, try later\r\n", State::Complete, 421, "busy, try later"},
    {"554-no\r\n554 go away\r\n", State::Complete, 554, "go away"},
    {"220-not yet\r\n220-still\r\n", State::Incomplete, 220, ""},
    {"220 no line end", State::Incomplete, 0, ""},
    {"SSH-2.0-OpenSSH_9.2\r\n", State::Malformed, 0, "not an SMTP reply: \"SSH-2.0-OpenSSH_9.2\""},
    {"220-a\r\n421 b\r\n", State::Malformed, 220, "reply code 421 inside a 220 greeting"},
    {"22\r\n", State::Malformed, 0, "not an SMTP reply: \"22\""},
    {"220x\r\n", State::Malformed, 0, "not an SMTP reply: \"220x\""},
    {"620 six\r\n", State::Malformed, 0, "not an SMTP reply: \"620 six\""},
};

void expect_case(const Case& c, const GreetingReader& r) {
    EXPECT_EQ(r.state(), c.state) << c.bytes;
    if (c.state == State::Complete) {
        EXPECT_EQ(r.code(), c.code) << c.bytes;
        EXPECT_EQ(r.text(), c.text_or_problem) << c.bytes;
    }
    if (c.state == State::Malformed) {
        EXPECT_EQ(r.problem(), c.text_or_problem) << c.bytes;
    }
}

}  // namespace

TEST(GreetingReader, ReadsWholeGreetings) {
    for (const Case& c : cases) {
        GreetingReader r;
        EXPECT_EQ(r.feed(c.bytes), c.state) << c.bytes;
        expect_case(c, r);
    }
}

TEST(GreetingReader, ReadsGreetingsInAnyPieces) {
    for (const Case& c : cases) {
        const std::string bytes = c.bytes;
        for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
            GreetingReader r;
            r.feed(std::string_view(bytes).substr(0, cut));
            r.feed(std::string_view(bytes).substr(cut));
            expect_case(c, r);
        }
        GreetingReader bytewise;
        for (char ch : bytes) bytewise.feed(std::string_view(&ch, 1));
        expect_case(c, bytewise);
    }
}

TEST(GreetingReader, IgnoresWhatFollowsTheGreeting) {
    GreetingReader r;
    EXPECT_EQ(r.feed("220 ok\r\n554 later\r\n"), State::Complete);
    EXPECT_EQ(r.code(), 220);
    EXPECT_EQ(r.text(), "ok");
}

TEST(GreetingReader, LinesLongerThanRfc5321AllowsAreMalformed) {
    GreetingReader fits;
    EXPECT_EQ(fits.feed("220 " + std::string(GreetingReader::max_line - 6, 'x') + "\r\n"), State::Complete);
    GreetingReader fits_lf;
    EXPECT_EQ(fits_lf.feed("220 " + std::string(GreetingReader::max_line - 6, 'x') + "\n"), State::Complete);
    for (const char* end : {"\r\n", "\n", "x"}) {
        GreetingReader too_long;
        EXPECT_EQ(too_long.feed("220 " + std::string(GreetingReader::max_line - 5, 'x') + end), State::Malformed);
        EXPECT_EQ(too_long.problem(), "a greeting line longer than 512 octets");
    }
}

TEST(GreetingReader, TextIsMadePrintableAndCut) {
    GreetingReader r;
    r.feed("421 bad\x01\xff" + std::string(100, 'y') + "\r\n");
    EXPECT_EQ(r.text(), "bad??" + std::string(75, 'y') + "...");
    EXPECT_EQ(dnsd::health::printable("a\tb", 2), "a?...");
}
