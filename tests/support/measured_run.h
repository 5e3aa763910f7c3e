#pragma once
// Runs lora-cli as a child process and measures what a refusal costs: its peak resident
// memory (wait4's rusage, the child's own) and its wall time. A run that outlives
// `guardSeconds` is killed and reported as such: a hang detector, not a speed test.
#include <QString>
#include <QStringList>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lora::test {

struct MeasuredRun {
    int exitCode = -1; // -1: killed by a signal or by the guard
    bool timedOut = false;
    QString stdErr;
    long peakRssKb = 0;
    double seconds = 0;
};

inline MeasuredRun runMeasured(const QStringList& args, double guardSeconds = 60) {
    MeasuredRun run;
    char errName[] = "/tmp/lora-measured-XXXXXX";
    const int errFd = ::mkstemp(errName);
    if (errFd < 0) return run;
    ::unlink(errName);
    std::vector<std::string> owned{LORA_CLI_PATH};
    for (const QString& a : args) owned.push_back(a.toStdString());
    std::vector<char*> argv;
    for (std::string& s : owned) argv.push_back(s.data());
    argv.push_back(nullptr);
    const auto start = std::chrono::steady_clock::now();
    // fork, not posix_spawn: Linux carries the peak RSS of the memory image a process leaves
    // at exec into its own, and posix_spawn's child leaves the parent's (this test's peak).
    // A forked child starts from this process's current RSS: the figure is an upper bound.
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(errFd);
        return run;
    }
    if (pid == 0) {
        const int devNull = ::open("/dev/null", O_RDWR);
        ::dup2(devNull, 0);
        ::dup2(devNull, 1);
        ::dup2(errFd, 2);
        ::execv(LORA_CLI_PATH, argv.data());
        ::_exit(127);
    }
    int status = 0;
    rusage usage{};
    for (;;) {
        const pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
        if (done == pid) break;
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (elapsed > guardSeconds && !run.timedOut) {
            run.timedOut = true;
            ::kill(pid, SIGKILL);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.peakRssKb = usage.ru_maxrss;
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::string err;
    char buffer[4096];
    ::lseek(errFd, 0, SEEK_SET);
    for (ssize_t n; (n = ::read(errFd, buffer, sizeof buffer)) > 0;) err.append(buffer, n);
    ::close(errFd);
    run.stdErr = QString::fromStdString(err);
    return run;
}

} // namespace lora::test
