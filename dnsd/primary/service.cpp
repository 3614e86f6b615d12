// sd_notify and the journal test (service.hpp).
#include "dnsd/primary/service.hpp"

#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

namespace dnsd {

namespace {

// sd_notify's failures are not dnsd's: a manager that has gone away will not wait for
// the message either. With NOTIFY_SOCKET unset it returns 0 and sends nothing.
void notify(const std::string& state) { ::sd_notify(0, state.c_str()); }

}  // namespace

void notify_ready(std::string_view status) { notify("READY=1\nSTATUS=" + std::string(status)); }

void notify_reloading() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const auto usec = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
                      static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
    notify("RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=" + std::to_string(usec));
}

void notify_stopping() { notify("STOPPING=1\nSTATUS=stopping"); }

bool is_journal_stream(std::string_view journal_stream, std::uint64_t dev, std::uint64_t ino) {
    const std::size_t colon = journal_stream.find(':');
    if (colon == std::string_view::npos) return false;
    // Decimal digits only, the whole field (from_chars alone would take "12x" as 12).
    auto number = [](std::string_view text) -> std::optional<std::uint64_t> {
        std::uint64_t v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
        return v;
    };
    auto d = number(journal_stream.substr(0, colon));
    auto i = number(journal_stream.substr(colon + 1));
    return d && i && *d == dev && *i == ino;
}

bool stderr_is_journal() {
    const char* value = std::getenv("JOURNAL_STREAM");
    if (value == nullptr) return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0) return false;
    return is_journal_stream(value, static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino));
}

}  // namespace dnsd
