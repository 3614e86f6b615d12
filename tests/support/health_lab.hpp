// A lab inventory for health tests (tests/e2e/health_test.cpp, status_page_test.cpp): zone
// lab.test, site oxford with tier 1 mail1 and mail2, site cambridge with mail, each
// smarthost a fake SMTP server on its own 127.0.0.x address and probed on its listener's
// port (the per-host "health": {"port": N} of the inventory). Nothing leaves loopback.
#pragma once

#include <string>

#include "tests/support/shell.hpp"
#include "tests/support/smtp_listener.hpp"

namespace testsupport {

struct HealthLab {
    SmtpListener mail1{"127.0.0.11"}, mail2{"127.0.0.12"}, cambridge{"127.0.0.21"};
    TempDir dir;
    std::string inventory = dir / "sites.json";

    HealthLab() {
        auto host = [](const char* name, const SmtpListener& l) {
            return std::string(R"({ "name": ")") + name + R"(", "ipv4": [")" + l.address() +
                   R"("], "health": { "port": )" + std::to_string(l.port()) + " } }";
        };
        write_text(inventory, R"({ "zone": "lab.test", "ttl": 300,
  "nameservers": [ { "name": "ns1", "ipv4": ["127.0.0.53"] } ],
  "sites": [
    { "name": "oxford", "smarthosts": [ )" +
                                  host("mail1", mail1) + ", " + host("mail2", mail2) + R"( ] },
    { "name": "cambridge", "smarthosts": [ )" +
                                  host("mail", cambridge) + R"( ] } ] })");
    }
    bool listening() const { return mail1.listening() && mail2.listening() && cambridge.listening(); }
};

}  // namespace testsupport
