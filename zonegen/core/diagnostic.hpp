// What went wrong in user input, and where: the one error currency of both libraries.
// Libraries return Result<T> (a value or every problem found); only the edges (main.cpp)
// print, and they print GNU style so editors and CI jump to the spot.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace zonegen {

// Exit statuses of both programs: 0 ok, 1 invalid input or findings, 2 usage or I/O error,
// 70 internal error (sysexits.h's EX_SOFTWARE).
enum class Exit : int { Ok = 0, Invalid = 1, Usage = 2, Internal = 70 };

struct Location {
    std::string file;     // empty: not tied to a file
    int line = 0;         // 1-based; 0 = unknown
    int column = 0;       // 1-based; 0 = unknown
    std::string pointer;  // RFC 6901 JSON Pointer into an inventory; empty if none
};

struct Diagnostic {
    Location where;
    std::string message;
};

// "file:line:col: /pointer: message", leaving out the parts that are unknown.
std::string format_gnu(const Diagnostic& d);
// The same for each of a list, one line each.
std::vector<std::string> format_gnu_lines(const std::vector<Diagnostic>& ds);

template <class T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}                                    // NOLINT: implicit on purpose
    Result(std::vector<Diagnostic> errors) : v_(std::move(errors)) {}            // NOLINT
    Result(Diagnostic error) : v_(std::vector<Diagnostic>{std::move(error)}) {}  // NOLINT

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const std::vector<Diagnostic>& errors() const { return std::get<1>(v_); }

private:
    std::variant<T, std::vector<Diagnostic>> v_;
};

}  // namespace zonegen
