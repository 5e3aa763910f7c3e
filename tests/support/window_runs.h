#pragma once
// Runs one of the main window's training actions and waits until the session is idle again;
// false when the action started nothing or the run outlasted `ms`.
#include "app/main_window.h"
#include "session/experiment_session.h"

#include <QAction>
#include <QtTest>

namespace lora::test {

inline bool trainAndWait(MainWindow& w, const char* action, int ms = 120000) {
    w.action(action)->trigger();
    if (!w.session()->isRunning()) return false;
    return QTest::qWaitFor([&] { return !w.session()->isRunning(); }, ms);
}

} // namespace lora::test
