#include "app/screenshot_runner.h"

#include "app/insight_tabs.h"
#include "data/idx.h"
#include "tabs/draw_digit/draw_digit_tab.h"
#include "tabs/forgetting/forgetting_tab.h"
#include "tabs/subspace/subspace_tab.h"
#include "tabs/variants/variants_tab.h"
#include "widgets/digit_canvas_widget.h"

#include "app/inspector_tour.h"
#include "app/main_window.h"
#include "app/session_actions.h"
#include "docks/combine_dialog.h"
#include "session/adapter_manager.h"
#include "session/experiment_session.h"
#include "tabs/predictions/predictions_tab.h"
#include "tabs/svd/svd_tab.h"
#include "tabs/sweep/sweep_tab.h"

#include <QDir>
#include <QElapsedTimer>
#include <QMenu>
#include <QMenuBar>
#include <QPixmap>
#include <QPushButton>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTimer>
#include <algorithm>
#include <memory>

namespace {
constexpr int kStageTimeoutMs = 300000; // one stage (e.g. the sweep) on a slow machine
}

ScreenshotRunner::ScreenshotRunner(MainWindow* window, const QString& dir, QObject* parent)
    : QObject(parent), m_window(window), m_dir(dir) {}

void ScreenshotRunner::start() {
    if (!QDir().mkpath(m_dir)) {
        fail(tr("cannot create the screenshot folder %1").arg(m_dir));
        return;
    }
    ExperimentSession* s = m_window->session();
    connect(s, &ExperimentSession::errorOccurred, this,
            [this](const QString& message) { fail(message); });
    s->setSettings(ExperimentSettings::forPreset(ExperimentPreset::Transfer));
    QTimer::singleShot(0, this, &ScreenshotRunner::next);
}

void ScreenshotRunner::waitFor(const std::function<bool()>& ready, const QString& what,
                               const std::function<void()>& then) {
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    auto poll = std::make_shared<std::function<void()>>();
    *poll = [this, ready, what, then, timer, poll] {
        if (m_stage < 0) return; // failed meanwhile
        if (ready()) {
            then();
        } else if (timer->elapsed() > kStageTimeoutMs) {
            fail(tr("timed out waiting for %1").arg(what));
        } else {
            QTimer::singleShot(50, this, *poll);
        }
    };
    QTimer::singleShot(0, this, *poll);
}

void ScreenshotRunner::capture(int tab, const QString& name) {
    m_window->tabs()->setCurrentIndex(tab);
    // Let layouts and charts settle before grabbing.
    QTimer::singleShot(400, this, [this, name] {
        if (m_stage < 0) return;
        const QString path = QDir(m_dir).filePath(name + ".png");
        if (!m_window->grab().save(path)) {
            fail(tr("cannot write %1").arg(path));
            return;
        }
        m_written << path;
        next();
    });
}

// The tour, one stage after the other; each ends by calling next() (directly or once what
// it waits for holds).
const ScreenshotRunner::Stage ScreenshotRunner::kStages[] = {
    &ScreenshotRunner::trainBase,
    &ScreenshotRunner::trainLora,
    &ScreenshotRunner::runSweep,
    &ScreenshotRunner::showSvd,
    &ScreenshotRunner::showGradientDescent,
    &ScreenshotRunner::showTraining,
    &ScreenshotRunner::showPredictions,
    &ScreenshotRunner::showMistakes,
    &ScreenshotRunner::showFullLeastConfident,
    &ScreenshotRunner::showParameters,
    &ScreenshotRunner::showSweep,
    &ScreenshotRunner::showMerged,
    &ScreenshotRunner::showForgetting,
    &ScreenshotRunner::showVariants,
    &ScreenshotRunner::showSubspaces,
    &ScreenshotRunner::showDrawnDigit,
    &ScreenshotRunner::reopenSession,
    &ScreenshotRunner::showReopenedVariants,
    &ScreenshotRunner::showCombineGap,
    &ScreenshotRunner::showInspector,
    &ScreenshotRunner::showWeakestDigit,
    &ScreenshotRunner::showLaptopSizes,
};

