// ZoneBuilder and Zone: canonical order, merging, the checks finish() makes, lookups.
#include "zonegen/core/zone.hpp"

#include <gtest/gtest.h>

using namespace zonegen;

namespace {

Name N(const char* s) { return *Name::parse(s); }
Soa soa(std::uint32_t serial = 1) { return Soa{N("ns.z.test"), N("admin.z.test"), serial, 2, 3, 4, 5}; }

std::vector<std::string> owners(const Zone& z) {
    std::vector<std::string> out;
    for (const auto& n : z.nodes()) out.push_back(n.owner.text());
    return out;
}

}  // namespace

TEST(ZoneBuilder, CanonicalOrderWhateverTheInputOrder) {
    ZoneBuilder b(N("z.test"));
    b.add(N("b.z.test"), 60, A{{192, 0, 2, 2}});
    b.add(N("x.a.z.test"), 60, A{{192, 0, 2, 3}});
    b.add(N("a.z.test"), 60, Mx{20, N("x.a.z.test")});
    b.add(N("a.z.test"), 60, Mx{10, N("b.z.test")});
    b.add(N("A.z.test"), 60, Aaaa{});
    b.add(N("z.test"), 60, Ns{N("ns.z.test")});
    b.add(N("z.test"), 60, soa());
    auto z = std::move(b).finish();
    ASSERT_TRUE(z);
    EXPECT_EQ(owners(z.value()), (std::vector<std::string>{"z.test.", "a.z.test.", "x.a.z.test.", "b.z.test."}));
    const Node* a = z.value().find(N("a.z.test"));
    ASSERT_NE(a, nullptr);
    ASSERT_EQ(a->rrsets.size(), 2u);  // MX (15) before AAAA (28)
    EXPECT_EQ(a->rrsets[0].type, RRType::MX);
    EXPECT_EQ(std::get<Mx>(a->rrsets[0].rdata[0]).preference, 10);
    EXPECT_EQ(a->rrsets[1].type, RRType::AAAA);
    EXPECT_EQ(z.value().record_count(), 7u);
}

TEST(ZoneBuilder, DuplicatesMergeIntoOneRecord) {
    ZoneBuilder b(N("z.test"));
    b.add(N("z.test"), 60, soa());
    b.add(N("h.z.test"), 60, A{{192, 0, 2, 1}});
    b.add(N("H.Z.TEST"), 60, A{{192, 0, 2, 1}});
    auto z = std::move(b).finish();
    ASSERT_TRUE(z);
    EXPECT_EQ(z.value().find(N("h.z.test"))->find(RRType::A)->rdata.size(), 1u);
}

// Thousands of owners met in turn, each again after all the others: the owner index
// grows several times and must still find every owner, so each ends with its own records,
// merged, and no owner appears twice.
TEST(ZoneBuilder, OwnersMetAgainAfterOthersAreOneNode) {
    constexpr int kOwners = 5000;
    ZoneBuilder b(N("z.test"));
    b.add(N("z.test"), 60, soa());
    for (int round = 0; round < 3; ++round)
        for (int i = 0; i < kOwners; ++i) {
            const std::string name = "h" + std::to_string(i) + ".z.test";
            const auto low = static_cast<std::uint8_t>(i % 250);
            b.add(N(name.c_str()), 60,
                  A{{10, static_cast<std::uint8_t>(i / 250), low, static_cast<std::uint8_t>(round % 2)}});
        }
    auto z = std::move(b).finish();
    ASSERT_TRUE(z.ok());
    ASSERT_EQ(z.value().nodes().size(), std::size_t{kOwners} + 1);
    for (int i : {0, 1, 2499, kOwners - 1}) {
        const std::string name = "h" + std::to_string(i) + ".z.test";
        const Node* node = z.value().find(N(name.c_str()));
        ASSERT_NE(node, nullptr) << name;
        ASSERT_EQ(node->rrsets.size(), 1u);
        EXPECT_EQ(node->rrsets[0].rdata.size(), 2u) << name;  // rounds 0 and 2 are the same record
    }
    EXPECT_EQ(z.value().record_count(), std::size_t{2 * kOwners} + 1);
}

