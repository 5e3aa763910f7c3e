#include "session/worker_observer.h"

#include "train/evaluate.h"

#include <algorithm>

namespace {
// The GUI redraws per report; more than this many a second only queues up work.
constexpr double kMinReportInterval = 1.0 / 30.0;
} // namespace

WorkerObserver::WorkerObserver(const Setup& setup, std::stop_token stop, PauseGate& gate,
                               Reports reports)
    : m_setup(setup), m_stop(std::move(stop)), m_gate(gate), m_reports(std::move(reports)),
      m_start(Clock::now()), m_lastEmit(m_start) {
    m_pending.runId = setup.runId;
}

double WorkerObserver::secondsSince(Clock::time_point t) const {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

void WorkerObserver::onStep(const lora::StepProgress& step) {
    m_stepsDone = step.step;
    m_epoch = step.epoch;
    if (m_stepsTotal == 0) {
        m_stepsTotal = static_cast<long>(step.batchesPerEpoch) * m_setup.epochs;
        if (m_setup.maxSteps > 0) m_stepsTotal = std::min(m_stepsTotal, m_setup.maxSteps);
    }
    if (m_setup.report) {
        if (m_pending.losses.empty()) m_pending.firstStep = step.step;
        m_pending.losses.push_back(step.loss);
        if (secondsSince(m_lastEmit) >= kMinReportInterval) flush();
    }
    // The return value is not needed: the Trainer checks the same stop token next.
    m_gate.wait(m_stop, [this] { flush(); });
}

void WorkerObserver::onEpoch(const lora::EpochProgress& progress) {
    flush();
    // An epoch cut short by a stop is not a finished one: no marker, and no validation pass
    // holding up a user who wants control back.
    if (m_stop.stop_requested()) return;
    lora::EpochProgress p = progress;
    if (m_setup.valid && m_setup.model) {
        const auto t0 = Clock::now();
        const lora::Evaluation ev = lora::evaluate(*m_setup.model, *m_setup.valid);
        m_validationSeconds += secondsSince(t0);
        p.validLoss = ev.loss;
        p.validAccuracy = ev.accuracy;
        m_validatedAtStep = m_stepsDone;
        m_validatedAccuracy = ev.accuracy;
    }
    m_epochs.push_back(p);
    if (m_setup.report && m_reports.epoch)
        m_reports.epoch(EpochUpdate{m_setup.runId, m_setup.kind, p});
}

void WorkerObserver::finish() {
    flush();
}

void WorkerObserver::flush() {
    m_lastEmit = Clock::now();
    if (!m_setup.report || m_pending.losses.empty()) return;
    const double elapsed = secondsSince(m_start);
    const double training = std::max(1e-9, elapsed - m_validationSeconds);
    m_pending.epoch = m_epoch;
    m_pending.stepsDone = m_stepsDone;
    m_pending.stepsTotal = m_stepsTotal;
    m_pending.samplesPerSecond = static_cast<double>(m_stepsDone) * m_setup.batchSize / training;
    m_pending.etaSeconds =
        m_stepsDone > 0 ? elapsed / m_stepsDone * std::max(0L, m_stepsTotal - m_stepsDone) : 0;
    if (m_reports.steps) m_reports.steps(m_pending);
    m_pending.losses.clear();
}
