#pragma once
// Waiting for the Rank & SVD panel's decomposition, as its tests need it.
#include "tabs/svd/svd_tab.h"

#include <QComboBox>
#include <QSignalSpy>

namespace lora::test {

inline constexpr int kSvdTimeoutMs = 60000;

inline bool waitReady(SvdTab& panel) {
    QSignalSpy ready(&panel, &SvdTab::decompositionReady);
    return panel.isReady() || ready.wait(kSvdTimeoutMs);
}

// Selects through the combo as a user would, then waits for that matrix's decomposition.
inline bool selectAndWait(SvdTab& panel, const QString& name) {
    auto* combo = panel.findChild<QComboBox*>("matrixCombo");
    const int index = combo->findText(name);
    if (index < 0) return false;
    QSignalSpy ready(&panel, &SvdTab::decompositionReady);
    combo->setCurrentIndex(index);
    if (!panel.isReady() && !ready.wait(kSvdTimeoutMs)) return false;
    return panel.isReady() && panel.matrixName() == name;
}

} // namespace lora::test