void ScreenshotRunner::next() {
    if (m_stage < 0) return;
    if (m_repeatStage) {
        m_repeatStage = false;
        (this->*kStages[m_stage - 1])();
        return;
    }
    if (m_stage < int(std::size(kStages))) {
        (this->*kStages[m_stage++])();
        return;
    }
    m_stage = -1;
    emit finished(0, tr("wrote %1 screenshots to %2").arg(m_written.size()).arg(m_dir));
}

bool ScreenshotRunner::idle() const {
    return !m_window->session()->isRunning();
}

void ScreenshotRunner::trainBase() {
    ExperimentSession* s = m_window->session();
    s->trainBase();
    waitFor([this] { return idle(); }, tr("the base training"), [this] { next(); });
}

void ScreenshotRunner::trainLora() {
    ExperimentSession* s = m_window->session();
    s->trainLora();
    waitFor([this] { return idle(); }, tr("the LoRA training"), [this] { next(); });
}

void ScreenshotRunner::runSweep() {
    ExperimentSession* s = m_window->session();
    m_window->sweepTab()->setLists(QStringLiteral("1,2,4,8,16"), QStringLiteral("0.5,1,4,16"));
    s->runSweep(m_window->sweepTab()->ranks(), m_window->sweepTab()->alphas());
    waitFor([this] { return idle(); }, tr("the sweep"), [this] { next(); });
}

void ScreenshotRunner::showSvd() {
    m_window->svdTab()->selectMatrix(QStringLiteral("fc1 W"));
    waitFor([this] { return m_window->svdTab()->isReady(); }, tr("the SVD"),
            [this] { capture(0, QStringLiteral("1-rank-svd")); });
}

void ScreenshotRunner::showGradientDescent() {
    SvdTab* svd = m_window->svdTab();
    auto done = std::make_shared<bool>(false);
    connect(svd, &SvdTab::gradientDescentFinished, this, [done] { *done = true; });
    svd->selectMatrix(QStringLiteral("seed: 8×8 Gaussian"));
    waitFor([svd] { return svd->isReady(); }, tr("the seed matrix"),
            [this, svd, done] {
                svd->setRank(2);
                svd->runGradientDescent();
                waitFor([done] { return *done; }, tr("gradient descent"),
                        [this] { capture(0, QStringLiteral("1b-gd-vs-svd")); });
            });
}

void ScreenshotRunner::showTraining() {
    capture(1, QStringLiteral("2-training"));
}

void ScreenshotRunner::showPredictions() {
    waitFor([this] { return !m_window->predictionsTab()->isEvaluating(); }, tr("the evaluation"),
            [this] { capture(2, QStringLiteral("3-predictions")); });
}

void ScreenshotRunner::showMistakes() {
    // The LoRA model's wrong predictions only, beside its before → after line.
    PredictionsTab* panel = m_window->predictionsTab();
    panel->setOrder(SampleOrder::MistakesOnly);
    waitFor([panel] { return !panel->isEvaluating(); }, tr("the mistakes"),
            [this] { capture(2, QStringLiteral("3b-predictions-mistakes")); });
}

void ScreenshotRunner::showFullLeastConfident() {
    // The full fine-tune chosen in Predictions, its least confident answers first; then the
    // tab goes back to the LoRA toggle's model and spread digits for the later pictures.
    ExperimentSession* s = m_window->session();
    PredictionsTab* panel = m_window->predictionsTab();
    s->fullFinetune();
    waitFor([this] { return idle(); }, tr("the full fine-tune"),
            [this, panel] {
                panel->setModelChoice(PredictionsTab::ModelChoice::Full);
                panel->setOrder(SampleOrder::LeastConfident);
                waitFor([panel] { return !panel->isEvaluating(); }, tr("the least confident"),
                        [this, panel] {
                            m_window->tabs()->setCurrentIndex(2);
                            QTimer::singleShot(400, this, [this, panel] {
                                if (m_stage < 0) return;
                                const QString path = QDir(m_dir).filePath(
                                    QStringLiteral("3c-predictions-full-doubt.png"));
                                if (!m_window->grab().save(path))
                                    return fail(tr("cannot write %1").arg(path));
                                m_written << path;
                                panel->setModelChoice(PredictionsTab::ModelChoice::Current);
                                panel->setOrder(SampleOrder::Spread);
                                waitFor([panel] { return !panel->isEvaluating(); },
                                        tr("the evaluation"), [this] { next(); });
                            });
                        });
            });
}

