#pragma once
// The Combine… dialog's measured gap: for the adapters, method and weights chosen so far,
// how far the combined ΔW would be from Σ wᵢ·ΔWᵢ on each layer (lora::combineGaps), as a
// bar per layer and one line of figures. Measured off the GUI thread on copies of the
// adapters, so a library that changes meanwhile does not matter; a newer request
// supersedes an older one.
#include "nn/combine_gap.h"
#include "session/adapter_manager.h"

#include <QWidget>
#include <QtGlobal>
#include <map>
#include <memory>
#include <string>
#include <vector>

class QBarCategoryAxis;
class QBarSet;
class QLabel;
class QValueAxis;
class ChartView;
template <typename T> class QFutureWatcher;

// What the dialog measures on: the base's architecture and each adapter's weights by name.
struct CombineInputs {
    std::string architecture;
    std::map<QString, lora::AdapterWeights> adapters;
};

class CombineGapSection : public QWidget {
    Q_OBJECT
public:
    explicit CombineGapSection(QWidget* parent = nullptr);

    void setInputs(CombineInputs inputs);
    bool hasInputs() const { return !m_inputs.architecture.empty(); }
    // A valid request starts a measurement; none (why: `reason`) clears the view.
    void measure(const CombineRequest& request);
    void clear(const QString& reason);

    bool isMeasuring() const { return m_pending != 0; }
    const std::vector<lora::CombineGap>& gaps() const { return m_gaps; }
    QString text() const;

signals:
    void measured();

private:
    struct Result;
    void onMeasured();

    QLabel* m_label = nullptr;
    ChartView* m_view = nullptr;
    QBarSet* m_bars = nullptr;
    QBarCategoryAxis* m_layerAxis = nullptr;
    QValueAxis* m_gapAxis = nullptr;
    QFutureWatcher<std::shared_ptr<Result>>* m_watcher = nullptr;
    CombineInputs m_inputs;
    std::vector<lora::CombineGap> m_gaps;
    quint64 m_generation = 0, m_pending = 0;
};
