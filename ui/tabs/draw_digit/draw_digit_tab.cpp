#include "tabs/draw_digit/draw_digit_tab.h"

#include "data/digit_canvas.h"
#include "widgets/digit_canvas_widget.h"

#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

constexpr int kPreviewScale = 5; // 28 × 5 = 140 px: each field pixel visible as a block
const char* const kSlotNames[] = {"base", "lora", "merged"};

} // namespace

DrawDigitTab::DrawDigitTab(QWidget* parent) : QWidget(parent) {
    m_field = lora::Matrix::Zero(lora::kMnistSide, lora::kMnistSide);
    m_canvas = new DigitCanvasWidget(this);
    m_canvas->setObjectName(QStringLiteral("canvas"));
    m_clearButton = new QPushButton(tr("Clear"), this);
    m_clearButton->setObjectName(QStringLiteral("clearButton"));
    m_preview = new QLabel(this);
    m_preview->setObjectName(QStringLiteral("previewLabel"));
    m_preview->setFixedSize(lora::kMnistSide * kPreviewScale, lora::kMnistSide * kPreviewScale);
    m_preview->setToolTip(tr("The 28×28 input: the ink's box scaled into 20×20, centred by mass"));
    // ≤ 60 Hz: a burst of move events costs one forward per frame, not one per event.
    m_throttle = new QTimer(this);
    m_throttle->setSingleShot(true);
    m_throttle->setInterval(16);

    const QString titles[] = {tr("Base"), tr("Base + LoRA"), tr("Merged (W + s·BA)")};
    auto* models = new QVBoxLayout;
    for (int s = 0; s < SlotCount; ++s) {
        m_groups[s] = new QGroupBox(titles[s], this);
        m_groups[s]->setObjectName(QStringLiteral("group_%1").arg(kSlotNames[s]));
        m_placeholders[s] = new QLabel(m_groups[s]); // its text is set by rebuildBars
        m_placeholders[s]->setEnabled(false);
        auto* grid = new QGridLayout(m_groups[s]);
        grid->addWidget(m_placeholders[s], 0, 0, 1, 2);
        models->addWidget(m_groups[s]);
        rebuildBars(Slot(s));
    }
    models->addStretch(1);

    auto* left = new QVBoxLayout;
    left->addWidget(m_canvas);
    left->addWidget(m_clearButton, 0, Qt::AlignLeft);
    left->addStretch(1);
    auto* middle = new QVBoxLayout;
    auto* caption = new QLabel(tr("What the network sees (28×28):"), this);
    caption->setWordWrap(true);
    middle->addWidget(caption);
    middle->addWidget(m_preview);
    middle->addStretch(1);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left);
    layout->addLayout(middle);
    layout->addLayout(models, 1);

    connect(m_clearButton, &QPushButton::clicked, this, &DrawDigitTab::clear);
    connect(m_canvas, &DigitCanvasWidget::inkChanged, this, &DrawDigitTab::scheduleRefresh);
    connect(m_throttle, &QTimer::timeout, this, &DrawDigitTab::refresh);
    showPreview();
}

int DrawDigitTab::prediction(Slot slot) const {
    const std::vector<float>& p = m_probabilities[slot];
    return p.empty() ? -1 : int(std::max_element(p.begin(), p.end()) - p.begin());
}

// Models are only shared here; the copies a forward needs are made when a digit is first
// drawn for them, so a new model (RichBoyNet: ~150 ms per copy) never stalls the window.
void DrawDigitTab::setBase(ModelPtr base) {
    m_sources[Base] = std::move(base);
    m_models[Base].reset();
    rebuildBars(Base);
    scheduleRefresh();
}

void DrawDigitTab::setLoraModel(ModelPtr lora) {
    m_sources[Lora] = m_sources[Merged] = std::move(lora);
    m_models[Lora].reset();
    m_models[Merged].reset();
    rebuildBars(Lora);
    rebuildBars(Merged);
    scheduleRefresh();
}

void DrawDigitTab::setClasses(const std::vector<int>& baseClasses,
                              const std::vector<int>& loraClasses) {
    m_classes = {baseClasses, loraClasses, loraClasses};
    for (int s = 0; s < SlotCount; ++s) rebuildBars(Slot(s));
    scheduleRefresh();
}

void DrawDigitTab::clear() {
    m_canvas->clear();
}

void DrawDigitTab::scheduleRefresh() {
    m_dirty = true;
    if (!m_throttle->isActive()) m_throttle->start();
}

lora::Mlp* DrawDigitTab::model(Slot slot) {
    if (!m_sources[slot]) return nullptr;
    if (!m_models[slot]) {
        lora::Mlp& m = m_models[slot].emplace(*m_sources[slot]);
        if (slot == Base) m.detachLora(); // "base" means without any adapter
        m.setLoraEnabled(true);
        if (slot == Merged) m.mergeLora(); // W + s·BA in place (merged ones stay merged)
    }
    return &*m_models[slot];
}

