// The zone-file loader: master files (RFC 1035 §5) read into Zones, and every
// mistake reported at the line of the record at fault.
#include "zonegen/zonefile/zone_loader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "zonegen/core/ldns.hpp"
#include "zonegen/core/zone.hpp"
#include "zonegen/zonefile/bind_writer.hpp"

namespace {

using namespace zonegen;

Name N(const char* s) { return *Name::parse(s); }

A a4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) { return A{{a, b, c, d}}; }

// All diagnostics, GNU style, one per line: what a user would see.
std::string messages(const Result<Zone>& r) {
    std::string out;
    if (r.ok()) return out;
    for (const auto& d : r.errors()) out += format_gnu(d) + "\n";
    return out;
}

Zone load_ok(std::string_view text, const std::optional<Name>& origin = std::nullopt) {
    Result<Zone> r = load_zone_text(text, "t.zone", origin);
    EXPECT_TRUE(r.ok()) << messages(r);
    return r.ok() ? std::move(r).value() : Zone{};
}

const RRset* rrset(const Zone& z, const char* owner, RRType t) {
    const Node* n = z.find(N(owner));
    return n ? n->find(t) : nullptr;
}

constexpr const char* kSoa = "@ SOA ns1 hostmaster 1 3600 600 1209600 300\n";

TEST(ZoneLoader, LoadsAHandWrittenFile) {
    const std::string path = std::string(SMARTHOST_TEST_DATA) + "/zones/example.zone";
    Result<Zone> r = load_zone_file(path);
    ASSERT_TRUE(r.ok()) << messages(r);
    const Zone& z = r.value();
    EXPECT_EQ(z.origin(), N("example.test"));  // from the SOA owner, lower-cased
    EXPECT_EQ(z.serial(), 2026112301u);
    EXPECT_EQ(z.soa().mname, N("ns1.example.test"));
    EXPECT_EQ(z.soa().rname, N("hostmaster.example.test"));
    EXPECT_EQ(z.soa().expire, 1209600u);  // "2w"
    EXPECT_EQ(z.soa().minimum, 300u);
    EXPECT_EQ(z.soa_ttl(), 3600u);  // $TTL 1h

    const RRset* ns = rrset(z, "example.test", RRType::NS);
    ASSERT_NE(ns, nullptr);
    EXPECT_EQ(ns->ttl, 3600u);
    EXPECT_EQ(ns->rdata, (std::vector<Rdata>{Ns{N("ns1.example.test")}, Ns{N("ns2.example.net")}}));

    const RRset* mx = rrset(z, "example.test", RRType::MX);
    ASSERT_NE(mx, nullptr);
    EXPECT_EQ(mx->ttl, 300u);
    EXPECT_EQ(mx->rdata,
              (std::vector<Rdata>{Mx{10, N("mail.oxford.example.test")}, Mx{20, N("mail.cambridge.example.test")}}));

    const RRset* dup = rrset(z, "mail.cambridge.example.test", RRType::A);
    ASSERT_NE(dup, nullptr);
    EXPECT_EQ(dup->rdata, std::vector<Rdata>{a4(198, 51, 100, 25)});  // duplicates merged

    const RRset* v6 = rrset(z, "mail.oxford.example.test", RRType::AAAA);  // blank owner
    ASSERT_NE(v6, nullptr);
    EXPECT_EQ(std::get<Aaaa>(v6->rdata[0]).addr[15], 0x25);

    // "$ORIGIN oxford" is relative to the current origin (RFC 1035 §5.1).
    const RRset* site = rrset(z, "oxford.example.test", RRType::MX);
    ASSERT_NE(site, nullptr);
    EXPECT_EQ(site->ttl, 60u);
    EXPECT_EQ(site->rdata, (std::vector<Rdata>{Mx{10, N("mail.oxford.example.test")}}));

    const RRset* txt = rrset(z, "info.oxford.example.test", RRType::TXT);
    ASSERT_NE(txt, nullptr);
    EXPECT_EQ(std::get<Txt>(txt->rdata[0]).strings, (std::vector<std::string>{"v=spf1 -all", "second string", ""}));
    EXPECT_EQ(z.record_count(), 11u);
}

