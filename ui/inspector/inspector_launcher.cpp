#include "inspector/inspector_launcher.h"

#include "inspector/inspector_window.h"
#include "io/lora_file_keys.h"
#include "io/safetensors.h"

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
    if (!info.isFile() || info.suffix().compare("safetensors", Qt::CaseInsensitive) != 0)
        return false;
    bool lora = false;
    try {
        lora::readSafetensors(path.toStdString(), lora::kMaxSafetensorsBytes, {},
                              [&](const std::vector<lora::TensorIndex>& index) {
                                  for (const lora::TensorIndex& t : index)
                                      if (lora::splitKey(t.name).part != lora::KeyPart::None)
                                          lora = true;
                                  return std::vector<bool>(index.size(), false); // no data
                              });
    } catch (const std::exception&) {
        return false;
    }
    return lora;
}
