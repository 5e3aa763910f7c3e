#pragma once
// Wrong predictions per digit on the whole test split, before (the base) and after (the
// model shown) side by side — seed 001's "fix the weakest digit" read off one picture
// instead of a confusion row. The base's weakest digit is named in the title.
#include <QString>
#include <QWidget>
#include <vector>

class QBarCategoryAxis;
class QBarSet;
class QValueAxis;
class ChartView;

class WrongCountsChart : public QWidget {
    Q_OBJECT
public:
    explicit WrongCountsChart(QWidget* parent = nullptr);

    // digits: [k] real digits; before/after: [k] wrong counts (after may be empty: base only).
    void setCounts(const std::vector<int>& digits, const std::vector<int>& before,
                   const std::vector<int>& after, const QString& afterLabel);
    void clear();

    std::vector<int> before() const;
    std::vector<int> after() const;
    int weakestDigit() const { return m_weakestDigit; } // of `before`; -1 when none
    QString title() const;

private:
    ChartView* m_view = nullptr;
    QBarSet* m_before = nullptr;
    QBarSet* m_after = nullptr;
    QBarCategoryAxis* m_digitAxis = nullptr;
    QValueAxis* m_countAxis = nullptr;
    int m_weakestDigit = -1;
};
