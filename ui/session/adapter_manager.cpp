#include "session/adapter_manager.h"

#include "jobs/background_pool.h"
#include "session/session_contents.h"
#include "train/evaluate.h"
#include "util/error.h"

#include <QDir>
#include <QFutureWatcher>
#include <QSet>
#include <cmath>
#include <exception>
#include <limits>

namespace {

std::string str(const QString& s) {
    return s.toStdString();
}

// "7v8", "0–9" for all ten digits: short enough for a list column and a folder name.
QString classStem(const std::vector<int>& classes) {
    if (classes.size() == 10) return QStringLiteral("0–9");
    QStringList parts;
    for (int c : classes) parts << QString::number(c);
    return parts.join(QLatin1Char('v'));
}

// Folder names for "Export all": no separators or spaces, and no two alike.
QString folderFor(const QString& name, QSet<QString>& taken) {
    QString stem = name;
    for (QChar& c : stem)
        if (c.isSpace() || c == QLatin1Char('/') || c == QLatin1Char('\\') || c == QLatin1Char(':'))
            c = QLatin1Char('_');
    QString folder = stem;
    for (int i = 2; taken.contains(folder); ++i) folder = stem + QStringLiteral("_%1").arg(i);
    taken.insert(folder);
    return folder;
}

} // namespace

AdapterManager::AdapterManager(QObject* parent)
    : QObject(parent), m_lastUnmergeError(std::numeric_limits<double>::quiet_NaN()) {}

AdapterManager::~AdapterManager() = default;

QStringList AdapterManager::names() const {
    QStringList out;
    if (m_library)
        for (const auto& e : m_library->entries()) out << QString::fromStdString(e.name);
    return out;
}

QString AdapterManager::activeName() const {
    const lora::AdapterEntry* e = m_library ? m_library->active() : nullptr;
    return e ? QString::fromStdString(e->name) : QString();
}

bool AdapterManager::isMerged() const {
    return m_library && m_library->merged();
}

void AdapterManager::setBase(ModelPtr base) {
    m_library.reset();
    m_active.reset();
    m_view.reset(nullptr);
    m_building = {};
    const quint64 generation = ++m_generation;
    if (base) {
        // Not backgroundPool(): it may be busy with a second-long SVD of the same base.
        m_building = QtConcurrent::run(
            copyPool(), [base] { return std::make_shared<lora::AdapterLibrary>(*base); });
        auto* watcher = new QFutureWatcher<std::shared_ptr<lora::AdapterLibrary>>(this);
        connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
            watcher->deleteLater();
            if (generation == m_generation) adopt();
        });
        watcher->setFuture(m_building);
    }
    emit adaptersChanged();
}

void AdapterManager::setTask(DataPtr data, std::vector<int> targetClasses) {
    m_data = std::move(data);
    m_targetClasses = std::move(targetClasses);
}

void AdapterManager::adopt() {
    if (m_library || !m_building.isValid()) return;
    m_library = m_building.result();
    m_building = {};
    emit adaptersChanged();
}

void AdapterManager::addTrained(ModelPtr model, float testAccuracy) {
    adopt();
    if (!m_library || !model) return;
    const bool ok = guarded([&](lora::AdapterLibrary& lib) {
        lora::AdapterEntry entry;
        entry.weights = lora::extractAdapter(*model);
        entry.info.classes = m_targetClasses;
        entry.info.testAccuracy = std::isfinite(testAccuracy) ? testAccuracy : NAN;
        const lora::LoraSpec& spec = entry.weights.spec;
        entry.name = lib.uniqueName(str(QStringLiteral("%1 r%2 α%3")
                                            .arg(classStem(entry.info.classes))
                                            .arg(spec.rank)
                                            .arg(spec.alpha)));
        const std::string name = entry.name;
        lib.add(std::move(entry));
        lib.setActive(name);
    });
    // The run's own snapshot is base + this adapter already; copying the library's model
    // instead would cost RichBoyNet's GUI thread another ~150 ms.
    if (ok) {
        m_active = std::move(model);
        m_view.reset(m_library->active());
    }
    emit adaptersChanged();
    if (ok) emit viewChanged();
}

bool AdapterManager::guarded(const std::function<void(lora::AdapterLibrary&)>& action) {
    adopt();
    if (!m_library) {
        emit errorOccurred(tr("there is no base model yet; train or load one first"));
        return false;
    }
    try {
        action(*m_library);
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromStdString(lora::errorText(e)));
        return false;
    }
    return true;
}

std::vector<int> AdapterManager::classesOf(const lora::AdapterEntry& entry) const {
    const int outputs = m_library->base().outputs();
    if (static_cast<int>(entry.info.classes.size()) == outputs) return entry.info.classes;
    return m_targetClasses;
}

