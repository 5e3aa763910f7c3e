#pragma once
// Panel 3, "Predictions": a grid of test digits with predicted/true labels (wrong ones in
// red) and a confusion matrix, for the current model on a chosen task — the fine-tuning
// task or the base's own, so people can see LoRA-off leaves the base untouched. Evaluation
// of the whole test split runs off the GUI thread; the grid redraws when it lands.
#include "session/run_types.h"

#include <QWidget>

#include <QtGlobal>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class DigitGridWidget;
class ConfusionWidget;
template <typename T> class QFutureWatcher;

class PredictionsTab : public QWidget {
    Q_OBJECT
public:
    explicit PredictionsTab(QWidget* parent = nullptr);

    float accuracy() const; // percent, of the last finished evaluation
    int correct() const;
    int total() const;
    bool isEvaluating() const;

public slots:
    // model: what to evaluate (null clears); label names it ("base", "base + LoRA r4").
    void setModel(ModelPtr model, const QString& label);
    // The test split and the two class lists the task selector chooses between; the same
    // task again changes nothing.
    void setTask(DataPtr data, const std::vector<int>& targetClasses,
                 const std::vector<int>& baseClasses);
    void showBaseTask(bool base); // false: target classes (default)

signals:
    void evaluated(float accuracy); // after each evaluation lands

private:
    struct Result;
    const std::vector<int>& classes() const; // of the chosen task
    QString mismatch() const;
    void reload();
    void evaluate();
    void onEvaluated();

    QComboBox* m_taskCombo = nullptr;
    QLabel* m_accuracyLabel = nullptr;
    QLabel* m_messageLabel = nullptr;
    DigitGridWidget* m_grid = nullptr;
    ConfusionWidget* m_confusion = nullptr;
    QFutureWatcher<std::shared_ptr<Result>>* m_watcher = nullptr;

    ModelPtr m_model;
    QString m_label;
    DataPtr m_data;
    std::vector<int> m_targetClasses, m_baseClasses;
    bool m_showBase = false;
    quint64 m_generation = 0; // bumped per request; results of older ones are dropped
    quint64 m_pending = 0;    // generation still running, 0 when idle
    float m_accuracy = 0;
    int m_correct = 0, m_total = 0;
};
