#pragma once
// An inspected file's metadata: every key with its value, and kohya's ss_tag_frequency
// ({dataset: {tag: count}}) as horizontal bars of the most frequent tags over all datasets.
#include <QWidget>
#include <map>
#include <string>
#include <utility>
#include <vector>

class ChartView;
class QTableWidget;

class MetadataSection : public QWidget {
    Q_OBJECT
public:
    explicit MetadataSection(QWidget* parent = nullptr);

    void setMetadata(const std::map<std::string, std::string>& metadata);
    QTableWidget* table() const { return m_table; }
    ChartView* tagChart() const { return m_tags; }

    // The `limit` most frequent tags of an ss_tag_frequency value, counts summed over its
    // datasets, most frequent first (ties by name). Empty for text that is not that JSON.
    static std::vector<std::pair<std::string, double>> topTags(const std::string& json,
                                                               std::size_t limit);

private:
    QTableWidget* m_table = nullptr;
    ChartView* m_tags = nullptr;
};
