// Table versions for health states and served serials (dnsd/answer/health_answers.cpp),
// checked through respond() as a client sees them.
#include <gtest/gtest.h>

#include "dnsd/answer/answer_table_impl.hpp"
#include "dnsd/answer/health_model.hpp"
#include "tests/dnsd/answer/respond_fixture.hpp"

namespace dnsdtest {
namespace {

// oxford: tier 1 mail1 (two IPv4, one IPv6) and mail2, tier 2 mail.cambridge, tier 3 out
// of zone. A wildcard site names mail2 too.
zonegen::Zone tiers_zone() {
    zonegen::ZoneBuilder b(N("smarthost.local"));
    auto at = [&](const char* owner, std::uint32_t ttl, zonegen::Rdata rd) { b.add(N(owner), ttl, std::move(rd)); };
    at("smarthost.local", 3600,
       zonegen::Soa{N("ns1.smarthost.local"), N("hostmaster.smarthost.local"), 100, 3600, 600, 1209600, 300});
    at("smarthost.local", 3600, zonegen::Ns{N("ns1.smarthost.local")});
    at("ns1.smarthost.local", 300, v4("192.0.2.53"));
    at("oxford.smarthost.local", 300, mx(10, "mail1.oxford.smarthost.local"));
    at("oxford.smarthost.local", 300, mx(10, "mail2.oxford.smarthost.local"));
    at("oxford.smarthost.local", 300, mx(20, "mail.cambridge.smarthost.local"));
    at("oxford.smarthost.local", 300, mx(30, "mx.example.net"));
    at("mail1.oxford.smarthost.local", 300, v4("192.0.2.25"));
    at("mail1.oxford.smarthost.local", 300, v4("192.0.2.125"));
    at("mail1.oxford.smarthost.local", 300, v6("2001:db8::25"));
    at("mail2.oxford.smarthost.local", 300, v4("192.0.2.26"));
    at("mail.cambridge.smarthost.local", 20, v4("198.51.100.25"));
    at("cambridge.smarthost.local", 300, mx(10, "mail.cambridge.smarthost.local"));
    at("*.wild.smarthost.local", 300, mx(10, "mail2.oxford.smarthost.local"));
    at("*.wild.smarthost.local", 300, mx(20, "mail.cambridge.smarthost.local"));
    auto z = std::move(b).finish();
    EXPECT_TRUE(z.ok());
    return std::move(z).value();
}

class HealthAnswers : public ::testing::Test {
protected:
    void SetUp() override {
        std::vector<zonegen::Zone> zones;
        zones.push_back(tiers_zone());
        auto t = dnsd::AnswerTable::compile(zones, {.health_ttl = 30});
        ASSERT_TRUE(t.ok());
        table = t.value();
        ASSERT_NE(table->health(), nullptr);
    }

    // The index of the address, as the prober's flags are numbered.
    std::uint32_t address(const char* host, const char* ip) const {
        const auto& m = *table->health();
        const std::uint32_t h = m.host_at(N(host).wire());
        EXPECT_NE(h, dnsd::HealthModel::kNoType) << host;
        zonegen::Aaaa want6 = v6(std::string(ip).find(':') != std::string::npos ? ip : "::");
        zonegen::A want4 = v4(ip);
        for (std::uint32_t a = 0; a < m.addresses().size(); ++a) {
            const auto& x = m.addresses()[a];
            if (x.host != h) continue;
            if (x.v6 ? x.bytes == want6.addr : std::equal(want4.addr.begin(), want4.addr.end(), x.bytes.begin()))
                return a;
        }
        ADD_FAILURE() << "no address " << ip << " at " << host;
        return 0;
    }

    std::shared_ptr<const dnsd::AnswerTable> down(std::initializer_list<std::pair<const char*, const char*>> list,
                                                  std::shared_ptr<const dnsd::AnswerTable> from = nullptr) const {
        if (!from) from = table;
        std::vector<std::uint8_t> up(table->health()->addresses().size(), 1);
        for (auto [host, ip] : list) up[address(host, ip)] = 0;
        return from->with_health(std::move(up));
    }

