// Retiring what a load or a reload left behind: the zones an AnswerTable was compiled from
// (a million small objects for a 100,000-site zone) and the table a reload replaced. Both
// are freed on one thread of their own, never on the thread that answers or reloads, and
// the heap they held goes back to the system (glibc keeps freed heap for reuse, so without
// that a reload's garbage would stay resident). A retired table is freed only once the
// retirer holds the last reference: workers let go of it with their next batch, a zone
// transfer when it ends, and neither ever pays for freeing it.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace dnsd {

class Retirer {
public:
    // Starts the thread. Without a thread to spare it still works, freeing on the caller's
    // thread instead (a table still in use is then freed by whoever lets go of it last).
    Retirer();
    // Lets go of everything still held (the server must be stopped first, so nothing else
    // holds a table) and joins the thread.
    ~Retirer();
    Retirer(const Retirer&) = delete;
    Retirer& operator=(const Retirer&) = delete;

    // Frees garbage once no one else holds it, then gives free heap back. Returns at once.
    void retire(std::shared_ptr<const void> garbage);
    // Gives free heap back, for a load that failed after parsing much of a zone.
    void give_back_heap();

private:
    void run();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::shared_ptr<const void>> incoming_;
    bool trim_ = false;
    bool stopping_ = false;
    std::thread thread_;  // not joinable: no thread could be started
};

}  // namespace dnsd
