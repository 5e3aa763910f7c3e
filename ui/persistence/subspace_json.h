#pragma once
// The Subspaces tab's result in a session file: φ(i, j) of the two adapters' A matrices
// (rows = r1, columns = r2) and both amplification tables.
#include "linalg/adapter_analysis.h"

#include <Eigen/Core>
#include <QJsonObject>
#include <array>

struct SubspaceResult {
    Eigen::MatrixXd phi; // [r1, r2]
    std::array<lora::Amplification, 2> amplifications{};
};

QJsonObject subspaceToJson(const SubspaceResult& result);
// Throws lora::InputError naming the first malformed field ("insights.subspaces.phi[2] has
// 7 values but row 0 has 8").
SubspaceResult subspaceFromJson(const QJsonObject& json);
