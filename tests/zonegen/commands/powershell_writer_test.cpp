// The Windows DNS script without Windows: no PowerShell runs here, so these tests check
// what can be checked from the text. Every cmdlet and parameter the script uses is one
// Microsoft documents for the DnsServer module (the pages named in kDocumented); every
// string is a single-quoted literal that reads back as exactly its value, also for
// hostile names; and the read-compare-add/remove logic is there for every record kind.
// Whether Windows DNS accepts the script was not run; the README says so.
#include "zonegen/commands/powershell_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "tests/support/powershell.hpp"
#include "zonegen/inventory/build.hpp"
#include "zonegen/inventory/inventory.hpp"

using namespace zonegen;
using testsupport::invocations;
using testsupport::logical_lines;
using testsupport::read_single_quoted;

namespace {

const std::string kSource = SMARTHOST_SOURCE_DIR;

// Cmdlet -> its parameters, from Microsoft's reference pages (learn.microsoft.com/
// powershell/module/...), plus the common parameters of every cmdlet
// (about_CommonParameters). Only what the script may use is listed per cmdlet.
const std::map<std::string, std::set<std::string>> kDocumented = {
    // dnsserver/add-dnsserverprimaryzone
    {"Add-DnsServerPrimaryZone",
     {"Name", "ComputerName", "ReplicationScope", "ZoneFile", "DirectoryPartitionName", "DynamicUpdate",
      "LoadExisting", "ResponsiblePerson", "PassThru", "VirtualizationInstance", "CimSession", "ThrottleLimit",
      "AsJob", "WhatIf", "Confirm"}},
    // dnsserver/get-dnsserverzone
    {"Get-DnsServerZone", {"Name", "ComputerName", "VirtualizationInstance", "CimSession", "ThrottleLimit", "AsJob"}},
    // dnsserver/get-dnsserverresourcerecord
    {"Get-DnsServerResourceRecord",
     {"ZoneName", "Name", "RRType", "Type", "Node", "ComputerName", "ZoneScope", "VirtualizationInstance",
      "CimSession", "ThrottleLimit", "AsJob"}},
    // dnsserver/add-dnsserverresourcerecorda
    {"Add-DnsServerResourceRecordA",
     {"Name", "ZoneName", "IPv4Address", "TimeToLive", "AllowUpdateAny", "CreatePtr", "AgeRecord", "ComputerName",
      "PassThru", "ZoneScope", "VirtualizationInstance", "CimSession", "ThrottleLimit", "AsJob", "WhatIf",
      "Confirm"}},
    // dnsserver/add-dnsserverresourcerecordaaaa
    {"Add-DnsServerResourceRecordAAAA",
     {"Name", "ZoneName", "IPv6Address", "TimeToLive", "AllowUpdateAny", "CreatePtr", "AgeRecord", "ComputerName",
      "PassThru", "ZoneScope", "VirtualizationInstance", "CimSession", "ThrottleLimit", "AsJob", "WhatIf",
      "Confirm"}},
    // dnsserver/add-dnsserverresourcerecordmx
    {"Add-DnsServerResourceRecordMX",
     {"Name", "ZoneName", "MailExchange", "Preference", "TimeToLive", "AllowUpdateAny", "AgeRecord", "ComputerName",
      "PassThru", "ZoneScope", "VirtualizationInstance", "CimSession", "ThrottleLimit", "AsJob", "WhatIf",
      "Confirm"}},
    // dnsserver/remove-dnsserverresourcerecord
    {"Remove-DnsServerResourceRecord",
     {"ZoneName", "InputObject", "Name", "RRType", "Type", "RecordData", "ComputerName", "Force", "PassThru",
      "ZoneScope", "VirtualizationInstance", "CimSession", "ThrottleLimit", "AsJob", "WhatIf", "Confirm"}},
    // microsoft.powershell.core/where-object (script block form), set-strictmode;
    // microsoft.powershell.utility/write-verbose
    {"Where-Object", {}},
    {"Set-StrictMode", {"Version", "Off"}},
    {"Write-Verbose", {"Message"}},
};
const std::set<std::string> kCommon = {"ErrorAction", "WarningAction",     "Verbose",
                                       "Debug",       "InformationAction", "ErrorVariable",
                                       "OutVariable", "OutBuffer",         "PipelineVariable"};

std::string example_script() {
    auto file = load_inventory(kSource + "/sites.json");
    EXPECT_TRUE(file.inventory);
    auto zone = build_zone(*file.inventory, 2026112301);
    EXPECT_TRUE(zone.ok());
    return render_powershell(*file.inventory, zone.value(), {"sites.json", 2026112301});
}

// The script's own functions, which are not cmdlets.
std::set<std::string> functions_of(const std::string& script) {
    std::set<std::string> out;
    for (const auto& line : logical_lines(script))
        if (line.starts_with("function ")) out.insert(line.substr(9, line.find_first_of("( ", 9) - 9));
    return out;
}

}  // namespace

