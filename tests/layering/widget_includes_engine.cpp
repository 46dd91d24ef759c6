// Must NOT compile (tests/CMakeLists.txt, layering_ui_cannot_see_engine): a
// source linked like the explorer's widgets (cgpgan::ui) cannot see the
// engine's headers, only the torch-free API of core/api.
#include "cgpgan/trainer.h"
