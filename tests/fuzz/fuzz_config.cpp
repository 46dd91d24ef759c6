// libFuzzer target: config JSON (a --config file or a checkpoint's config),
// then validation, a round trip, and one --set override.
#include "fuzz_common.h"

#include "cgpgan/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    cgpgan_fuzz::expectOnlyOurErrors([&] {
        cgpgan::Config config = cgpgan::configFromJson(text, "fuzz.json");
        // What we write, we read back to the same config.
        if (cgpgan::toJson(cgpgan::configFromJson(cgpgan::toJson(config), "round trip")) != cgpgan::toJson(config))
            std::abort();
        config.validate();
    });
    // The same bytes as the value of an override.
    cgpgan_fuzz::expectOnlyOurErrors([&] {
        cgpgan::Config config;
        cgpgan::applyOverride(config, "train.batch=" + text);
    });
    return 0;
}
