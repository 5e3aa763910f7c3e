// The JSON of one adapter, as `lora-cli adapters list` and `import` print it.
#include "cli/adapters.h"

#include <cmath>

namespace lora::cli {

namespace {

Json orNull(float v) {
    return std::isfinite(v) ? Json(v) : Json(nullptr);
}

} // namespace

Json adapterJson(const Mlp& base, const AdapterEntry& e) {
    Json layers = Json::array();
    for (const LayerAdapter& l : e.weights.layers)
        layers.push_back({{"layer", base.layerName(l.layer)},
                          {"rank", l.spec.rank},
                          {"alpha", l.spec.alpha},
                          {"scale", l.spec.scale()}});
    const LoraSpec& spec = e.weights.spec;
    return {{"name", e.name},
            {"rank", spec.rank},
            {"alpha", spec.alpha},
            {"rslora", spec.rslora},
            {"init", toString(spec.init)},
            {"targets", e.targets(base)},
            {"layers", layers},
            {"classes", e.info.classes},
            {"test_accuracy", orNull(e.info.testAccuracy)},
            {"params", e.weights.paramCount()},
            {"bytes", adapterBytes(base, e.weights, e.info)}};
}

} // namespace lora::cli
