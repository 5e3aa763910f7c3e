#pragma once
// Every module of an inspected file, a row each, sortable by any column: name, type, shape,
// rank, alpha, scale, ‖ΔW‖_F, effective rank, health, then the resize preview (r′, fro kept)
// and, after Compare…, the cosine of ΔW and φ against the second file.
#include "linalg/lora_inspection.h"
#include "linalg/resize_preview.h"

#include <QTableWidget>
#include <optional>
#include <vector>

class ModuleTable : public QTableWidget {
    Q_OBJECT
public:
    enum Column {
        Name,
        Type,
        Shape,
        Rank,
        Alpha,
        Scale,
        Norm,
        EffRank,
        Health,
        NewRank,
        FroKept,
        Cosine,
        Phi,
        ColumnCount
    };

    explicit ModuleTable(QWidget* parent = nullptr);

    void setReport(const lora::LoraReport& report);
    void setPreview(const lora::ResizePreview& preview);
    // Per module in the report's order; nullopt where the second file has no such module.
    struct Similarity {
        double cosine = 0, phi = 0;
    };
    void setComparison(const std::vector<std::optional<Similarity>>& values);
    void selectModule(int index); // the report's index
    int moduleAt(int row) const;  // the report's index of a (possibly sorted) row

signals:
    void moduleSelected(int index);
};
