#pragma once
// The panels that go beyond the tutorials — Forgetting, Init & scaling, Subspaces, Draw a
// digit — added as tabs and fed from the session: its base, data, settings and current LoRA
// model. Each panel trains on its own background task, so the session's worker stays free.
#include <QJsonObject>
#include <QObject>

class QTabWidget;
class DrawDigitTab;
class ExperimentSession;
class ForgettingTab;
class SubspaceTab;
class VariantsTab;

class InsightTabs : public QObject {
    Q_OBJECT
public:
    InsightTabs(QTabWidget* tabs, ExperimentSession* session, QObject* parent = nullptr);

    ForgettingTab* forgetting() const { return m_forgetting; }
    VariantsTab* variants() const { return m_variants; }
    SubspaceTab* subspace() const { return m_subspace; }
    DrawDigitTab* drawDigit() const { return m_draw; }
    int firstIndex() const { return m_firstIndex; } // tab index of Forgetting

    // The results a session keeps: {"forgetting": …} once the Forgetting tab has one.
    QJsonObject results() const;
    // Throws lora::InputError naming the first malformed field of a session's results.
    static void checkResults(const QJsonObject& results);
    void showResults(const QJsonObject& results); // call checkResults first

signals:
    void errorOccurred(const QString& message);

private:
    void feedModels();
    void feedSettings();

    ExperimentSession* m_session;
    ForgettingTab* m_forgetting;
    VariantsTab* m_variants;
    SubspaceTab* m_subspace;
    DrawDigitTab* m_draw;
    int m_firstIndex = 0;
};
