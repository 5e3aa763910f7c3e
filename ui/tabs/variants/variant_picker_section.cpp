#include "tabs/variants/variant_picker_section.h"

#include "tabs/variants/variant_runs_section.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QLabel>

namespace {

const char* const kInits[] = {"kaiming", "gaussian", "pissa"};

} // namespace

VariantPickerSection::VariantPickerSection(QWidget* parent)
    : QGroupBox(tr("Variants (init × scaling)"), parent) {
    // A grid of init × scaling rule: each checkbox is exactly one trained variant.
    auto* grid = new QGridLayout(this);
    grid->addWidget(new QLabel(tr("α/r"), this), 0, 1, Qt::AlignCenter);
    grid->addWidget(new QLabel(tr("α/√r (rsLoRA)"), this), 0, 2, Qt::AlignCenter);
    const QString initLabels[] = {tr("Kaiming-uniform A (PEFT)"), tr("Gaussian A"),
                                  tr("PiSSA (top-r SVD of W)")};
    for (int row = 0; row < 3; ++row) {
        grid->addWidget(new QLabel(initLabels[row], this), row + 1, 0);
        for (int col = 0; col < 2; ++col) {
            const QString name = QLatin1String(kInits[row]) + (col ? "+rslora" : "");
            auto* box = new QCheckBox(this);
            box->setObjectName(QStringLiteral("check_") + name);
            box->setToolTip(VariantRunsSection::label(name));
            box->setChecked(col == 0 || row == 0); // the three inits, and Kaiming with rsLoRA
            grid->addWidget(box, row + 1, col + 1, Qt::AlignCenter);
            m_checks.insert(name, box);
        }
    }
}

QStringList VariantPickerSection::selectedVariants() const {
    QStringList names;
    for (const char* init : kInits)
        for (const QString& suffix : {QString(), QStringLiteral("+rslora")})
            if (m_checks.value(QLatin1String(init) + suffix)->isChecked())
                names << QLatin1String(init) + suffix;
    return names;
}

void VariantPickerSection::setSelectedVariants(const QStringList& names) {
    for (auto it = m_checks.begin(); it != m_checks.end(); ++it)
        it.value()->setChecked(names.contains(it.key()));
}
