#include "app/pace_menu.h"

#include "session/experiment_session.h"
#include "session/training_worker.h"

#include <QActionGroup>
#include <QMenu>

QMenu* makePaceMenu(ExperimentSession* session, QWidget* parent) {
    auto* menu = new QMenu(QObject::tr("&Pace"), parent);
    menu->setObjectName("paceMenu");
    menu->setToolTipsVisible(true);
    auto* group = new QActionGroup(menu);
    struct Choice {
        const char* name;
        QString text;
        double stepsPerSecond;
    };
    const Choice choices[] = {{"paceFull", QObject::tr("Full speed"), 0.0},
                              {"pace200", QObject::tr("200 steps per second"), 200.0},
                              {"pace20", QObject::tr("20 steps per second"), 20.0},
                              {"pace5", QObject::tr("5 steps per second"), 5.0}};
    for (const Choice& c : choices) {
        QAction* a = menu->addAction(c.text);
        a->setObjectName(c.name);
        a->setCheckable(true);
        a->setChecked(c.stepsPerSecond == session->worker()->pace());
        a->setToolTip(c.stepsPerSecond > 0 ? QObject::tr("At most %1 batches per second: the "
                                                         "curves grow where you can watch them")
                                                 .arg(c.stepsPerSecond)
                                           : QObject::tr("As fast as this machine trains"));
        group->addAction(a);
        QObject::connect(a, &QAction::triggered, session,
                         [session, pace = c.stepsPerSecond] { session->worker()->setPace(pace); });
    }
    return menu;
}
