#pragma once
// The LoRA variants to compare as a grid: rows are initialisations (Kaiming-uniform A as in
// PEFT, Gaussian A, PiSSA), columns the scaling rule (α/r, rsLoRA's α/√r). Each checkbox is
// exactly one trained variant, so "PiSSA with rsLoRA" is one click and never ambiguous.
#include <QGroupBox>
#include <QMap>
#include <QStringList>

class QCheckBox;

class VariantPickerSection : public QGroupBox {
    Q_OBJECT
public:
    explicit VariantPickerSection(QWidget* parent = nullptr);

    // Checked variants as compareVariants names them, in grid order: "kaiming", "pissa+rslora"…
    QStringList selectedVariants() const;
    void setSelectedVariants(const QStringList& names); // unknown names are ignored

private:
    QMap<QString, QCheckBox*> m_checks; // by variant name; objectName "check_<name>"
};
