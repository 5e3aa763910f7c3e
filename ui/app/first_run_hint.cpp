#include "app/first_run_hint.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>

namespace {
const char* const kKey = "hints/firstRunDismissed";
}

FirstRunHint::FirstRunHint(QWidget* parent) : QFrame(parent) {
    setObjectName("firstRunHint");
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(QPalette::Window, QColor(0xfff7e0));
    setPalette(p);
    auto* text = new QLabel(
        tr("<b>Start here:</b> press <b>Train base</b> (or Space), then <b>Train LoRA</b>. "
           "Watch the loss in Training and the digits in Predictions, then drag α and r "
           "on the trained adapter. Too fast to follow? <b>Train → Pace</b> slows it down."),
        this);
    text->setObjectName("firstRunHintText");
    text->setWordWrap(true);
    auto* ok = new QPushButton(tr("Got it"), this);
    ok->setObjectName("firstRunHintDismiss");
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->addWidget(text, 1);
    layout->addWidget(ok);
    connect(ok, &QPushButton::clicked, this, &FirstRunHint::dismiss);
    setVisible(!wasDismissed());
}

bool FirstRunHint::wasDismissed() {
    return QSettings().value(kKey, false).toBool();
}

void FirstRunHint::forget() {
    QSettings().remove(kKey);
}

void FirstRunHint::dismiss() {
    QSettings().setValue(kKey, true);
    hide();
}
