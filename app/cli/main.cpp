// `cgpgan`: the headless command line over the CGPGAN core (no Qt).
#include "commands.h"
#include "common.h"

#include "cgpgan/error.h"

#include <spdlog/spdlog.h>

#include <c10/util/Exception.h>

#include <csignal>
#include <iostream>

int main(int argc, char** argv)
{
    // A closed pipe (cgpgan train | head) makes writes fail with EPIPE, which
    // the writers report, instead of killing the process before its save.
    std::signal(SIGPIPE, SIG_IGN);
    CLI::App app{"cgpgan: train and explore a Classifier Gradient Penalty GAN with a codebook (headless)"};
    app.require_subcommand(1);
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Log debug messages");
    int exitCode = 0;
    cgpgan::cli::addTrainCommand(app, exitCode);
    cgpgan::cli::addSampleCommand(app, exitCode);
    cgpgan::cli::addClusterCommand(app, exitCode);
    cgpgan::cli::addEvalCommand(app, exitCode);
    cgpgan::cli::addInfoCommand(app, exitCode);
    cgpgan::cli::addBenchCommand(app, exitCode);
    cgpgan::cli::addExportCommand(app, exitCode);
    cgpgan::cli::addMapCommand(app, exitCode);
    cgpgan::cli::addAnimateCommand(app, exitCode);
    app.parse_complete_callback([&] { spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info); });
    cgpgan::cli::logToStderr(); // logs, warnings and progress on stderr; results on stdout
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // CLI11 answers a mistyped subcommand with "A subcommand is required"
        // (issue 26): name the word and the choices instead.
        std::string names;
        bool known = false;
        for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
            names += (names.empty() ? "" : ", ") + sub->get_name();
            known = known || (argc > 1 && sub->get_name() == argv[1]);
        }
        if (dynamic_cast<const CLI::RequiredError*>(&e) && argc > 1 && argv[1][0] != '-' && !known) {
            std::cerr << "error: unknown subcommand \"" << argv[1] << "\": give one of " << names << "\n";
            return 106;
        }
        return app.exit(e);
    } catch (const cgpgan::Error& e) {
        std::cerr << "error: " << cgpgan::userMessage(e) << "\n";
        return 1;
    } catch (const c10::Error& e) {
        std::cerr << "error (libtorch): " << cgpgan::userMessage(e) << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << cgpgan::userMessage(e) << "\n";
        return 1;
    }
    return exitCode;
}
