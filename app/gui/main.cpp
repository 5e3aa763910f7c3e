// lora-explorer: the desktop app. Thin: parse the command line, show the main window, or
// run the screenshot script.
#include "app/main_window.h"
#include "app/screenshot_runner.h"
#include "app/startup_timer.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <cstdio>

int main(int argc, char** argv) {
    StartupTimer startup; // first: --startup-time counts from the process's start
    QApplication app(argc, argv);
    QApplication::setApplicationName("lora-explorer");
    QApplication::setOrganizationName("lora-explorer");
    QApplication::setApplicationDisplayName("LoRA Explorer");
    QApplication::setApplicationVersion(LORA_VERSION);
    QApplication::setWindowIcon(QIcon(":/icons/lora-explorer.svg"));

    QCommandLineParser parser;
    parser.setApplicationDescription("See Low-Rank Adaptation at work.");
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshots(
        "screenshots", "Run the default experiment, save a PNG of every panel into DIR, exit.",
        "DIR");
    parser.addOption(screenshots);
    const QCommandLineOption startupTime(
        "startup-time", "Print {\"first_paint_ms\": …} once the window has painted, exit.");
    parser.addOption(startupTime);
    parser.process(app);

    startup.mark("app");
    MainWindow window;
    startup.mark("window");
    if (parser.isSet(startupTime)) startup.watch(&window);
    if (!parser.isSet(screenshots) || parser.isSet(startupTime)) {
        window.show();
        return QApplication::exec();
    }
    // Screenshots always start from the defaults, not from the last session's controls.
    window.resize(1400, 860);
    window.show();
    ScreenshotRunner runner(&window, parser.value(screenshots));
    int code = 1;
    QObject::connect(&runner, &ScreenshotRunner::finished, &app,
                     [&code](int exitCode, const QString& message) {
                         code = exitCode;
                         std::fprintf(exitCode == 0 ? stdout : stderr, "lora-explorer: %s\n",
                                      qPrintable(message));
                         QApplication::exit(exitCode);
                     });
    runner.start();
    QApplication::exec();
    return code;
}
