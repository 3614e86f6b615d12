// "Answers match" for transfer tests: what a resolver would take from two servers' answers
// to every owner name and type of a zone, compared one question at a time over TCP (so
// that no truncation hides a difference). The names come from the primary's own AXFR.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/peers.hpp"

namespace testsupport {

// rcode, AA, the answer RRsets and, for a negative answer, the SOA in authority. (NSD adds
// NS records to the authority of positive answers and BIND/NSD differ in additional data;
// both are optional, RFC 2181 §6.1.)
std::string essence(std::uint16_t port, const std::string& name, std::uint16_t type);

// Every owner name of the transfer, the empty non-terminals between them and zone, and a
// name below each that does not exist.
std::vector<std::string> names_in(const Transfer& t, const std::string& zone);

// One gtest failure per question (name x A, AAAA, MX, SOA, NS, TXT) answered differently
// by dnsd and the peer.
void expect_same_answers(const std::vector<std::string>& names, std::uint16_t dnsd_port, const PeerServer& peer);

}  // namespace testsupport
