// Comparing two servers' answers question by question (same_answers.hpp).
#include "tests/support/same_answers.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "tests/support/dns_client.hpp"
#include "tests/support/dns_decode.hpp"

namespace testsupport {

namespace {

constexpr std::pair<std::uint16_t, const char*> kTypes[] = {{1, "A"},   {28, "AAAA"}, {15, "MX"},
                                                            {6, "SOA"}, {2, "NS"},    {16, "TXT"}};

}  // namespace

std::string essence(std::uint16_t port, const std::string& name, std::uint16_t type) {
    TcpConnection c("127.0.0.1", port);
    if (!c.send(framed(dnstest::query(name, type)))) return "cannot send";
    auto r = c.read_frame(std::chrono::seconds(3));
    if (!r) return "no answer";
    auto d = dnstest::decode(*r);
    if (!d.ok) return "undecodable: " + d.error;
    std::string out = "rcode " + std::to_string(d.rcode) + (d.aa ? " aa" : "") + "\n" + dnstest::sorted(d.answer);
    if (d.answer.empty()) out += "\nauthority:\n" + dnstest::sorted(d.authority);
    return out;
}

std::vector<std::string> names_in(const Transfer& t, const std::string& zone) {
    std::set<std::string> names;
    for (const auto& rr : t.records) {
        std::string owner = rr.substr(0, rr.find(' '));
        for (std::string n = owner; n.size() >= zone.size() + 1; n = n.substr(n.find('.') + 1)) names.insert(n);
        names.insert("nonexistent." + owner);
    }
    return {names.begin(), names.end()};
}

void expect_same_answers(const std::vector<std::string>& names, std::uint16_t dnsd_port, const PeerServer& peer) {
    for (const auto& name : names)
        for (const auto& [type, text] : kTypes)
            EXPECT_EQ(essence(dnsd_port, name, type), essence(peer.port(), name, type))
                << peer.name() << ": " << name << " " << text;
}

}  // namespace testsupport
