#include "widgets/scroll_page.h"

#include <QScrollArea>
#include <QTabWidget>

QScrollArea* scrollPage(QWidget* page) {
    // Unnamed on purpose: saved control values are keyed by the named widgets' path
    // ("sweepPanel/ranksEdit"), which must not change under a session saved before.
    auto* area = new QScrollArea;
    area->setFrameShape(QFrame::NoFrame);
    area->setWidgetResizable(true);
    area->setWidget(page);
    return area;
}

QWidget* pageOf(QWidget* tab) {
    if (auto* area = qobject_cast<QScrollArea*>(tab)) return area->widget();
    return tab;
}

bool showPage(QTabWidget* tabs, QWidget* page) {
    for (int i = 0; i < tabs->count(); ++i)
        if (pageOf(tabs->widget(i)) == page) {
            tabs->setCurrentIndex(i);
            return true;
        }
    return false;
}
