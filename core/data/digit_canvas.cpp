#include "data/digit_canvas.h"

#include "data/dataset.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>

namespace lora {

namespace {

struct Box {
    Eigen::Index top = 0, left = 0, rows = 0, cols = 0;
};

Box inkBox(const Eigen::Ref<const Matrix>& ink) {
    Eigen::Index top = ink.rows(), bottom = -1, left = ink.cols(), right = -1;
    for (Eigen::Index i = 0; i < ink.rows(); ++i)
        for (Eigen::Index j = 0; j < ink.cols(); ++j)
            if (ink(i, j) > 0.0f) {
                top = std::min(top, i);
                bottom = std::max(bottom, i);
                left = std::min(left, j);
                right = std::max(right, j);
            }
    if (bottom < 0) return {};
    return {top, left, bottom - top + 1, right - left + 1};
}

// Length of [a, b) ∩ [c, d).
double overlap(double a, double b, double c, double d) {
    return std::max(0.0, std::min(b, d) - std::max(a, c));
}

// src [h, w] -> [rows, cols], each output pixel the mean of the source area it covers.
Matrix areaResample(const Eigen::Ref<const Matrix>& src, Eigen::Index rows, Eigen::Index cols) {
    const double fy = double(src.rows()) / rows, fx = double(src.cols()) / cols;
    Matrix out(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i) {
        const double y0 = i * fy, y1 = (i + 1) * fy;
        for (Eigen::Index j = 0; j < cols; ++j) {
            const double x0 = j * fx, x1 = (j + 1) * fx;
            double sum = 0;
            for (auto y = Eigen::Index(y0); y < std::min<Eigen::Index>(src.rows(), std::ceil(y1));
                 ++y) {
                const double wy = overlap(y0, y1, double(y), y + 1.0);
                for (auto x = Eigen::Index(x0);
                     x < std::min<Eigen::Index>(src.cols(), std::ceil(x1)); ++x)
                    sum += wy * overlap(x0, x1, double(x), x + 1.0) * src(y, x);
            }
            out(i, j) = static_cast<float>(sum / (fy * fx));
        }
    }
    return out;
}

} // namespace

Matrix mnistFieldFromCanvas(const Eigen::Ref<const Matrix>& ink) {
    if (!ink.allFinite()) throw InputError("the canvas holds a non-finite value");
    Matrix field = Matrix::Zero(kMnistSide, kMnistSide);
    const Box box = inkBox(ink);
    if (box.rows == 0) return field;

    const double scale = double(kMnistBox) / std::max(box.rows, box.cols);
    const auto rows = std::max<Eigen::Index>(1, std::lround(box.rows * scale));
    const auto cols = std::max<Eigen::Index>(1, std::lround(box.cols * scale));
    const Matrix digit = areaResample(
        ink.block(box.top, box.left, box.rows, box.cols).cwiseMax(0.0f).cwiseMin(1.0f), rows, cols);

    // Centre of mass of the scaled digit (pixel centres at index + 0.5), then the offset
    // that puts it at the field's centre, kept inside the field.
    double mass = 0, cy = 0, cx = 0;
    for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < cols; ++j) {
            mass += digit(i, j);
            cy += digit(i, j) * (i + 0.5);
            cx += digit(i, j) * (j + 0.5);
        }
    const double half = kMnistSide / 2.0;
    const auto place = [&](double centre, Eigen::Index size) {
        const auto offset = std::lround(half - centre / mass);
        return std::clamp<Eigen::Index>(offset, 0, kMnistSide - size);
    };
    field.block(place(cy, rows), place(cx, cols), rows, cols) = digit;
    return field;
}

Matrix normalisedRow(const Eigen::Ref<const Matrix>& field) {
    if (field.rows() != kMnistSide || field.cols() != kMnistSide)
        throw InputError("a digit field must be 28×28");
    Matrix row(1, kMnistSide * kMnistSide);
    for (Eigen::Index i = 0; i < kMnistSide; ++i)
        for (Eigen::Index j = 0; j < kMnistSide; ++j)
            row(0, i * kMnistSide + j) = (field(i, j) - kMnistMean) / kMnistStd;
    return row;
}

} // namespace lora
