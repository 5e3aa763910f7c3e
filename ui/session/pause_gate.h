#pragma once
// Pause and single-step for a training loop on another thread. The GUI thread flips the
// state; the loop calls wait() between batches and parks there while paused. A stop
// request must reach a parked loop too: whoever requests it calls wake() afterwards.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>

class PauseGate {
public:
    // Thread-safe, for the controlling thread.
    void setPaused(bool paused); // also forgets steps allowed but not taken
    void stepOnce();             // while paused: let exactly one more batch through
    bool isPaused() const { return m_paused.load(); }
    void wake(); // after a stop request, so that a parked wait() sees it

    // For the loop: returns at once unless paused (and no step is allowed); else runs
    // `beforeBlocking` (unlocked, e.g. to flush reports before going quiet) and waits.
    // Returns false when `stop` is requested, true to go on with one batch.
    bool wait(const std::stop_token& stop, const std::function<void()>& beforeBlocking);

private:
    std::atomic<bool> m_paused{false};
    int m_stepsAllowed = 0; // guarded by m_mutex
    std::mutex m_mutex;
    std::condition_variable m_wake;
};
