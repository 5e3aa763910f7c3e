#pragma once
// The inspector's resize controls: a method (a fixed rank, kohya's sv-ratio or sv-fro) and a
// slider for its value, with a line for what the preview gives (file size, % of original)
// and Export… beside it.
#include "linalg/lora_resize.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSlider;

class ResizeSection : public QWidget {
    Q_OBJECT
public:
    explicit ResizeSection(QWidget* parent = nullptr);

    void setMaxRank(int rank); // the largest rank in the file: the Rank slider's end
    lora::ResizeRule rule() const;
    void setSummary(const QString& text);

    QComboBox* methodCombo() const { return m_method; }
    QSlider* slider() const { return m_slider; }
    QLabel* summary() const { return m_summary; }
    QPushButton* exportButton() const { return m_export; }

signals:
    void ruleChanged();

private:
    void methodChanged();
    void updateValueText();

    QComboBox* m_method = nullptr;
    QSlider* m_slider = nullptr;
    QLabel* m_value = nullptr;
    QLabel* m_summary = nullptr;
    QPushButton* m_export = nullptr;
    int m_maxRank = 1;
};
