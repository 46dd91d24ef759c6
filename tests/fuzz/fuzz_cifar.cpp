// libFuzzer target: CIFAR-10 binary batches (raw or gzip).
#include "fuzz_common.h"

#include "cgpgan/data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string path = cgpgan_fuzz::writeInput("data_batch_1.bin", data, size);
    cgpgan_fuzz::expectOnlyOurErrors([&] {
        const cgpgan::Dataset d = cgpgan::loadCifar10(path);
        if (d.pixels.size() != size_t(d.count) * size_t(d.imageSize()) || d.labels.empty()
            || d.labels[0].values.size() != size_t(d.count))
            std::abort();
    });
    return 0;
}
