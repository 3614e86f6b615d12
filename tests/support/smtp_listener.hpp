// A fake SMTP server on a loopback address for the health-check tests (issue 19): it greets
// each connection with a configurable greeting (single or multi-line, 220 or 421, one line at
// a time with a pause between lines), or stays silent, or closes, or resets; and it records,
// per connection, whether the client wrote before the greeting was complete and whether it
// sent QUIT. It can be stopped (connects are then refused) and restarted on the same address
// and port. One thread, poll(2); only its own sockets.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace testsupport {

struct SmtpSession {
    std::chrono::steady_clock::time_point accepted;
    std::string greeting;                // what this connection was to be greeted with
    bool greeted = false;                // all of it went out
    bool wrote_before_greeting = false;  // bytes arrived before the greeting's last line went out
    std::string received;                // everything the client sent
    bool quit = false;                   // the client sent "QUIT\r\n" after the whole greeting
    bool client_closed = false;          // the client closed its side (EOF or reset seen)
};

enum class SmtpMode {
    Greet,   // send the greeting, then read until the client closes
    Silent,  // accept and never say anything
    Close,   // accept and close at once (EOF before any greeting)
    Reset,   // accept and reset (RST)
};

class SmtpListener {
public:
    // Listens on address (127.0.0.x) and port (0: any free one). listening() tells if it could.
    explicit SmtpListener(std::string address = "127.0.0.1", std::uint16_t port = 0);
    ~SmtpListener();
    SmtpListener(const SmtpListener&) = delete;
    SmtpListener& operator=(const SmtpListener&) = delete;

    bool listening() const;
    const std::string& address() const { return address_; }
    std::uint16_t port() const { return port_; }
    std::string endpoint() const { return address_ + ':' + std::to_string(port_); }  // "127.0.0.2:40000"

    // Connection k is greeted with greetings[k % size] (each a whole greeting, lines ending
    // in CRLF or LF), one line every line_gap, so a client that talks early is caught.
    void set_greetings(std::vector<std::string> greetings,
                       std::chrono::milliseconds line_gap = std::chrono::milliseconds(20));
    void set_mode(SmtpMode mode);

    void stop();     // closes the listening socket and every connection: connects are refused
    bool restart();  // listens again on the same address and port

    std::size_t connections() const;
    std::vector<SmtpSession> sessions() const;
    std::size_t max_open() const;  // the most connections open at once so far
    // Bounded waits: true once the condition holds, false at the timeout.
    bool wait_for_connections(std::size_t n, std::chrono::milliseconds timeout) const;
    bool wait_none_open(std::chrono::milliseconds timeout) const;  // every connection has ended

private:
    struct Open;
    bool listen_now();
    void run();
    void accept_all();

    const std::string address_;
    std::uint16_t port_ = 0;
    int listen_fd_ = -1;
    int wake_fd_ = -1;
    std::thread thread_;
    bool stopping_ = false;

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<std::string> greetings_{"220 test.invalid ESMTP\r\n"};
    std::chrono::milliseconds line_gap_{20};
    SmtpMode mode_ = SmtpMode::Greet;
    std::vector<SmtpSession> sessions_;
    std::vector<Open> open_;
    std::size_t max_open_ = 0;
};

}  // namespace testsupport