TEST(PowerShellWriter, UsesOnlyDocumentedCmdletsAndParameters) {
    const std::string script = example_script();
    const auto own = functions_of(script);
    EXPECT_EQ(own, (std::set<std::string>{"Want", "Get-WantedText", "Get-HaveText"}));
    auto calls = invocations(script);
    std::set<std::string> used;
    for (const auto& call : calls) {
        if (own.contains(call.command)) continue;
        used.insert(call.command);
        auto doc = kDocumented.find(call.command);
        ASSERT_NE(doc, kDocumented.end()) << "undocumented command " << call.command << " in: " << call.line;
        for (const auto& p : call.parameters)
            EXPECT_TRUE(doc->second.contains(p) || kCommon.contains(p))
                << call.command << " has no parameter -" << p << " (in: " << call.line << ")";
    }
    // The table is not vacuous: the script really calls each DnsServer cmdlet it needs.
    for (const char* needed : {"Get-DnsServerZone", "Add-DnsServerPrimaryZone", "Get-DnsServerResourceRecord",
                               "Add-DnsServerResourceRecordA", "Add-DnsServerResourceRecordAAAA",
                               "Add-DnsServerResourceRecordMX", "Remove-DnsServerResourceRecord"})
        EXPECT_TRUE(used.contains(needed)) << needed;
}

TEST(PowerShellWriter, ParameterCheckCatchesAMistake) {
    // The same check on a line with an undocumented parameter fails, so it can fail.
    auto calls = invocations("Add-DnsServerResourceRecordMX -ZoneName $z -Name $n -Exchange $x -Preference 10\n");
    ASSERT_EQ(calls.size(), 1u);
    const auto& doc = kDocumented.at(calls[0].command);
    EXPECT_EQ(calls[0].parameters, (std::vector<std::string>{"ZoneName", "Name", "Exchange", "Preference"}));
    EXPECT_FALSE(doc.contains("Exchange"));
}

TEST(PowerShellWriter, ScriptParametersAndShouldProcess) {
    const std::string script = example_script();
    EXPECT_NE(script.find("[CmdletBinding(SupportsShouldProcess = $true"), std::string::npos);
    for (const char* p : {"[string] $ComputerName", "[string] $ReplicationScope", "[string] $ZoneFile",
                          "[ValidateSet('Forest', 'Domain', 'Legacy')]"})
        EXPECT_NE(script.find(p), std::string::npos) << p;
    EXPECT_NE(script.find("$TimeToLive = [TimeSpan]::FromSeconds(300)"), std::string::npos);
    // Every change goes through ShouldProcess, so -WhatIf and -Confirm cover them all.
    auto lines = logical_lines(script);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        for (const char* change : {"Add-DnsServer", "Remove-DnsServer"}) {
            std::size_t at = lines[i].find(change);
            if (at == std::string::npos || lines[i].find("ShouldProcess") != std::string::npos) continue;
            bool guarded = false;
            for (std::size_t k = i; k-- > 0 && k + 16 > i;)
                guarded = guarded || lines[k].find("ShouldProcess") != std::string::npos;
            EXPECT_TRUE(guarded) << lines[i];
        }
    }
}

