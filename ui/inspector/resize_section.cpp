#include "inspector/resize_section.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>

namespace {
// sv-ratio keeps σ > σ₁/value: 2…100 covers kohya's usual settings (its examples use 2–10).
constexpr int kRatioMin = 2, kRatioMax = 100, kRatioStart = 10;
// sv-fro in hundredths: 0.50…1.00.
constexpr int kFroMin = 50, kFroMax = 100, kFroStart = 95;
} // namespace

ResizeSection::ResizeSection(QWidget* parent) : QWidget(parent) {
    m_method = new QComboBox;
    m_method->addItem(tr("rank"), int(lora::ResizeMethod::Rank));
    m_method->addItem(tr("sv-ratio"), int(lora::ResizeMethod::SvRatio));
    m_method->addItem(tr("sv-fro"), int(lora::ResizeMethod::SvFro));
    m_method->setToolTip(tr("rank: keep r′ directions; sv-ratio X: keep σ > σ₁/X; "
                            "sv-fro F: the fewest directions holding F of ‖ΔW‖_F"));
    m_slider = new QSlider(Qt::Horizontal);
    m_slider->setMinimumWidth(160);
    m_value = new QLabel;
    m_value->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("sv-ratio 100")));
    m_summary = new QLabel;
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_export = new QPushButton(tr("Export…"));
    m_export->setToolTip(tr("Write the file resized by this rule (same format)"));

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Resize preview:")));
    layout->addWidget(m_method);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_value);
    layout->addWidget(m_summary, 2);
    layout->addWidget(m_export);

    connect(m_method, &QComboBox::currentIndexChanged, this, &ResizeSection::methodChanged);
    connect(m_slider, &QSlider::valueChanged, this, [this] {
        updateValueText();
        emit ruleChanged();
    });
    methodChanged();
}

void ResizeSection::setMaxRank(int rank) {
    m_maxRank = std::max(1, rank);
    if (rule().method == lora::ResizeMethod::Rank) {
        const QSignalBlocker block(m_slider);
        m_slider->setRange(1, m_maxRank);
        m_slider->setValue(m_maxRank);
        updateValueText();
    }
}

void ResizeSection::methodChanged() {
    {
        const QSignalBlocker block(m_slider);
        switch (rule().method) {
        case lora::ResizeMethod::SvRatio:
            m_slider->setRange(kRatioMin, kRatioMax);
            m_slider->setValue(kRatioStart);
            break;
        case lora::ResizeMethod::SvFro:
            m_slider->setRange(kFroMin, kFroMax);
            m_slider->setValue(kFroStart);
            break;
        default:
            m_slider->setRange(1, m_maxRank);
            m_slider->setValue(m_maxRank);
        }
    }
    updateValueText();
    emit ruleChanged();
}

lora::ResizeRule ResizeSection::rule() const {
    lora::ResizeRule r;
    r.method = lora::ResizeMethod(m_method->currentData().toInt());
    r.value = r.method == lora::ResizeMethod::SvFro ? m_slider->value() / 100.0
                                                    : double(m_slider->value());
    return r;
}

void ResizeSection::updateValueText() {
    const lora::ResizeRule r = rule();
    m_value->setText(
        r.method == lora::ResizeMethod::SvFro
            ? QStringLiteral("%1 %2").arg(m_method->currentText()).arg(r.value, 0, 'f', 2)
            : QStringLiteral("%1 %2").arg(m_method->currentText()).arg(r.value));
}

void ResizeSection::setSummary(const QString& text) {
    m_summary->setText(text);
}
