#include "persistence/subspace_json.h"

#include "persistence/json_reader.h"

namespace {

const std::string kWhere = "insights.subspaces";

} // namespace

QJsonObject subspaceToJson(const SubspaceResult& result) {
    QJsonArray rows, amplifications;
    for (Eigen::Index i = 0; i < result.phi.rows(); ++i) {
        QJsonArray row;
        for (Eigen::Index j = 0; j < result.phi.cols(); ++j)
            row.append(jsonNumber(result.phi(i, j)));
        rows.append(row);
    }
    for (const lora::Amplification& a : result.amplifications)
        amplifications.append(
            QJsonObject{{"rank", a.rank},
                        {"weight_norm", jsonNumber(a.weightNorm)},
                        {"delta_norm", jsonNumber(a.deltaNorm)},
                        {"projection_on_delta", jsonNumber(a.projectionOnDelta)},
                        {"projection_on_weight", jsonNumber(a.projectionOnWeight)},
                        {"projection_on_random", jsonNumber(a.projectionOnRandom)},
                        {"factor", jsonNumber(a.factor)}});
    return {{"phi", rows}, {"amplifications", amplifications}};
}

SubspaceResult subspaceFromJson(const QJsonObject& json) {
    const JsonReader top(json, kWhere);
    SubspaceResult result;
    const QJsonArray rows = top.array("phi");
    const int cols = rows.isEmpty() ? 0 : int(rows[0].toArray().size());
    if (rows.isEmpty() || cols == 0)
        throw lora::InputError(kWhere + ".phi must be a non-empty array of rows");
    result.phi.resize(rows.size(), cols);
    for (int i = 0; i < rows.size(); ++i) {
        const QJsonArray row = rows[i].toArray();
        if (row.size() != cols)
            throw lora::InputError(top.at("phi", i) + " has " + std::to_string(row.size()) +
                                   " values but row 0 has " + std::to_string(cols));
        for (int j = 0; j < cols; ++j) {
            if (!row[j].isDouble())
                throw lora::InputError(top.at("phi", i) + " must hold numbers only");
            result.phi(i, j) = row[j].toDouble();
        }
    }
    const QJsonArray amplifications = top.array("amplifications");
    if (amplifications.size() != 2)
        throw lora::InputError(kWhere + ".amplifications must hold the two adapters' tables");
    for (int k = 0; k < 2; ++k) {
        const JsonReader a(amplifications[k], top.at("amplifications", k));
        lora::Amplification& out = result.amplifications[k];
        out.rank = static_cast<int>(a.whole("rank", 1));
        out.weightNorm = a.number("weight_norm", true);
        out.deltaNorm = a.number("delta_norm", true);
        out.projectionOnDelta = a.number("projection_on_delta", true);
        out.projectionOnWeight = a.number("projection_on_weight", true);
        out.projectionOnRandom = a.number("projection_on_random", true);
        out.factor = a.number("factor", true);
    }
    return result;
}
