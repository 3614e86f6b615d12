// AXFR out (RFC 5936): the message stream decoded one message at a time by ldns (so no
// message leans on another's compression), the SOA first and last, every record once, the
// snapshot kept alive by the stream; and against a running dnsd: nobody may transfer by
// default, only --allow-transfer ranges may, never over UDP, IXFR for a serial dnsd has no
// journal for gets the whole zone; after reloads IXFR gets the chained differences (RFC
// 1995 §4), and over UDP the SOA alone or TC (§2).
#include <signal.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "dnsd/primary/xfr.hpp"
#include "tests/dnsd/answer/respond_fixture.hpp"
#include "tests/support/dns_client.hpp"
#include "tests/support/peers.hpp"
#include "tests/support/process.hpp"
#include "zonegen/zonefile/zone_loader.hpp"

using namespace testsupport;
using dnsdtest::N;

namespace {

constexpr std::uint16_t kAxfr = 252, kIxfr = 251, kSoa = 6;
const std::string kZoneFile = SMARTHOST_TEST_DATA "/e2e/smarthost.local.zone";

// A zone of many sites: enough records for dozens of small messages, with names that
// compress well (every record refers back to the origin).
zonegen::Zone many_sites(int sites) {
    zonegen::ZoneBuilder b(N("big.test"));
    b.add(N("big.test"), 300, zonegen::Soa{N("ns1.big.test"), N("hostmaster.big.test"), 42, 3600, 600, 86400, 300});
    b.add(N("big.test"), 300, zonegen::Ns{N("ns1.big.test")});
    b.add(N("ns1.big.test"), 300, dnsdtest::v4("192.0.2.53"));
    for (int i = 0; i < sites; ++i) {
        const std::string site = "site" + std::to_string(i) + ".big.test";
        const std::string host = "mail." + site;
        b.add(*zonegen::Name::parse(site), 300, zonegen::Mx{10, *zonegen::Name::parse(host)});
        b.add(*zonegen::Name::parse(site), 300, zonegen::Mx{20, N("mail.site0.big.test")});
        b.add(*zonegen::Name::parse(host), 300, dnsdtest::v4("192.0.2.25"));
        b.add(*zonegen::Name::parse(host), 300, dnsdtest::v6("2001:db8::25"));
    }
    // One record far larger than a small message target: it must travel alone.
    b.add(N("huge.big.test"), 300,
          zonegen::Txt{{std::string(255, 'x'), std::string(255, 'y'), std::string(255, 'z')}});
    auto z = std::move(b).finish();
    EXPECT_TRUE(z.ok());
    return std::move(z).value();
}

std::shared_ptr<const dnsd::AnswerTable> table_of(zonegen::Zone z) {
    std::vector<zonegen::Zone> zones;
    zones.push_back(std::move(z));
    auto t = dnsd::AnswerTable::compile(zones);
    EXPECT_TRUE(t.ok());
    return t.value();
}

std::vector<std::vector<std::uint8_t>> drain(dnsd::MessageStream& s) {
    std::vector<std::vector<std::uint8_t>> out;
    std::vector<std::uint8_t> buf(65535);
    for (std::size_t n; (n = s.next(buf)) > 0;) out.emplace_back(buf.begin(), buf.begin() + static_cast<long>(n));
    return out;
}

// "owner TYPE" -> count, from ldns's presentation lines.
std::map<std::string, int> owner_types(const std::vector<std::string>& lines) {
    std::map<std::string, int> m;
    for (const auto& l : lines) {
        std::istringstream f(l);
        std::string owner, ttl, klass, type;
        f >> owner >> ttl >> klass >> type;
        ++m[owner + " " + type];
    }
    return m;
}

std::map<std::string, int> owner_types(const zonegen::Zone& z) {
    std::map<std::string, int> m;
    for (const auto& node : z.nodes())
        for (const auto& set : node.rrsets)
            m[node.owner.text() + " " + zonegen::type_name(set.type)] += static_cast<int>(set.rdata.size());
    return m;
}

}  // namespace

