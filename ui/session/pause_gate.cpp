#include "session/pause_gate.h"

void PauseGate::setPaused(bool paused) {
    {
        std::lock_guard lock(m_mutex);
        m_paused = paused;
        m_stepsAllowed = 0;
    }
    m_wake.notify_all();
}

void PauseGate::stepOnce() {
    {
        std::lock_guard lock(m_mutex);
        if (!m_paused) return; // running anyway
        ++m_stepsAllowed;
    }
    m_wake.notify_all();
}

void PauseGate::wake() {
    // Taking the mutex orders the caller's stop request before a waiter's predicate check.
    { std::lock_guard lock(m_mutex); }
    m_wake.notify_all();
}

bool PauseGate::wait(const std::stop_token& stop, const std::function<void()>& beforeBlocking) {
    std::unique_lock lock(m_mutex);
    const auto mayGo = [&] { return stop.stop_requested() || !m_paused || m_stepsAllowed > 0; };
    if (!mayGo()) {
        lock.unlock();
        if (beforeBlocking) beforeBlocking();
        lock.lock();
        m_wake.wait(lock, mayGo);
    }
    if (stop.stop_requested()) return false;
    if (m_paused && m_stepsAllowed > 0) --m_stepsAllowed;
    return true;
}
