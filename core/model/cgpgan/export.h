#pragma once
// Getting a model out of this program (SPEC 7 "export", issue 13): TorchScript
// modules that need nothing of this project to load (`torch.jit.load` in
// Python, `torch::jit::load` in C++), a state dict for Python's `torch.load`,
// and a JSON file with the config, the prior and the input conventions.
//
// The modules are built here from C++: a torch::jit::Module per network, its
// weights registered as parameters and its forward defined from TorchScript
// source that this file writes for the model's shape. The weights are the
// effective ones (the equalized learning rate's 1/sqrt(fan_in), SPEC 3,
// already multiplied in), so the script is the plain network.
#include "cgpgan/model.h"

#include <torch/script.h>

#include <string>
#include <vector>

namespace cgpgan {

struct ExportedFiles {
    std::string folder;
    std::vector<std::string> files; // full paths, in the order written
    int64_t step = 0;               // the step of the weights exported
};

// File names inside the export folder.
inline constexpr const char* kExportGenerator = "generator.pt";   // G_ema (SPEC 4.8)
inline constexpr const char* kExportClassifier = "classifier.pt"; // Q (absent for a vanilla GAN)
inline constexpr const char* kExportStateDict = "state_dict.pt";  // every raw tensor, torch.load
inline constexpr const char* kExportInfo = "model.json";          // config, prior, conventions

// Writes the export of model into folder (created when missing). Each file is
// written atomically (file_io.h); an existing export there is replaced file by
// file. Throws Error naming the file and the cause. Takes the model's lock
// while it copies the weights (between two training steps).
// config: what model.json records as the run's config; null = the model's
// own (the config it was built with). A trainer whose knobs changed passes
// Trainer::recordedConfig(), the one its checkpoint would record (issue 27:
// an export after a live lr change wrote the preset's lr).
ExportedFiles exportModel(const Model& model, const std::string& folder, const Config* config = nullptr);

// The TorchScript modules alone, for tests and callers that keep them in
// memory. Both evaluate like the native networks: generatorModule(z [b, d_z],
// c [b, d_l, d_c]) gives Model::generate's output (images clipped to
// [-1, 1]; points unclipped); classifierModule(x) gives Q's logits
// reshaped to [b, d_l, d_c]. A vanilla model has no classifier (Error).
torch::jit::Module generatorModule(const Model& model);
torch::jit::Module classifierModule(const Model& model);

} // namespace cgpgan
