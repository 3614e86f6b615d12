// The worker's UDP side: up to 32 queries per recvmmsg, answered by respond() into
// preallocated buffers and sent back with one sendmmsg, each from the address it was sent to.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "dnsd/answer/respond.hpp"
#include "dnsd/net/log.hpp"
#include "dnsd/net/worker.hpp"

namespace dnsd {

namespace {

// The control message that makes the answer's source the query's destination
// (RFC 1122 §4.1.3.5): IP_PKTINFO with the kernel's chosen local address for IPv4, the
// destination and its interface for IPv6 (link-local addresses need the interface).
std::size_t reply_control(const msghdr& query, UdpBuffers::Control& out) {
    msghdr reply{};
    reply.msg_control = out.bytes;
    reply.msg_controllen = sizeof out.bytes;
    for (cmsghdr* c = CMSG_FIRSTHDR(&query); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&query), c)) {
        cmsghdr* r = CMSG_FIRSTHDR(&reply);
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo got;
            std::memcpy(&got, CMSG_DATA(c), sizeof got);
            in_pktinfo send{};
            send.ipi_spec_dst = got.ipi_spec_dst;
            r->cmsg_level = IPPROTO_IP;
            r->cmsg_type = IP_PKTINFO;
            r->cmsg_len = CMSG_LEN(sizeof send);
            std::memcpy(CMSG_DATA(r), &send, sizeof send);
            return CMSG_SPACE(sizeof send);
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo send;
            std::memcpy(&send, CMSG_DATA(c), sizeof send);
            r->cmsg_level = IPPROTO_IPV6;
            r->cmsg_type = IPV6_PKTINFO;
            r->cmsg_len = CMSG_LEN(sizeof send);
            std::memcpy(CMSG_DATA(r), &send, sizeof send);
            return CMSG_SPACE(sizeof send);
        }
    }
    return 0;
}

}  // namespace

void Worker::on_udp(int fd, bool wildcard) {
    UdpBuffers& b = *udp_;
    for (int round = 0; round < 4; ++round) {  // then let the other sockets have a turn
        for (std::size_t i = 0; i < UdpBuffers::kBatch; ++i) {
            b.rx_iov[i] = {b.queries[i].data(), b.queries[i].size()};
            msghdr& h = b.rx[i].msg_hdr;
            h = {};
            h.msg_name = &b.peers[i];
            h.msg_namelen = sizeof b.peers[i];
            h.msg_iov = &b.rx_iov[i];
            h.msg_iovlen = 1;
            // Without room for it the kernel skips the destination address (MSG_CTRUNC).
            h.msg_control = wildcard ? b.rx_control[i].bytes : nullptr;
            h.msg_controllen = wildcard ? sizeof b.rx_control[i].bytes : 0;
        }
        int n = ::recvmmsg(fd, b.rx.data(), UdpBuffers::kBatch, MSG_DONTWAIT, nullptr);
        if (n <= 0) return;  // EAGAIN, or an error the next readiness event retries

        // The table is taken once per batch: a reload is seen within one batch.
        std::shared_ptr<const AnswerTable> table = shared_.table.load();
        unsigned count = 0;
        for (int i = 0; i < n; ++i) {
            const msghdr& h = b.rx[i].msg_hdr;
            if (h.msg_flags & MSG_TRUNC) continue;  // longer than any datagram: cannot happen, never half-read
            std::span<const std::uint8_t> query(b.queries[i].data(), b.rx[i].msg_len);
            QueryInfo info;
            std::size_t len = respond(*table, query, b.answers[i], Transport::Udp, &info, &shared_.options.answer);
            if ((info.is_signed && shared_.options.signed_query) || shared_.options.log_queries) [[unlikely]] {
                Endpoint peer = endpoint_of(reinterpret_cast<const sockaddr*>(&b.peers[i]), h.msg_namelen);
                if (info.is_signed && shared_.options.signed_query)  // RFC 8945 §5: verified and signed
                    len = shared_.options.signed_query(*table, query, b.answers[i], Transport::Udp, peer, info);
                if (shared_.options.log_queries) {
                    char line[600];
                    write_stderr({line, format_query_line(line, Transport::Udp, peer, query, info, len)});
                }
            }
            traffic_->query(Transport::Udp, info, len);
            if (len == 0) continue;
            b.tx_iov[count] = {b.answers[i].data(), len};
            msghdr& t = b.tx[count].msg_hdr;
            t = {};
            t.msg_name = &b.peers[i];
            t.msg_namelen = h.msg_namelen;
            t.msg_iov = &b.tx_iov[count];
            t.msg_iovlen = 1;
            t.msg_controllen = wildcard ? reply_control(h, b.tx_control[count]) : 0;
            t.msg_control = t.msg_controllen ? b.tx_control[count].bytes : nullptr;
            ++count;
        }

        unsigned sent = 0;
        while (sent < count) {
            int r = ::sendmmsg(fd, b.tx.data() + sent, count - sent, MSG_DONTWAIT);
            if (r > 0) {
                sent += static_cast<unsigned>(r);
            } else if (r < 0 && errno == EINTR) {
                continue;
            } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                for (; sent < count; ++sent) traffic_->send_failed();
                break;  // the send buffer is full: like a lost datagram, the client retries
            } else {
                traffic_->send_failed();
                ++sent;  // this destination failed (unreachable, say); the others still go
            }
        }
        if (n < static_cast<int>(UdpBuffers::kBatch)) return;
    }
}

}  // namespace dnsd
