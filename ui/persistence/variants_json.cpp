#include "persistence/variants_json.h"

#include "persistence/json_reader.h"
#include "persistence/settings_json.h"

namespace {

const std::string kWhere = "insights.variants";

} // namespace

QJsonObject variantsToJson(const VariantsResult& result) {
    QJsonArray runs, sweep;
    for (const lora::VariantRun& r : result.runs) {
        QJsonArray losses;
        for (float l : r.run.stepLosses)
            losses.append(std::isfinite(l) ? QJsonValue(shortestDouble(l)) : QJsonValue());
        const lora::LoraSpec& spec = r.variant.spec;
        runs.append(QJsonObject{{"init", lora::toString(spec.init)},
                                {"rank", spec.rank},
                                {"alpha", shortestDouble(spec.alpha)},
                                {"use_rslora", spec.rslora},
                                {"losses", losses},
                                {"steps", static_cast<double>(r.run.steps)},
                                {"accuracy", jsonNumber(r.accuracy)},
                                {"delta_norm", jsonNumber(r.deltaNorm)},
                                {"params", static_cast<double>(r.params)}});
    }
    for (const lora::ScalePoint& p : result.sweep)
        sweep.append(QJsonObject{{"rank", p.rank},
                                 {"norm", jsonNumber(p.norm)},
                                 {"norm_rslora", jsonNumber(p.normRs)},
                                 {"scale", jsonNumber(p.scale)},
                                 {"scale_rslora", jsonNumber(p.scaleRs)}});
    return {{"runs", runs}, {"rank_sweep", sweep}};
}

VariantsResult variantsFromJson(const QJsonObject& json) {
    const JsonReader top(json, kWhere);
    VariantsResult result;
    const QJsonArray runs = top.array("runs");
    for (int i = 0; i < runs.size(); ++i) {
        const JsonReader r(runs[i], top.at("runs", i));
        lora::VariantRun run;
        lora::LoraSpec& spec = run.variant.spec;
        const std::string init = r.text("init").toStdString(); // names its own place
        try {
            spec.init = lora::loraInitFromString(init);
        } catch (const lora::InputError& e) {
            throw lora::InputError(r.where() + ".init: " + e.what());
        }
        spec.rank = static_cast<int>(r.whole("rank", 1));
        spec.alpha = static_cast<float>(r.number("alpha"));
        spec.rslora = r.flag("use_rslora");
        const QJsonArray losses = r.array("losses");
        for (int k = 0; k < losses.size(); ++k) {
            if (!losses[k].isDouble() && !losses[k].isNull())
                throw lora::InputError(r.at("losses", k) + " must be a number or null");
            run.run.stepLosses.push_back(static_cast<float>(losses[k].toDouble(NAN)));
        }
        run.run.steps = r.whole("steps", 0);
        run.accuracy = static_cast<float>(r.number("accuracy", true));
        run.deltaNorm = r.number("delta_norm", true);
        run.params = static_cast<std::size_t>(r.whole("params", 0));
        result.runs.push_back(std::move(run));
    }
    const QJsonArray sweep = top.array("rank_sweep");
    for (int i = 0; i < sweep.size(); ++i) {
        const JsonReader p(sweep[i], top.at("rank_sweep", i));
        result.sweep.push_back({static_cast<int>(p.whole("rank", 1)), p.number("norm", true),
                                p.number("norm_rslora", true), p.number("scale", true),
                                p.number("scale_rslora", true)});
    }
    return result;
}