TEST(PowerShellWriter, IsPlainAsciiWithOneWantLinePerRecord) {
    const std::string script = example_script();
    for (char c : script) ASSERT_TRUE(c == '\n' || (c >= 0x20 && c < 0x7f)) << int(c);
    auto file = load_inventory(kSource + "/sites.json");
    auto zone = build_zone(*file.inventory, 1).value();
    // Managed: every record of the site and host names (MX, A, AAAA); not SOA, NS, glue.
    std::size_t expected = 0;
    for (const auto& node : zone.nodes()) {
        if (node.owner == zone.origin() || node.owner.text().starts_with("ns")) continue;
        for (const auto& rrset : node.rrsets) expected += rrset.rdata.size();
    }
    std::size_t wants = 0;
    std::map<std::string, std::size_t> kinds;
    for (const auto& line : logical_lines(script)) {
        if (!line.starts_with("Want ")) continue;
        ++wants;
        // Want 'name' 'TYPE' 'data': three literals and nothing else.
        std::vector<std::string> literals;
        std::size_t i = 5;
        while (i < line.size()) {
            std::size_t end = 0;
            auto lit = read_single_quoted(line, i, &end);
            ASSERT_TRUE(lit) << line;
            literals.push_back(*lit);
            i = end;
            if (i < line.size()) {
                ASSERT_EQ(line[i], ' ') << line;
                ++i;
            }
        }
        ASSERT_EQ(literals.size(), 3u) << line;
        ++kinds[literals[1]];
    }
    EXPECT_EQ(wants, expected);
    EXPECT_EQ(kinds.size(), 3u);  // A, AAAA and MX all occur in the example
    EXPECT_NE(script.find("Want 'oxford' 'MX' '10 mail1.oxford.smarthost.local.'"), std::string::npos);
    EXPECT_NE(script.find("Want 'mail1.oxford' 'AAAA' '2001:db8:0:1::25'"), std::string::npos);
    EXPECT_EQ(script.find("'ns1"), std::string::npos);  // name servers are Windows DNS's own
}

// Idempotency: for each kind the script writes, it reads the existing records, turns
// them and the wanted ones into the same text, removes only managed kinds that are not
// wanted, and adds only wanted records that are missing.
TEST(PowerShellWriter, IdempotencyLogicCoversEveryRecordKind) {
    const std::string script = example_script();
    auto section = [&](const std::string& from) {
        std::size_t a = script.find(from);
        EXPECT_NE(a, std::string::npos) << from;
        std::size_t b = script.find("\n}\n", a);
        return script.substr(a, b - a);
    };
    const std::string wanted_text = section("function Get-WantedText");
    const std::string have_text = section("function Get-HaveText");
    const std::string main = script.substr(script.find("$added = 0"));
    EXPECT_NE(script.find("$ManagedTypes = @('A', 'AAAA', 'MX')"), std::string::npos);
    for (const char* kind : {"A", "AAAA", "MX"}) {
        const std::string label = std::string("'") + kind + "'";
        EXPECT_NE(wanted_text.find(label + " "), std::string::npos) << kind;
        EXPECT_NE(have_text.find(label + " "), std::string::npos) << kind;
        EXPECT_NE(main.find(label + " {"), std::string::npos) << kind;
        EXPECT_NE(main.find(std::string("Add-DnsServerResourceRecord") + kind + " "), std::string::npos) << kind;
    }
    // Reading comes first, and only this name's own records of managed kinds are compared.
    const std::size_t read = main.find("Get-DnsServerResourceRecord");
    EXPECT_LT(read, main.find("Remove-DnsServerResourceRecord"));
    EXPECT_LT(read, main.find("Add-DnsServerResourceRecordA "));
    EXPECT_NE(main.find("Where-Object { $_.HostName -eq $name -and $ManagedTypes -contains $_.RecordType }"),
              std::string::npos);
    // Kept when wanted with the same TTL; removal otherwise; adding only what is not had.
    EXPECT_NE(main.find("if ($want.ContainsKey($text) -and -not $have.ContainsKey($text) -and "
                        "$record.TimeToLive -eq $TimeToLive) {"),
              std::string::npos);
    EXPECT_NE(main.find("if ($have.ContainsKey($text)) { continue }"), std::string::npos);
    // The zone is created only when it is missing.
    EXPECT_LT(script.find("if (-not $zone) {"), script.find("Add-DnsServerPrimaryZone -ComputerName"));
}