    static Reply ask(const dnsd::AnswerTable& t, const char* name, std::uint16_t qtype) {
        Reply r;
        r.bytes.assign(65535, 0xEE);
        r.size = dnsd::respond(t, dnstest::query(name, qtype), r.bytes, Transport::Tcp, &r.info);
        r.bytes.resize(r.size);
        if (r.size > 0) r.d = dnstest::decode(r.bytes);
        return r;
    }

    std::shared_ptr<const dnsd::AnswerTable> table;
};

constexpr const char* kFullOxford =
    "oxford.smarthost.local. 30 IN MX 10 mail1.oxford.smarthost.local.\n"
    "oxford.smarthost.local. 30 IN MX 10 mail2.oxford.smarthost.local.\n"
    "oxford.smarthost.local. 30 IN MX 20 mail.cambridge.smarthost.local.\n"
    "oxford.smarthost.local. 30 IN MX 30 mx.example.net.";
constexpr const char* kFullOxfordAdditional =
    "mail.cambridge.smarthost.local. 20 IN A 198.51.100.25\n"
    "mail1.oxford.smarthost.local. 30 IN A 192.0.2.125\n"
    "mail1.oxford.smarthost.local. 30 IN A 192.0.2.25\n"
    "mail1.oxford.smarthost.local. 30 IN AAAA 2001:db8::25\n"
    "mail2.oxford.smarthost.local. 30 IN A 192.0.2.26";

TEST_F(HealthAnswers, ManagedRRsetsAreServedWithTheHealthTtlAndOthersAsLoaded) {
    auto r = ask(*table, "oxford.smarthost.local", kMx);
    EXPECT_EQ(sorted(r.d.answer), kFullOxford);
    // min(zone TTL, health TTL): mail.cambridge's own 20 stays.
    EXPECT_EQ(sorted(r.d.additional), kFullOxfordAdditional);
    EXPECT_EQ(sorted(ask(*table, "mail2.oxford.smarthost.local", kA).d.answer),
              "mail2.oxford.smarthost.local. 30 IN A 192.0.2.26");
    EXPECT_EQ(sorted(ask(*table, "ns1.smarthost.local", kA).d.answer), "ns1.smarthost.local. 300 IN A 192.0.2.53");
    // Transfers without --state-dir serve the zone as loaded.
    EXPECT_TRUE(table->zones().front() == dnsd::ZoneImage(tiers_zone()));
}

TEST_F(HealthAnswers, WithoutHealthNothingIsManaged) {
    std::vector<zonegen::Zone> zones;
    zones.push_back(tiers_zone());
    auto t = dnsd::AnswerTable::compile(zones);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.value()->health(), nullptr);
    for (const auto& a : t.value()->impl().types) EXPECT_FALSE(a.managed);
    EXPECT_EQ(sorted(ask(*t.value(), "oxford.smarthost.local", kMx).d.answer).find(" 30 IN"), std::string::npos);
}

TEST_F(HealthAnswers, AHostWithEveryAddressDownLeavesTheMxRRsetsThatNameIt) {
    auto t = down({{"mail1.oxford.smarthost.local", "192.0.2.25"},
                   {"mail1.oxford.smarthost.local", "192.0.2.125"},
                   {"mail1.oxford.smarthost.local", "2001:db8::25"}});
    auto r = ask(*t, "oxford.smarthost.local", kMx);
    EXPECT_EQ(r.d.rcode, 0);
    EXPECT_TRUE(r.d.aa);
    EXPECT_EQ(sorted(r.d.answer),
              "oxford.smarthost.local. 30 IN MX 10 mail2.oxford.smarthost.local.\n"
              "oxford.smarthost.local. 30 IN MX 20 mail.cambridge.smarthost.local.\n"
              "oxford.smarthost.local. 30 IN MX 30 mx.example.net.");
    EXPECT_EQ(sorted(r.d.additional),
              "mail.cambridge.smarthost.local. 20 IN A 198.51.100.25\n"
              "mail2.oxford.smarthost.local. 30 IN A 192.0.2.26");
    // Fail open per RRset: the host's own A RRset, all down, is served whole.
    EXPECT_EQ(sorted(ask(*t, "mail1.oxford.smarthost.local", kA).d.answer),
              "mail1.oxford.smarthost.local. 30 IN A 192.0.2.125\n"
              "mail1.oxford.smarthost.local. 30 IN A 192.0.2.25");
    // The version it came from still answers as before: in-flight queries are unaffected.
    EXPECT_EQ(sorted(ask(*table, "oxford.smarthost.local", kMx).d.answer), kFullOxford);
}

TEST_F(HealthAnswers, ADownAddressLeavesItsRRsetAndTheAdditionalSections) {
    auto t = down({{"mail1.oxford.smarthost.local", "192.0.2.25"}});
    EXPECT_EQ(sorted(ask(*t, "mail1.oxford.smarthost.local", kA).d.answer),
              "mail1.oxford.smarthost.local. 30 IN A 192.0.2.125");
    EXPECT_EQ(sorted(ask(*t, "mail1.oxford.smarthost.local", kAaaa).d.answer),
              "mail1.oxford.smarthost.local. 30 IN AAAA 2001:db8::25");
    auto r = ask(*t, "oxford.smarthost.local", kMx);
    EXPECT_EQ(sorted(r.d.answer), kFullOxford);  // the host has live addresses: it stays
    EXPECT_EQ(sorted(r.d.additional),
              "mail.cambridge.smarthost.local. 20 IN A 198.51.100.25\n"
              "mail1.oxford.smarthost.local. 30 IN A 192.0.2.125\n"
              "mail1.oxford.smarthost.local. 30 IN AAAA 2001:db8::25\n"
              "mail2.oxford.smarthost.local. 30 IN A 192.0.2.26");
}

TEST_F(HealthAnswers, EveryTargetDownServesTheFullRRset) {
    auto t = down(
        {{"mail2.oxford.smarthost.local", "192.0.2.26"}, {"mail.cambridge.smarthost.local", "198.51.100.25"}});
    // cambridge's only target is down: its MX RRset is served whole (fail open).
    EXPECT_EQ(sorted(ask(*t, "cambridge.smarthost.local", kMx).d.answer),
              "cambridge.smarthost.local. 30 IN MX 10 mail.cambridge.smarthost.local.");
    EXPECT_EQ(sorted(ask(*t, "cambridge.smarthost.local", kMx).d.additional),
              "mail.cambridge.smarthost.local. 20 IN A 198.51.100.25");
    // The wildcard's targets are both down: full, synthesised for the query name.
    EXPECT_EQ(sorted(ask(*t, "x.wild.smarthost.local", kMx).d.answer),
              "x.wild.smarthost.local. 30 IN MX 10 mail2.oxford.smarthost.local.\n"
              "x.wild.smarthost.local. 30 IN MX 20 mail.cambridge.smarthost.local.");
    // oxford keeps mail1 and the target health does not check.
    EXPECT_EQ(sorted(ask(*t, "oxford.smarthost.local", kMx).d.answer),
              "oxford.smarthost.local. 30 IN MX 10 mail1.oxford.smarthost.local.\n"
              "oxford.smarthost.local. 30 IN MX 30 mx.example.net.");
}

TEST_F(HealthAnswers, WildcardAnswersFollowHealth) {
    auto t = down({{"mail2.oxford.smarthost.local", "192.0.2.26"}});
    auto r = ask(*t, "Host-7.wild.smarthost.local", kMx);
    EXPECT_EQ(sorted(r.d.answer), "Host-7.wild.smarthost.local. 30 IN MX 20 mail.cambridge.smarthost.local.");
    EXPECT_EQ(sorted(r.d.additional), "mail.cambridge.smarthost.local. 20 IN A 198.51.100.25");
}

TEST_F(HealthAnswers, ReturningHostsComeBackAndOnlyTouchedChunksAreRebuilt) {
    auto one = down({{"mail2.oxford.smarthost.local", "192.0.2.26"}});
    auto two = down({}, one);
    EXPECT_EQ(sorted(ask(*two, "oxford.smarthost.local", kMx).d.answer), kFullOxford);
    EXPECT_EQ(sorted(ask(*two, "oxford.smarthost.local", kMx).d.additional), kFullOxfordAdditional);
    // No address changed between these: every chunk is the very same object.
    auto three = down({}, two);
    ASSERT_EQ(two->version().chunks.size(), three->version().chunks.size());
    for (std::size_t i = 0; i < two->version().chunks.size(); ++i)
        EXPECT_EQ(two->version().chunks[i], three->version().chunks[i]);
    // The compiled part is shared by every version.
    EXPECT_EQ(&table->impl(), &three->impl());
}

TEST_F(HealthAnswers, NewZonesServeTheirSerialInSoaAndNegativeAnswers) {
    auto t = down({{"mail2.oxford.smarthost.local", "192.0.2.26"}});
    const auto& model = *t->health();
    std::vector<dnsd::ZoneImage> served{model.edited_image(t->loaded_zones().front(), 101, t->health_state())};
    auto v = t->with_zones(std::move(served));
    EXPECT_EQ(v->zones().front().serial(), 101u);
    EXPECT_EQ(v->loaded_zones().front().serial(), 100u);
    auto soa = ask(*v, "smarthost.local", kSoa);
    ASSERT_EQ(soa.d.answer.size(), 1u);
    EXPECT_NE(soa.d.answer.front().find(" 101 3600 600"), std::string::npos) << soa.d.answer.front();
    auto nx = ask(*v, "nowhere.smarthost.local", kA);
    EXPECT_EQ(nx.d.rcode, 3);
    ASSERT_EQ(nx.d.authority.size(), 1u);
    EXPECT_NE(nx.d.authority.front().find(" 101 3600 600"), std::string::npos) << nx.d.authority.front();
    // The health answers carry over; the old version keeps its serial.
    EXPECT_EQ(sorted(ask(*v, "x.wild.smarthost.local", kMx).d.answer),
              "x.wild.smarthost.local. 30 IN MX 20 mail.cambridge.smarthost.local.");
    EXPECT_NE(ask(*t, "smarthost.local", kSoa).d.answer.front().find(" 100 3600 600"), std::string::npos);
}

// --state-dir without health checks: a model for the serials only. It manages the apex SOA
// (a renumbered version answers with its serial) and nothing else, and the table answers
// exactly as one compiled without a model.
TEST_F(HealthAnswers, SerialsOnlyModelRenumbersTheApexAndManagesNothingElse) {
    std::vector<zonegen::Zone> zones;
    zones.push_back(tiers_zone());
    auto plain = dnsd::AnswerTable::compile(zones, {});
    auto t = dnsd::AnswerTable::compile(zones, {.health_ttl = 0xFFFFFFFFu, .serials_only = true});
    ASSERT_TRUE(plain.ok() && t.ok());
    const dnsd::HealthModel* model = t.value()->health();
    ASSERT_NE(model, nullptr);
    EXPECT_TRUE(model->mx_sets().empty());
    EXPECT_TRUE(model->hosts().empty());
    EXPECT_TRUE(model->addresses().empty());
    EXPECT_EQ(model->apexes().size(), 1u);
    for (const char* name : {"oxford.smarthost.local", "x.wild.smarthost.local", "mail1.oxford.smarthost.local",
                             "smarthost.local", "nowhere.smarthost.local"})
        for (std::uint16_t type : {kMx, kA, kAaaa, kSoa}) {
            const auto a = ask(*plain.value(), name, type), b = ask(*t.value(), name, type);
            EXPECT_EQ(a.d.answer, b.d.answer) << name << " " << type;
            EXPECT_EQ(a.d.additional, b.d.additional) << name << " " << type;
        }

    std::vector<dnsd::ZoneImage> served{
        model->edited_image(t.value()->loaded_zones().front(), 101, t.value()->health_state())};
    auto v = t.value()->with_zones(std::move(served));
    auto soa = ask(*v, "smarthost.local", kSoa);
    ASSERT_EQ(soa.d.answer.size(), 1u);
    EXPECT_NE(soa.d.answer.front().find(" 101 3600 600"), std::string::npos) << soa.d.answer.front();
    EXPECT_EQ(ask(*v, "oxford.smarthost.local", kMx).d.answer,
              ask(*plain.value(), "oxford.smarthost.local", kMx).d.answer);
}

}  // namespace
}  // namespace dnsdtest
