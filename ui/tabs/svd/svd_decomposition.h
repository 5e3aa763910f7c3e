#pragma once
// What the Rank & SVD panel computes off the GUI thread for the matrix it shows: the SVD once
// per matrix, then W_r and W − W_r once per rank. Plain data, shared between the panel, its
// ApproximationSection and their worker jobs.
#include "jobs/matrix_pool.h"
#include "linalg/truncated_svd.h"
#include "widgets/heatmap_widget.h"

#include <QSize>
#include <QString>
#include <memory>

// The sample sizes the three heatmaps want, read on the GUI thread when a job starts.
struct SvdRenderTargets {
    QSize w, approx, diff;
};

// W_r and W − W_r at one rank, block-averaged and coloured: the GUI thread only paints them.
struct SvdRendering {
    int generation = 0;
    int rank = 0;
    HeatmapWidget::Frame approx; // W_r
    HeatmapWidget::Frame diff;   // W − W_r
};
using SvdRenderingPtr = std::shared_ptr<SvdRendering>;

// One matrix's SVD and the rank sweep its renderings come from.
struct SvdDecomposition {
    int generation = 0; // the panel's selection it belongs to; results of older ones drop
    std::unique_ptr<lora::TruncatedSvd> svd; // holds W itself
    std::unique_ptr<lora::RankSweep> sweep;  // used by one render job at a time
    float maxAbs = 0.0f;    // the heatmaps' shared colour scale: HeatmapWidget::robustScale of W
    HeatmapWidget::Frame w; // W's frame; its matrix is set when shown (no self-reference)
    SvdRenderingPtr first;  // at the rank asked for when the job started
    QString error;          // non-empty (and svd null) when the SVD failed

    // For the render jobs (one at a time): buffers for the W_r and W − W_r snapshots, and W
    // block-averaged at the size W − W_r's frame was last prepared at.
    std::shared_ptr<MatrixPool> buffers;
    lora::Matrix wSample;
    QSize wSampleSize;
};
using SvdDecompositionPtr = std::shared_ptr<SvdDecomposition>;