TEST(AxfrStream, EveryMessageDecodesAloneSoaFirstAndLastEveryRecordOnce) {
    const zonegen::Zone source = many_sites(400);
    auto table = table_of(source);
    const dnsd::ZoneImage& zone = table->zones().front();
    dnstest::QueryOptions o;
    o.id = 0xBEEF;
    auto query = dnstest::query("Big.Test", kAxfr, o);
    auto stream = dnsd::make_axfr_stream(table, zone, query, 700);
    auto messages = drain(*stream);
    ASSERT_GT(messages.size(), 10u);

    std::vector<std::string> records;
    std::size_t oversized = 0;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& m = messages[i];
        auto d = dnstest::decode(m);
        ASSERT_TRUE(d.ok) << "message " << i << ": " << d.error;
        EXPECT_TRUE(d.qr && d.aa) << i;
        EXPECT_FALSE(d.tc) << i;
        EXPECT_EQ(d.id, 0xBEEF) << i;
        EXPECT_EQ(d.rcode, 0) << i;
        ASSERT_EQ(d.question.size(), 1u) << i;
        EXPECT_EQ(d.question.front(), "Big.Test. IN AXFR") << "the question exactly as asked";
        EXPECT_TRUE(d.authority.empty() && d.additional.empty()) << i;
        EXPECT_FALSE(d.answer.empty()) << i;
        // Only the message that holds the 765-octet TXT alone may pass the target.
        if (m.size() > 700) {
            ++oversized;
            EXPECT_EQ(d.answer.size(), 1u);
            EXPECT_NE(d.answer.front().find("huge.big.test. 300 IN TXT"), std::string::npos);
        }
        records.insert(records.end(), d.answer.begin(), d.answer.end());
    }
    EXPECT_EQ(oversized, 1u);
    ASSERT_GE(records.size(), 2u);
    EXPECT_EQ(records.front(), records.back());
    EXPECT_NE(records.front().find("big.test. 300 IN SOA ns1.big.test. hostmaster.big.test. 42 "), std::string::npos);
    records.pop_back();
    EXPECT_EQ(records.size(), source.record_count());
    EXPECT_EQ(owner_types(records), owner_types(source));
    std::set<std::string> unique(records.begin(), records.end());
    EXPECT_EQ(unique.size(), records.size()) << "a record was sent twice";
}

// The records come in the zone's canonical order (RFC 4034 §6.1), owner by owner.
TEST(AxfrStream, CanonicalOrder) {
    const zonegen::Zone source = dnsdtest::smarthost_zone();
    auto table = table_of(source);
    auto query = dnstest::query("smarthost.local", kAxfr);
    auto messages = drain(*dnsd::make_axfr_stream(table, table->zones().front(), query, 512));
    std::vector<std::string> owners;
    for (const auto& m : messages)
        for (const auto& rr : dnstest::decode(m).answer) {
            std::string owner = rr.substr(0, rr.find(' '));
            if (owners.empty() || owners.back() != owner) owners.push_back(owner);
        }
    std::vector<std::string> expected;
    for (const auto& node : source.nodes()) expected.push_back(node.owner.text());
    expected.push_back(source.origin().text());  // the closing SOA
    EXPECT_EQ(owners, expected);
}

// DESIGN "Reload": a transfer keeps the table it started on, whatever replaces it.
TEST(AxfrStream, KeepsItsSnapshotAliveAfterTheTableIsDropped) {
    auto table = table_of(many_sites(50));
    std::weak_ptr<const dnsd::AnswerTable> weak = table;
    auto query = dnstest::query("big.test", kAxfr);
    auto stream = dnsd::make_axfr_stream(table, table->zones().front(), query, 1024);
    std::vector<std::uint8_t> buf(65535);
    ASSERT_GT(stream->next(buf), 0u);
    table.reset();  // what a reload does to the server's pointer
    EXPECT_FALSE(weak.expired());
    auto rest = drain(*stream);
    ASSERT_FALSE(rest.empty());
    auto last = dnstest::decode(rest.back());
    ASSERT_TRUE(last.ok);
    EXPECT_NE(last.answer.back().find(" IN SOA "), std::string::npos);
    stream.reset();
    EXPECT_TRUE(weak.expired());
}