// Owners in canonical order need no index until one comes out of order (zone.cpp): the
// owners before it must still be found then.
TEST(ZoneBuilder, AnOwnerMetAgainAfterCanonicalOrderIsOneNode) {
    ZoneBuilder b(N("z.test"));
    b.add(N("z.test"), 60, soa());
    const std::vector<std::string> sorted = {"a.z.test", "b.z.test", "x.b.z.test", "c.z.test", "d.z.test"};
    for (const std::string& owner : sorted) b.add(N(owner.c_str()), 60, A{{192, 0, 2, 1}});
    b.add(N("x.b.z.test"), 60, A{{192, 0, 2, 2}});  // out of order, seen before
    b.add(N("b0.z.test"), 60, A{{192, 0, 2, 3}});   // out of order, new
    b.add(N("e.z.test"), 60, A{{192, 0, 2, 4}});
    auto z = std::move(b).finish();
    ASSERT_TRUE(z.ok());
    EXPECT_EQ(owners(z.value()), (std::vector<std::string>{"z.test.", "a.z.test.", "b.z.test.", "x.b.z.test.",
                                                           "b0.z.test.", "c.z.test.", "d.z.test.", "e.z.test."}));
    const Node* x = z.value().find(N("x.b.z.test"));
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(x->rrsets.at(0).rdata.size(), 2u);
}

TEST(ZoneBuilder, ReportsEveryProblemWithItsLine) {
    ZoneBuilder b(N("z.test"), "z.zone");
    b.add(N("z.test"), 60, soa(), 1);
    b.add(N("other.test"), 60, A{}, 2);
    b.add(N("h.z.test"), 60, soa(), 3);
    b.add(N("z.test"), 60, soa(2), 4);
    auto z = std::move(b).finish();
    ASSERT_FALSE(z);
    std::vector<std::string> got;
    for (const auto& d : z.errors()) got.push_back(format_gnu(d));
    EXPECT_EQ(got, (std::vector<std::string>{
                       "z.zone:2: other.test. is outside the zone z.test.",
                       "z.zone:3: SOA record at h.z.test., not at the zone apex z.test.",
                       "z.zone:4: second SOA record for z.test.",
                   }));
}

TEST(ZoneBuilder, TtlMismatchInAnRRsetIsAnError) {
    ZoneBuilder b(N("z.test"), "z.zone");
    b.add(N("z.test"), 60, soa(), 1);
    b.add(N("h.z.test"), 60, A{{192, 0, 2, 1}}, 2);
    b.add(N("h.z.test"), 30, A{{192, 0, 2, 2}}, 3);
    auto z = std::move(b).finish();
    ASSERT_FALSE(z);
    ASSERT_EQ(z.errors().size(), 1u);
    EXPECT_EQ(z.errors()[0].where.line, 3);
    EXPECT_NE(z.errors()[0].message.find("RFC 2181 §5.2"), std::string::npos);
}

TEST(ZoneBuilder, NoSoaIsAnError) {
    ZoneBuilder b(N("z.test"), "z.zone");
    b.add(N("h.z.test"), 60, A{});
    auto z = std::move(b).finish();
    ASSERT_FALSE(z);
    EXPECT_EQ(format_gnu(z.errors().front()), "z.zone: no SOA record at the zone apex z.test.");
}

TEST(Zone, LookupsAndEmptyNonTerminals) {
    ZoneBuilder b(N("z.test"));
    b.add(N("z.test"), 60, soa(7));
    b.add(N("mail.site.z.test"), 60, A{});
    auto built = std::move(b).finish();
    ASSERT_TRUE(built);
    const Zone& z = built.value();
    EXPECT_EQ(z.serial(), 7u);
    EXPECT_EQ(z.soa_ttl(), 60u);
    EXPECT_EQ(z.find(N("site.z.test")), nullptr);
    EXPECT_TRUE(z.has_descendant(N("site.z.test")));  // an empty non-terminal (RFC 8020)
    EXPECT_FALSE(z.has_descendant(N("mail.site.z.test")));
    EXPECT_FALSE(z.has_descendant(N("other.z.test")));
    EXPECT_TRUE(z.has_descendant(N("z.test")));
}

TEST(Zone, WithSerialChangesOnlyTheSerial) {
    ZoneBuilder b(N("z.test"));
    b.add(N("z.test"), 60, soa(7));
    b.add(N("h.z.test"), 60, A{{192, 0, 2, 1}});
    Zone z = std::move(b).finish().value();
    Zone copy = z;
    Zone changed = std::move(z).with_serial(8);
    EXPECT_EQ(changed.serial(), 8u);
    EXPECT_FALSE(changed == copy);
    EXPECT_TRUE(std::move(changed).with_serial(7) == copy);
}

TEST(Rdata, CanonicalWireForm) {
    std::string w;
    append_rdata_wire(Mx{10, N("Mail.Z.test")}, w);
    EXPECT_EQ(w, std::string("\0\x0a\4mail\1z\4test\0", 15));
    w.clear();
    append_rdata_wire(Txt{{"ab", ""}}, w);
    EXPECT_EQ(w, std::string("\2ab\0", 4));
    EXPECT_EQ(type_of(Rdata{Aaaa{}}), RRType::AAAA);
    EXPECT_STREQ(type_name(RRType::TXT), "TXT");
}
