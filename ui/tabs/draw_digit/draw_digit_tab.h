#pragma once
// "Draw a digit": a canvas, the 28×28 field the network really sees (the core's MNIST-like
// cropping, scaling and centring), and live class probabilities for up to three models —
// the base, base + LoRA and the merged model — updated while drawing, at most 60 times a
// second and only when the ink or a model changed. A forward of these MLPs takes micro- to
// milliseconds, so it runs on the GUI thread.
#include "session/run_types.h"

#include <QWidget>
#include <array>
#include <optional>
#include <vector>

class QGroupBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;
class DigitCanvasWidget;

class DrawDigitTab : public QWidget {
    Q_OBJECT
public:
    enum Slot { Base, Lora, Merged, SlotCount };

    explicit DrawDigitTab(QWidget* parent = nullptr);

    DigitCanvasWidget* canvas() const { return m_canvas; }
    const lora::Matrix& field() const { return m_field; } // [28, 28] in [0, 1]
    // Softmax of the slot's logits for the current field; empty without a model or ink.
    const std::vector<float>& probabilities(Slot slot) const { return m_probabilities[slot]; }
    int prediction(Slot slot) const;              // the most likely class's position, -1 when none
    int updateCount() const { return m_updates; } // forwards run so far (throttling checks)

public slots:
    void setBase(ModelPtr base);
    // Base + adapter (enabled); the merged model is derived from it (W + s·BA in place).
    void setLoraModel(ModelPtr lora);
    // Labels of the outputs: the base's (seed 000: {3, 4}) and those of base + LoRA and merged
    // ({7, 8}); the same head means different digits before and after the adapter.
    void setClasses(const std::vector<int>& baseClasses, const std::vector<int>& loraClasses);
    void setClasses(const std::vector<int>& classes) { setClasses(classes, classes); }
    void clear();
    void refresh(); // recomputes now if anything changed since the last update

signals:
    void predictionsUpdated();
    void errorOccurred(const QString& message); // a model that cannot read a 28×28 digit

private:
    void scheduleRefresh();
    void rebuildBars(Slot slot);
    void showPreview();

    DigitCanvasWidget* m_canvas = nullptr;
    QPushButton* m_clearButton = nullptr;
    QLabel* m_preview = nullptr;
    QTimer* m_throttle = nullptr;
    std::array<QGroupBox*, SlotCount> m_groups{};
    std::array<QLabel*, SlotCount> m_placeholders{};
    std::array<std::vector<QProgressBar*>, SlotCount> m_bars;
    std::array<ModelPtr, SlotCount> m_sources;                // as given (Merged = Lora's)
    std::array<std::optional<lora::Mlp>, SlotCount> m_models; // own copies: forward mutates
    lora::Mlp* model(Slot slot); // the slot's copy, made on first use; null without a model
    std::array<std::vector<float>, SlotCount> m_probabilities;
    std::array<std::vector<int>, SlotCount> m_classes{{{3, 4}, {7, 8}, {7, 8}}};
    lora::Matrix m_field;
    bool m_dirty = false;
    int m_updates = 0;
};
