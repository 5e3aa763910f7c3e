#include "train/forgetting.h"

#include "train/evaluate.h"
#include "util/error.h"

namespace lora {

namespace {

// Scores the model on both tasks at the end of every epoch, filling one field per task.
class EpochScorer : public ProgressObserver {
public:
    using Fill = void (*)(Mlp&, const ForgettingTasks&, ForgettingPoint&);
    EpochScorer(ForgettingRun run, Mlp& model, const ForgettingTasks& tasks,
                ForgettingResult& result, Fill fill, ForgettingObserver* observer)
        : m_run(run), m_model(model), m_tasks(tasks), m_result(result), m_fill(fill),
          m_observer(observer) {}

    void onEpoch(const EpochProgress& p) override {
        if (m_result.series.size() <= static_cast<std::size_t>(p.epoch))
            m_result.series.push_back({p.epoch});
        m_fill(m_model, m_tasks, m_result.series[p.epoch]);
        if (m_observer) m_observer->onEpoch(m_run, m_result.series[p.epoch]);
    }

private:
    ForgettingRun m_run;
    Mlp& m_model;
    const ForgettingTasks& m_tasks;
    ForgettingResult& m_result;
    Fill m_fill;
    ForgettingObserver* m_observer;
};

void scoreFull(Mlp& model, const ForgettingTasks& tasks, ForgettingPoint& point) {
    point.fullNew = evaluate(model, tasks.newTest).accuracy;
    point.fullOld = evaluate(model, tasks.oldTest).accuracy;
}

void scoreLora(Mlp& model, const ForgettingTasks& tasks, ForgettingPoint& point) {
    point.loraNew = evaluate(model, tasks.newTest).accuracy;
    point.loraOnOld = evaluate(model, tasks.oldTest).accuracy;
    model.setLoraEnabled(false);
    point.loraOffOld = evaluate(model, tasks.oldTest).accuracy;
    model.setLoraEnabled(true);
}

void checkRun(const TrainResult& run, const char* what) {
    if (run.diverged)
        throw InputError(std::string(what) + " " + divergenceMessage(run) +
                         "; lower the learning rate");
}

std::vector<LayerUpdate> layerUpdates(const Mlp& base, const Mlp& full, const Mlp& adapted) {
    std::vector<LayerUpdate> updates;
    for (int i = 0; i < base.layerCount(); ++i) {
        LayerUpdate u;
        u.layer = i;
        u.full = spectrumOf(full.layer(i).W - base.layer(i).W);
        if (const LoraLinear* a = adapted.adapter(i)) {
            u.loraRank = a->rank();
            u.loraNorm = a->delta().cast<double>().norm();
        }
        u.energyTopR = energyInTop(u.full, u.loraRank);
        updates.push_back(std::move(u));
    }
    return updates;
}

} // namespace

ForgettingResult measureForgetting(const Mlp& base, const ForgettingTasks& tasks,
                                   const LoraConfig& lora, const TrainOptions& options,
                                   std::uint64_t loraSeed, ForgettingObserver* observer,
                                   std::stop_token stop) {
    if (tasks.oldTest.size() == 0 || tasks.newTest.size() == 0)
        throw InputError("forgetting needs test samples of both the old and the new task");
    ForgettingResult result;
    Mlp plain(base);
    plain.detachLora();
    result.baseOld = evaluate(plain, tasks.oldTest).accuracy;
    result.baseNew = evaluate(plain, tasks.newTest).accuracy;
    result.series.push_back(
        {0, result.baseNew, result.baseOld, result.baseNew, result.baseOld, result.baseOld});

    TrainOptions quiet = options;
    quiet.validateEachEpoch = false; // the scorer evaluates what we need

    Mlp full(plain);
    EpochScorer fullScorer(ForgettingRun::Full, full, tasks, result, scoreFull, observer);
    result.fullRun = Trainer(full, quiet).run(tasks.newTrain, nullptr, &fullScorer, stop);
    checkRun(result.fullRun, "full fine-tuning");

    Mlp adapted(plain);
    Rng rng(loraSeed);
    adapted.attachLora(lora, rng);
    EpochScorer loraScorer(ForgettingRun::Lora, adapted, tasks, result, scoreLora, observer);
    if (!result.fullRun.stopped)
        result.loraRun = Trainer(adapted, quiet).run(tasks.newTrain, nullptr, &loraScorer, stop);
    checkRun(result.loraRun, "LoRA training");
    result.stopped = result.fullRun.stopped || result.loraRun.stopped;
    result.updates = layerUpdates(plain, full, adapted);
    result.fullModel.emplace(full);
    result.loraModel.emplace(adapted);
    return result;
}

} // namespace lora
