// libFuzzer target: checkpoint files (a zip written by libtorch's serializer
// holding the config, the checksums and the tensors): what `cgpgan info`,
// `cgpgan sample` and `train --resume` read first.
#include "fuzz_common.h"

#include "cgpgan/model.h"
#include "cgpgan/trainer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string path = cgpgan_fuzz::writeInput("checkpoint.pt", data, size);
    cgpgan_fuzz::expectOnlyOurErrors([&] {
        const cgpgan::CheckpointInfo info = cgpgan::Trainer::readInfo(path);
        (void)info;
        cgpgan::Model::load(path); // verifies the checksums and the shapes
    });
    return 0;
}
