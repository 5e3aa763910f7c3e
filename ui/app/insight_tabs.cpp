#include "app/insight_tabs.h"

#include "persistence/forgetting_json.h"
#include "persistence/subspace_json.h"
#include "persistence/variants_json.h"
#include "session/experiment_session.h"
#include "tabs/draw_digit/draw_digit_tab.h"
#include "tabs/forgetting/forgetting_tab.h"
#include "tabs/subspace/subspace_tab.h"
#include "tabs/variants/variants_tab.h"
#include "widgets/scroll_page.h"

#include <QTabWidget>

InsightTabs::InsightTabs(QTabWidget* tabs, ExperimentSession* session, QObject* parent)
    : QObject(parent), m_session(session), m_forgetting(new ForgettingTab),
      m_variants(new VariantsTab), m_subspace(new SubspaceTab), m_draw(new DrawDigitTab) {
    // Names make the panels' controls addressable in a saved session.
    m_forgetting->setObjectName("forgettingPanel");
    m_variants->setObjectName("variantsPanel");
    m_subspace->setObjectName("subspacePanel");
    m_draw->setObjectName("drawDigitPanel");
    m_firstIndex = tabs->addTab(scrollPage(m_forgetting), tr("Forgetting"));
    tabs->addTab(scrollPage(m_variants), tr("Init && scaling"));
    tabs->addTab(scrollPage(m_subspace), tr("Subspaces"));
    tabs->addTab(scrollPage(m_draw), tr("Draw a digit"));

    connect(session, &ExperimentSession::modelsChanged, this, &InsightTabs::feedModels);
    connect(session, &ExperimentSession::loraEnabledChanged, this, &InsightTabs::feedModels);
    connect(session, &ExperimentSession::dataChanged, this, &InsightTabs::feedModels);
    connect(session, &ExperimentSession::settingsChanged, this, &InsightTabs::feedSettings);
    connect(m_forgetting, &ForgettingTab::errorOccurred, this, &InsightTabs::errorOccurred);
    connect(m_variants, &VariantsTab::errorOccurred, this, &InsightTabs::errorOccurred);
    connect(m_subspace, &SubspaceTab::errorOccurred, this, &InsightTabs::errorOccurred);
    connect(m_draw, &DrawDigitTab::errorOccurred, this, &InsightTabs::errorOccurred);
    feedSettings();
    feedModels();
}

void InsightTabs::feedModels() {
    const ModelPtr base = m_session->baseModel();
    const DataPtr data = m_session->data();
    m_forgetting->setBase(base);
    m_forgetting->setData(data);
    m_variants->setBase(base);
    m_variants->setData(data);
    m_subspace->setBase(base);
    m_subspace->setData(data);
    m_draw->setBase(base);
    m_draw->setLoraModel(m_session->loraEnabled() ? m_session->loraModel() : nullptr);
}

void InsightTabs::feedSettings() {
    const ExperimentSettings& s = m_session->settings();
    m_forgetting->setSettings(s);
    m_variants->setSettings(s);
    m_subspace->setSettings(s);
    m_draw->setClasses(s.baseClasses, s.targetClasses);
}

QJsonObject InsightTabs::results() const {
    QJsonObject out;
    if (const auto result = m_forgetting->result())
        out[QStringLiteral("forgetting")] = forgettingToJson(*result);
    if (m_subspace->phi().size() > 0)
        out[QStringLiteral("subspaces")] =
            subspaceToJson({m_subspace->phi(), m_subspace->amplifications()});
    if (!m_variants->runs().empty() || !m_variants->sweepPoints().empty())
        out[QStringLiteral("variants")] =
            variantsToJson({m_variants->runs(), m_variants->sweepPoints()});
    return out;
}

void InsightTabs::checkResults(const QJsonObject& results) {
    const QJsonValue forgetting = results.value(QStringLiteral("forgetting"));
    if (!forgetting.isUndefined() && !forgetting.isNull())
        forgettingFromJson(forgetting.toObject());
    const QJsonValue subspaces = results.value(QStringLiteral("subspaces"));
    if (!subspaces.isUndefined() && !subspaces.isNull()) subspaceFromJson(subspaces.toObject());
    const QJsonValue variants = results.value(QStringLiteral("variants"));
    if (!variants.isUndefined() && !variants.isNull()) variantsFromJson(variants.toObject());
}

void InsightTabs::showResults(const QJsonObject& results) {
    const QJsonValue forgetting = results.value(QStringLiteral("forgetting"));
    m_forgetting->showResult(forgetting.isObject() ? std::make_shared<const lora::ForgettingResult>(
                                                         forgettingFromJson(forgetting.toObject()))
                                                   : nullptr);
    const QJsonValue subspaces = results.value(QStringLiteral("subspaces"));
    const SubspaceResult subspace =
        subspaces.isObject() ? subspaceFromJson(subspaces.toObject()) : SubspaceResult();
    m_subspace->showResult(subspace.phi, subspace.amplifications);
    const QJsonValue variants = results.value(QStringLiteral("variants"));
    VariantsResult v =
        variants.isObject() ? variantsFromJson(variants.toObject()) : VariantsResult();
    m_variants->showResults(std::move(v.runs), std::move(v.sweep));
}