TEST(PowerShellQuote, ReadsBackExactlyForHostileInput) {
    const std::vector<std::string> hostile = {
        "",
        "plain",
        "it's",
        "'",
        "''",
        "'; Remove-Item -Recurse -Force C:\\ ; '",
        "$(Stop-Computer -Force)",
        "${env:PATH}",
        "`\"",
        "\" ; Format-Volume C ; \"",
        "a'+'b",
        "#' comment",
        "@'\n",  // refused below: a newline
    };
    for (const auto& s : hostile) {
        auto q = ps_quote(s);
        if (s.find('\n') != std::string::npos) {
            EXPECT_FALSE(q) << "control characters are refused";
            continue;
        }
        ASSERT_TRUE(q) << s;
        std::size_t end = 0;
        auto back = read_single_quoted(*q, 0, &end);
        ASSERT_TRUE(back) << *q;
        EXPECT_EQ(*back, s) << *q;
        EXPECT_EQ(end, q->size()) << "the literal must end where the quoting ends: " << *q;
    }
    EXPECT_EQ(ps_quote("it's"), "'it''s'");
}

TEST(PowerShellQuote, RefusesWhatPowerShellReadsAsAQuote) {
    // U+2018 to U+201B end a single-quoted string in PowerShell; they are not ASCII.
    for (const char* s : {"a\xE2\x80\x98"
                          "b",
                          "a\xE2\x80\x99"
                          "b",
                          "a\xE2\x80\x9A"
                          "b",
                          "a\xE2\x80\x9B"
                          "b",
                          "\t", "\x7f", "caf\xC3\xA9"})
        EXPECT_FALSE(ps_quote(s)) << s;
}

// Validation keeps hostile names out of the inventory; a hand-made Inventory (no
// validation) shows the writer quotes what it is given instead of trusting it.
TEST(PowerShellWriter, QuotesNamesItIsGiven) {
    auto zone_name = *Name::parse("corp.test.");
    Inventory inv;
    inv.zone = zone_name;
    inv.soa_mname = *Name::parse("ns.corp.test.");
    inv.soa_rname = *Name::parse("hostmaster.corp.test.");
    inv.nameservers = {NameServer{*Name::parse("ns.example.net."), {}}};
    const std::string evil = "x';Stop-Computer;'";  // a site name no validation would pass
    auto site = zone_name.prepend(evil);
    ASSERT_TRUE(site);
    auto host = site->prepend("mail");
    Smarthost h{"mail", *host, Addresses{{A{{192, 0, 2, 1}}}, {}}, {}};
    inv.sites.push_back(Site{evil, *site, {h}, {}, true, {}});
    auto zone = build_zone(inv, 1);
    ASSERT_TRUE(zone.ok());
    const std::string script = render_powershell(inv, zone.value(), {"sites.json", 1});
    std::size_t n = 0;
    for (const auto& line : logical_lines(script)) {
        if (!line.starts_with("Want ")) continue;
        ++n;
        std::size_t end = 0;
        auto name = read_single_quoted(line, 5, &end);
        ASSERT_TRUE(name) << line;
        // Names are lower case, and ; is escaped in a name's text form (RFC 1035 section 5.1).
        EXPECT_TRUE(*name == "x'\\;stop-computer\\;'" || *name == "mail.x'\\;stop-computer\\;'")
            << "the name is one literal: " << line;
    }
    EXPECT_EQ(n, 2u);  // the site's MX and the host's A
    for (const auto& call : invocations(script)) EXPECT_NE(call.command, "Stop-Computer");
}
