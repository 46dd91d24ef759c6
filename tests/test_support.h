#pragma once
// Helpers shared by the test executables (header-only, tests only).
#include "cgpgan/config.h"

#include <QtTest>

#include <cmath>

// Compares two doubles within an absolute tolerance, printing both in full.
#define VERIFY_NEAR(a, b, tol)                                                                      \
    do {                                                                                            \
        const double a_ = (a), b_ = (b);                                                            \
        QVERIFY2(std::abs(a_ - b_) <= (tol),                                                        \
                 qPrintable(QStringLiteral("%1 vs %2 (tolerance %3)").arg(a_, 0, 'g', 17).arg(b_, 0, 'g', 17).arg(tol))); \
    } while (0)

namespace cgpgan::testing {

// The smallest conv model that still has the full shape of the demo preset
// (with the paper's architecture: the ablation fields at their defaults),
// on `count` built-in images, on the CPU.
inline Config tinyConfig(int64_t count = 256)
{
    Config c = cgpgan::preset("demo");
    c.model.gWidths = {16, 8, 8};
    c.model.dWidths = {8, 8, 16};
    c.model.dZ = 16;
    c.train.batch = 8;
    c.train.steps = 100;
    c.data.kind = cgpgan::DataKind::Builtin;
    c.data.count = count;
    c.data.resolution = c.model.resolution;
    c.data.channels = c.model.channels;
    // The paper's architecture and G loss, whatever the demo preset turns on
    // (issue 9's ablations): tests that need one set it themselves.
    c.model.dHidden = 0;
    c.model.mbstdGroup = 0;
    c.model.codebookInit = 1.0;
    c.train.lambdaMs = 0;
    c.train.codebookLrScale = 1.0;
    c.train.qAugmentScale = c.train.qAugmentShift = c.train.qAugmentRotate = 0;
    c.train.lambdaGCls = 0;
    c.train.regEvery = 1;
    c.run.device = cgpgan::DeviceChoice::Cpu;
    c.run.threads = 2;
    c.validate();
    return c;
}

} // namespace cgpgan::testing
