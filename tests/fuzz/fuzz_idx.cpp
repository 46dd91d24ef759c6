// libFuzzer target: IDX images files (raw or gzip), as `cgpgan train --data mnist` reads them.
#include "fuzz_common.h"

#include "cgpgan/data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string path = cgpgan_fuzz::writeInput("images-idx3-ubyte", data, size);
    cgpgan_fuzz::expectOnlyOurErrors([&] {
        const cgpgan::Dataset d = cgpgan::loadIdx(path, "");
        if (d.pixels.size() != size_t(d.count) * size_t(d.imageSize()))
            std::abort(); // a dataset whose pixels do not match its header
    });
    return 0;
}
