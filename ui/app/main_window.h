#pragma once
// Assembles the explorer: the controls dock, the five panels as tabs, menus with their
// actions and shortcuts, the status bar, and persistence of geometry and controls. It wires
// the session's signals to the panels and holds no maths of its own.
#include "session/experiment_settings.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QProgressBar;
class StatusReport;
class QTabWidget;
class AdaptersDock;
class InsightTabs;
class ControlsDock;
class ExperimentSession;
class ParametersTab;
class PredictionsTab;
class RunHistory;
class SessionActions;
class SessionUndo;
class SvdTab;
class SweepTab;
class TrainingTab;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    ExperimentSession* session() const { return m_session; }
    ControlsDock* controls() const { return m_controls; }
    QTabWidget* tabs() const { return m_tabs; }
    SvdTab* svdTab() const { return m_svd; }
    TrainingTab* trainingTab() const { return m_training; }
    PredictionsTab* predictionsTab() const { return m_predictions; }
    ParametersTab* parametersTab() const { return m_parameters; }
    SweepTab* sweepTab() const { return m_sweep; }
    AdaptersDock* adaptersDock() const { return m_adapters; }
    InsightTabs* insights() const { return m_insights; }
    RunHistory* history() const { return m_history; }
    SessionActions* sessionActions() const { return m_sessionActions; }
    SessionUndo* undo() const { return m_undo; }
    QString lastError() const { return m_lastError; }
    QAction* action(const QString& objectName) const; // e.g. "trainBaseAction"

protected:
    void closeEvent(QCloseEvent* event) override;
    // An adapter folder (holding adapter_config.json) is imported, a .safetensors file is
    // loaded as the base.
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createMenus();
    void connectSession();
    void applyPreset(ExperimentPreset preset);
    void showSettings(const ExperimentSettings& settings);
    void updateRunState();
    void refreshModels();
    void showError(const QString& message);
    void openDataset();
    void exportAdapter();
    void saveBase();
    void loadBase();
    void about();
    void restoreState();
    void saveState();

    ExperimentSession* m_session;
    ControlsDock* m_controls;
    QTabWidget* m_tabs;
    SvdTab* m_svd;
    TrainingTab* m_training;
    PredictionsTab* m_predictions;
    ParametersTab* m_parameters;
    SweepTab* m_sweep;
    AdaptersDock* m_adapters;
    InsightTabs* m_insights;
    RunHistory* m_history;
    SessionUndo* m_undo;
    SessionActions* m_sessionActions;
    QLabel* m_status;
    QProgressBar* m_progress;
    StatusReport* m_report = nullptr;
    QString m_lastError;
    QList<QAction*> m_runActions;
};
