// libFuzzer target: image decoding in an image folder (the loader decodes only
// PNG and JPEG content, whatever the name; anything else must be skipped with
// a reason), then the centre crop and resize to 16x16 RGB.
#include "fuzz_common.h"

#include "cgpgan/data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const std::string folder = (cgpgan_fuzz::scratchFolder() / "images").string();
    static const bool made = std::filesystem::create_directories(folder);
    (void)made;
    cgpgan_fuzz::writeInput("images/input.png", data, size);
    cgpgan_fuzz::expectOnlyOurErrors([&] {
        const cgpgan::Dataset d = cgpgan::loadImageFolder(folder, 16, 3);
        if (d.count != 1 || d.pixels.size() != size_t(16 * 16 * 3))
            std::abort();
    });
    return 0;
}
