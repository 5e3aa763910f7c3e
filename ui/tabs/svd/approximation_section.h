#pragma once
// The Rank & SVD panel's W | W_r | W − W_r heatmaps, on one colour scale (±max|W|). W_r and
// W − W_r follow the rank: a job on interactivePool() moves the decomposition's RankSweep and
// prepares both frames (snapshot, block average to the widgets' pixels, colours), so the GUI
// thread only swaps images in and paints. One job runs at a time; ranks the slider passed
// meanwhile are skipped.
#include "tabs/svd/svd_decomposition.h"

#include <QFutureWatcher>
#include <QWidget>

class HeatmapWidget;

class ApproximationSection : public QWidget {
    Q_OBJECT
public:
    explicit ApproximationSection(QWidget* parent = nullptr);

    // No matrix to show (yet): every map shows `message` and the titles lose their rank.
    void showMessage(const QString& message);
    // A finished decomposition: W and d->first at once, then renderings follow setRank().
    void setDecomposition(SvdDecompositionPtr decomposition, int rank);
    void setRank(int rank);
    int renderedRank() const { return m_renderedRank; } // −1 until a rendering is shown

    SvdRenderTargets targets() const; // the sizes to prepare frames at (GUI thread)
    // Any thread: moves d's sweep to `rank` (one caller at a time per sweep), snapshots W_r
    // and W − W_r and prepares their frames.
    static SvdRenderingPtr render(SvdDecomposition& d, int rank, const SvdRenderTargets& targets);

private:
    void startRendering();
    void onRenderingFinished();
    void display(SvdRendering& rendering);

    HeatmapWidget *m_wMap, *m_approxMap, *m_diffMap;
    QFutureWatcher<SvdRenderingPtr>* m_watcher;
    SvdDecompositionPtr m_decomposition; // null while there is nothing to render
    int m_rank = 0;
    int m_renderedRank = -1;
    bool m_rendering = false; // render jobs share the RankSweep: one at a time
};