lora::Dataset AdapterManager::testSplit(const std::vector<int>& classes) const {
    if (!m_data) throw lora::InputError("no dataset is loaded");
    return testSplit(m_library->base(), *m_data, classes);
}

lora::Dataset AdapterManager::testSplit(const lora::Mlp& base, const lora::SplitData& data,
                                        const std::vector<int>& classes) {
    if (static_cast<int>(classes.size()) != base.outputs())
        throw lora::InputError("the base has " + std::to_string(base.outputs()) +
                               " outputs but the task has " + std::to_string(classes.size()) +
                               " classes");
    if (data.test.features() != base.inputs())
        throw lora::InputError("the base takes " + std::to_string(base.inputs()) +
                               " inputs but the test images have " +
                               std::to_string(data.test.features()) + " pixels");
    return lora::filterClassesRemap(data.test, classes);
}

std::shared_ptr<lora::AdapterLibrary> AdapterManager::buildLibrary(const lora::Mlp& base,
                                                                   const SessionContents& c,
                                                                   const lora::SplitData& data) {
    auto library = std::make_shared<lora::AdapterLibrary>(base);
    for (const lora::AdapterEntry& e : c.adapters) library->add(e);
    if (c.activeAdapter.isEmpty()) return library;
    library->setActive(str(c.activeAdapter));
    if (c.merged) {
        const lora::AdapterEntry& e = *library->active();
        const bool fits = static_cast<int>(e.info.classes.size()) == base.outputs();
        library->merge(testSplit(base, data, fits ? e.info.classes : c.settings.targetClasses));
    }
    return library;
}

void AdapterManager::restore(std::shared_ptr<lora::AdapterLibrary> library) {
    ++m_generation; // a library still being built for the old base is dropped
    m_building = {};
    m_library = std::move(library);
    m_active = m_library && m_library->active()
                   ? std::make_shared<const lora::Mlp>(m_library->model())
                   : nullptr;
    m_view.reset(m_library ? m_library->active() : nullptr);
    emit adaptersChanged();
    emit viewChanged();
}

void AdapterManager::measure(const std::string& name) {
    const lora::AdapterEntry& e = m_library->at(name);
    if (std::isfinite(e.info.testAccuracy) ||
        static_cast<int>(e.info.classes.size()) != m_library->base().outputs())
        return;
    const lora::Dataset split = testSplit(e.info.classes);
    lora::Mlp model = m_library->modelWith(name);
    m_library->setTestAccuracy(name, lora::evaluate(model, split).accuracy);
}

void AdapterManager::activeChanged(bool followClasses) {
    const lora::AdapterEntry* e = m_library ? m_library->active() : nullptr;
    // Merge and Unmerge keep the view; another adapter starts from its trained α and r.
    if (!e || e->name != m_view.name()) {
        m_view.reset(e);
        emit viewChanged();
    }
    m_active = !e                   ? nullptr
               : m_view.isTrained() ? std::make_shared<const lora::Mlp>(m_library->model())
                                    : m_view.snapshot(*m_library);
    if (!followClasses || !e) return;
    // The accuracy read-out then answers for the task the adapter was trained on.
    if (static_cast<int>(e->info.classes.size()) == m_library->base().outputs() &&
        e->info.classes != m_targetClasses)
        emit targetClassesWanted(e->info.classes);
}

bool AdapterManager::importAdapter(const QString& dir, const QString& name) {
    const bool ok = guarded([&](lora::AdapterLibrary& lib) {
        const std::string added = lib.import(str(QDir::cleanPath(dir)), str(name)).name;
        try {
            measure(added);
        } catch (const lora::InputError&) {
            // The data do not fit the base: the accuracy stays unknown, the import stands.
        }
    });
    if (ok) emit adaptersChanged();
    return ok;
}

bool AdapterManager::setActiveAdapter(const QString& name) {
    if (name == activeName()) return true; // also "None" while there is no base
    const bool ok = guarded([&](lora::AdapterLibrary& lib) { lib.setActive(str(name)); });
    if (!ok) return false;
    activeChanged(true);
    emit adaptersChanged();
    emit activeModelChanged();
    return true;
}

bool AdapterManager::renameAdapter(const QString& from, const QString& to) {
    const bool ok =
        guarded([&](lora::AdapterLibrary& lib) { lib.rename(str(from), str(to.trimmed())); });
    if (!ok) return false;
    if (str(from) == m_view.name()) m_view.rename(str(to.trimmed()));
    emit adaptersChanged();
    if (from == activeName() || to.trimmed() == activeName()) emit activeModelChanged();
    return true;
}

bool AdapterManager::removeAdapter(const QString& name) {
    const bool wasActive = m_library && name == activeName();
    if (!guarded([&](lora::AdapterLibrary& lib) { lib.remove(str(name)); })) return false;
    emit adaptersChanged();
    if (wasActive) {
        activeChanged(false);
        emit activeModelChanged();
    }
    return true;
}

