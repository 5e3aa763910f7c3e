#include "session/pause_gate.h"

#include <algorithm>

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

void PauseGate::setPace(double stepsPerSecond) {
    {
        std::lock_guard lock(m_mutex);
        using namespace std::chrono;
        m_interval =
            stepsPerSecond > 0 && stepsPerSecond < 1e9
                ? duration_cast<steady_clock::duration>(duration<double>(1.0 / stepsPerSecond))
                : steady_clock::duration::zero();
        m_nextStep = steady_clock::now(); // the new pace counts from now
        ++m_paceVersion;
    }
    m_wake.notify_all();
}

double PauseGate::pace() const {
    std::lock_guard lock(m_mutex);
    if (m_interval == std::chrono::steady_clock::duration::zero()) return 0.0;
    return 1.0 / std::chrono::duration<double>(m_interval).count();
}

bool PauseGate::wait(const std::stop_token& stop, const std::function<void()>& beforeBlocking) {
    using clock = std::chrono::steady_clock;
    std::unique_lock lock(m_mutex);
    bool flushed = false;
    for (;;) {
        if (stop.stop_requested()) return false;
        const bool stepping = m_paused && m_stepsAllowed > 0;
        if (m_paused && !stepping) {
            if (!flushed) {
                lock.unlock();
                if (beforeBlocking) beforeBlocking();
                lock.lock();
                flushed = true;
                continue; // the state may have changed meanwhile
            }
            m_wake.wait(lock,
                        [&] { return stop.stop_requested() || !m_paused || m_stepsAllowed > 0; });
            continue;
        }
        const clock::time_point now = clock::now();
        if (!stepping && m_interval > clock::duration::zero() && now < m_nextStep) {
            const unsigned version = m_paceVersion;
            m_wake.wait_until(lock, m_nextStep, [&] {
                return stop.stop_requested() || m_paused || m_paceVersion != version;
            });
            continue;
        }
        if (stepping) --m_stepsAllowed;
        if (m_interval > clock::duration::zero())
            m_nextStep = std::max(now, m_nextStep) + m_interval;
        return true;
    }
}