TEST(ZoneLoader, TtlRules) {
    // No $TTL: an omitted TTL is the last explicit one (RFC 1035 §5.1); $TTL then wins
    // (RFC 2308 §4); units are understood.
    Zone z = load_ok(
        "$ORIGIN t.\n"
        "@ 7200 SOA ns1 hostmaster 1 3600 600 1209600 300\n"
        "  NS ns1\n"
        "ns1 1h30m A 192.0.2.1\n"
        "a A 192.0.2.2\n"
        "$TTL 5M\n"
        "b A 192.0.2.3\n"
        "c 0 A 192.0.2.4\n");
    EXPECT_EQ(z.soa_ttl(), 7200u);
    EXPECT_EQ(rrset(z, "t", RRType::NS)->ttl, 7200u);
    EXPECT_EQ(rrset(z, "ns1.t", RRType::A)->ttl, 5400u);
    EXPECT_EQ(rrset(z, "a.t", RRType::A)->ttl, 5400u);
    EXPECT_EQ(rrset(z, "b.t", RRType::A)->ttl, 300u);
    EXPECT_EQ(rrset(z, "c.t", RRType::A)->ttl, 0u);
}

TEST(ZoneLoader, GivenOriginCompletesRelativeNames) {
    Zone z = load_ok(std::string("$TTL 60\n") + kSoa + "@ NS ns1\nns1 A 192.0.2.1\n", N("Given.Example"));
    EXPECT_EQ(z.origin(), N("given.example"));
    EXPECT_EQ(z.soa().rname, N("hostmaster.given.example"));
    EXPECT_NE(rrset(z, "ns1.given.example", RRType::A), nullptr);
}

TEST(ZoneLoader, SoaNeedNotComeFirst) {
    Zone z = load_ok("$ORIGIN t.\n$TTL 60\nwww A 192.0.2.1\n@ NS ns.example.net.\n" + std::string(kSoa));
    EXPECT_EQ(z.origin(), N("t"));
    EXPECT_EQ(z.nodes().front().owner, N("t"));
    EXPECT_EQ(z.record_count(), 3u);
}

TEST(ZoneLoader, AcceptsCrLfAndNoFinalNewline) {
    Zone z = load_ok(
        "$ORIGIN t.\r\n$TTL 60\r\n@ SOA ns1 hostmaster ( 1 3600\r\n 600 1209600 300 )\r\nwww A 192.0.2.1");
    EXPECT_EQ(z.soa().minimum, 300u);
    EXPECT_EQ(std::get<A>(rrset(z, "www.t", RRType::A)->rdata[0]), a4(192, 0, 2, 1));
}

TEST(ZoneLoader, SyntaxErrorsCarryTheirLineAndAllAreReported) {
    const std::string text =
        "$ORIGIN t.\n"                           // 1
        "$TTL 60\n"                              // 2
        "@ SOA ns1 hostmaster (\n"               // 3
        "      1 3600 600 1209600 300 )\n"       // 4
        "; a comment\n"                          // 5
        "\n"                                     // 6
        "bad A 192.0.2\n"                        // 7
        "\n"                                     // 8
        "   \n"                                  // 9
        "; two comment lines before a record\n"  // 10
        "; ...\n"                                // 11
        "mx MX ten mail\n"                       // 12
        "ok A 192.0.2.1\n"                       // 13
        "q FOO 1\n";                             // 14
    Result<Zone> r = load_zone_text(text, "t.zone");
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.errors().size(), 3u) << messages(r);
    EXPECT_EQ(r.errors()[0].where.file, "t.zone");
    EXPECT_EQ(r.errors()[0].where.line, 7);
    EXPECT_NE(r.errors()[0].message.find("\"bad A 192.0.2\""), std::string::npos) << r.errors()[0].message;
    EXPECT_EQ(r.errors()[1].where.line, 12);
    EXPECT_EQ(r.errors()[1].message, "MX preference ten is not a number from 0 to 65535");
    EXPECT_EQ(format_gnu(r.errors()[2]), "t.zone:14: unknown record type FOO");
}

TEST(ZoneLoader, OneMistakeGivesOneError) {
    // A broken SOA is not also reported as a missing one.
    EXPECT_EQ(messages(load_zone_text("$ORIGIN t.\n$TTL 60\n@ SOA ns1 hostmaster 1 3600 600\n", "t.zone")),
              "t.zone:3: SOA record needs 7 fields: mname rname serial refresh retry expire minimum, in \"@ SOA ns1 "
              "hostmaster 1 3600 600\"\n");
    // A $ORIGIN that does not parse leaves the previous origin in force, so the names after
    // it are not errors too.
    Result<Zone> r = load_zone_text(std::string("$ORIGIN t.\n$TTL 60\n") + kSoa + "$ORIGIN a..b.\nwww A 192.0.2.1\n",
                                    "t.zone");
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.errors().size(), 1u) << messages(r);
    EXPECT_EQ(r.errors()[0].where.line, 4);
}

