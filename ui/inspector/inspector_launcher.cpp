#include "inspector/inspector_launcher.h"

#include "inspector/inspector_window.h"
#include "io/lora_file_keys.h"
#include "io/safetensors_reader.h"

#include <QDir>
#include <QFileInfo>
#include <exception>

InspectorWindow* showInspector(QWidget* owner) {
    auto* window = owner->findChild<InspectorWindow*>(QString(), Qt::FindDirectChildrenOnly);
    if (!window) window = new InspectorWindow(owner);
    window->show();
    window->raise();
    window->activateWindow();
    return window;
}

bool isLoraFile(const QString& path) {
    const QFileInfo info(path);
    const bool folder = info.isDir();
    const QString weights = folder ? QDir(path).filePath("adapter_model.safetensors") : path;
    if (!QFileInfo(weights).isFile() || !weights.endsWith(".safetensors", Qt::CaseInsensitive))
        return false;
    try {
        const lora::SafetensorsReader reader(weights.toStdString());
        if (folder) {
            for (const auto& [key, value] : reader.metadata())
                if (key.starts_with("lora_explorer.")) return false; // ours: imported
            return QFileInfo(QDir(path).filePath("adapter_config.json")).isFile();
        }
        for (const lora::TensorEntry& t : reader.entries())
            if (lora::splitKey(t.name).part != lora::KeyPart::None) return true;
    } catch (const std::exception&) {
    }
    return false;
}
