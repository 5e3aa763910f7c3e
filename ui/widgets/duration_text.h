#pragma once
// A run's duration for people: seed 000's LoRA run takes 25 ms, which "0.0 s" would hide.
#include <QString>
#include <cmath>

inline QString durationText(double seconds) {
    if (!(seconds >= 0)) return QStringLiteral("?");
    if (seconds < 1.0) return QStringLiteral("%1 ms").arg(std::lround(seconds * 1000.0));
    if (seconds < 60.0) return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
    const long whole = std::lround(seconds);
    return QStringLiteral("%1:%2 min").arg(whole / 60).arg(whole % 60, 2, 10, QLatin1Char('0'));
}
