#include "tabs/predictions/wrong_counts_chart.h"

#include "widgets/chart_view.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

namespace {

std::vector<int> valuesOf(const QBarSet* set) {
    std::vector<int> out;
    for (int i = 0; i < set->count(); ++i) out.push_back(static_cast<int>(set->at(i)));
    return out;
}

} // namespace

WrongCountsChart::WrongCountsChart(QWidget* parent) : QWidget(parent) {
    m_before = new QBarSet(tr("before: base"));
    m_before->setColor(QColor(0xb0, 0xb0, 0xb0));
    m_after = new QBarSet(tr("after"));
    m_after->setColor(QColor(0x1f, 0x77, 0xb4));
    auto* series = new QBarSeries;
    series->append(m_before);
    series->append(m_after);
    auto* chart = new QChart;
    chart->addSeries(series);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    m_digitAxis = new QBarCategoryAxis;
    m_countAxis = new QValueAxis;
    m_countAxis->setTitleText(tr("wrong"));
    m_countAxis->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(m_digitAxis, Qt::AlignBottom);
    chart->addAxis(m_countAxis, Qt::AlignLeft);
    series->attachAxis(m_digitAxis);
    series->attachAxis(m_countAxis);
    m_view = new ChartView(chart, this);
    m_view->setObjectName("wrongCountsView");
    m_view->setMinimumHeight(240);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    clear();
}

void WrongCountsChart::setCounts(const std::vector<int>& digits, const std::vector<int>& before,
                                 const std::vector<int>& after, const QString& afterLabel) {
    QStringList categories;
    for (int d : digits) categories << QString::number(d);
    m_digitAxis->clear();
    m_digitAxis->append(categories);
    m_before->remove(0, m_before->count());
    m_after->remove(0, m_after->count());
    for (int v : before) m_before->append(v);
    for (int v : after) m_after->append(v);
    m_after->setLabel(tr("after: %1").arg(afterLabel));
    int top = 1;
    for (int v : before) top = std::max(top, v);
    for (int v : after) top = std::max(top, v);
    m_countAxis->setRange(0, top + std::max(1, top / 10));
    m_countAxis->applyNiceNumbers();

    const auto worst = std::max_element(before.begin(), before.end());
    m_weakestDigit = worst != before.end() && *worst > 0 && digits.size() == before.size()
                         ? digits[worst - before.begin()]
                         : -1;
    m_view->chart()->setTitle(title());
}

void WrongCountsChart::clear() {
    m_digitAxis->clear();
    m_before->remove(0, m_before->count());
    m_after->remove(0, m_after->count());
    m_countAxis->setRange(0, 1);
    m_weakestDigit = -1;
    m_view->chart()->setTitle(title());
}

std::vector<int> WrongCountsChart::before() const {
    return valuesOf(m_before);
}

std::vector<int> WrongCountsChart::after() const {
    return valuesOf(m_after);
}

QString WrongCountsChart::title() const {
    if (m_before->count() == 0) return tr("Wrong per true digit");
    if (m_weakestDigit < 0) return tr("Wrong per true digit · the base makes no mistake");
    const std::vector<int> b = before();
    return tr("Wrong per true digit · base's weakest: %1 (%2)")
        .arg(m_weakestDigit)
        .arg(*std::max_element(b.begin(), b.end()));
}
