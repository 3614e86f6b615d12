// Reading an SMTP greeting line by line (RFC 5321 §4.2, §4.2.1, §3.1).
#include "dnsd/health/greeting.hpp"

#include <utility>

namespace dnsd::health {

std::string printable(std::string_view text, std::size_t max) {
    std::string out;
    for (char c : text) {
        if (out.size() == max) {
            out += "...";
            break;
        }
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return out;
}

GreetingReader::State GreetingReader::feed(std::string_view bytes) {
    for (char c : bytes) {
        if (state_ != State::Incomplete) break;
        if (c == '\n') {
            if (!line_.empty() && line_.back() == '\r') line_.pop_back();
            if (line_.size() + 2 > max_line) {
                malformed("a greeting line longer than 512 octets");
                break;
            }
            line_done();
            line_.clear();
            continue;
        }
        if (line_.size() + 1 == max_line) {  // and no LF yet: too long already
            malformed("a greeting line longer than 512 octets");
            break;
        }
        line_ += c;
    }
    return state_;
}

void GreetingReader::line_done() {
    // §4.2: Reply-code is three digits, the first 2-5, the second 0-5; then "-" on every
    // line but the last, which has a space or nothing after the code.
    const std::string& l = line_;
    auto digit = [&](std::size_t i, char lo, char hi) { return l.size() > i && l[i] >= lo && l[i] <= hi; };
    if (!digit(0, '2', '5') || !digit(1, '0', '5') || !digit(2, '0', '9') ||
        (l.size() > 3 && l[3] != '-' && l[3] != ' ')) {
        malformed("not an SMTP reply: \"" + printable(l) + '"');
        return;
    }
    const int code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
    // §4.2.1: every line of a multiline reply carries the same code.
    if (code_ != 0 && code != code_) {
        malformed("reply code " + std::to_string(code) + " inside a " + std::to_string(code_) + " greeting");
        return;
    }
    code_ = code;
    if (l.size() > 3 && l[3] == '-') return;
    text_ = printable(l.size() > 4 ? std::string_view(l).substr(4) : std::string_view());
    state_ = State::Complete;
}

void GreetingReader::malformed(std::string why) {
    state_ = State::Malformed;
    problem_ = std::move(why);
}

}  // namespace dnsd::health
