#pragma once
// Panel 3, "Predictions": a grid of test digits with predicted/true labels (wrong ones in
// red), a confusion matrix and wrong counts per digit before (the base) and after, for a
// chosen model on a chosen task — the fine-tuning task or the base's own, so people can see
// LoRA-off leaves the base untouched. The grid shows evenly spaced digits, only the
// mistakes, or the least confident predictions first. Evaluation of the whole test split
// runs off the GUI thread; the views redraw when it lands.
#include "session/run_types.h"
#include "tabs/predictions/prediction_job.h"

#include <QWidget>

#include <QtGlobal>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class DigitGridWidget;
class ConfusionWidget;
class WrongCountsChart;
template <typename T> class QFutureWatcher;

class PredictionsTab : public QWidget {
    Q_OBJECT
public:
    // Which network is evaluated: the one setModel gave (the LoRA toggle's), or a fixed one.
    enum class ModelChoice { Current, Base, Lora, Merged, Full };

    explicit PredictionsTab(QWidget* parent = nullptr);

    float accuracy() const; // percent, of the last finished evaluation
    int correct() const;
    int total() const;
    float baseAccuracy() const; // percent, the base on the same task; NaN without a base
    bool isEvaluating() const;
    QString shownLabel() const; // what the chosen model is called
    // Split rows (of the chosen task's test split) the grid shows, in grid order, and the
    // top softmax probability of each (empty in the evenly spaced order).
    const std::vector<int>& shownRows() const { return m_rows; }
    const std::vector<float>& shownConfidence() const { return m_confidence; }
    // Where evaluations are kept; the main window passes the adapter manager's, so that a
    // live slider tick is evaluated once for this panel and the adapter box. Not null.
    void setEvaluationCache(std::shared_ptr<EvaluationCache> cache);

public slots:
    // model: what the Current choice evaluates (null clears); label names it ("base",
    // "base + LoRA r4").
    void setModel(ModelPtr model, const QString& label);
    // The session's networks the other choices pick from, and the "before" of before →
    // after; any may be null. Under the Current choice the next setModel re-evaluates.
    void setChoices(ModelPtr base, ModelPtr lora, ModelPtr full);
    // The test split and the two class lists the task selector chooses between; the same
    // task again changes nothing.
    void setTask(DataPtr data, const std::vector<int>& targetClasses,
                 const std::vector<int>& baseClasses);
    void showBaseTask(bool base); // false: target classes (default)
    void setModelChoice(ModelChoice choice);
    // A run just finished: a full fine-tune is shown as such, a LoRA run through the LoRA
    // toggle's model, so its before → after line is the run's own. Base runs change nothing.
    void showRunResult(const RunOutcome& outcome);
    void setOrder(SampleOrder order);

signals:
    void evaluated(float accuracy); // after each evaluation lands
    void previewed();               // the grid shows a new model's predictions ahead of it

private:
    const std::vector<int>& classes() const; // of the chosen task
    ModelPtr chosenModel() const;
    QString mismatch(const ModelPtr& model) const;
    void reload();
    void evaluate();
    void onEvaluated();
    void onPreview(int index);
    void clearOutcome(); // grid predictions, confusion, wrong counts, before → after
    void showOutcome(const PredictionResult& result);

    QComboBox* m_taskCombo = nullptr;
    QComboBox* m_modelCombo = nullptr;
    QComboBox* m_orderCombo = nullptr;
    QLabel* m_accuracyLabel = nullptr;
    QLabel* m_beforeAfterLabel = nullptr;
    QLabel* m_messageLabel = nullptr;
    QLabel* m_gridNote = nullptr;
    DigitGridWidget* m_grid = nullptr;
    ConfusionWidget* m_confusion = nullptr;
    WrongCountsChart* m_wrongCounts = nullptr;
    QFutureWatcher<std::shared_ptr<PredictionResult>>* m_watcher = nullptr;
    // The split and the base's evaluation, kept across the requests of a slider drag.
    std::shared_ptr<EvaluationCache> m_cache = std::make_shared<EvaluationCache>();

    ModelPtr m_model, m_base, m_lora, m_full;
    QString m_label;
    DataPtr m_data;
    std::vector<int> m_targetClasses, m_baseClasses;
    bool m_showBase = false;
    SampleOrder m_order = SampleOrder::Spread;
    quint64 m_generation = 0; // bumped per request; results of older ones are dropped
    quint64 m_pending = 0;    // generation still running, 0 when idle
    float m_accuracy = 0, m_baseAccuracy = 0;
    int m_correct = 0, m_total = 0;
    std::vector<int> m_rows;
    std::vector<float> m_confidence;
};
