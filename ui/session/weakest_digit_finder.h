#pragma once
// Finds the digit a base gets wrong most often on its own task's test split (seed 001 fine-
// tunes on it), off the GUI thread: RichBoyNet needs ~0.3 s for the 10 000 test digits.
#include "session/run_types.h"

#include <QObject>
#include <vector>

template <typename T> class QFutureWatcher;

struct WeakestDigit {
    ModelPtr base;           // the model it was found for
    int digit = -1;          // real digit; -1 when the base makes no error
    std::vector<int> errors; // [classes] wrong count per class position
};
Q_DECLARE_METATYPE(WeakestDigit)

class WeakestDigitFinder : public QObject {
    Q_OBJECT
public:
    explicit WeakestDigitFinder(QObject* parent = nullptr);
    // Waits for a search in progress (one evaluation): it reads the data set, which may be
    // the embedded one, freed at exit after everything else (ASan caught a job still reading).
    ~WeakestDigitFinder() override;

    // classes: the base's real digits (its outputs in order). A newer request supersedes.
    void find(ModelPtr base, DataPtr data, const std::vector<int>& classes);
    bool isBusy() const { return m_busy; }

signals:
    void found(const WeakestDigit& result);
    void failed(const QString& message);

private:
    QFutureWatcher<WeakestDigit>* m_watcher;
    ModelPtr m_requested;
    bool m_busy = false;
};
