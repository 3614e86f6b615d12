// A minimal HTTP/1.1 client for tests of dnsd --http: one GET on a fresh loopback
// connection with a bounded wait, and the Prometheus text format read back into samples.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace testsupport {

struct HttpReply {
    int status = 0;
    std::string content_type;
    std::string body;
};

// GET http://host:port/path with "Connection: close"; nullopt if no whole reply arrives in time.
std::optional<HttpReply> http_get(const std::string& host, std::uint16_t port, const std::string& path,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

// The samples of an exposition: 'name{a="1",b="2"}' (labels sorted by name) -> value.
// Comments are skipped.
std::map<std::string, double> parse_samples(const std::string& exposition);

// The key parse_samples() uses for name and labels given as "a=1,b=2" (in any order).
std::string sample_key(const std::string& name, const std::string& labels = "");

// "127.0.0.1:53011" -> 53011, from dnsd's "dnsd: http on ADDR:PORT (...)" line; 0 if none.
std::uint16_t http_port_of(const std::string& line);

}  // namespace testsupport