void ScreenshotRunner::showParameters() {
    capture(3, QStringLiteral("4-parameters"));
}

void ScreenshotRunner::showSweep() {
    capture(4, QStringLiteral("5-sweep"));
}

void ScreenshotRunner::showMerged() {
    ExperimentSession* s = m_window->session();
    // The adapters dock with its measured merge figures, beside the merged predictions.
    s->adapters()->mergeActive();
    waitFor([this] { return !m_window->predictionsTab()->isEvaluating(); },
            tr("the merged evaluation"),
            [this] { capture(2, QStringLiteral("6-adapters-merged")); });
}

void ScreenshotRunner::showForgetting() {
    // Forgetting: both fine-tunes from the trained base, 3-vs-4 → 7-vs-8.
    ForgettingTab* panel = m_window->insights()->forgetting();
    m_window->tabs()->setCurrentIndex(m_window->insights()->firstIndex());
    panel->run();
    waitFor(
        [panel] { return !panel->isRunning() && panel->result(); }, tr("forgetting"),
        [this] { capture(m_window->insights()->firstIndex(), QStringLiteral("7-forgetting")); });
}

void ScreenshotRunner::showVariants() {
    VariantsTab* panel = m_window->insights()->variants();
    m_window->tabs()->setCurrentIndex(m_window->insights()->firstIndex() + 1);
    panel->train();
    waitFor([panel] { return !panel->isRunning(); }, tr("the variants"),
            [this, panel] {
                panel->rankSweep();
                waitFor([panel] { return !panel->isRunning(); }, tr("the rank sweep"),
                        [this] {
                            capture(m_window->insights()->firstIndex() + 1,
                                    QStringLiteral("8-init-scaling"));
                        });
            });
}

void ScreenshotRunner::showSubspaces() {
    SubspaceTab* panel = m_window->insights()->subspace();
    m_window->tabs()->setCurrentIndex(m_window->insights()->firstIndex() + 2);
    panel->train();
    waitFor(
        [panel] { return !panel->isRunning(); }, tr("the subspace runs"),
        [this] { capture(m_window->insights()->firstIndex() + 2, QStringLiteral("9-subspaces")); });
}

void ScreenshotRunner::showDrawnDigit() {
    // An embedded test 7, blown up on the canvas as if drawn there by hand.
    const lora::Dataset& test = lora::loadEmbeddedMnist().test;
    const auto it = std::find(test.labels.begin(), test.labels.end(), 7);
    const Eigen::Index row = it - test.labels.begin();
    DrawDigitTab* panel = m_window->insights()->drawDigit();
    lora::Matrix ink = lora::Matrix::Zero(280, 280);
    for (int i = 0; i < 28; ++i)
        for (int j = 0; j < 28; ++j)
            ink.block(30 + 8 * i, 50 + 8 * j, 8, 8)
                .setConstant(test.images(row, i * 28 + j) * lora::kMnistStd + lora::kMnistMean);
    panel->canvas()->setInk(ink);
    panel->refresh();
    capture(m_window->insights()->firstIndex() + 3, QStringLiteral("10-draw-digit"));
}

void ScreenshotRunner::reopenSession() {
    // The whole session saved, the window emptied, and the session opened again: the
    // curves and sweep come back from session.json alone.
    SessionActions* sessions = m_window->sessionActions();
    const QString folder = QDir(m_dir).filePath(QStringLiteral("session"));
    if (!sessions->saveTo(folder)) return fail(m_window->lastError());
    m_window->action(QStringLiteral("resetAction"))->trigger();
    if (!sessions->openFrom(folder)) return fail(m_window->lastError());
    QMenu* file = m_window->menuBar()->findChildren<QMenu*>().value(0);
    file->popup(m_window->mapToGlobal(QPoint(10, 30)));
    QTimer::singleShot(300, this, [this, file] {
        if (m_stage < 0) return;
        const QString path = QDir(m_dir).filePath(QStringLiteral("11b-file-menu.png"));
        if (file->grab().save(path)) m_written << path;
        file->hide();
        capture(1, QStringLiteral("11-session-reopened"));
    });
}