TEST(DnsdXfr, NobodyMayTransferByDefault) {
    Dnsd dnsd(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    Transfer t = transfer_from(dnsd.port(), dnstest::query("smarthost.local", kAxfr), std::chrono::seconds(5));
    ASSERT_EQ(t.messages.size(), 1u) << t.error;
    EXPECT_EQ(t.messages[0].rcode, 5);  // REFUSED
    EXPECT_TRUE(t.messages[0].answer.empty());
    EXPECT_TRUE(dnsd.process().wait_for_line("refused: address not allowed", std::chrono::seconds(5)));
}

TEST(DnsdXfr, AnAddressOutsideTheAllowedRangesIsRefused) {
    Dnsd dnsd(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--allow-transfer", "192.0.2.0/24",
                         "--allow-transfer", "::1"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    Transfer t = transfer_from(dnsd.port(), dnstest::query("smarthost.local", kAxfr), std::chrono::seconds(5));
    ASSERT_EQ(t.messages.size(), 1u) << t.error;
    EXPECT_EQ(t.messages[0].rcode, 5);
    EXPECT_TRUE(t.messages[0].answer.empty());
}

TEST(DnsdXfr, AllowedRangeTransfersOverTcpOnly) {
    Dnsd dnsd(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--allow-transfer", "127.0.0.0/8"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    Transfer t = transfer_from(dnsd.port(), dnstest::query("smarthost.local", kAxfr));
    ASSERT_TRUE(t.complete) << t.error;
    auto zone = zonegen::load_zone_file(kZoneFile);
    ASSERT_TRUE(zone.ok());
    EXPECT_EQ(t.records.size(), zone.value().record_count() + 1);
    EXPECT_TRUE(dnsd.process().wait_for_line("done: " + std::to_string(zone.value().record_count() + 1) + " records",
                                             std::chrono::seconds(5)));

    // RFC 5936 §4.2: never over UDP, where AXFR is not defined: NOTIMP.
    auto udp = udp_exchange_at("127.0.0.1", dnsd.port(), dnstest::query("smarthost.local", kAxfr));
    ASSERT_TRUE(udp);
    auto d = dnstest::decode(*udp);
    EXPECT_EQ(d.rcode, 4);
    EXPECT_TRUE(d.answer.empty());

    // A name that is not a zone apex is not transferred.
    Transfer sub = transfer_from(dnsd.port(), dnstest::query("oxford.smarthost.local", kAxfr),
                                 std::chrono::seconds(5));
    ASSERT_EQ(sub.messages.size(), 1u);
    EXPECT_EQ(sub.messages[0].rcode, 5);
}

// RFC 1995 §4: an IXFR may be answered with the whole zone in AXFR form.
TEST(DnsdXfr, IxfrGetsTheWholeZone) {
    Dnsd dnsd(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--allow-transfer", "127.0.0.1"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    // The IXFR query carries the secondary's SOA in authority (RFC 1995 §3).
    dnstest::Packet q;
    q.header(0x4242, 0, 1, 0, 1, 0).name("smarthost.local").u16(kIxfr).u16(1);
    q.name("smarthost.local").u16(kSoa).u16(1).u32(300);
    dnstest::Packet rdata;
    rdata.name("ns1.smarthost.local")
        .name("hostmaster.smarthost.local")
        .u32(1)
        .u32(3600)
        .u32(600)
        .u32(86400)
        .u32(300);
    q.u16(static_cast<std::uint16_t>(rdata.size())).bytes(rdata);
    Transfer t = transfer_from(dnsd.port(), q);
    ASSERT_TRUE(t.complete) << t.error;
    EXPECT_EQ(t.messages.front().question.front(), "smarthost.local. IN IXFR");
    auto zone = zonegen::load_zone_file(kZoneFile);
    ASSERT_TRUE(zone.ok());
    EXPECT_EQ(t.records.size(), zone.value().record_count() + 1);
}

// A version of the e2e zone: serial, and one host of its own per version so that every
// reload changes a record (one deleted, one added).
std::string zone_version(const std::string& base, std::uint32_t serial) {
    std::string text = base;
    const std::string old_serial = "2026112301";
    text.replace(text.find(old_serial), old_serial.size(), std::to_string(serial));
    return text + "version" + std::to_string(serial) + " IN A 192.0.2." + std::to_string(serial % 200) + "\n";
}

TEST(DnsdXfr, IxfrAfterReloadsSendsTheChainedDifferencesAndUdpSendsTheSoaOrTc) {
    TempDir dir;
    const std::string base = read_text(kZoneFile);
    const std::string file = dir / "smarthost.local.zone";
    write_text(file, zone_version(base, 10));
    Dnsd dnsd(DNSD_BIN, {"--zone", file, "--listen", "127.0.0.1:0", "--allow-transfer", "127.0.0.1"});
    ASSERT_TRUE(dnsd.ready()) << dnsd.process().err();
    std::map<std::uint32_t, std::vector<std::string>> full;  // serial -> AXFR records
    for (std::uint32_t serial = 10; serial <= 13; ++serial) {
        if (serial > 10) {
            write_text(file, zone_version(base, serial));
            const std::size_t lines = dnsd.process().err_line_count();
            dnsd.process().signal(SIGHUP);
            ASSERT_TRUE(dnsd.process().wait_for_line("dnsd: reloaded", std::chrono::seconds(5), lines))
                << dnsd.process().err();
        }
        Transfer t = transfer_from(dnsd.port(), dnstest::query("smarthost.local", kAxfr));
        ASSERT_TRUE(t.complete) << t.error;
        full[serial] = t.records;
    }
    // From each older serial, the chain to 13; applied to that version it gives version 13.
    for (std::uint32_t from = 10; from < 13; ++from) {
        Transfer t = transfer_from(dnsd.port(), ixfr_query("smarthost.local", from));
        ASSERT_TRUE(t.complete) << t.error;
        EXPECT_TRUE(t.incremental) << from;
        EXPECT_EQ(difference_count(t), 13 - from);
        EXPECT_EQ(t.messages.front().question.front(), "smarthost.local. IN IXFR");
        std::string why;
        auto applied = apply_ixfr(full[from], t, &why);
        ASSERT_TRUE(applied) << why;
        EXPECT_EQ(*applied, without_soa(full[13])) << "from " << from;
        EXPECT_TRUE(dnsd.process().wait_for_line("IXFR of smarthost.local. from 127.0.0.1", std::chrono::seconds(2)));
    }
    EXPECT_NE(dnsd.process().err().find(": serial 10 -> 13, 3 differences, "), std::string::npos)
        << dnsd.process().err();
    // Current (or ahead): the SOA alone.
    for (std::uint32_t serial : {13u, 14u}) {
        Transfer t = transfer_from(dnsd.port(), ixfr_query("smarthost.local", serial));
        ASSERT_TRUE(t.complete) << t.error;
        ASSERT_EQ(t.records.size(), 1u);
        EXPECT_EQ(t.records[0], full[13].front());
    }
    // Unknown: the whole zone.
    Transfer unknown = transfer_from(dnsd.port(), ixfr_query("smarthost.local", 5));
    ASSERT_TRUE(unknown.complete) << unknown.error;
    EXPECT_FALSE(unknown.incremental);
    EXPECT_EQ(unknown.records, full[13]);
    EXPECT_NE(dnsd.process().err().find("serial 5 not in the journal, sending the full zone"), std::string::npos)
        << dnsd.process().err();

    // RFC 1995 §2 over UDP: current gets the SOA alone, older gets TC and nothing.
    auto current = udp_exchange_at("127.0.0.1", dnsd.port(), ixfr_query("smarthost.local", 13),
                                   std::chrono::seconds(2));
    ASSERT_TRUE(current);
    auto c = dnstest::decode(*current);
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.rcode, 0);
    EXPECT_TRUE(c.aa);
    EXPECT_FALSE(c.tc);
    ASSERT_EQ(c.answer.size(), 1u);
    EXPECT_NE(c.answer[0].find(" IN SOA "), std::string::npos);
    EXPECT_NE(c.answer[0].find(" 13 "), std::string::npos) << c.answer[0];
    EXPECT_EQ(c.question.front(), "smarthost.local. IN IXFR");
    auto behind = udp_exchange_at("127.0.0.1", dnsd.port(), ixfr_query("smarthost.local", 11),
                                  std::chrono::seconds(2));
    ASSERT_TRUE(behind);
    auto b = dnstest::decode(*behind);
    ASSERT_TRUE(b.ok) << b.error;
    EXPECT_EQ(b.rcode, 0);
    EXPECT_TRUE(b.tc);
    EXPECT_TRUE(b.answer.empty() && b.authority.empty());
    // Not a zone apex: refused, as over TCP.
    auto sub = udp_exchange_at("127.0.0.1", dnsd.port(), ixfr_query("oxford.smarthost.local", 13),
                               std::chrono::seconds(2));
    ASSERT_TRUE(sub);
    EXPECT_EQ(dnstest::decode(*sub).rcode, 5);
}

TEST(DnsdXfr, BadAllowTransferIsAUsageError) {
    for (const char* bad : {"10.0.0.1/8", "192.0.2.0/33", "not-an-address", "::1/129"}) {
        auto r = run(DNSD_BIN, {"--zone", kZoneFile, "--listen", "127.0.0.1:0", "--allow-transfer", bad});
        EXPECT_EQ(r.status, 2) << bad;
        EXPECT_NE(r.err.find("--allow-transfer"), std::string::npos) << r.err;
    }
}