TEST(ZoneLoader, UnknownTypeMnemonics) {
    Result<Zone> r = load_zone_text(std::string("$ORIGIN t.\n$TTL 60\n") + kSoa + "a FOO 1\nb BAR\n", "t.zone");
    EXPECT_EQ(messages(r), "t.zone:4: unknown record type FOO\nt.zone:5: unknown record type BAR\n");
}

TEST(ZoneLoader, ReportsErrorsInAFile) {
    const std::string path = std::string(SMARTHOST_TEST_DATA) + "/zones/errors.zone";
    Result<Zone> r = load_zone_file(path);
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.errors().size(), 2u) << messages(r);
    EXPECT_EQ(r.errors()[0].where.file, path);
    EXPECT_EQ(r.errors()[0].where.line, 8);
    EXPECT_EQ(format_gnu(r.errors()[1]),
              path + ":9: unsupported record type CNAME: dnsd serves A, AAAA, NS, SOA, MX and TXT");
}

TEST(ZoneLoader, UnsupportedTypesAndClassesAreErrorsNotDropped) {
    Result<Zone> r = load_zone_text(std::string("$ORIGIN t.\n$TTL 60\n") + kSoa +
                                        "www CNAME ns1\n"
                                        "_sip._tcp SRV 0 5 5060 sip\n"
                                        "x TYPE65534 \\# 0\n"
                                        "ch CH A 192.0.2.1\n",
                                    "t.zone");
    EXPECT_EQ(messages(r),
              "t.zone:4: unsupported record type CNAME: dnsd serves A, AAAA, NS, SOA, MX and TXT\n"
              "t.zone:5: unsupported record type SRV: dnsd serves A, AAAA, NS, SOA, MX and TXT\n"
              "t.zone:6: unsupported record type TYPE65534: dnsd serves A, AAAA, NS, SOA, MX and TXT\n"
              "t.zone:7: unsupported class CH: dnsd serves class IN only\n");
}

TEST(ZoneLoader, RecordOutsideTheZone) {
    Result<Zone> r = load_zone_text(std::string("$ORIGIN t.\n$TTL 60\n") + kSoa + "www.other. A 192.0.2.1\n",
                                    "t.zone");
    EXPECT_EQ(messages(r), "t.zone:4: www.other. is outside the zone t.\n");
}

TEST(ZoneLoader, TwoSoas) {
    Result<Zone> r = load_zone_text(std::string("$ORIGIN t.\n$TTL 60\n") + kSoa + "@ SOA ns1 hostmaster 2 1 1 1 1\n",
                                    "t.zone");
    EXPECT_EQ(messages(r), "t.zone:4: second SOA record for t.\n");
}

TEST(ZoneLoader, NoSoa) {
    EXPECT_EQ(messages(load_zone_text("$ORIGIN t.\n$TTL 60\nwww A 192.0.2.1\n", "t.zone")),
              "t.zone: no SOA record at the zone apex t.\n");
    EXPECT_EQ(messages(load_zone_text("www.t. 60 A 192.0.2.1\n", "t.zone")),
              "t.zone: no SOA record, so the zone's origin is unknown\n");
    EXPECT_EQ(messages(load_zone_text("", "empty.zone", N("t"))), "empty.zone: no SOA record at the zone apex t.\n");
    EXPECT_EQ(messages(load_zone_text("; nothing but a comment\n\n", "c.zone")),
              "c.zone: no SOA record, so the zone's origin is unknown\n");
}

TEST(ZoneLoader, TtlMismatchWithinAnRRset) {
    Result<Zone> r = load_zone_text(std::string("$ORIGIN t.\n") +
                                        "@ 60 SOA ns1 hostmaster 1 1 1 1 1\n"
                                        "www 60 A 192.0.2.1\n"
                                        "www 120 A 192.0.2.2\n",
                                    "t.zone");
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.errors().size(), 1u) << messages(r);
    EXPECT_EQ(r.errors()[0].where.line, 4);
    EXPECT_NE(r.errors()[0].message.find("RFC 2181 §5.2"), std::string::npos) << messages(r);
}

