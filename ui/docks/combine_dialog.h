#pragma once
// Combine… : pick two or more adapters, a method (linear, cat, svd), optional weights and
// an svd rank, and a name. Input the dialog can judge itself (too few adapters, weights
// that are not numbers or do not match the count) is refused in place; the rest goes to
// `apply`, whose message (empty on success) is shown in place too. OK closes the dialog
// only once `apply` succeeded. Given the adapters' weights (setInputs), the dialog measures
// before combining how far the result would be from Σ wᵢ·ΔWᵢ on each layer.
#include "docks/combine_gap_section.h"
#include "session/adapter_manager.h"

#include <QDialog>
#include <functional>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

class CombineDialog : public QDialog {
    Q_OBJECT
public:
    using Apply = std::function<QString(const CombineRequest&)>;
    explicit CombineDialog(const QStringList& names, Apply apply, QWidget* parent = nullptr);

    // The request the widgets describe; `error` gets why there is none.
    std::optional<CombineRequest> request(QString* error) const;
    QString errorText() const;

    void setChecked(const QStringList& names); // the rest unchecked
    void setMethod(lora::CombineMethod method);
    void setWeights(const QString& commaSeparated);
    void setSvdRank(int rank); // 0 = auto
    void setNewName(const QString& name);
    // The library's adapters by name and the base's architecture; measuring starts with them.
    void setInputs(CombineInputs inputs);
    CombineGapSection* gapSection() const { return m_gap; }

public slots:
    void tryAccept();

private:
    void showError(const QString& message);
    void updateEnabled();
    void updateGap();

    Apply m_apply;
    QListWidget* m_list;
    QComboBox* m_method;
    QLineEdit* m_weights;
    QSpinBox* m_svdRank;
    QLineEdit* m_name;
    QLabel* m_error;
    CombineGapSection* m_gap;
};
