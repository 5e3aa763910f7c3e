#pragma once
// How the main window reaches the Adapter inspector without knowing its insides: one
// inspector window per main window, created on first use, and the test that tells a dropped
// LoRA file (inspected) from a model file (loaded as the base).
#include <QString>

class InspectorWindow;
class QWidget;

// The owner's inspector, created on first use, shown and raised.
InspectorWindow* showInspector(QWidget* owner);

// A .safetensors file whose tensor names carry a LoRA / LoHa / LoKr suffix (io/lora_file_keys.h).
// Reads the header only; false for anything unreadable.
bool isLoraFile(const QString& path);
