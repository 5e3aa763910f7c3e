#include "persistence/control_values.h"

#include "util/error.h"

#include <QAbstractButton>
#include <QAbstractSlider>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QMap>
#include <QSpinBox>
#include <QStringList>
#include <QWidget>

namespace {

// objectName path from `root` (excluded) down to `w`; empty when `w` itself has no name.
QString pathOf(const QWidget* root, const QObject* w) {
    if (w->objectName().isEmpty()) return {};
    QStringList parts;
    for (const QObject* o = w; o && o != root; o = o->parent())
        if (!o->objectName().isEmpty() && !o->objectName().startsWith(QLatin1String("qt_")))
            parts.prepend(o->objectName());
    return parts.join(QLatin1Char('/'));
}

// The stateful inputs under `root` by path. Push buttons are actions, not state; a check
// box or radio button is. The combo box's own line edit belongs to the combo box.
QMap<QString, QWidget*> controlsUnder(const QWidget* root) {
    QMap<QString, QWidget*> out;
    for (QWidget* w : root->findChildren<QWidget*>()) {
        const bool input =
            qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QAbstractSlider*>(w) ||
            qobject_cast<QComboBox*>(w) ||
            (qobject_cast<QLineEdit*>(w) && !qobject_cast<QAbstractSpinBox*>(w->parent()) &&
             !qobject_cast<QComboBox*>(w->parent())) ||
            (qobject_cast<QAbstractButton*>(w) && static_cast<QAbstractButton*>(w)->isCheckable());
        const QString path = input ? pathOf(root, w) : QString();
        if (!path.isEmpty() && !out.contains(path)) out.insert(path, w);
    }
    return out;
}

QJsonValue valueOf(QWidget* w) {
    if (auto* s = qobject_cast<QSpinBox*>(w)) return s->value();
    if (auto* d = qobject_cast<QDoubleSpinBox*>(w)) return d->value();
    if (auto* s = qobject_cast<QAbstractSlider*>(w)) return s->value();
    if (auto* c = qobject_cast<QComboBox*>(w)) return c->currentText();
    if (auto* e = qobject_cast<QLineEdit*>(w)) return e->text();
    if (auto* b = qobject_cast<QAbstractButton*>(w)) return b->isChecked();
    return {};
}

// What a widget accepts, for the message; nullptr when `v` fits.
const char* mismatch(QWidget* w, const QJsonValue& v) {
    if (qobject_cast<QSpinBox*>(w) || qobject_cast<QAbstractSlider*>(w))
        return v.isDouble() && v.toDouble() == static_cast<double>(v.toInt()) ? nullptr
                                                                              : "a whole number";
    if (qobject_cast<QDoubleSpinBox*>(w)) return v.isDouble() ? nullptr : "a number";
    if (qobject_cast<QComboBox*>(w) || qobject_cast<QLineEdit*>(w))
        return v.isString() ? nullptr : "a string";
    if (qobject_cast<QAbstractButton*>(w)) return v.isBool() ? nullptr : "true or false";
    return "nothing";
}

} // namespace

QJsonObject captureControls(const QWidget* root) {
    QJsonObject out;
    const auto controls = controlsUnder(root);
    for (auto it = controls.begin(); it != controls.end(); ++it) out[it.key()] = valueOf(*it);
    return out;
}

void checkControls(const QWidget* root, const QJsonObject& values) {
    const auto controls = controlsUnder(root);
    for (auto it = values.begin(); it != values.end(); ++it) {
        QWidget* w = controls.value(it.key());
        if (!w) continue;
        if (const char* expected = mismatch(w, *it))
            throw lora::InputError("controls." + it.key().toStdString() + " must be " + expected);
    }
}

void restoreControls(QWidget* root, const QJsonObject& values) {
    const auto controls = controlsUnder(root);
    for (auto it = values.begin(); it != values.end(); ++it) {
        QWidget* w = controls.value(it.key());
        if (!w || mismatch(w, *it)) continue;
        // Out-of-range numbers are clamped by the widgets, as typing them would be.
        if (auto* s = qobject_cast<QSpinBox*>(w))
            s->setValue(it->toInt());
        else if (auto* d = qobject_cast<QDoubleSpinBox*>(w))
            d->setValue(it->toDouble());
        else if (auto* s = qobject_cast<QAbstractSlider*>(w))
            s->setValue(it->toInt());
        else if (auto* c = qobject_cast<QComboBox*>(w)) {
            const int index = c->findText(it->toString());
            if (index >= 0) c->setCurrentIndex(index);
        } else if (auto* e = qobject_cast<QLineEdit*>(w))
            e->setText(it->toString());
        else if (auto* b = qobject_cast<QAbstractButton*>(w))
            b->setChecked(it->toBool());
    }
}
