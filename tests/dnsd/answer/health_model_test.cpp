// The health rules and the zone transfers serve under them (dnsd/answer/health_model.cpp).
#include "dnsd/answer/health_model.hpp"

#include <gtest/gtest.h>

#include "dnsd/answer/answer_table.hpp"
#include "tests/dnsd/answer/respond_fixture.hpp"

namespace dnsdtest {
namespace {

zonegen::Zone small_zone() {
    zonegen::ZoneBuilder b(N("example.test"));
    auto at = [&](const char* owner, std::uint32_t ttl, zonegen::Rdata rd) { b.add(N(owner), ttl, std::move(rd)); };
    at("example.test", 3600, zonegen::Soa{N("ns.example.test"), N("h.example.test"), 5, 3600, 600, 86400, 300});
    at("example.test", 3600, zonegen::Ns{N("ns.example.test")});
    at("ns.example.test", 300, v4("192.0.2.53"));
    at("a.example.test", 300, mx(10, "h1.a.example.test"));
    at("a.example.test", 300, mx(20, "h2.a.example.test"));
    at("h1.a.example.test", 300, v4("192.0.2.1"));
    at("h1.a.example.test", 300, v4("192.0.2.2"));
    at("h1.a.example.test", 300, zonegen::Txt{{"kept"}});
    at("h2.a.example.test", 300, v4("192.0.2.3"));
    auto z = std::move(b).finish();
    EXPECT_TRUE(z.ok());
    return std::move(z).value();
}

// Every record of an image as "owner type ttl" lines with the RDATA's size, in order.
std::vector<std::string> records(const dnsd::ZoneImage& image) {
    std::vector<std::string> out;
    dnsd::ZoneImage::Record r;
    for (std::size_t off = 0; image.next(off, r);) {
        out.push_back(zonegen::Name::from_wire(r.owner())->text() + " " + std::to_string(r.type()) + " " +
                      std::to_string(r.ttl()) + " " + std::to_string(r.rdata().size()));
    }
    return out;
}

class HealthModelTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::vector<zonegen::Zone> zones;
        zones.push_back(small_zone());
        auto t = dnsd::AnswerTable::compile(zones, {.health_ttl = 60});
        ASSERT_TRUE(t.ok());
        table = t.value();
        model = table->health();
        ASSERT_NE(model, nullptr);
    }
    std::shared_ptr<const dnsd::AnswerTable> table;
    const dnsd::HealthModel* model = nullptr;
};

TEST_F(HealthModelTest, TheSmarthostsAreTheInZoneMxTargets) {
    ASSERT_EQ(model->hosts().size(), 2u);
    EXPECT_EQ(model->hosts()[0].name.text(), "h1.a.example.test.");
    EXPECT_EQ(model->hosts()[0].a.size(), 2u);
    EXPECT_EQ(model->addresses().size(), 3u);
    ASSERT_EQ(model->mx_sets().size(), 1u);
    EXPECT_EQ(model->mx_sets()[0].ttl, 60u);
    EXPECT_EQ(model->host_at(N("ns.example.test").wire()), dnsd::HealthModel::kNoType);
}

TEST_F(HealthModelTest, RulesFailOpenPerRRset) {
    const auto& h1 = model->hosts()[0];
    const auto& set = model->mx_sets()[0];
    std::vector<std::uint8_t> up{1, 0, 1};  // h1's second address down
    EXPECT_FALSE(model->host_down(h1, up));
    EXPECT_TRUE(model->differs(h1, up));
    EXPECT_TRUE(model->differs(set, up));  // an address left out of the additional section
    up = {0, 0, 1};
    EXPECT_TRUE(model->host_down(h1, up));
    EXPECT_FALSE(model->differs(h1, up));  // all down: served whole
    EXPECT_FALSE(model->record_served(set, set.records[0], up));
    up = {0, 0, 0};
    EXPECT_TRUE(model->falls_back(set, up));
    EXPECT_FALSE(model->differs(set, up));
    EXPECT_TRUE(model->record_served(set, set.records[0], up));
    EXPECT_FALSE(model->differs(set, {}));  // no state: all up
}

TEST_F(HealthModelTest, TheEditedImageWithdrawsWhatAnswersWithdrawAndKeepsTheRest) {
    const dnsd::ZoneImage& loaded = table->loaded_zones().front();
    // All up: the serial and the managed TTLs change, nothing else.
    auto all_up = model->edited_image(loaded, 6, {});
    EXPECT_EQ(all_up.serial(), 6u);
    EXPECT_EQ(all_up.record_count(), loaded.record_count());
    EXPECT_EQ(records(all_up), (std::vector<std::string>{"example.test. 2 3600 17", "a.example.test. 15 60 21",
                                                         "a.example.test. 15 60 21", "h1.a.example.test. 1 60 4",
                                                         "h1.a.example.test. 1 60 4", "h1.a.example.test. 16 300 5",
                                                         "h2.a.example.test. 1 60 4", "ns.example.test. 1 300 4"}));
    // h1 down: its MX record leaves; its A RRset (all down) stays whole.
    std::vector<std::uint8_t> up{0, 0, 1};
    auto h1_down = model->edited_image(loaded, 7, up);
    EXPECT_EQ(h1_down.record_count(), loaded.record_count() - 1);
    EXPECT_EQ(records(h1_down)[1], "a.example.test. 15 60 21");
    EXPECT_EQ(records(h1_down)[2], "h1.a.example.test. 1 60 4");
    // One of h1's addresses down: the first record of its owner goes, and the next one
    // names the owner itself.
    up = {0, 1, 1};
    auto one_down = model->edited_image(loaded, 8, up);
    auto lines = records(one_down);
    ASSERT_EQ(lines.size(), 7u);
    EXPECT_EQ(lines[3], "h1.a.example.test. 1 60 4");
    EXPECT_EQ(lines[4], "h1.a.example.test. 16 300 5");
    dnsd::ZoneImage::Record r;
    std::size_t off = 0;
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(one_down.next(off, r));
    EXPECT_EQ(r.rdata(), std::string("\xC0\x00\x02\x02", 4));  // 192.0.2.2 kept
}

// --state-dir without --health: a model that caps no TTL. All up, the edited image is the
// loaded one renumbered; with an address down it is edited as with a cap.
TEST(HealthModel, WithNoTtlCappedAndAllUpTheEditedImageIsTheLoadedOneRenumbered) {
    std::vector<zonegen::Zone> zones;
    zones.push_back(small_zone());
    auto t = dnsd::AnswerTable::compile(zones, {.health_ttl = 0xFFFFFFFFu});
    ASSERT_TRUE(t.ok());
    const dnsd::HealthModel& model = *t.value()->health();
    const dnsd::ZoneImage& loaded = t.value()->loaded_zones().front();
    const dnsd::ZoneImage all_up = model.edited_image(loaded, 6, {});
    EXPECT_EQ(all_up.serial(), 6u);
    EXPECT_TRUE(all_up == dnsd::ZoneImage(zonegen::Zone(zones.front()).with_serial(6)));
    EXPECT_EQ(all_up.digest(), loaded.digest());
    EXPECT_EQ(records(all_up), records(loaded));
    const std::vector<std::uint8_t> up{1, 0, 1};  // one of h1's addresses down
    const dnsd::ZoneImage edited = model.edited_image(loaded, 7, up);
    EXPECT_EQ(edited.record_count(), loaded.record_count() - 1);
    EXPECT_NE(edited.digest(), loaded.digest());
}

}  // namespace
}  // namespace dnsdtest
