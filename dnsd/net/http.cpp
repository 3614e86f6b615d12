// The HTTP server behind --http (http.hpp), on libmicrohttpd. Why libmicrohttpd and not
// prometheus-cpp's Exposer: the Exposer (prometheus-cpp-pull 1.0.1) serves only metric
// registries at its URIs and has no way to add a handler for /healthz or an HTML page, while
// libmicrohttpd serves any path from one port and thread; prometheus-cpp still writes the
// exposition format (dnsd/primary/metrics.cpp).
#include "dnsd/net/http.hpp"

#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <string>

namespace dnsd {

namespace {

// At most this many clients at once (a scraper, a browser, a load balancer's checks), each
// dropped after this many seconds of silence: the HTTP side cannot hold descriptors that
// the DNS side needs.
constexpr unsigned kMaxClients = 32;
constexpr unsigned kClientTimeoutSeconds = 10;

MHD_Result answer(void* cls, MHD_Connection* connection, const char* url, const char* method, const char*,
                  const char*, std::size_t* upload_size, void**) {
    const auto& handler = *static_cast<const HttpHandler*>(cls);
    HttpResponse r;
    const std::string_view m(method);
    if (m != MHD_HTTP_METHOD_GET && m != MHD_HTTP_METHOD_HEAD) {
        r = {MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "only GET and HEAD\n"};
        *upload_size = 0;  // a body is not read: the answer is the same whatever it holds
    } else {
        std::string_view path(url);
        path = path.substr(0, path.find('?'));
        try {
            r = handler(path);
        } catch (const std::exception& e) {  // out of memory, say: this request fails, dnsd goes on
            r = {MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", std::string(e.what()) + '\n'};
        }
    }
    MHD_Response* response = MHD_create_response_from_buffer(r.body.size(), r.body.data(), MHD_RESPMEM_MUST_COPY);
    if (!response) return MHD_NO;
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (r.status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    const MHD_Result queued = MHD_queue_response(connection, r.status, response);
    MHD_destroy_response(response);
    return queued;
}

}  // namespace

zonegen::Result<std::unique_ptr<HttpServer>> HttpServer::bind(const Endpoint& at) {
    auto fail = [&](const char* what) {
        return zonegen::Diagnostic{{}, "--http " + at.text() + ": " + what + ": " + std::strerror(errno)};
    };
    Fd s(::socket(at.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) return fail("socket");
    int one = 1;
    ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // a restart need not wait out TIME_WAIT
    if (at.family() == AF_INET6) ::setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(s.get(), at.sa(), at.len) != 0) return fail("bind");
    if (::listen(s.get(), 64) != 0) return fail("listen");
    Endpoint bound;
    bound.len = sizeof bound.addr;
    if (::getsockname(s.get(), bound.sa(), &bound.len) != 0) return fail("getsockname");
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(s), bound));
}

std::optional<zonegen::Diagnostic> HttpServer::start(HttpHandler handler) {
    handler_ = std::move(handler);
    const int fd = socket_.get();
    daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, nullptr, nullptr, &answer,
                               &handler_, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, kMaxClients,
                               MHD_OPTION_CONNECTION_TIMEOUT, kClientTimeoutSeconds, MHD_OPTION_END);
    if (!daemon_) return zonegen::Diagnostic{{}, "--http " + bound_.text() + ": cannot start the HTTP server"};
    socket_.release();  // MHD_stop_daemon() closes it from here on
    return std::nullopt;
}

void HttpServer::stop() {
    if (daemon_) MHD_stop_daemon(daemon_);
    daemon_ = nullptr;
}

HttpServer::~HttpServer() { stop(); }

}  // namespace dnsd
