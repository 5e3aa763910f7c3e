#pragma once
// A painted grid of 28×28 test digits, each captioned "predicted / true"; misclassified
// cells get a red frame and red caption. Samples and predictions are set separately so a
// model change only recolours the same digits.
#include "nn/tensor.h"

#include <QImage>
#include <QWidget>
#include <cstdint>
#include <vector>

class DigitGridWidget : public QWidget {
    Q_OBJECT
public:
    static constexpr int kSide = 28; // image rows and columns
    static constexpr int kColumns = 8;

    explicit DigitGridWidget(QWidget* parent = nullptr);

    // images: [n, 784] rows normalised as lora::normalise does; trueDigits: [n] real digits.
    // Clears any predictions.
    void setSamples(const lora::Matrix& images, const std::vector<int>& trueDigits);
    // One real digit per sample; an empty vector removes the predictions.
    void setPredictions(const std::vector<int>& predictedDigits);
    void clear();

    int cellCount() const { return static_cast<int>(m_images.size()); }
    int wrongCount() const;
    bool isWrong(int i) const;
    QImage image(int i) const { return m_images[i]; }
    QRect cellRect(int i) const; // the frame drawn around sample i, in widget coordinates

    // Undoes (x/255 − mean)/std back to a 0…255 grey level, rounded and clamped.
    static std::uint8_t toGrey(float normalised);
    static QImage toImage(const float* row); // kSide × kSide, Format_Grayscale8

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    struct Layout {
        int imageSide = 2 * kSide, cellWidth = 0, cellHeight = 0, left = 0, top = 0;
    };
    Layout layout() const;
    int rows() const { return (cellCount() + kColumns - 1) / kColumns; }

    std::vector<QImage> m_images;
    std::vector<int> m_true, m_predicted;
};
