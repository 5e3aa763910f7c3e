#pragma once
// The GUI thread's view of one experiment: the settings, the dataset, the latest model
// snapshots (base, base + LoRA, full fine-tune), the LoRA toggle, and the training worker
// on its own thread. Panels and the main window talk to this object, never to the worker.
#include "session/run_types.h"

#include <QObject>
#include <QString>
#include <functional>

class AdapterManager;
namespace lora {
class AdapterLibrary;
}
struct SessionContents;
class QThread;
class TrainingWorker;
class WeakestDigitFinder;
struct WeakestDigit;

class ExperimentSession : public QObject {
    Q_OBJECT
public:
    explicit ExperimentSession(QObject* parent = nullptr);
    ~ExperimentSession() override; // stops a run in progress and joins the worker thread

    const ExperimentSettings& settings() const { return m_settings; }
    DataPtr data() const { return m_data; }
    QString dataSource() const;
    ModelPtr baseModel() const { return m_base; }
    // Base + the active adapter of the library (merged or not); null when none is active.
    ModelPtr loraModel() const;
    ModelPtr fullModel() const { return m_full; }
    // What the LoRA toggle selects: base + adapter when on and trained, else the base.
    ModelPtr currentModel() const;
    QString currentLabel() const;
    bool loraEnabled() const { return m_loraEnabled; }
    bool isRunning() const { return m_running; }
    bool isPaused() const;
    TrainingWorker* worker() const { return m_worker; }
    // The adapters of the current base; a LoRA run adds its adapter there and activates it.
    AdapterManager* adapters() const { return m_adapters; }
    // The digit the base gets wrong most often on its task, measured after each trained or
    // loaded base (-1 until then, or without errors). Under the Fix-the-weakest-digit preset
    // the train digits become this digit unless the user changed them meanwhile.
    int weakestDigit() const { return m_weakestDigit; }

public slots:
    // Invalid settings are refused (errorOccurred) and the previous ones stay.
    bool setSettings(const ExperimentSettings& settings);
    bool openDataset(const QString& dir); // torchvision IDX folder; errors keep the old data
    void useEmbeddedData();
    void trainBase();
    void trainLora();
    void fullFinetune();
    void runSweep(const std::vector<int>& ranks, const std::vector<float>& alphas);
    void pauseOrResume(); // Space: starts a LoRA run when idle with a base, else the base
    void step();          // one batch, pausing first if needed
    void stop();          // returns at once; runFinished/sweepFinished follow
    void reset();         // stop, forget all models
    void setLoraEnabled(bool enabled);
    bool exportAdapter(const QString& dir); // the active adapter, PEFT layout
    bool saveBase(const QString& path);
    bool loadBase(const QString& path);

public:
    // What a session file keeps of this object (the window adds curves and controls).
    SessionContents snapshot() const;
    // Takes over a saved session's state: settings, `data`, models, adapters (the active
    // one merged if it was), the LoRA toggle. Run ids continue after `lastRunId` so that
    // new runs do not replace replayed curves. Refused while a run is in progress; on any
    // error (errorOccurred) nothing changes.
    // `library`, when given, is taken over as the adapter library instead of one built from
    // `contents` (an undo snapshot's own, for the same base).
    bool restore(const SessionContents& contents, DataPtr data, int lastRunId,
                 std::shared_ptr<lora::AdapterLibrary> library = nullptr);

signals:
    void settingsChanged(const ExperimentSettings& settings);
    void dataChanged();
    void modelsChanged(); // a base, full model or the active adapter changed
    // A finished base run or a loaded base is about to replace the base, its adapters and
    // the full model (and, loading, the network settings): the last moment to keep them.
    void modelsAboutToBeReplaced(const QString& what);
    void loraEnabledChanged(bool enabled);
    void runningChanged(bool running);
    void pausedChanged(bool paused);
    void runStarted(int runId, RunKind kind, const QString& label);
    void stepsReported(const StepBatch& batch);
    void epochFinished(const EpochUpdate& update);
    void runFinished(const RunOutcome& outcome);
    void sweepPoint(const SweepPoint& point);
    void sweepFinished(int runId, bool stopped);
    void errorOccurred(const QString& message);
    void weakestDigitFound(int digit);

private:
    // Runs `action`; an exception becomes errorOccurred(message) and false.
    bool guarded(const std::function<void()>& action);
    // Marks the session running under a new run id, or returns 0 (busy, or no base).
    int claimRun(bool needsBase);
    bool startRun(RunKind kind);
    void setRunning(bool running);
    void updateAdapterTask(); // hands the manager the current data and target classes
    void onRunFinished(const RunOutcome& outcome);
    void setBase(ModelPtr base); // also empties the adapter library and forgets the full model
    void findWeakestDigit();
    void onWeakestDigit(const WeakestDigit& result);

    ExperimentSettings m_settings;
    DataPtr m_data;
    ModelPtr m_base, m_full;
    ModelPtr m_runBase; // the base the LoRA run in flight adapts
    bool m_loraEnabled = true;
    bool m_running = false;
    int m_nextRunId = 1;
    int m_activeRunId = 0;
    QThread* m_thread = nullptr;
    TrainingWorker* m_worker = nullptr;
    AdapterManager* m_adapters = nullptr;
    WeakestDigitFinder* m_weakestFinder = nullptr;
    std::vector<int> m_trainDigitsAsked; // train digits when the search began
    int m_weakestDigit = -1;
};