void DrawDigitTab::refresh() {
    if (!m_dirty) return; // nothing changed since the last forward
    m_dirty = false;
    m_throttle->stop();
    m_field = m_canvas->isBlank() ? lora::Matrix::Zero(lora::kMnistSide, lora::kMnistSide)
                                  : lora::mnistFieldFromCanvas(m_canvas->ink());
    showPreview();
    const lora::Matrix row = lora::normalisedRow(m_field);
    for (int s = 0; s < SlotCount; ++s) {
        std::vector<float>& p = m_probabilities[s];
        p.clear();
        lora::Mlp* net = m_canvas->isBlank() ? nullptr : model(Slot(s));
        if (!net) {
            for (QProgressBar* bar : m_bars[s]) bar->setValue(0), bar->setFormat(QString());
            continue;
        }
        // Softmax in double, shifted by the largest logit so exp cannot overflow.
        const lora::Matrix logits = net->forward(row);
        const double top = logits.maxCoeff();
        double sum = 0;
        for (int k = 0; k < logits.cols(); ++k) sum += std::exp(double(logits(0, k)) - top);
        for (int k = 0; k < logits.cols(); ++k)
            p.push_back(float(std::exp(double(logits(0, k)) - top) / sum));
        const int best = prediction(Slot(s));
        for (std::size_t k = 0; k < p.size() && k < m_bars[s].size(); ++k) {
            m_bars[s][k]->setValue(int(std::lround(p[k] * 1000)));
            m_bars[s][k]->setFormat(QStringLiteral("%1 %").arg(100.0 * p[k], 0, 'f', 1));
            QFont font = m_bars[s][k]->font();
            font.setBold(int(k) == best);
            m_bars[s][k]->setFont(font);
        }
    }
    ++m_updates;
    emit predictionsUpdated();
}

void DrawDigitTab::rebuildBars(Slot slot) {
    auto* grid = static_cast<QGridLayout*>(m_groups[slot]->layout());
    for (QProgressBar* bar : m_bars[slot]) delete bar; // a deleted widget leaves its layout
    m_bars[slot].clear();
    for (QLabel* label : m_groups[slot]->findChildren<QLabel*>(QStringLiteral("classLabel")))
        delete label;
    m_placeholders[slot]->setText(slot == Base ? tr("no base model yet")
                                               : tr("train a LoRA adapter to see it here"));
    // A model that does not take 784 inputs cannot read the canvas: say so in its box.
    if (m_sources[slot] && m_sources[slot]->inputs() != lora::kMnistSide * lora::kMnistSide) {
        const QString message = tr("%1 takes %2 inputs, not 28×28 = 784")
                                    .arg(m_groups[slot]->title())
                                    .arg(m_sources[slot]->inputs());
        m_sources[slot].reset();
        m_placeholders[slot]->setText(message);
        emit errorOccurred(message);
    }
    const bool have = m_sources[slot] != nullptr;
    m_placeholders[slot]->setVisible(!have);
    if (!have) return;
    const int outputs = m_sources[slot]->outputs();
    // Output k is class classes[k] when the list fits the model, else just its index.
    const std::vector<int>& classes = m_classes[slot];
    const bool named = int(classes.size()) == outputs;
    for (int k = 0; k < outputs; ++k) {
        auto* label =
            new QLabel(named ? QString::number(classes[k]) : QString::number(k), m_groups[slot]);
        label->setObjectName(QStringLiteral("classLabel"));
        auto* bar = new QProgressBar(m_groups[slot]);
        bar->setObjectName(QStringLiteral("bar_%1_%2").arg(kSlotNames[slot]).arg(k));
        bar->setRange(0, 1000);
        bar->setValue(0);
        bar->setFormat(QString());
        bar->setTextVisible(true);
        grid->addWidget(label, k + 1, 0);
        grid->addWidget(bar, k + 1, 1);
        m_bars[slot].push_back(bar);
    }
    m_dirty = true;
}

void DrawDigitTab::showPreview() {
    QImage image(lora::kMnistSide, lora::kMnistSide, QImage::Format_Grayscale8);
    for (int i = 0; i < lora::kMnistSide; ++i)
        for (int j = 0; j < lora::kMnistSide; ++j)
            image.scanLine(i)[j] =
                uchar(std::clamp(int(std::lround(m_field(i, j) * 255.0f)), 0, 255));
    m_preview->setPixmap(QPixmap::fromImage(
        image.scaled(m_preview->size(), Qt::IgnoreAspectRatio, Qt::FastTransformation)));
}
