#include "widgets/heatmap_widget.h"

#include <QLinearGradient>
#include <QPainter>
#include <algorithm>
#include <cmath>
#include <vector>

namespace {

constexpr int kBarWidth = 10;
constexpr int kGap = 4;

// ColorBrewer RdBu's ends (r, g, b): saturated enough to read as red/blue, dark enough for
// text.
constexpr int kNegative[3] = {33, 102, 172};
constexpr int kPositive[3] = {178, 24, 43};

QString scaleText(double v) {
    return QString::number(v, 'g', 3);
}

float sanitizedScale(float maxAbs) {
    return std::isfinite(maxAbs) ? std::abs(maxAbs) : 0.0f;
}

// One colour channel at |t| = a of the way from white to `end`, rounded half away from zero
// like std::lround (exact: the float sum is non-negative and double holds it + 0.5).
inline int mixChannel(int end, float a) {
    const float v = 255.0f + (static_cast<float>(end) - 255.0f) * a;
    return static_cast<int>(static_cast<double>(v) + 0.5);
}

inline QRgb colorOf(float value, float maxAbs) {
    if (!(maxAbs > 0.0f) || !std::isfinite(value)) return qRgb(255, 255, 255);
    const float t = std::clamp(value / maxAbs, -1.0f, 1.0f);
    const int* end = t >= 0.0f ? kPositive : kNegative;
    const float a = std::abs(t);
    return qRgb(mixChannel(end[0], a), mixChannel(end[1], a), mixChannel(end[2], a));
}

} // namespace

HeatmapWidget::HeatmapWidget(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatmapWidget::setMatrix(std::shared_ptr<const lora::Matrix> matrix) {
    m_matrix = std::move(matrix);
    m_placeholder.clear();
    resample();
}

void HeatmapWidget::setMatrix(const lora::Matrix& matrix) {
    setMatrix(std::make_shared<const lora::Matrix>(matrix));
}

void HeatmapWidget::setFrame(Frame frame) {
    m_matrix = std::move(frame.matrix);
    m_placeholder.clear();
    const QSize target = sampleSize();
    const bool fits =
        frame.scale == m_scale &&
        frame.sampled.rows() == std::min<Eigen::Index>(matrix().rows(), target.height()) &&
        frame.sampled.cols() == std::min<Eigen::Index>(matrix().cols(), target.width()) &&
        frame.image.width() == frame.sampled.cols() && frame.image.height() == frame.sampled.rows();
    if (!fits) {
        resample();
        return;
    }
    m_sampled = std::move(frame.sampled);
    m_image = std::move(frame.image);
    update();
}

HeatmapWidget::Frame HeatmapWidget::prepare(std::shared_ptr<const lora::Matrix> matrix,
                                            QSize sampleSize, float scale) {
    static const lora::Matrix empty;
    Frame frame = prepare(matrix ? *matrix : empty, sampleSize, scale);
    frame.matrix = std::move(matrix);
    return frame;
}

HeatmapWidget::Frame HeatmapWidget::prepare(const lora::Matrix& matrix, QSize sampleSize,
                                            float scale) {
    Frame frame;
    frame.scale = sanitizedScale(scale);
    blockAverage(matrix, sampleSize.height(), sampleSize.width(), frame.sampled);
    colorize(frame.sampled, frame.scale, frame.image);
    return frame;
}

float HeatmapWidget::robustScale(const lora::Matrix& sampled) {
    std::vector<float> magnitudes;
    magnitudes.reserve(static_cast<std::size_t>(sampled.size()));
    for (Eigen::Index i = 0; i < sampled.size(); ++i)
        if (std::isfinite(sampled.data()[i])) magnitudes.push_back(std::abs(sampled.data()[i]));
    if (magnitudes.empty()) return 0.0f;
    const auto at = magnitudes.begin() +
                    static_cast<std::ptrdiff_t>(std::floor(0.99 * double(magnitudes.size() - 1)));
    std::nth_element(magnitudes.begin(), at, magnitudes.end());
    if (*at > 0.0f) return *at;
    return *std::max_element(magnitudes.begin(), magnitudes.end());
}

HeatmapWidget::Frame HeatmapWidget::fromSample(std::shared_ptr<const lora::Matrix> matrix,
                                               lora::Matrix sampled, float scale) {
    Frame frame;
    frame.matrix = std::move(matrix);
    frame.sampled = std::move(sampled);
    frame.scale = sanitizedScale(scale);
    colorize(frame.sampled, frame.scale, frame.image);
    return frame;
}

void HeatmapWidget::clear(const QString& placeholder) {
    m_matrix.reset();
    m_placeholder = placeholder;
    resample();
}

const lora::Matrix& HeatmapWidget::matrix() const {
    static const lora::Matrix empty;
    return m_matrix ? *m_matrix : empty;
}

void HeatmapWidget::setScale(float maxAbs) {
    m_scale = sanitizedScale(maxAbs);
    resample(); // the colour bar's labels, and so the image's width, follow the scale
}

void HeatmapWidget::setTitle(const QString& title) {
    m_title = title;
    update();
}

QRgb HeatmapWidget::colorFor(float value, float maxAbs) {
    return colorOf(value, maxAbs);
}

void HeatmapWidget::colorize(const lora::Matrix& sampled, float maxAbs, QImage& image) {
    const int h = static_cast<int>(sampled.rows()), w = static_cast<int>(sampled.cols());
    if (w == 0 || h == 0) {
        image = QImage();
        return;
    }
    if (image.width() != w || image.height() != h || image.format() != QImage::Format_RGB32)
        image = QImage(w, h, QImage::Format_RGB32);
    for (int i = 0; i < h; ++i) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(i));
        const float* row = sampled.data() + static_cast<Eigen::Index>(i) * w; // row-major
        for (int j = 0; j < w; ++j) line[j] = colorOf(row[j], maxAbs);
    }
}

