// The Windows DNS script. Its logic is fixed text; only the header, the zone's name and
// TTL and the list of wanted records ("Want" lines, in the zone's canonical order) come
// from the inventory, so two runs on the same inventory give the same bytes. Cmdlets and
// parameters are those of Microsoft's DnsServer module documentation
// (learn.microsoft.com/powershell/module/dnsserver); tests/zonegen/commands/
// powershell_writer_test.cpp checks every one the script uses against that table.
#include "zonegen/commands/powershell_writer.hpp"

#include <stdexcept>
#include <unordered_set>

#include "zonegen/zonefile/bind_writer.hpp"

namespace zonegen {

std::optional<std::string> ps_quote(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7e) return std::nullopt;
        if (c == '\'') out += '\'';
        out += c;
    }
    out += '\'';
    return out;
}

namespace {

// Names reaching the script are validated host names (inventory_rules), so quoting cannot
// fail; a failure would be a bug upstream, not a reason to write a broken script.
std::string quoted(std::string_view s) {
    auto q = ps_quote(s);
    if (!q) throw std::logic_error("zonegen: a name unfit for a PowerShell string reached the writer");
    return *q;
}

// The fixed part after the header. @ZONE@ and @TTL@ are filled in; the Want lines follow.
constexpr std::string_view kPrologue = R"PS(#
# Idempotent: it reads the A, AAAA and MX records of the names listed below, adds the
# ones missing and removes the ones the inventory no longer has (or has with another
# TTL), so a second run changes nothing. Names not listed below, and records of other
# types, are never touched; SOA and NS records stay Windows DNS's own. A site or host
# taken out of the inventory is no longer listed, so its records stay: remove them with
# Remove-DnsServerResourceRecord.
#
# What would change, changing nothing:      .\@FILE@ -WhatIf
# AD-integrated, to every DNS server of the forest:
#                                           .\@FILE@ -ReplicationScope Forest
# A file-backed zone (no Active Directory): .\@FILE@ -ZoneFile @ZONE@.dns
# Another server, asking before each change:
#                                           .\@FILE@ -ComputerName dns1 -Confirm
#
# The zone is created only when it does not exist yet; -ReplicationScope and -ZoneFile
# apply to that creation.
#Requires -Version 5.1
#Requires -Modules DnsServer
[CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'ActiveDirectory')]
param(
    [string] $ComputerName = $env:COMPUTERNAME,
    [Parameter(ParameterSetName = 'ActiveDirectory')]
    [ValidateSet('Forest', 'Domain', 'Legacy')]
    [string] $ReplicationScope = 'Domain',
    [Parameter(ParameterSetName = 'File', Mandatory = $true)]
    [string] $ZoneFile
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$ZoneName = '@ZONE@'
$TimeToLive = [TimeSpan]::FromSeconds(@TTL@)
$ManagedTypes = @('A', 'AAAA', 'MX')

# Wanted records by name, relative to the zone ('@' is the apex). Data as the records
# print: A and AAAA an address, MX "PREFERENCE EXCHANGE." with the exchange absolute.
$Wanted = [ordered]@{}
function Want([string] $Name, [string] $Type, [string] $Data) {
    if (-not $Wanted.Contains($Name)) { $Wanted[$Name] = [System.Collections.Generic.List[object]]::new() }
    $Wanted[$Name].Add([pscustomobject]@{ Type = $Type; Data = $Data })
}

# One text per record, the same for a wanted record and one Get-DnsServerResourceRecord
# returns: addresses through .NET's own formatting, exchanges in lower case with the dot.
function Get-WantedText($Want) {
    switch ($Want.Type) {
        'A'    { return 'A ' + [System.Net.IPAddress]::Parse($Want.Data).IPAddressToString }
        'AAAA' { return 'AAAA ' + [System.Net.IPAddress]::Parse($Want.Data).IPAddressToString }
        'MX'   { return 'MX ' + $Want.Data.ToLowerInvariant() }
    }
    throw "unexpected record type $($Want.Type)"
}
function Get-HaveText($Record) {
    switch ($Record.RecordType) {
        'A'    { return 'A ' + $Record.RecordData.IPv4Address.IPAddressToString }
        'AAAA' { return 'AAAA ' + $Record.RecordData.IPv6Address.IPAddressToString }
        'MX'   {
            $exchange = $Record.RecordData.MailExchange.TrimEnd('.').ToLowerInvariant() + '.'
            return 'MX ' + $Record.RecordData.Preference + ' ' + $exchange
        }
    }
    throw "unexpected record type $($Record.RecordType)"
}

)PS";

