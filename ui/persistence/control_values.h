#pragma once
// The values of the input widgets in the panels (spin boxes, sliders, combo boxes, check
// boxes, line edits), keyed by the objectName path below a root widget such as
// "sweepPanel/ranksEdit". A session stores them so that the panels come back as they were
// set; widgets without an objectName are not part of the state.
#include <QJsonObject>

class QWidget;

QJsonObject captureControls(const QWidget* root);
// Throws lora::InputError naming the first value whose type does not fit its widget
// ("controls.sweepPanel/ranksEdit must be a string"). Keys no widget has are ignored (a
// newer version's panels), as are combo box items this build does not offer.
void checkControls(const QWidget* root, const QJsonObject& values);
// Sets every value that fits (call checkControls first); each widget emits its own signals.
void restoreControls(QWidget* root, const QJsonObject& values);
