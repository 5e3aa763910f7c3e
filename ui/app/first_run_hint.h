#pragma once
// A banner above the panels on the first launches: where to start (train a base, then LoRA,
// then drag α and r on the trained adapter) and that Train → Pace slows a run down to watch
// it. "Got it" hides it for good (QSettings), so it never stands in a regular user's way.
#include <QFrame>

class FirstRunHint : public QFrame {
    Q_OBJECT
public:
    explicit FirstRunHint(QWidget* parent = nullptr);

    static bool wasDismissed(); // per user, from QSettings
    static void forget();       // shows the hint again on the next window (for tests)

public slots:
    void dismiss(); // hides it and remembers that
};
