// `cgpgan export CKPT --out DIR`: the checkpoint's G_ema and Q as TorchScript
// modules, its tensors as a state dict for Python's torch.load, and a JSON
// description (core/include/cgpgan/export.h, issue 13).
#include "commands.h"
#include "common.h"

#include "cgpgan/export.h"

#include <spdlog/spdlog.h>

#include <iostream>

namespace cgpgan::cli {

namespace {

struct ExportOptions {
    ConfigOptions config; // none on the command line: the checkpoint's own config
    std::string checkpoint;
    std::string out;
};

int runExport(const ExportOptions& o)
{
    auto r = restore(o.checkpoint, o.config, /*needData=*/false);
    spdlog::info("exporting {} (step {}) to {}", o.checkpoint, r.model->step(), o.out);
    const ExportedFiles files = exportModel(*r.model, o.out);
    for (const std::string& path : files.files)
        std::cout << path << "\n";
    return 0;
}

} // namespace

void addExportCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<ExportOptions>();
    CLI::App* sub = app.add_subcommand(
        "export", "Export G_ema and Q as TorchScript (torch.jit.load), a state dict (torch.load) and model.json");
    sub->add_option("checkpoint", o->checkpoint, "Checkpoint file")->required()->check(regularFileValidator("checkpoint"));
    sub->add_option("--out", o->out, "Folder to write generator.pt, classifier.pt, state_dict.pt, model.json")
        ->check(nonEmptyValidator())
        ->required();
    sub->callback([o, &exitCode] { exitCode = runExport(*o); });
}

} // namespace cgpgan::cli