TEST(ZoneLoader, RelativeNamesNeedAnOrigin) {
    Result<Zone> r = load_zone_text(
        "@ 60 SOA ns1.t. hostmaster.t. 1 1 1 1 1\n"
        "www.t. 60 MX 10 mail\n"
        "  60 A 192.0.2.1\n",
        "t.zone");
    EXPECT_EQ(messages(r),
              "t.zone:1: \"@\" or a blank owner, but no origin is known: put $ORIGIN before it\n"
              "t.zone:2: relative name mail but no origin is known: put $ORIGIN before it or write mail.\n");
    EXPECT_EQ(messages(load_zone_text("$ORIGIN sub\n", "t.zone")),
              "t.zone:1: relative $ORIGIN sub with no origin before it: end it with \".\"\n");
}

TEST(ZoneLoader, NumbersLdnsWouldWrapOrTruncateAreErrors) {
    Result<Zone> r = load_zone_text(std::string("$ORIGIN t.\n$TTL 60\n") + kSoa +
                                        "mx MX 70000 mail\n"
                                        "a 3OO A 192.0.2.1\n"
                                        "b 2147483648 A 192.0.2.1\n"
                                        "$TTL 1x\n"
                                        "@ SOA ns1 hostmaster 4294967296 1 1 1 1\n",
                                    "t.zone");
    EXPECT_EQ(messages(r),
              "t.zone:4: MX preference 70000 is not a number from 0 to 65535\n"
              "t.zone:5: TTL 3OO is not a TTL: seconds from 0 to 2147483647 (RFC 2181 §8), units s, m, h, d, w "
              "allowed\n"
              "t.zone:6: TTL 2147483648 is not a TTL: seconds from 0 to 2147483647 (RFC 2181 §8), units s, m, h, "
              "d, w allowed\n"
              "t.zone:7: $TTL 1x is not a TTL: seconds from 0 to 2147483647 (RFC 2181 §8), units s, m, h, d, w "
              "allowed\n"
              "t.zone:8: SOA serial 4294967296 is not a number from 0 to 4294967295\n");
}

TEST(ZoneLoader, NoTtlAnywhere) {
    EXPECT_EQ(messages(load_zone_text("$ORIGIN t.\n@ SOA ns1 hostmaster 1 1 1 1 1\n", "t.zone")),
              "t.zone:2: no TTL: give one, or put a $TTL directive before the first record (RFC 2308 §4)\n");
}

// An empty quoted string is no name (it would read as the root), and a wrong owner is one
// error however many blank-owner lines follow it.
TEST(ZoneLoader, EmptyNamesAndAWrongOwnerGiveOneErrorEach) {
    Result<Zone> r = load_zone_text(std::string("$ORIGIN t.\n$TTL 60\n") + kSoa +
                                        "\"\" A 192.0.2.1\n"
                                        "mx MX 10 \"\"\n"
                                        "a..b A 192.0.2.2\n"
                                        "  A 192.0.2.3\n"
                                        "  AAAA 2001:db8::3\n",
                                    "t.zone");
    EXPECT_EQ(messages(r),
              "t.zone:4: an empty domain name in \"\"\" A 192.0.2.1\"\n"
              "t.zone:5: an empty domain name in \"mx MX 10 \"\"\"\n"
              "t.zone:6: a..b is not a domain name: empty label\n");
}

TEST(ZoneLoader, IncludeAndOtherDirectivesAreRefused) {
    Result<Zone> r = load_zone_text(std::string("$ORIGIN t.\n$TTL 60\n") + kSoa +
                                        "$INCLUDE other.zone\n"
                                        "$GENERATE 1-10 host$ A 192.0.2.$\n"
                                        "$TTL\n",
                                    "t.zone");
    EXPECT_EQ(messages(r),
              "t.zone:4: $INCLUDE is not supported: keep the whole zone in one file\n"
              "t.zone:5: unsupported directive $GENERATE\n"
              "t.zone:6: $TTL needs one value\n");
}

