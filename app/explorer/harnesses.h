#pragma once
// The explorer's measurement modes, kept out of main(): each attaches to the
// window, runs once its session is ready, prints JSON lines on stdout and
// closes the window when it is done.
namespace cgpgan::ui {
class MainWindow;
}

namespace cgpgan::explorer {

// Responsiveness (issue 3): from the first training step on, the UI thread's
// timer lateness for `seconds` of training with the grid refreshing, with the
// steps/s over the same window.
void attachLatencyHarness(ui::MainWindow& window, double seconds);

// Soak (issue 11): train for `seconds` with the grid refreshing, a cluster
// assignment and a codebook page edit every 15 s; resident memory each minute.
void attachSoakHarness(ui::MainWindow& window, double seconds);

} // namespace cgpgan::explorer
