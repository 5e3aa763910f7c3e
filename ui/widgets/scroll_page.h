#pragma once
// Tab pages inside scroll areas. A page's minimum size then no longer sets the window's: on a
// 1024×640 screen the window still fits and the page scrolls, and a page whose minimum grows
// (wider labels for a bigger matrix) cannot make the window resize itself.
class QScrollArea;
class QTabWidget;
class QWidget;

// page becomes the scroll area's widget (resized to the viewport, never below its minimum).
QScrollArea* scrollPage(QWidget* page);
// The page a tab shows: through its scroll area when it has one.
QWidget* pageOf(QWidget* tab);
// Shows the tab holding `page` (directly or in a scroll area); false when none does.
bool showPage(QTabWidget* tabs, QWidget* page);