TEST(ZoneLoader, StopsAfterTooManyErrors) {
    std::string text = "$ORIGIN t.\n$TTL 60\n";
    for (int i = 0; i < 300; ++i) text += "x" + std::to_string(i) + " CNAME y\n";
    Result<Zone> r = load_zone_text(text, "t.zone");
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.errors().size(), kMaxLoadErrors + 1);
    EXPECT_EQ(r.errors()[kMaxLoadErrors - 1].where.line, 102);
    EXPECT_EQ(format_gnu(r.errors().back()), "t.zone:102: too many errors; stopped reading here");
}

TEST(ZoneLoader, UnreadableFile) {
    const std::string missing = std::string(SMARTHOST_TEST_DATA) + "/zones/no-such.zone";
    EXPECT_EQ(messages(load_zone_file(missing)), missing + ": cannot open: No such file or directory\n");
    const std::string dir = std::string(SMARTHOST_TEST_DATA) + "/zones";
    EXPECT_EQ(messages(load_zone_file(dir)), dir + ": cannot open: Is a directory\n");
}

// Generate, then load: the same Zone (DESIGN: the round trip tests can compare).
TEST(ZoneLoader, RoundTripsABuiltZone) {
    const Name origin = N("smarthost.local");
    ZoneBuilder b(origin);
    b.add(origin, 300,
          Soa{N("ns1.smarthost.local"), N("hostmaster.smarthost.local"), 2026112301, 3600, 600, 1209600, 300});
    b.add(origin, 300, Ns{N("ns1.smarthost.local")});
    b.add(N("ns1.smarthost.local"), 300, a4(192, 0, 2, 53));
    b.add(N("oxford.smarthost.local"), 300, Mx{10, N("mail.oxford.smarthost.local")});
    b.add(N("oxford.smarthost.local"), 300, Mx{20, N("mail.cambridge.smarthost.local")});
    b.add(N("mail.oxford.smarthost.local"), 300, a4(192, 0, 2, 25));
    b.add(N("mail.oxford.smarthost.local"), 300,
          Aaaa{{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x25}});
    b.add(N("mail.cambridge.smarthost.local"), 300, a4(198, 51, 100, 25));
    b.add(origin, 3600, Txt{{"v=spf1 -all", "a \"quoted\" word; not a comment (or parenthesis)", "", "\x01\xff"}});
    b.add(N("oxford.smarthost.local"), 300, Mx{30, N("mx.other.example")});  // written absolute
    Result<Zone> built = std::move(b).finish();
    ASSERT_TRUE(built.ok()) << messages(built);

    // The BIND writer: relative names, $ORIGIN, $TTL, TTLs only where they differ.
    const std::string text = render_bind(built.value(), "zone_loader_test");
    Result<Zone> loaded = load_zone_text(text, "roundtrip.zone");
    ASSERT_TRUE(loaded.ok()) << messages(loaded) << text;
    EXPECT_EQ(loaded.value(), built.value()) << text;
}

// Loading is linear: a large generated zone loads in well under the test's time limit
// (800,000 records took about 2.7 s when the loader was written).
TEST(ZoneLoader, LargeZoneLoads) {
    std::string text = "$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 1209600 300\n@ NS ns1\n";
    constexpr int kHosts = 50000;
    for (int i = 0; i < kHosts; ++i) {
        std::string h = "h" + std::to_string(i);
        text += h + " A 10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
                std::to_string(i % 256) + "\n" + h + " MX 10 " + h + "\n";
    }
    auto start = std::chrono::steady_clock::now();
    Result<Zone> r = load_zone_text(text, "big.zone");
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_EQ(r.value().record_count(), 2u * kHosts + 2);
    EXPECT_EQ(r.value().nodes().size(), std::size_t{kHosts} + 1);
    EXPECT_LT(std::chrono::duration_cast<std::chrono::seconds>(took).count(), 10);
}

}  // namespace