lora::Matrix HeatmapWidget::blockAverage(const lora::Matrix& m, int outRows, int outCols) {
    lora::Matrix out;
    blockAverage(m, outRows, outCols, out);
    return out;
}

void HeatmapWidget::blockAverage(const lora::Matrix& m, int outRows, int outCols,
                                 lora::Matrix& out) {
    const Eigen::Index rows = m.rows(), cols = m.cols();
    const Eigen::Index h = std::clamp<Eigen::Index>(outRows, 0, rows);
    const Eigen::Index w = std::clamp<Eigen::Index>(outCols, 0, cols);
    out.resize(h, w); // a no-op when the size is unchanged
    if (h == 0 || w == 0) return;
    if (h == rows && w == cols) {
        out = m;
        return;
    }
    // One pass over m in storage order, summing each row's column blocks into its output row.
    std::vector<Eigen::Index> colStart(static_cast<std::size_t>(w) + 1);
    for (Eigen::Index j = 0; j <= w; ++j) colStart[j] = j * cols / w;
    std::vector<double> sums(static_cast<std::size_t>(w));
    for (Eigen::Index i = 0; i < h; ++i) {
        const Eigen::Index r0 = i * rows / h, r1 = (i + 1) * rows / h;
        std::fill(sums.begin(), sums.end(), 0.0);
        for (Eigen::Index r = r0; r < r1; ++r) {
            const float* row = m.data() + r * cols;
            for (Eigen::Index j = 0; j < w; ++j) {
                float s = 0.0f; // float within one row's block, double across rows
                for (Eigen::Index c = colStart[j]; c < colStart[j + 1]; ++c) s += row[c];
                sums[j] += s;
            }
        }
        for (Eigen::Index j = 0; j < w; ++j) {
            const double count = static_cast<double>((r1 - r0) * (colStart[j + 1] - colStart[j]));
            out(i, j) = static_cast<float>(sums[j] / count);
        }
    }
}

QRect HeatmapWidget::colorBarRect() const {
    const QFontMetrics fm = fontMetrics();
    const int labelWidth = std::max(fm.horizontalAdvance(scaleText(-m_scale)),
                                    fm.horizontalAdvance(scaleText(m_scale)));
    const int top = fm.height() + kGap + fm.height() / 2;
    return {width() - labelWidth - kGap - kBarWidth, top, kBarWidth,
            std::max(0, height() - top - fm.height() / 2)};
}

QRect HeatmapWidget::imageRect() const {
    const int top = fontMetrics().height() + kGap;
    return {0, top, std::max(0, colorBarRect().left() - 2 * kGap), std::max(0, height() - top)};
}

QSize HeatmapWidget::sampleSize() const {
    return imageRect().size() * devicePixelRatioF(); // physical pixels on high-DPI screens
}

void HeatmapWidget::resample() {
    const QSize target = sampleSize();
    blockAverage(matrix(), target.height(), target.width(), m_sampled);
    recolor();
}

void HeatmapWidget::recolor() {
    colorize(m_sampled, m_scale, m_image);
    update();
}

void HeatmapWidget::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    resample();
}

void HeatmapWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QFontMetrics fm = fontMetrics();
    QString title = m_title;
    if (matrix().size() > 0)
        title += QStringLiteral("  (%1×%2)").arg(matrix().rows()).arg(matrix().cols());
    p.drawText(QRect(0, 0, width(), fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
               fm.elidedText(title, Qt::ElideRight, width()));

    const QRect area = imageRect();
    // A hidden widget gets its resize event only when shown; catch up before painting.
    const QSize target = sampleSize();
    if (m_sampled.rows() != std::min<Eigen::Index>(matrix().rows(), target.height()) ||
        m_sampled.cols() != std::min<Eigen::Index>(matrix().cols(), target.width()))
        resample();
    if (m_image.isNull()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawRect(area.adjusted(0, 0, -1, -1));
        p.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
    } else {
        // Nearest-neighbour: a small matrix's cells stay crisp blocks when scaled up.
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(area, m_image);
    }

    const QRect bar = colorBarRect();
    QLinearGradient gradient(bar.topLeft(), bar.bottomLeft());
    gradient.setColorAt(0.0, QColor(colorFor(1.0f, 1.0f)));
    gradient.setColorAt(0.5, Qt::white);
    gradient.setColorAt(1.0, QColor(colorFor(-1.0f, 1.0f)));
    p.fillRect(bar, gradient);
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    p.setPen(palette().color(QPalette::WindowText));
    const int x = bar.right() + kGap;
    const int half = fm.height() / 2;
    p.drawText(QRect(x, bar.top() - half, width() - x, fm.height()), Qt::AlignLeft,
               scaleText(m_scale));
    p.drawText(QRect(x, bar.center().y() - half, width() - x, fm.height()), Qt::AlignLeft, "0");
    p.drawText(QRect(x, bar.bottom() - half, width() - x, fm.height()), Qt::AlignLeft,
               scaleText(-m_scale));
}
