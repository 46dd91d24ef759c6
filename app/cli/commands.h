#pragma once
// The subcommands of `cgpgan`. Each registers itself on the app; its callback
// stores the process exit code in `exitCode`.
#include <CLI/CLI.hpp>

namespace cgpgan::cli {

void addTrainCommand(CLI::App& app, int& exitCode);
void addSampleCommand(CLI::App& app, int& exitCode);
void addClusterCommand(CLI::App& app, int& exitCode);
void addEvalCommand(CLI::App& app, int& exitCode);
void addInfoCommand(CLI::App& app, int& exitCode);
void addBenchCommand(CLI::App& app, int& exitCode);
void addExportCommand(CLI::App& app, int& exitCode);
void addMapCommand(CLI::App& app, int& exitCode);
void addAnimateCommand(CLI::App& app, int& exitCode);

} // namespace cgpgan::cli
