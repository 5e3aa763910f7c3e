#pragma once
// `lora-explorer --screenshots DIR`: runs the default preset end to end — train the base,
// train LoRA, a small rank sweep, gradient descent in the SVD panel — then saves a PNG of the
// whole window on each panel and exits. It drives the real window through its session and
// panels, so the pictures are what a person would see.
#include <QObject>
#include <QString>
#include <functional>

class MainWindow;

class ScreenshotRunner : public QObject {
    Q_OBJECT
public:
    ScreenshotRunner(MainWindow* window, const QString& dir, QObject* parent = nullptr);

    void start(); // asynchronous; emits finished when done
    QStringList written() const { return m_written; }

signals:
    void finished(int exitCode, const QString& message);

private:
    using Stage = void (ScreenshotRunner::*)();
    static const Stage kStages[];

    void next();
    bool idle() const; // no run in progress
    void trainBase();
    void trainLora();
    void runSweep();
    void showSvd();
    void showGradientDescent();
    void showTraining();
    void showPredictions();
    void showMistakes();
    void showFullLeastConfident();
    void showParameters();
    void showSweep();
    void showMerged();
    void showForgetting();
    void showVariants();
    void showSubspaces();
    void showDrawnDigit();
    void reopenSession();
    void showReopenedVariants();
    void showCombineGap();
    void showInspector(); // the Adapter inspector on the tour's own exported adapters
    void showWeakestDigit();
    void showLaptopSizes(); // every tab at 1366×768 and at 1024×640, one shot per call

    void fail(const QString& message);
    void capture(int tab, const QString& name);
    // Calls `then` once `ready` holds (polled while the event loop runs), or fails.
    void waitFor(const std::function<bool()>& ready, const QString& what,
                 const std::function<void()>& then);

    MainWindow* m_window;
    QString m_dir;
    int m_stage = 0;
    bool m_repeatStage = false; // next() runs the same stage again (one shot of several)
    int m_laptopShot = 0;
    QStringList m_written;
};
