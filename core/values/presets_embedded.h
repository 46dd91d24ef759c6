#pragma once
// Presets from resources/presets/*.json, embedded at build time (the .cpp is
// generated into the build folder by core/CMakeLists.txt).
#include <string>
#include <vector>

namespace cgpgan {

struct EmbeddedPreset {
    std::string name;
    std::string json;
};

const std::vector<EmbeddedPreset>& embeddedPresets();

} // namespace cgpgan
