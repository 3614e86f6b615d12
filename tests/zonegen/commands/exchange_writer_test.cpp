// The Exchange script without Exchange: its cmdlets and parameters against Microsoft's
// Exchange Server reference, its strings as single-quoted literals, the create-or-set
// logic for every connector, and sites without senders named rather than guessed.
#include "zonegen/commands/exchange_writer.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/support/powershell.hpp"
#include "zonegen/inventory/inventory.hpp"

using namespace zonegen;
using testsupport::invocations;
using testsupport::logical_lines;
using testsupport::read_single_quoted;

namespace {

const std::string kSource = SMARTHOST_SOURCE_DIR;
const std::string kData = SMARTHOST_TEST_DATA;

// From learn.microsoft.com/powershell/module/exchange/{new,set,get}-sendconnector (only
// the parameters this script may use or that are easily confused with them), plus the
// common parameters (about_CommonParameters).
const std::map<std::string, std::set<std::string>> kDocumented = {
    {"New-SendConnector",
     {"Name",
      "AddressSpaces",
      "SmartHosts",
      "DNSRoutingEnabled",
      "SourceTransportServers",
      "Usage",
      "Custom",
      "Internal",
      "Internet",
      "Partner",
      "Comment",
      "Enabled",
      "IsScopedConnector",
      "MaxMessageSize",
      "Port",
      "RequireTLS",
      "SmartHostAuthMechanism",
      "AuthenticationCredential",
      "TlsAuthLevel",
      "DomainController",
      "Confirm",
      "WhatIf"}},
    {"Set-SendConnector",
     {"Identity", "Name", "AddressSpaces", "SmartHosts", "DNSRoutingEnabled", "SourceTransportServers", "Comment",
      "Enabled", "IsScopedConnector", "MaxMessageSize", "Port", "RequireTLS", "SmartHostAuthMechanism",
      "AuthenticationCredential", "TlsAuthLevel", "DomainController", "Confirm", "WhatIf"}},
    {"Get-SendConnector", {"Identity", "DomainController"}},
    {"Set-StrictMode", {"Version", "Off"}},
};
const std::set<std::string> kCommon = {"ErrorAction", "WarningAction", "Verbose", "Debug"};

std::string script_of(const std::string& path) {
    auto file = load_inventory(path);
    EXPECT_TRUE(file.inventory) << path;
    return render_exchange(*file.inventory, {"sites.json", 7});
}

}  // namespace

TEST(ExchangeWriter, UsesOnlyDocumentedCmdletsAndParameters) {
    const std::string script = script_of(kSource + "/sites.json");
    std::map<std::string, int> used;
    for (const auto& call : invocations(script)) {
        ++used[call.command];
        auto doc = kDocumented.find(call.command);
        ASSERT_NE(doc, kDocumented.end()) << "undocumented command " << call.command << " in: " << call.line;
        for (const auto& p : call.parameters)
            EXPECT_TRUE(doc->second.contains(p) || kCommon.contains(p))
                << call.command << " has no parameter -" << p << " (in: " << call.line << ")";
    }
    // The example names senders for oxford and london: two connectors, each created or set.
    EXPECT_EQ(used["Get-SendConnector"], 2);
    EXPECT_EQ(used["New-SendConnector"], 2);
    EXPECT_EQ(used["Set-SendConnector"], 2);
}

TEST(ExchangeWriter, EachConnectorRelaysToItsSiteNameWithItsSenders) {
    const std::string script = script_of(kSource + "/sites.json");
    std::vector<std::vector<std::string>> settings;  // per New-/Set- call: every literal after it
    for (const auto& line : logical_lines(script)) {
        for (const char* cmd : {"New-SendConnector", "Set-SendConnector"}) {
            std::size_t at = line.find(cmd);
            if (at == std::string::npos || line.find("ShouldProcess") != std::string::npos) continue;
            EXPECT_NE(line.find("-DNSRoutingEnabled $false"), std::string::npos) << line;
            EXPECT_NE(line.find("-AddressSpaces 'SMTP:*;1'"), std::string::npos) << line;
            std::vector<std::string> literals;
            for (std::size_t i = at; i < line.size(); ++i) {
                if (line[i] != '\'') continue;
                std::size_t end = 0;
                auto lit = read_single_quoted(line, i, &end);
                ASSERT_TRUE(lit) << line;
                literals.push_back(*lit);
                i = end - 1;
            }
            settings.push_back(literals);
        }
    }
    ASSERT_EQ(settings.size(), 4u);
    const std::vector<std::string> oxford{"SMTP:*;1", "oxford.smarthost.local", "exch1", "exch2"};
    const std::vector<std::string> london{"SMTP:*;1", "london.smarthost.local", "exch-lon1"};
    EXPECT_EQ(settings[0], oxford);
    EXPECT_EQ(settings[1].back(), "exch2");
    EXPECT_EQ(settings[2], london);
    // New-SendConnector also gets its usage type.
    EXPECT_NE(script.find("New-SendConnector -Name $name -Usage 'Custom'"), std::string::npos);
    // Set when the connector exists, New otherwise.
    std::size_t get = script.find("if (Get-SendConnector -Identity $name -ErrorAction SilentlyContinue) {");
    ASSERT_NE(get, std::string::npos);
    EXPECT_LT(get, script.find("Set-SendConnector -Identity $name"));
    EXPECT_LT(script.find("} elseif ($PSCmdlet.ShouldProcess($name, 'New-SendConnector')) {", get),
              script.find("New-SendConnector -Name $name"));
}

TEST(ExchangeWriter, SitesWithoutSendersAreNamedNotGuessed) {
    const std::string script = script_of(kSource + "/sites.json");
    EXPECT_NE(script.find("does not guess which servers send through them: cambridge, edinburgh\n"),
              std::string::npos)
        << script;
    EXPECT_EQ(script.find("'cambridge.smarthost.local'"), std::string::npos);
    EXPECT_EQ(script.find("'edinburgh.smarthost.local'"), std::string::npos);
}

TEST(ExchangeWriter, PlainAsciiAndSendersAsValidatedLowerCaseNames) {
    const std::string script = script_of(kData + "/exports/no-fallback.json");
    for (char c : script) ASSERT_TRUE(c == '\n' || (c >= 0x20 && c < 0x7f)) << int(c);
    // "EX-MAD-01" and "ex-mad-02.corp.example." as the inventory gives them.
    EXPECT_NE(script.find("-SourceTransportServers 'ex-mad-01', 'ex-mad-02.corp.example'"), std::string::npos)
        << script;
}
