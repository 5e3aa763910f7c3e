#pragma once
// The session's adapter library: every adapter trained or imported for the current base,
// which one is active (and merged), and the snapshot of base + active adapter that the
// panels show. Each slot returns false and emits errorOccurred on bad input, leaving the
// library as it was. The library is dropped whenever the base changes. The manager does not
// know the session that owns it: the session pushes the task (dataset and target classes)
// in with setTask(), and the manager asks for a new task with targetClassesWanted().
#include "nn/adapter_combine.h"
#include "session/adapter_live_view.h"
#include "session/evaluation_cache.h"
#include "session/run_types.h"
#include "train/adapter_library.h"

#include <QFuture>
#include <QObject>
#include <QStringList>
#include <functional>
#include <memory>

struct SessionContents;

// What the Combine… dialog asks for.
struct CombineRequest {
    QStringList names;
    lora::CombineOptions options;
    QString newName; // empty: a free name such as "cat of 2"
};

class AdapterManager : public QObject {
    Q_OBJECT
public:
    explicit AdapterManager(QObject* parent = nullptr);
    ~AdapterManager() override;

    // Null while there is no base, and for the moment it takes to copy a new one.
    const lora::AdapterLibrary* library() const { return m_library.get(); }
    QStringList names() const;
    QString activeName() const; // empty when none is active
    bool isMerged() const;
    // A snapshot of base + active adapter (merged or not); null when none is active.
    ModelPtr activeModel() const { return m_active; }
    double lastUnmergeError() const { return m_lastUnmergeError; } // NaN before any unmerge
    // The live sliders' α and r′ on the active adapter; activeModel() shows them. The
    // adapter in the library (and so export and sessions) stays as trained.
    const AdapterLiveView& liveView() const { return m_view; }
    // What the active adapter is scored on: the data and its own classes when they fit the
    // base, else the target task's (filterClassesRemap(data->test, classes) is the split).
    // InputError when none is active or the data do not fit the base.
    struct ScoringTask {
        DataPtr data;
        std::vector<int> classes;
    };
    ScoringTask activeScoringTask() const;
    // Where the views' evaluations are kept: the live box and the Predictions panel score a
    // slider tick's snapshot once between them.
    const std::shared_ptr<EvaluationCache>& evaluations() const { return m_evaluations; }

    // For the session: a new base (or none) empties the library; a finished LoRA run adds
    // its adapter and makes it active, its model becoming the snapshot. Neither emits
    // activeModelChanged (the session announces its own modelsChanged).
    void setBase(ModelPtr base);
    // The data adapters are measured on, and the classes a new adapter is trained for (and
    // the fallback for one whose own classes do not fit the base).
    void setTask(DataPtr data, std::vector<int> targetClasses);
    void addTrained(ModelPtr model, float testAccuracy);
    // Combines without emitting errorOccurred; returns the message, empty on success (the
    // Combine… dialog shows it in place).
    QString tryCombine(const CombineRequest& request);
    // For a session being opened: the library of `contents` (its adapters, the active one
    // merged if it was, measured on `data`). Throws lora::InputError.
    static std::shared_ptr<lora::AdapterLibrary> buildLibrary(const lora::Mlp& base,
                                                              const SessionContents& contents,
                                                              const lora::SplitData& data);
    // Takes `library` over as it is (null: no base); emits adaptersChanged.
    void restore(std::shared_ptr<lora::AdapterLibrary> library);

public slots:
    bool importAdapter(const QString& dir, const QString& name = {});
    bool setActiveAdapter(const QString& name); // "" = base only
    bool renameAdapter(const QString& from, const QString& to);
    bool removeAdapter(const QString& name);
    bool mergeActive(); // measured on the test split of the adapter's classes
    bool unmergeActive();
    bool combineAdapters(const CombineRequest& request);
    bool exportAdapter(const QString& name, const QString& dir);
    bool exportAllAdapters(const QString& parentDir); // one sub-folder per adapter
    // Shows the active adapter at α and r′ (1…its rank); bad values emit errorOccurred and
    // change nothing. Emits viewChanged and activeModelChanged.
    bool setView(float alpha, int rank);

signals:
    void adaptersChanged();
    void activeModelChanged();
    void mergeMeasured(const lora::MergeReport& report);
    void unmergeMeasured(double maxWeightError);
    void errorOccurred(const QString& message);
    // The live view changed: new α or r′, or another adapter (the view then is the trained one).
    void viewChanged();
    // The adapter made active was trained for other classes than the current target task:
    // its owner may switch the task so that accuracies answer for the adapter's own.
    void targetClassesWanted(const std::vector<int>& classes);

private:
    // Takes over the library being built for a new base, waiting for it if need be.
    void adopt();
    // Runs `action` on an existing library; exceptions become errorOccurred and false.
    bool guarded(const std::function<void(lora::AdapterLibrary&)>& action);
    // The adapter's classes when they fit the base, else the session's target classes.
    std::vector<int> classesOf(const lora::AdapterEntry& entry) const;
    lora::Dataset testSplit(const std::vector<int>& classes) const;
    // The test images of `classes`, relabelled 0..n-1, checked against `base`.
    static lora::Dataset testSplit(const lora::Mlp& base, const lora::SplitData& data,
                                   const std::vector<int>& classes);
    // Fills in the test accuracy of `name` when unknown and its classes fit the base.
    void measure(const std::string& name);
    // Retakes the snapshot and, when the adapter was trained for other classes, points the
    // session's target task at them.
    void activeChanged(bool followClasses);

    DataPtr m_data;
    std::vector<int> m_targetClasses;
    std::shared_ptr<lora::AdapterLibrary> m_library;
    // Copying RichBoyNet's weights into a library takes ~150 ms: done off the GUI thread.
    QFuture<std::shared_ptr<lora::AdapterLibrary>> m_building;
    quint64 m_generation = 0; // bumped per base; a build for an older one is dropped
    ModelPtr m_active;
    AdapterLiveView m_view;
    double m_lastUnmergeError;
    std::shared_ptr<EvaluationCache> m_evaluations = std::make_shared<EvaluationCache>();

public:
    // Puts a removed adapter back at `index` (Edit → Undo), its weights, name and info as
    // they were; false (errorOccurred) when the name is taken or there is no library.
    bool reinsertAdapter(const lora::AdapterEntry& entry, int index);
    // The library itself, for an undo snapshot that keeps it once the manager lets it go
    // (Reset, a new base): putting it back costs no copy of the base and no second merge.
    std::shared_ptr<lora::AdapterLibrary> sharedLibrary() const { return m_library; }
};