constexpr std::string_view kEpilogue = R"PS(
$zone = Get-DnsServerZone -ComputerName $ComputerName -Name $ZoneName -ErrorAction SilentlyContinue
if (-not $zone) {
    if ($PSCmdlet.ShouldProcess("$ZoneName on $ComputerName", 'Add-DnsServerPrimaryZone')) {
        if ($PSCmdlet.ParameterSetName -eq 'File') {
            Add-DnsServerPrimaryZone -ComputerName $ComputerName -Name $ZoneName -ZoneFile $ZoneFile
        } else {
            Add-DnsServerPrimaryZone -ComputerName $ComputerName -Name $ZoneName -ReplicationScope $ReplicationScope
        }
    }
}

$added = 0
$removed = 0
foreach ($name in $Wanted.Keys) {
    $want = @{}
    foreach ($w in $Wanted[$name]) { $want[(Get-WantedText $w)] = $w }
    $have = @{}
    # -Name also returns the records of names below it; HostName tells them apart.
    $records = @(Get-DnsServerResourceRecord -ComputerName $ComputerName -ZoneName $ZoneName -Name $name `
                     -ErrorAction SilentlyContinue |
                 Where-Object { $_.HostName -eq $name -and $ManagedTypes -contains $_.RecordType })
    foreach ($record in $records) {
        $text = Get-HaveText $record
        if ($want.ContainsKey($text) -and -not $have.ContainsKey($text) -and $record.TimeToLive -eq $TimeToLive) {
            $have[$text] = $true
            continue
        }
        if ($PSCmdlet.ShouldProcess("$name $text", 'Remove-DnsServerResourceRecord')) {
            Remove-DnsServerResourceRecord -ComputerName $ComputerName -ZoneName $ZoneName -InputObject $record -Force
            $removed++
        }
    }
    # Microsoft documents the apex as '.' for the Add-DnsServerResourceRecord* cmdlets
    # (Add-DnsServerResourceRecordMX, example 1); Get-DnsServerResourceRecord reports '@'.
    $addName = if ($name -eq '@') { '.' } else { $name }
    foreach ($w in $Wanted[$name]) {
        $text = Get-WantedText $w
        if ($have.ContainsKey($text)) { continue }
        if (-not $PSCmdlet.ShouldProcess("$name $text", 'Add-DnsServerResourceRecord')) { continue }
        switch ($w.Type) {
            'A' {
                Add-DnsServerResourceRecordA -ComputerName $ComputerName -ZoneName $ZoneName -Name $addName `
                    -IPv4Address $w.Data -TimeToLive $TimeToLive
            }
            'AAAA' {
                Add-DnsServerResourceRecordAAAA -ComputerName $ComputerName -ZoneName $ZoneName -Name $addName `
                    -IPv6Address $w.Data -TimeToLive $TimeToLive
            }
            'MX' {
                $preference, $exchange = $w.Data -split ' ', 2
                Add-DnsServerResourceRecordMX -ComputerName $ComputerName -ZoneName $ZoneName -Name $addName `
                    -Preference ([uint16] $preference) -MailExchange $exchange -TimeToLive $TimeToLive
            }
        }
        $have[$text] = $true
        $added++
    }
}
Write-Verbose "$ZoneName on ${ComputerName}: $added added, $removed removed"
)PS";

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
        s.replace(p, from.size(), to);
}

std::string zone_text(const Name& zone) {
    std::string t = zone.text();
    if (t.size() > 1 && t.back() == '.') t.pop_back();
    return t;
}

}  // namespace

std::string render_powershell(const Inventory& inv, const Zone& zone, const ExportSource& source) {
    const std::string zname = zone_text(zone.origin());
    const std::string file = zname + ".ps1";
    std::string out = "# " + file + ": the smarthost MX tiers of zone " + zname + " for Windows DNS Server.\n";
    out += "# Generated by zonegen from " + source.text() + "; do not edit: change the\n";
    out += "# inventory and run 'zonegen generate --format powershell' again.\n";
    std::string prologue(kPrologue);
    replace_all(prologue, "@FILE@", file);
    replace_all(prologue, "@ZONE@", zname);
    replace_all(prologue, "@TTL@", std::to_string(inv.ttl));
    out += prologue;

    std::unordered_set<std::string> managed;
    for (const auto& site : inv.sites) {
        managed.insert(std::string(site.name.wire()));
        for (const auto& host : site.smarthosts) managed.insert(std::string(host.name.wire()));
    }
    for (const auto& node : zone.nodes()) {
        if (!managed.contains(std::string(node.owner.wire()))) continue;
        const std::string name = quoted(node.owner.text_relative_to(zone.origin()));
        for (const auto& rrset : node.rrsets) {
            if (rrset.type != RRType::A && rrset.type != RRType::AAAA && rrset.type != RRType::MX) continue;
            for (const auto& rd : rrset.rdata) {
                std::string data;
                if (const auto* mx = std::get_if<Mx>(&rd))
                    data = std::to_string(mx->preference) + " " + mx->exchange.text();
                else
                    data = rdata_text(rd, Name());
                out += "Want " + name + " '" + type_name(rrset.type) + "' " + quoted(data) + "\n";
            }
        }
    }
    out += kEpilogue;
    return out;
}

}  // namespace zonegen