AdapterManager::ScoringTask AdapterManager::activeScoringTask() const {
    const lora::AdapterEntry* e = m_library ? m_library->active() : nullptr;
    if (!e) throw lora::InputError("no adapter is active");
    if (!m_data) throw lora::InputError("no dataset is loaded");
    const lora::Mlp& base = m_library->base();
    std::vector<int> classes = classesOf(*e);
    if (static_cast<int>(classes.size()) != base.outputs() ||
        m_data->test.features() != base.inputs())
        throw lora::InputError("the data do not fit the adapter's task");
    return {m_data, std::move(classes)};
}

bool AdapterManager::setView(float alpha, int rank) {
    if (!m_library || !m_library->active()) {
        emit errorOccurred(tr("no adapter is active; train or choose one to adjust"));
        return false;
    }
    if (alpha == m_view.alpha() && rank == m_view.rank()) return true;
    if (!guarded([&](lora::AdapterLibrary& lib) { m_active = m_view.apply(lib, alpha, rank); }))
        return false;
    emit viewChanged();
    emit activeModelChanged();
    return true;
}

bool AdapterManager::mergeActive() {
    lora::MergeReport report;
    const bool ok = guarded([&](lora::AdapterLibrary& lib) {
        const lora::AdapterEntry* e = lib.active();
        if (!e) throw lora::InputError("no adapter is active; choose one to merge");
        report = lib.merge(testSplit(classesOf(*e)));
    });
    if (!ok) return false;
    activeChanged(false);
    emit adaptersChanged();
    emit activeModelChanged();
    emit mergeMeasured(report);
    return true;
}

bool AdapterManager::unmergeActive() {
    double error = 0;
    if (!guarded([&](lora::AdapterLibrary& lib) { error = lib.unmerge(); })) return false;
    m_lastUnmergeError = error;
    activeChanged(false);
    emit adaptersChanged();
    emit activeModelChanged();
    emit unmergeMeasured(error);
    return true;
}

QString AdapterManager::tryCombine(const CombineRequest& request) {
    adopt();
    if (!m_library) return tr("there is no base model yet; train or load one first");
    try {
        std::vector<lora::AdapterWeights> inputs;
        std::vector<int> classes;
        for (int i = 0; i < request.names.size(); ++i) {
            const lora::AdapterEntry& e = m_library->at(str(request.names[i]));
            inputs.push_back(e.weights);
            // The result keeps a task only when every input was trained for the same one.
            if (i == 0) classes = e.info.classes;
            if (e.info.classes != classes) classes.clear();
        }
        lora::AdapterEntry entry;
        entry.weights = lora::combineAdapters(m_library->base(), inputs, request.options);
        entry.info.classes = classes;
        const QString stem = QStringLiteral("%1 of %2")
                                 .arg(QString::fromLatin1(lora::toString(request.options.method)))
                                 .arg(request.names.size());
        entry.name = request.newName.trimmed().isEmpty() ? m_library->uniqueName(str(stem))
                                                         : str(request.newName.trimmed());
        const std::string name = entry.name;
        m_library->add(std::move(entry));
        try {
            measure(name);
        } catch (const lora::InputError&) {
        }
        m_library->setActive(name);
    } catch (const std::exception& e) {
        return QString::fromStdString(lora::errorText(e));
    }
    activeChanged(true);
    emit adaptersChanged();
    emit activeModelChanged();
    return {};
}

bool AdapterManager::combineAdapters(const CombineRequest& request) {
    const QString error = tryCombine(request);
    if (!error.isEmpty()) emit errorOccurred(error);
    return error.isEmpty();
}

bool AdapterManager::exportAdapter(const QString& name, const QString& dir) {
    return guarded([&](lora::AdapterLibrary& lib) { lib.exportAdapter(str(name), str(dir)); });
}

bool AdapterManager::exportAllAdapters(const QString& parentDir) {
    return guarded([&](lora::AdapterLibrary& lib) {
        if (lib.entries().empty()) throw lora::InputError("there are no adapters to export");
        if (!QDir().mkpath(parentDir))
            throw lora::InputError("cannot create the folder " + str(parentDir));
        QSet<QString> taken;
        for (const auto& e : lib.entries()) {
            const QString folder = folderFor(QString::fromStdString(e.name), taken);
            lib.exportAdapter(e.name, str(QDir(parentDir).filePath(folder)));
        }
    });
}

bool AdapterManager::reinsertAdapter(const lora::AdapterEntry& entry, int index) {
    const bool ok = guarded([&](lora::AdapterLibrary& lib) {
        lib.insert(static_cast<std::size_t>(std::max(0, index)), entry);
    });
    if (ok) emit adaptersChanged();
    return ok;
}
