#pragma once
// A painted confusion matrix: rows are true digits, columns predicted digits, each cell
// shows its count over a colour ramp so the few off-diagonal errors stand out.
#include <QWidget>
#include <vector>

class ConfusionWidget : public QWidget {
    Q_OBJECT
public:
    explicit ConfusionWidget(QWidget* parent = nullptr);

    // confusion[true][predicted] over class positions; digits names each position.
    void setMatrix(const std::vector<std::vector<int>>& confusion, const std::vector<int>& digits);
    void clear();

    int classCount() const { return static_cast<int>(m_digits.size()); }
    int count(int trueIndex, int predictedIndex) const {
        return m_confusion[trueIndex][predictedIndex];
    }
    // Fill colour for a count relative to the largest one (0…1): white to deep blue.
    static QColor rampColor(double fraction);

    QSize sizeHint() const override { return QSize(360, 360); }
    QSize minimumSizeHint() const override { return QSize(200, 200); }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    std::vector<std::vector<int>> m_confusion;
    std::vector<int> m_digits;
};
