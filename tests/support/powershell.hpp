// Reading PowerShell text without PowerShell, for the tests of zonegen's scripts: no
// PowerShell runs on this machine, so the tests check the scripts' commands, parameters
// and string literals by these rules of the language (about_Parsing, about_Quoting_Rules).
#pragma once

#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace testsupport {

// A single-quoted literal starting at text[at] == '\'', read as PowerShell reads it: ''
// is one quote, and the first lone quote ends it. *end is set just past it. nullopt if
// the text ends inside it.
inline std::optional<std::string> read_single_quoted(std::string_view text, std::size_t at, std::size_t* end) {
    if (at >= text.size() || text[at] != '\'') return std::nullopt;
    std::string out;
    for (std::size_t i = at + 1; i < text.size(); ++i) {
        if (text[i] != '\'') {
            out += text[i];
        } else if (i + 1 < text.size() && text[i + 1] == '\'') {
            out += '\'';
            ++i;
        } else {
            *end = i + 1;
            return out;
        }
    }
    return std::nullopt;
}

// One command invocation: the cmdlet and the parameter names given to it.
struct Invocation {
    std::string command;
    std::vector<std::string> parameters;  // without the dash and any ":value"
    std::string line;                     // the logical line, for messages
};

// The script's logical lines: comments dropped, backtick continuations joined.
inline std::vector<std::string> logical_lines(std::string_view script) {
    std::vector<std::string> out;
    std::string current;
    std::size_t i = 0;
    while (i < script.size()) {
        std::size_t nl = script.find('\n', i);
        std::string_view line = script.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
        i = nl == std::string_view::npos ? script.size() : nl + 1;
        std::size_t first = line.find_first_not_of(' ');
        if (first != std::string_view::npos && line[first] == '#') continue;
        if (!line.empty() && line.back() == '`') {
            current += std::string(line.substr(0, line.size() - 1)) + " ";
            continue;
        }
        current += line;
        out.push_back(current);
        current.clear();
    }
    if (!current.empty()) out.push_back(current);
    return out;
}

// Every Verb-Noun command word of the script outside string literals, with the
// parameters that follow it up to the end of its pipeline element: a |, ;, {, } ends it.
// Parentheses open a nested context (a subexpression or an argument such as
// ([uint16] $x)): commands inside are read on their own, and operators there (-eq, -not)
// belong to no command. Words after "function" name script functions, not invocations.
inline std::vector<Invocation> invocations(std::string_view script) {
    std::vector<Invocation> out;
    for (const std::string& line : logical_lines(script)) {
        std::vector<std::optional<Invocation>> stack(1);
        auto close = [&] {
            if (stack.back()) out.push_back(*stack.back());
            stack.back().reset();
        };
        std::string previous;
        for (std::size_t i = 0; i < line.size();) {
            char c = line[i];
            if (c == '\'') {
                std::size_t end = line.size();
                read_single_quoted(line, i, &end);
                i = end;
                continue;
            }
            if (c == '"') {
                std::size_t end = line.find('"', i + 1);
                i = end == std::string::npos ? line.size() : end + 1;
                continue;
            }
            if (c == '(') {
                stack.emplace_back();
                ++i;
                continue;
            }
            if (c == ')') {
                close();
                if (stack.size() > 1) stack.pop_back();
                ++i;
                continue;
            }
            if (c == '|' || c == ';' || c == '{' || c == '}') {
                close();
                ++i;
                continue;
            }
            if (std::isalpha(static_cast<unsigned char>(c)) || c == '-' || c == '$' || c == '[') {
                std::size_t j = i;
                while (j < line.size() &&
                       (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '-' || line[j] == '_' ||
                        line[j] == '$' || line[j] == ':' || line[j] == '.' || line[j] == '[' || line[j] == ']'))
                    ++j;
                std::string word = line.substr(i, j - i);
                bool at_word_start = i == 0 || line[i - 1] == ' ' || line[i - 1] == '(';
                if (at_word_start && word.size() > 1 && word[0] == '-' &&
                    std::isalpha(static_cast<unsigned char>(word[1]))) {
                    if (stack.back()) {
                        std::string p = word.substr(1);
                        if (auto colon = p.find(':'); colon != std::string::npos) p.resize(colon);
                        stack.back()->parameters.push_back(p);
                    }
                } else if (at_word_start && previous != "function" &&
                           std::isupper(static_cast<unsigned char>(word[0])) && word.find('-') != std::string::npos &&
                           word.find('$') == std::string::npos && word.find('.') == std::string::npos &&
                           word.find('[') == std::string::npos) {
                    close();
                    stack.back() = Invocation{word, {}, line};
                }
                previous = word;
                i = j;
                continue;
            }
            ++i;
        }
        while (!stack.empty()) {
            close();
            stack.pop_back();
        }
    }
    return out;
}

}  // namespace testsupport
