#pragma once
// Runs the real lora-cli binary and parses the JSON object on its last stdout line.
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>
#include <QtTest>

namespace lora::test {

struct CliRun {
    int exitCode = -1;
    QString stdErr;
    QJsonObject json; // empty when the last line is not a JSON object
};

inline CliRun runCli(const QStringList& args, int timeoutMs = 1200000) {
    QProcess process;
    process.start(QStringLiteral(LORA_CLI_PATH), args);
    CliRun run;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.stdErr = QString::fromUtf8(process.readAllStandardError());
    const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
    if (!lines.isEmpty()) run.json = QJsonDocument::fromJson(lines.last()).object();
    return run;
}

} // namespace lora::test
