#pragma once
// Pause, single-step and pace for a training loop on another thread. The GUI thread flips
// the state; the loop calls wait() between batches and parks there while paused, or until
// its next step is due when a pace is set (so a learner can watch a 30 ms run grow). A stop
// request must reach a parked loop too: whoever requests it calls wake() afterwards.
#include <atomic>
#include <chrono>
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
    // At most `stepsPerSecond` batches per second; 0 (or anything not positive and finite):
    // full speed. Takes effect at once, also for a loop waiting out a slower pace.
    void setPace(double stepsPerSecond);
    double pace() const; // steps per second, 0 = full speed
    void wake();         // after a stop request, so that a parked wait() sees it

    // For the loop: returns at once unless paused (and no step is allowed) or the pace makes
    // it wait; before parking for a pause it runs `beforeBlocking` (unlocked, e.g. to flush
    // reports before going quiet). A single step ignores the pace. Returns false when `stop`
    // is requested, true to go on with one batch.
    bool wait(const std::stop_token& stop, const std::function<void()>& beforeBlocking);

private:
    std::atomic<bool> m_paused{false};
    int m_stepsAllowed = 0; // guarded by m_mutex, as the pace fields below
    std::chrono::steady_clock::duration m_interval{0}; // 0: full speed
    std::chrono::steady_clock::time_point m_nextStep{};
    unsigned m_paceVersion = 0; // a waiting loop re-reads a changed pace
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
};
