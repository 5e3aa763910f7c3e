#include "inspector/metadata_section.h"

#include "widgets/chart_view.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QTableWidget>
#include <QValueAxis>
#include <algorithm>
#include <nlohmann/json.hpp>

namespace {
constexpr std::size_t kTopTags = 20;
constexpr int kValueChars = 300; // long JSON values: the tooltip holds the whole text
} // namespace

MetadataSection::MetadataSection(QWidget* parent) : QWidget(parent) {
    m_table = new QTableWidget(0, 2);
    m_table->setHorizontalHeaderLabels({tr("key"), tr("value")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);

    auto* chart = new QChart;
    chart->setTitle(tr("training tags (ss_tag_frequency)"));
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    m_tags = new ChartView(chart);
    m_tags->setMinimumSize(260, 200);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 3);
    layout->addWidget(m_tags, 2);
}

std::vector<std::pair<std::string, double>> MetadataSection::topTags(const std::string& json,
                                                                     std::size_t limit) {
    const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
    if (!j.is_object()) return {};
    std::map<std::string, double> sums;
    for (const auto& [dataset, tags] : j.items()) {
        if (!tags.is_object()) continue;
        for (const auto& [tag, count] : tags.items())
            if (count.is_number()) sums[tag] += count.get<double>();
    }
    std::vector<std::pair<std::string, double>> out(sums.begin(), sums.end());
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (out.size() > limit) out.resize(limit);
    return out;
}

void MetadataSection::setMetadata(const std::map<std::string, std::string>& metadata) {
    m_table->setRowCount(int(metadata.size()));
    int row = 0;
    for (const auto& [key, value] : metadata) {
        const QString text = QString::fromStdString(value);
        m_table->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(key)));
        auto* item = new QTableWidgetItem(
            text.size() > kValueChars ? text.left(kValueChars) + QStringLiteral("…") : text);
        item->setToolTip(text.left(4000));
        m_table->setItem(row++, 1, item);
    }
    m_table->resizeColumnToContents(0);

    QChart* chart = m_tags->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
    const auto it = metadata.find("ss_tag_frequency");
    const auto tags =
        it == metadata.end() ? decltype(topTags("", 0)){} : topTags(it->second, kTopTags);
    m_tags->setVisible(!tags.empty());
    if (tags.empty()) return;
    auto* set = new QBarSet(tr("count"));
    QStringList names;
    double most = 0;
    // Bottom to top in a horizontal bar chart: the most frequent tag goes last, on top.
    for (auto t = tags.rbegin(); t != tags.rend(); ++t) {
        *set << t->second;
        names << QString::fromStdString(t->first);
        most = std::max(most, t->second);
    }
    auto* series = new QHorizontalBarSeries;
    series->append(set);
    chart->addSeries(series);
    auto* categories = new QBarCategoryAxis;
    categories->append(names);
    auto* counts = new QValueAxis;
    counts->setRange(0, most * 1.05);
    counts->setLabelFormat("%.0f");
    chart->addAxis(categories, Qt::AlignLeft);
    chart->addAxis(counts, Qt::AlignBottom);
    series->attachAxis(categories);
    series->attachAxis(counts);
}
