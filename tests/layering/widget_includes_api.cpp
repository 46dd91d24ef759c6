// Must compile (tests/CMakeLists.txt, layering_ui_sees_api): the same target
// setup as widget_includes_engine.cpp, with the torch-free API only.
#include "cgpgan/config.h"
#include "cgpgan/values.h"
#include "controller/controller.h"

int cgpganLayeringProbe()
{
    return cgpgan::Config{}.model.dL;
}
