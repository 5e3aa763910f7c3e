#include "docks/combine_dialog.h"

#include "nn/lora_linear.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>
#include <utility>

CombineDialog::CombineDialog(const QStringList& names, Apply apply, QWidget* parent)
    : QDialog(parent), m_apply(std::move(apply)), m_list(new QListWidget), m_method(new QComboBox),
      m_weights(new QLineEdit), m_svdRank(new QSpinBox), m_name(new QLineEdit), m_error(new QLabel),
      m_gap(new CombineGapSection) {
    setWindowTitle(tr("Combine adapters"));
    setObjectName("combineDialog");
    m_list->setObjectName("combineList");
    for (const QString& name : names) {
        auto* item = new QListWidgetItem(name, m_list);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
    }
    m_method->setObjectName("methodCombo");
    // PEFT's add_weighted_adapter names, in the order people reach for them.
    m_method->addItem(tr("cat — rank Σ rᵢ, exact sum"), static_cast<int>(lora::CombineMethod::Cat));
    m_method->addItem(tr("linear — same rank, mixed factors"),
                      static_cast<int>(lora::CombineMethod::Linear));
    m_method->addItem(tr("svd — sum truncated to a rank"),
                      static_cast<int>(lora::CombineMethod::Svd));
    m_weights->setObjectName("weightsEdit");
    m_weights->setPlaceholderText(tr("1 for each, or e.g. 0.7, 0.3"));
    m_svdRank->setObjectName("svdRankSpin");
    m_svdRank->setRange(0, lora::kMaxRank);
    m_svdRank->setSpecialValueText(tr("largest input rank"));
    m_name->setObjectName("nameEdit");
    m_name->setPlaceholderText(tr("e.g. cat of 2"));
    m_error->setObjectName("combineError");
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    m_error->hide();

    auto* form = new QFormLayout;
    form->addRow(tr("Method"), m_method);
    form->addRow(tr("Weights"), m_weights);
    form->addRow(tr("SVD rank"), m_svdRank);
    form->addRow(tr("New name"), m_name);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Combine"));
    buttons->button(QDialogButtonBox::Ok)->setObjectName("combineOkButton");
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Adapters to combine (two or more):")));
    layout->addWidget(m_list);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_gap);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &CombineDialog::tryAccept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_method, &QComboBox::currentIndexChanged, this, &CombineDialog::updateEnabled);
    connect(m_list, &QListWidget::itemChanged, this, &CombineDialog::updateGap);
    connect(m_method, &QComboBox::currentIndexChanged, this, &CombineDialog::updateGap);
    connect(m_weights, &QLineEdit::textChanged, this, &CombineDialog::updateGap);
    connect(m_svdRank, &QSpinBox::valueChanged, this, &CombineDialog::updateGap);
    updateEnabled();
    m_gap->setVisible(false); // until there is something to measure on
}

std::optional<CombineRequest> CombineDialog::request(QString* error) const {
    CombineRequest r;
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->checkState() == Qt::Checked) r.names << m_list->item(i)->text();
    if (r.names.size() < 2) {
        *error = tr("choose at least two adapters to combine");
        return std::nullopt;
    }
    r.options.method = static_cast<lora::CombineMethod>(m_method->currentData().toInt());
    const QString weights = m_weights->text().trimmed();
    if (!weights.isEmpty()) {
        for (const QString& part : weights.split(QLatin1Char(','))) {
            bool ok = false;
            const float w = part.trimmed().toFloat(&ok);
            if (!ok || !std::isfinite(w)) {
                *error = tr("weight '%1' is not a number").arg(part.trimmed());
                return std::nullopt;
            }
            r.options.weights.push_back(w);
        }
        if (r.options.weights.size() != static_cast<std::size_t>(r.names.size())) {
            *error = tr("%1 weights for %2 adapters; give one per adapter or none")
                         .arg(r.options.weights.size())
                         .arg(r.names.size());
            return std::nullopt;
        }
    }
    if (r.options.method == lora::CombineMethod::Svd) r.options.svdRank = m_svdRank->value();
    r.newName = m_name->text().trimmed();
    return r;
}

QString CombineDialog::errorText() const {
    return m_error->isVisibleTo(this) ? m_error->text() : QString();
}

void CombineDialog::setChecked(const QStringList& names) {
    for (int i = 0; i < m_list->count(); ++i)
        m_list->item(i)->setCheckState(names.contains(m_list->item(i)->text()) ? Qt::Checked
                                                                               : Qt::Unchecked);
}

void CombineDialog::setMethod(lora::CombineMethod method) {
    m_method->setCurrentIndex(m_method->findData(static_cast<int>(method)));
}

void CombineDialog::setWeights(const QString& commaSeparated) {
    m_weights->setText(commaSeparated);
}

void CombineDialog::setSvdRank(int rank) {
    m_svdRank->setValue(rank);
}

void CombineDialog::setNewName(const QString& name) {
    m_name->setText(name);
}

void CombineDialog::setInputs(CombineInputs inputs) {
    m_gap->setInputs(std::move(inputs));
    m_gap->setVisible(true);
    updateGap();
}

void CombineDialog::updateGap() {
    if (!m_gap->hasInputs()) return;
    QString why;
    const std::optional<CombineRequest> r = request(&why);
    if (r)
        m_gap->measure(*r);
    else
        m_gap->clear(why);
}

void CombineDialog::tryAccept() {
    QString error;
    const std::optional<CombineRequest> r = request(&error);
    if (r && m_apply) error = m_apply(*r);
    if (!error.isEmpty()) {
        showError(error);
        return;
    }
    m_error->hide();
    accept();
}

void CombineDialog::showError(const QString& message) {
    m_error->setText(message);
    m_error->show();
}

void CombineDialog::updateEnabled() {
    m_svdRank->setEnabled(m_method->currentData().toInt() ==
                          static_cast<int>(lora::CombineMethod::Svd));
}
