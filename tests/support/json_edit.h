#pragma once
// Helpers for the session-file JSON tests: a copy of a document with one value replaced or
// removed (data-driven rows of malformed fields), a trip through the JSON text a session
// file holds, and number equality that counts two NaNs as equal (null reads back as NaN).
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringView>
#include <cmath>

namespace lora::test {

// `json` with the value at `path` replaced by `value`, or removed when `value` is undefined.
// A path joins object keys with '.' and names array entries as "[i]":
// "series[1].full_old", "updates[0].singular_values[2]". An index one past the end appends.
inline QJsonValue editedValue(const QJsonValue& json, QStringView path, const QJsonValue& value) {
    if (path.isEmpty()) return value;
    if (path.startsWith(u'[')) {
        const qsizetype close = path.indexOf(u']');
        const int index = path.mid(1, close - 1).toInt();
        QStringView rest = path.mid(close + 1);
        if (rest.startsWith(u'.')) rest = rest.mid(1);
        QJsonArray array = json.toArray();
        if (index >= array.size()) // one past the end: appended
            array.append(editedValue(QJsonValue(), rest, value));
        else if (rest.isEmpty() && value.isUndefined())
            array.removeAt(index);
        else
            array[index] = editedValue(array.at(index), rest, value);
        return array;
    }
    qsizetype end = path.size();
    for (const char16_t c : {u'.', u'['})
        if (const qsizetype at = path.indexOf(c); at >= 0 && at < end) end = at;
    const QString key = path.left(end).toString();
    QStringView rest = path.mid(end);
    if (rest.startsWith(u'.')) rest = rest.mid(1);
    QJsonObject object = json.toObject();
    if (rest.isEmpty() && value.isUndefined())
        object.remove(key);
    else
        object[key] = editedValue(object.value(key), rest, value);
    return object;
}

inline QJsonObject edited(const QJsonObject& json, QStringView path, const QJsonValue& value) {
    return editedValue(json, path, value).toObject();
}

// What reading the object back from its JSON text gives.
inline QJsonObject throughText(const QJsonObject& json) {
    return QJsonDocument::fromJson(QJsonDocument(json).toJson()).object();
}

// a == b, or both NaN.
inline bool sameNumber(double a, double b) {
    return a == b || (std::isnan(a) && std::isnan(b));
}

} // namespace lora::test
