// The SMTP greeting as the health check reads it: reply lines (RFC 5321 §4.2) fed as they
// arrive off the socket, until the final line of the greeting or something that is not SMTP.
// Only the current line is kept, so a server that talks forever costs no memory (the
// probe's timeout ends it).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dnsd::health {

class GreetingReader {
public:
    enum class State { Incomplete, Complete, Malformed };

    // Consumes the next bytes read and returns the state after them. Lines end in CRLF;
    // a bare LF is tolerated (real servers and test scripts send it). Bytes after a
    // complete or malformed greeting are ignored.
    State feed(std::string_view bytes);
    State state() const { return state_; }

    // Complete: the reply code of the greeting (220 passes the check) and the text of its
    // final line, made printable and cut to a log line's worth.
    int code() const { return code_; }
    const std::string& text() const { return text_; }
    // Malformed: what was wrong, for the failure reason.
    const std::string& problem() const { return problem_; }

    // RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets with its CRLF.
    static constexpr std::size_t max_line = 512;

private:
    void line_done();
    void malformed(std::string why);

    State state_ = State::Incomplete;
    std::string line_;
    int code_ = 0;
    std::string text_;
    std::string problem_;
};

// Text from the network made safe for one log line: control and non-ASCII bytes become
// '?', and at most max bytes are kept ("..." marks a cut).
std::string printable(std::string_view text, std::size_t max = 80);

}  // namespace dnsd::health
