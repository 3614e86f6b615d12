// The one-host change that the IXFR test and the secondaries benchmark make to an inventory
// from scripts/make-inventory: site0's mail1 (its first host, 10.0.0.1) moves to another
// address, so exactly one A record of the zone changes.
#pragma once

#include <string>

namespace testsupport {

// Moves the host to 10.99.0.VERSION; VERSION 1 starts from make-inventory's 10.0.0.1, each
// later one from VERSION - 1. Empty on success, else why not (the address was not there).
std::string move_first_host(const std::string& inventory, int version);

}  // namespace testsupport