void ScreenshotRunner::showReopenedVariants() {
    // The reopened Init & scaling tab: its curves came from session.json too.
    capture(m_window->insights()->firstIndex() + 1, QStringLiteral("11c-session-variants"));
}

void ScreenshotRunner::showCombineGap() {
    // A second adapter, then Combine… with linear mixing: its measured gap per layer.
    ExperimentSession* s = m_window->session();
    ExperimentSettings other = s->settings();
    other.seed += 1; // another start, so the two adapters differ
    s->setSettings(other);
    s->trainLora();
    waitFor([this] { return idle(); }, tr("the second LoRA training"),
            [this, s] {
                auto* button = m_window->findChild<QPushButton*>(QStringLiteral("combineButton"));
                if (!button) return fail(tr("no Combine… button"));
                button->click();
                auto* dialog = m_window->findChild<CombineDialog*>();
                if (!dialog) return fail(tr("no Combine… dialog"));
                dialog->setChecked(s->adapters()->names());
                dialog->setMethod(lora::CombineMethod::Linear);
                waitFor([dialog] { return !dialog->gapSection()->isMeasuring(); },
                        tr("the combine gap"),
                        [this, dialog] {
                            QTimer::singleShot(400, this, [this, dialog] {
                                if (m_stage < 0) return;
                                const QString path =
                                    QDir(m_dir).filePath(QStringLiteral("12-combine-gap.png"));
                                if (!dialog->grab().save(path))
                                    return fail(tr("cannot write %1").arg(path));
                                m_written << path;
                                dialog->reject();
                                next();
                            });
                        });
            });
}

void ScreenshotRunner::showInspector() {
    tourInspector(m_window, m_dir, [this](const QStringList& written, const QString& error) {
        m_written << written;
        if (!error.isEmpty()) return fail(error);
        next();
    });
}

void ScreenshotRunner::showWeakestDigit() {
    // Seed 001: RichBoyNet on all digits; the train digit becomes the base's weakest, and
    // the rank-1 adapter's wrong counts per digit stand beside the base's.
    ExperimentSession* s = m_window->session();
    s->setSettings(ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit));
    s->trainBase();
    waitFor([this, s] { return idle() && s->weakestDigit() >= 0; }, tr("seed 001's base"),
            [this, s] {
                s->trainLora();
                waitFor([this] { return idle() && !m_window->predictionsTab()->isEvaluating(); },
                        tr("seed 001's adapter"),
                        [this] { capture(2, QStringLiteral("13-fix-weakest-digit")); });
            });
}

// A laptop's screen and a small one: the window must fit both without clipping anything.
void ScreenshotRunner::showLaptopSizes() {
    static const QSize kSizes[] = {{1366, 768}, {1024, 640}};
    QTabWidget* tabs = m_window->tabs();
    const int shots = int(std::size(kSizes)) * tabs->count();
    if (m_laptopShot >= shots) return next();
    const QSize size = kSizes[m_laptopShot / tabs->count()];
    const int tab = m_laptopShot % tabs->count();
    ++m_laptopShot;
    m_window->resize(size);
    QString name = tabs->tabText(tab).remove('&').toLower();
    name.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
    m_repeatStage = m_laptopShot < shots;
    capture(tab, QStringLiteral("14-%1x%2-%3-%4")
                     .arg(size.width())
                     .arg(size.height())
                     .arg(tab + 1, 2, 10, QLatin1Char('0'))
                     .arg(name));
}

void ScreenshotRunner::fail(const QString& message) {
    if (m_stage < 0) return;
    m_stage = -1;
    emit finished(1, message);
}
