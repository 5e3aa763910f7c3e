#include "app/inspector_tour.h"

#include "app/main_window.h"
#include "inspector/inspector_launcher.h"
#include "inspector/inspector_window.h"
#include "inspector/resize_section.h"
#include "session/adapter_manager.h"
#include "session/experiment_session.h"

#include <QDir>
#include <QPixmap>
#include <QSlider>
#include <QTimer>
#include <memory>

namespace {

struct Tour {
    InspectorWindow* inspector = nullptr;
    QString dir;
    QStringList written;
    std::function<void(const QStringList&, const QString&)> done;
    int shot = 0;
};

constexpr int kSettleMs = 500; // layouts and charts settle before a grab

void shoot(const std::shared_ptr<Tour>& tour) {
    static const QSize kSizes[] = {{}, {1366, 768}, {1024, 640}};
    if (tour->shot >= int(std::size(kSizes))) {
        tour->inspector->close();
        return tour->done(tour->written, {});
    }
    const QSize size = kSizes[tour->shot];
    if (size.isValid()) tour->inspector->resize(size);
    const QString name =
        size.isValid()
            ? QStringLiteral("15-inspector-%1x%2.png").arg(size.width()).arg(size.height())
            : QStringLiteral("15-inspector.png");
    ++tour->shot;
    QTimer::singleShot(kSettleMs, tour->inspector, [tour, name] {
        const QString path = QDir(tour->dir).filePath(name);
        if (!tour->inspector->grab().save(path))
            return tour->done(tour->written, QObject::tr("cannot write %1").arg(path));
        tour->written << path;
        shoot(tour);
    });
}

} // namespace

void tourInspector(MainWindow* window, const QString& dir,
                   std::function<void(const QStringList& written, const QString& error)> done) {
    AdapterManager* adapters = window->session()->adapters();
    const QStringList names = adapters->names();
    if (names.isEmpty()) return done({}, QObject::tr("no adapter to inspect"));
    QStringList folders;
    for (int i = 0; i < std::min<qsizetype>(2, names.size()); ++i) {
        const QString folder = QDir(dir).filePath(QStringLiteral("inspector-adapter-%1").arg(i));
        QDir(folder).removeRecursively(); // a folder the tour itself wrote last time
        if (!adapters->exportAdapter(names[i], folder))
            return done({}, QObject::tr("cannot export adapter %1").arg(names[i]));
        folders << folder;
    }
    auto tour = std::make_shared<Tour>();
    tour->inspector = showInspector(window);
    tour->dir = dir;
    tour->done = std::move(done);
    InspectorWindow* w = tour->inspector;
    auto failed = std::make_shared<QMetaObject::Connection>();
    *failed = QObject::connect(w, &InspectorWindow::failed, w, [tour, failed](const QString& m) {
        QObject::disconnect(*failed);
        tour->done(tour->written, m);
    });
    auto step = std::make_shared<QMetaObject::Connection>();
    *step = QObject::connect(w, &InspectorWindow::loaded, w, [tour, folders, step, failed] {
        QObject::disconnect(*step);
        // A cut the preview can show: half the adapter's rank.
        QSlider* slider = tour->inspector->resizeSection()->slider();
        slider->setValue(std::max(1, slider->maximum() / 2));
        if (folders.size() < 2) {
            QObject::disconnect(*failed);
            return shoot(tour);
        }
        *step = QObject::connect(tour->inspector, &InspectorWindow::compared, tour->inspector,
                                 [tour, step, failed] {
                                     QObject::disconnect(*step);
                                     QObject::disconnect(*failed);
                                     shoot(tour);
                                 });
        tour->inspector->compareWith(folders[1]);
    });
    w->open(folders[0]);
}
