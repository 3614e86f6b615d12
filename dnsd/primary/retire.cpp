// The retiring thread (retire.hpp): frees what it holds the last reference to, and trims.
#include "dnsd/primary/retire.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <system_error>
#include <utility>

namespace dnsd {

namespace {

// A retired table is usually let go within a batch (microseconds); a zone transfer can hold
// it for minutes. The checks start often and back off to a few a second.
constexpr std::chrono::milliseconds kFirstCheck{1}, kLastCheck{100};

void return_free_heap() noexcept {
    // A load builds the zone out of a million small blocks and frees most of them once the
    // table is compiled; glibc keeps freed heap for reuse, so without this a reload's
    // garbage stays resident (measured: 100 reloads of a 160,000-record zone took RSS from
    // 85 to 96 MB, and malloc_trim gave back 50 MB of it).
    ::malloc_trim(0);
}

// Drops what nobody else holds any more (which frees it); true if anything went.
bool drop_unused(std::vector<std::shared_ptr<const void>>& held) {
    // use_count() is exact once it reads 1: only the holders can make copies, and the
    // retirer is the only one left.
    return std::erase_if(held, [](const std::shared_ptr<const void>& p) { return p.use_count() <= 1; }) > 0;
}

}  // namespace

Retirer::Retirer() {
    try {
        thread_ = std::thread([this] { run(); });
    } catch (const std::system_error&) {
        // No thread: retire() frees on the caller's thread, as a server without one must.
    }
}

Retirer::~Retirer() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void Retirer::retire(std::shared_ptr<const void> garbage) {
    if (!thread_.joinable()) {
        garbage.reset();
        return_free_heap();
        return;
    }
    {
        std::lock_guard lock(mutex_);
        incoming_.push_back(std::move(garbage));
    }
    wake_.notify_one();
}

void Retirer::give_back_heap() {
    if (!thread_.joinable()) {
        return_free_heap();
        return;
    }
    {
        std::lock_guard lock(mutex_);
        trim_ = true;
    }
    wake_.notify_one();
}

void Retirer::run() {
    std::vector<std::shared_ptr<const void>> held;  // retired, possibly still in use elsewhere
    std::chrono::milliseconds check = kFirstCheck;
    std::unique_lock lock(mutex_);
    for (;;) {
        auto news = [this] { return stopping_ || trim_ || !incoming_.empty(); };
        if (held.empty())
            wake_.wait(lock, news);
        else
            wake_.wait_for(lock, check, news);
        if (stopping_) break;
        bool trim = std::exchange(trim_, false);
        if (!incoming_.empty()) {
            std::move(incoming_.begin(), incoming_.end(), std::back_inserter(held));
            incoming_.clear();
            check = kFirstCheck;
        }
        lock.unlock();
        trim |= drop_unused(held);
        if (trim) return_free_heap();
        if (!held.empty()) check = std::min(check * 2, kLastCheck);
        lock.lock();
    }
    // Stopping: the server is gone, so what is left is the retirer's alone.
    held.clear();
    incoming_.clear();
}

}  // namespace dnsd
