#pragma once
// How the main window reaches the Adapter inspector without knowing its insides: one
// inspector window per main window, created on first use, and the test that tells a dropped
// LoRA file or folder (inspected) from a model file (loaded as the base) and from one of the
// explorer's own adapter folders (imported into the Adapters dock).
#include <QString>

class InspectorWindow;
class QWidget;

// The owner's inspector, created on first use, shown and raised.
InspectorWindow* showInspector(QWidget* owner);

// A .safetensors file whose tensor names carry a LoRA / LoHa / LoKr suffix (io/lora_file_keys.h),
// or a PEFT folder whose adapter_model.safetensors the explorer did not write (no
// lora_explorer.* metadata: an adapter of another model, which could not be imported).
// Reads headers only; false for anything unreadable.
bool isLoraFile(const QString& path);
