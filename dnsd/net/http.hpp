// dnsd --http ADDR:PORT (issue 15): a small HTTP/1.1 server for /metrics, /healthz and the
// status page, on a thread of its own, never near the DNS workers. Only http.cpp includes
// libmicrohttpd (DESIGN: each further library behind one file). What a path answers is the
// handler's to say; this file knows sockets and HTTP, not dnsd.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dnsd/net/endpoint.hpp"
#include "dnsd/net/fd.hpp"
#include "zonegen/core/diagnostic.hpp"

struct MHD_Daemon;

namespace dnsd {

struct HttpResponse {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

// Called on the HTTP thread, one request at a time, with the path of a GET or HEAD request
// (the query string cut off). Other methods get 405 without calling it.
using HttpHandler = std::function<HttpResponse(std::string_view path)>;

class HttpServer {
public:
    // Binds and listens on at (port 0: a free one). Done while dnsd may still be root, like
    // the DNS sockets (dnsd/primary/privileges.hpp); serving starts with start().
    static zonegen::Result<std::unique_ptr<HttpServer>> bind(const Endpoint& at);
    ~HttpServer();  // stops
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // The address with its actual port.
    const Endpoint& bound() const { return bound_; }
    // Starts the HTTP thread; handler must outlive the server, or stop() must come first.
    std::optional<zonegen::Diagnostic> start(HttpHandler handler);
    // Closes the socket and joins the thread; no handler call runs once it returns.
    void stop();

private:
    HttpServer(Fd socket, Endpoint bound) : socket_(std::move(socket)), bound_(bound) {}
    Fd socket_;  // handed to the daemon by start(), which closes it then
    Endpoint bound_;
    HttpHandler handler_;
    MHD_Daemon* daemon_ = nullptr;
};

}  // namespace dnsd
