#pragma once
// The screenshot tour's stop at the Adapter inspector: the session's own trained adapters,
// exported as PEFT folders (real LoRA files, the same a user would get from Export…), the
// first inspected and compared with the second, and the window saved as PNGs at its default
// size, at 1366×768 and at 1024×640.
#include <QString>
#include <QStringList>
#include <functional>

class MainWindow;

// Asynchronous: `done` gets the PNGs written, or a one-line error.
void tourInspector(MainWindow* window, const QString& dir,
                   std::function<void(const QStringList& written, const QString& error)> done);
