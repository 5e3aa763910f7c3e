#pragma once
// Reads one object of a session file field by field; the first field that is missing or of
// the wrong type throws lora::InputError naming its place ("history.runs[2].kind must be
// a string"). JSON has no NaN, so nullable numbers read null as NaN.
#include "util/error.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <cmath>
#include <limits>
#include <string>

// JSON has no NaN or Inf: such values are written as null.
inline QJsonValue jsonNumber(double v) {
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

class JsonReader {
public:
    JsonReader(const QJsonValue& value, std::string where) : m_where(std::move(where)) {
        if (!value.isObject()) throw lora::InputError(m_where + " must be an object");
        m_object = value.toObject();
    }
    double number(const char* key, bool nullable = false) const {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (nullable && v.isNull()) return std::numeric_limits<double>::quiet_NaN();
        if (!v.isDouble()) fail(key, nullable ? "a number or null" : "a number");
        return v.toDouble();
    }
    long whole(const char* key, long lo) const {
        const double d = number(key);
        if (d != std::floor(d) || d < lo || d > 1e15) fail(key, "a whole number");
        return static_cast<long>(d);
    }
    bool flag(const char* key) const {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (!v.isBool()) fail(key, "true or false");
        return v.toBool();
    }
    QString text(const char* key) const {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (!v.isString()) fail(key, "a string");
        return v.toString();
    }
    QJsonArray array(const char* key) const {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (!v.isArray()) fail(key, "an array");
        return v.toArray();
    }
    QJsonValue value(const char* key) const { return m_object.value(QLatin1String(key)); }
    // "where.key[i]", for the entries of an array field.
    std::string at(const char* key, int i) const {
        return m_where + "." + key + "[" + std::to_string(i) + "]";
    }
    const std::string& where() const { return m_where; }

private:
    [[noreturn]] void fail(const char* key, const char* expected) const {
        throw lora::InputError(m_where + "." + key + " must be " + expected);
    }
    QJsonObject m_object;
    std::string m_where;
};
