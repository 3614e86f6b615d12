// The Retirer: what it is handed is freed on its own thread, never on the caller's; not
// while anyone else still holds it; and whatever it holds goes when it is destroyed.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "dnsd/primary/retire.hpp"

using namespace std::chrono_literals;

namespace {

using FreedOn = std::atomic<std::thread::id>;  // no thread until the destructor ran

// Records the thread its destructor ran on.
struct Tracked {
    explicit Tracked(FreedOn& freed_on) : freed_on_(freed_on) {}
    ~Tracked() { freed_on_ = std::this_thread::get_id(); }
    FreedOn& freed_on_;
};

// Waits up to 5 s for the destructor; the thread it ran on, or no thread.
std::thread::id freed(const FreedOn& freed_on) {
    for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
        if (freed_on.load() != std::thread::id()) break;
        std::this_thread::sleep_for(1ms);
    }
    return freed_on.load();
}

}  // namespace

TEST(Retirer, FreesOnItsOwnThread) {
    FreedOn freed_on;
    dnsd::Retirer retirer;
    retirer.retire(std::make_shared<const Tracked>(freed_on));
    const std::thread::id on = freed(freed_on);
    EXPECT_NE(on, std::thread::id()) << "not freed within 5 s";
    EXPECT_NE(on, std::this_thread::get_id());
}

// A table replaced by a reload may still be answering a batch or streaming a transfer:
// whoever holds it only lets go, and the retirer frees it afterwards.
TEST(Retirer, WaitsUntilTheLastOtherHolderLetsGo) {
    FreedOn freed_on;
    dnsd::Retirer retirer;
    auto in_use = std::make_shared<const Tracked>(freed_on);
    retirer.retire(in_use);
    std::this_thread::sleep_for(300ms);  // the retirer checks again and again meanwhile
    EXPECT_EQ(freed_on.load(), std::thread::id());
    EXPECT_EQ(in_use.use_count(), 2);
    in_use.reset();
    const std::thread::id on = freed(freed_on);
    EXPECT_NE(on, std::thread::id()) << "not freed within 5 s";
    EXPECT_NE(on, std::this_thread::get_id());
}

TEST(Retirer, DestructionLetsGoOfEverything) {
    FreedOn freed_on, kept_freed_on;
    auto kept = std::make_shared<const Tracked>(kept_freed_on);
    {
        dnsd::Retirer retirer;
        retirer.retire(std::make_shared<const Tracked>(freed_on));
        retirer.retire(kept);
        retirer.give_back_heap();
    }
    EXPECT_NE(freed_on.load(), std::thread::id());
    EXPECT_EQ(kept_freed_on.load(), std::thread::id());
    EXPECT_EQ(kept.use_count(), 1);  // ours alone again: the retirer only let go of it
}