namespace {

std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// Every record of a zone as canonical wire bytes (RFC 4034 §6.2), duplicates merged.
std::set<std::string> wire_records(const Zone& z) {
    std::set<std::string> out;
    auto put16 = [](std::string& s, unsigned v) { s += static_cast<char>(v >> 8), s += static_cast<char>(v & 0xff); };
    for (const Node& node : z.nodes())
        for (const RRset& set : node.rrsets)
            for (const Rdata& rd : set.rdata) {
                std::string rdata;
                append_rdata_wire(rd, rdata);
                std::string r(node.owner.wire());
                put16(r, static_cast<unsigned>(set.type));
                put16(r, 1);
                put16(r, set.ttl >> 16);
                put16(r, set.ttl & 0xffff);
                put16(r, static_cast<unsigned>(rdata.size()));
                out.insert(r + rdata);
            }
    return out;
}

// The same records as ldns reads the file: an independent reader of the same text.
std::set<std::string> ldns_records(const std::string& path) {
    std::set<std::string> out;
    ldns::File f(std::fopen(path.c_str(), "r"));
    EXPECT_TRUE(f) << path;
    if (!f) return out;
    ldns_zone* raw = nullptr;
    EXPECT_EQ(ldns_zone_new_frm_fp(&raw, f.get(), nullptr, 0, LDNS_RR_CLASS_IN), LDNS_STATUS_OK) << path;
    ldns::ZonePtr zone(raw);
    if (!zone) return out;
    auto add = [&](ldns_rr* rr) {
        ldns_rr2canonical(rr);
        ldns::Buffer b(ldns_buffer_new(512));
        ASSERT_EQ(ldns_rr2buffer_wire_canonical(b.get(), rr, LDNS_SECTION_ANSWER), LDNS_STATUS_OK);
        out.emplace(reinterpret_cast<const char*>(ldns_buffer_begin(b.get())), ldns_buffer_position(b.get()));
    };
    add(ldns_zone_soa(zone.get()));
    const ldns_rr_list* rrs = ldns_zone_rrs(zone.get());
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(rrs); ++i) add(ldns_rr_list_rr(rrs, i));
    return out;
}

}  // namespace

// ldns and this loader read the golden zones, the committed example and a hand-written
// file (parentheses, units, blank owners, mixed case, TXT strings) into the same records.
TEST(ZoneLoader, ReadsTheSameRecordsAsLdns) {
    const std::string data = SMARTHOST_TEST_DATA;
    // ldns 1.8.3 takes the relative "$ORIGIN oxford" as absolute (RFC 1035 §5.1 says it is
    // relative): ldns gets the spelled-out origin, which must load the same here too.
    std::string text = read_text(data + "/zones/example.zone");
    const std::string relative = "$ORIGIN oxford\n";
    ASSERT_NE(text.find(relative), std::string::npos);
    text.replace(text.find(relative), relative.size(), "$ORIGIN oxford.example.test.\n");
    const std::string spelled = testing::TempDir() + "/example-absolute-origin.zone";
    write_text(spelled, text);
    Result<Zone> original = load_zone_file(data + "/zones/example.zone");
    Result<Zone> absolute = load_zone_file(spelled);
    ASSERT_TRUE(original.ok() && absolute.ok());
    EXPECT_TRUE(original.value() == absolute.value());

    const std::vector<std::string> files = {data + "/generate/minimal.zone", data + "/generate/tiers.zone",
                                            data + "/generate/ring.zone", spelled,
                                            std::string(SMARTHOST_SOURCE_DIR) + "/zones/smarthost.local.zone"};
    for (const std::string& path : files) {
        Result<Zone> ours = load_zone_file(path);
        ASSERT_TRUE(ours.ok()) << messages(ours);
        const std::set<std::string> mine = wire_records(ours.value());
        EXPECT_EQ(mine.size(), ours.value().record_count()) << path;
        EXPECT_GT(mine.size(), 3u) << path;
        EXPECT_TRUE(mine == ldns_records(path)) << path;
    }
}

TEST(ZoneLoader, TheSameOwnerTextUnderAnotherOriginIsAnotherName) {
    // The loader reuses the owner of the line before when the text repeats; a $ORIGIN in
    // between makes the same text another name (RFC 1035 §5.1).
    Zone z = load_ok(
        "$ORIGIN t.\n$TTL 60\n@ SOA ns1 hostmaster 1 3600 600 1209600 300\n"
        "www A 192.0.2.1\n"
        "www A 192.0.2.2\n"
        "$ORIGIN sub.t.\n"
        "www A 192.0.2.3\n");
    const RRset* top = rrset(z, "www.t", RRType::A);
    const RRset* sub = rrset(z, "www.sub.t", RRType::A);
    ASSERT_NE(top, nullptr);
    ASSERT_NE(sub, nullptr);
    EXPECT_EQ(top->rdata, (std::vector<Rdata>{a4(192, 0, 2, 1), a4(192, 0, 2, 2)}));
    EXPECT_EQ(sub->rdata, (std::vector<Rdata>{a4(192, 0, 2, 3)}));
}
