#pragma once
// Train → Pace: how fast a run may go, so that a learner can watch a 30 ms run grow step by
// step. One exclusive choice; the session's worker applies it at once, also mid-run.
class ExperimentSession;
class QMenu;
class QWidget;

QMenu* makePaceMenu(ExperimentSession* session, QWidget* parent);
