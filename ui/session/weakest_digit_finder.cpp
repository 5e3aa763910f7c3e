#include "session/weakest_digit_finder.h"

#include "data/dataset.h"
#include "jobs/background_pool.h"
#include "train/evaluate.h"
#include "train/prediction_stats.h"
#include "util/error.h"

#include <QFutureWatcher>

WeakestDigitFinder::WeakestDigitFinder(QObject* parent)
    : QObject(parent), m_watcher(new QFutureWatcher<WeakestDigit>(this)) {
    connect(m_watcher, &QFutureWatcherBase::finished, this, [this] {
        m_busy = false;
        WeakestDigit result;
        try {
            result = m_watcher->result();
        } catch (const std::exception& e) {
            emit failed(QString::fromStdString(lora::errorText(e)));
            return;
        }
        if (result.base == m_requested) emit found(result); // else superseded
    });
}

WeakestDigitFinder::~WeakestDigitFinder() {
    m_watcher->waitForFinished();
}

void WeakestDigitFinder::find(ModelPtr base, DataPtr data, const std::vector<int>& classes) {
    m_requested = base;
    if (!base || !data) return;
    m_busy = true;
    m_watcher->setFuture(runInBackground([base, data, classes] {
        lora::Mlp copy = *base; // forward() writes workspaces; the snapshot is const
        const lora::Evaluation ev =
            lora::evaluate(copy, lora::filterClassesRemap(data->test, classes));
        const int position = lora::weakestClass(ev);
        return WeakestDigit{base, position < 0 ? -1 : classes[position], ev.errorsPerClass};
    }));
}
