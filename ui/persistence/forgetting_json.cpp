#include "persistence/forgetting_json.h"

#include "persistence/json_reader.h"
#include "persistence/settings_json.h"

namespace {

const std::string kWhere = "insights.forgetting";

QJsonValue percent(float v) {
    return std::isfinite(v) ? QJsonValue(shortestDouble(v)) : QJsonValue(QJsonValue::Null);
}

float percentFrom(const JsonReader& r, const char* key) {
    return static_cast<float>(r.number(key, true));
}

QJsonObject runToJson(const lora::TrainResult& r) {
    return {{"steps", static_cast<double>(r.steps)},
            {"seconds", r.seconds},
            {"stopped", r.stopped},
            {"diverged", r.diverged}};
}

lora::TrainResult runFrom(const JsonReader& r) {
    lora::TrainResult out;
    out.steps = r.whole("steps", 0);
    out.seconds = r.number("seconds");
    out.stopped = r.flag("stopped");
    out.diverged = r.flag("diverged");
    return out;
}

} // namespace

QJsonObject forgettingToJson(const lora::ForgettingResult& result) {
    QJsonArray series, updates;
    for (const lora::ForgettingPoint& p : result.series)
        series.append(QJsonObject{{"epoch", p.epoch},
                                  {"full_new", percent(p.fullNew)},
                                  {"full_old", percent(p.fullOld)},
                                  {"lora_new", percent(p.loraNew)},
                                  {"lora_on_old", percent(p.loraOnOld)},
                                  {"lora_off_old", percent(p.loraOffOld)}});
    for (const lora::LayerUpdate& u : result.updates) {
        QJsonArray sigma;
        for (double s : u.full.singularValues) sigma.append(jsonNumber(s));
        updates.append(QJsonObject{{"layer", u.layer},
                                   {"singular_values", sigma},
                                   {"numerical_rank", u.full.numericalRank},
                                   {"frobenius_norm", jsonNumber(u.full.frobeniusNorm)},
                                   {"energy_top_r", jsonNumber(u.energyTopR)},
                                   {"lora_norm", jsonNumber(u.loraNorm)},
                                   {"lora_rank", u.loraRank}});
    }
    return {{"base_old", percent(result.baseOld)},
            {"base_new", percent(result.baseNew)},
            {"series", series},
            {"full_run", runToJson(result.fullRun)},
            {"lora_run", runToJson(result.loraRun)},
            {"stopped", result.stopped},
            {"updates", updates}};
}

lora::ForgettingResult forgettingFromJson(const QJsonObject& json) {
    const JsonReader top(json, kWhere);
    lora::ForgettingResult result;
    result.baseOld = percentFrom(top, "base_old");
    result.baseNew = percentFrom(top, "base_new");
    const QJsonArray series = top.array("series");
    if (series.isEmpty()) throw lora::InputError(kWhere + ".series must not be empty");
    for (int i = 0; i < series.size(); ++i) {
        const JsonReader p(series[i], top.at("series", i));
        result.series.push_back({static_cast<int>(p.whole("epoch", 0)), percentFrom(p, "full_new"),
                                 percentFrom(p, "full_old"), percentFrom(p, "lora_new"),
                                 percentFrom(p, "lora_on_old"), percentFrom(p, "lora_off_old")});
    }
    result.fullRun = runFrom(JsonReader(top.value("full_run"), kWhere + ".full_run"));
    result.loraRun = runFrom(JsonReader(top.value("lora_run"), kWhere + ".lora_run"));
    result.stopped = top.flag("stopped");
    const QJsonArray updates = top.array("updates");
    for (int i = 0; i < updates.size(); ++i) {
        const JsonReader u(updates[i], top.at("updates", i));
        lora::LayerUpdate update;
        update.layer = static_cast<int>(u.whole("layer", 0));
        const QJsonArray sigma = u.array("singular_values");
        update.full.singularValues.resize(sigma.size());
        for (int k = 0; k < sigma.size(); ++k) {
            if (!sigma[k].isDouble())
                throw lora::InputError(u.at("singular_values", k) + " must be a number");
            update.full.singularValues[k] = sigma[k].toDouble();
        }
        update.full.numericalRank = static_cast<int>(u.whole("numerical_rank", 0));
        update.full.frobeniusNorm = u.number("frobenius_norm", true);
        update.energyTopR = u.number("energy_top_r", true);
        update.loraNorm = u.number("lora_norm", true);
        update.loraRank = static_cast<int>(u.whole("lora_rank", 0));
        result.updates.push_back(std::move(update));
    }
    return result;
}
