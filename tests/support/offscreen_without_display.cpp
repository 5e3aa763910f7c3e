// Linked into every tests/ui executable: without an X11 or Wayland display, Qt would abort at
// QApplication's construction looking for one, so such a run draws offscreen instead.
//
// Why here and not in CMake: the test's ENVIRONMENT property is fixed when CMake configures,
// so it would record the configuring shell's display rather than the running one's, and it
// would override a QT_QPA_PLATFORM the person running the test chose (ctest has no "set only
// when unset" operation). Deciding in the process itself, before main() builds the
// QApplication, holds under ctest, a debugger or a direct run of the binary alike, and a
// QT_QPA_PLATFORM already set (scripts/test's offscreen, xcb under xvfb-run) is kept.
#include <QByteArray>
#include <QtGlobal>

namespace {
[[maybe_unused]] const bool kOffscreenWithoutDisplay = [] {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen"));
    return true;
}();
} // namespace
