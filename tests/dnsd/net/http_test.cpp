// The --http server (dnsd/net/http.hpp): paths reach the handler without their query
// string, its status and type go out, methods other than GET and HEAD do not reach it, and
// after stop() nothing answers.
#include "dnsd/net/http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>

#include "tests/support/http_client.hpp"

namespace dnsd {
namespace {

std::unique_ptr<HttpServer> bound_server() {
    auto at = parse_endpoint("127.0.0.1:0");
    if (!at) return nullptr;
    auto s = HttpServer::bind(at.value());
    return s ? std::move(s).value() : nullptr;
}

// A raw request and whatever comes back until the server closes.
std::string exchange(std::uint16_t port, const std::string& request) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string out;
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) > 0) {
        char buf[4096];
        ssize_t n;
        while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

TEST(Http, TheHandlerAnswersWithItsStatusTypeAndBody) {
    auto server = bound_server();
    ASSERT_TRUE(server);
    const std::uint16_t port = server->bound().port();
    ASSERT_NE(port, 0);
    std::atomic<int> calls{0};
    ASSERT_FALSE(server->start([&](std::string_view path) {
        ++calls;
        if (path == "/teapot") return HttpResponse{418, "text/x-tea", "short and stout"};
        return HttpResponse{200, "text/plain", "path " + std::string(path)};
    }));
    auto ok = testsupport::http_get("127.0.0.1", port, "/some/where?x=1&y=2");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(ok->body, "path /some/where");
    auto tea = testsupport::http_get("127.0.0.1", port, "/teapot");
    ASSERT_TRUE(tea);
    EXPECT_EQ(tea->status, 418);
    EXPECT_EQ(tea->content_type, "text/x-tea");
    EXPECT_EQ(tea->body, "short and stout");
    EXPECT_EQ(calls.load(), 2);

    const std::string post = exchange(port,
                                      "POST /teapot HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                      "Connection: close\r\n\r\nabc");
    EXPECT_EQ(post.rfind("HTTP/1.1 405", 0), 0u) << post;
    EXPECT_NE(post.find("Allow: GET, HEAD"), std::string::npos) << post;
    EXPECT_EQ(calls.load(), 2);

    server->stop();
    EXPECT_FALSE(testsupport::http_get("127.0.0.1", port, "/", std::chrono::milliseconds(500)));
}

TEST(Http, AnAddressInUseIsAnError) {
    auto first = bound_server();
    ASSERT_TRUE(first);
    auto again = HttpServer::bind(first->bound());
    ASSERT_FALSE(again);
    EXPECT_NE(again.errors().front().message.find("bind"), std::string::npos) << again.errors().front().message;
}

}  // namespace
}  // namespace dnsd
