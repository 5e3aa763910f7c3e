#include "train/training_checkpoint.h"

#include <algorithm>
#include <stdexcept>

namespace lora {

void TrainingCheckpoint::save(const Optimizer& optimizer, long stepsDone) {
    const std::vector<ParamView> views = m_model.trainableViews();
    m_values.resize(views.size());
    for (std::size_t k = 0; k < views.size(); ++k)
        m_values[k].assign(views[k].value, views[k].value + views[k].size);
    m_optimizer = optimizer.saveState();
    m_stepsDone = stepsDone;
}

void TrainingCheckpoint::restore(Optimizer& optimizer) const {
    if (m_stepsDone < 0) throw std::logic_error("no training checkpoint was saved");
    const std::vector<ParamView> views = m_model.trainableViews();
    if (views.size() != m_values.size())
        throw std::logic_error("the model changed since the checkpoint");
    for (std::size_t k = 0; k < views.size(); ++k) {
        if (views[k].size != m_values[k].size())
            throw std::logic_error("the model changed since the checkpoint");
        std::copy(m_values[k].begin(), m_values[k].end(), views[k].value);
    }
    optimizer.restoreState(m_optimizer);
}

} // namespace lora
