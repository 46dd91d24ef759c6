// `cgpgan animate`: a latent walk of a checkpoint's G_ema (latent_walk.h)
// written as an animated WebP and/or an MP4 (animation.h), with a progress
// line. The explorer's File > Export animation makes the same files.
#include "commands.h"
#include "common.h"

#include "cgpgan/animation.h"
#include "cgpgan/error.h"
#include "cgpgan/latent_walk.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace cgpgan::cli {

namespace {

struct AnimateOptions {
    ConfigOptions config;
    std::string checkpoint;
    std::vector<std::string> outs{"walk.webp"};
    std::string walk = "z";
    std::vector<int64_t> combinations;
    int label = 0, from = 0, to = 1;
    int rows = 1, frames = 60, keyframes = 4, scale = 4;
    double fps = 20;
    uint64_t zSeed = 1;
};

int runAnimate(const AnimateOptions& o)
{
    for (const auto& out : o.outs)
        animationFormatOf(out); // refuse a wrong extension before any work
    auto r = restore(o.checkpoint, o.config, /*needData=*/false);
    LatentWalk walk;
    walk.kind = o.walk == "pages" ? LatentWalk::Kind::Pages : o.walk == "path" ? LatentWalk::Kind::Path
                                                                                : LatentWalk::Kind::Z;
    walk.combinations = o.combinations;
    if (walk.combinations.empty()) {
        // Defaults: the first combinations as columns (z), combination 0
        // (pages), or every combination in order, up to 16 (path).
        const int64_t total = r.config.model.combinations();
        const int64_t n = walk.kind == LatentWalk::Kind::Pages ? 1 : std::min<int64_t>(total, 8);
        for (int64_t i = 0; i < n; ++i)
            walk.combinations.push_back(i);
    }
    walk.label = o.label;
    walk.pageA = o.from;
    walk.pageB = o.to;
    walk.rows = o.rows;
    walk.frames = o.frames;
    walk.keyframes = o.keyframes;
    walk.scale = o.scale;
    walk.zSeed = o.zSeed;
    checkLatentWalk(*r.model, walk);
    const auto [width, height] = latentWalkFrameSize(*r.model, walk);
    std::vector<std::unique_ptr<AnimationWriter>> writers;
    for (const auto& out : o.outs)
        writers.push_back(std::make_unique<AnimationWriter>(out, width, height, o.fps));
    const auto start = std::chrono::steady_clock::now();
    bool drawn = false;
    try {
        renderLatentWalk(*r.model, walk, [&](int i, int n, const Image8& frame) {
            for (auto& w : writers)
                w->add(frame);
            std::fprintf(stderr, "\ranimating: frame %d / %d (%.0f%%)", i + 1, n, 100.0 * (i + 1) / n);
            drawn = true;
            return true;
        });
        if (drawn)
            std::fprintf(stderr, "\n");
        for (auto& w : writers)
            w->finish();
    } catch (...) {
        if (drawn)
            std::fprintf(stderr, "\n");
        throw;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (size_t i = 0; i < writers.size(); ++i)
        std::printf("wrote %s: %s, %d frames of %d x %d at %g fps (%s), step %lld\n", o.outs[i].c_str(),
                    walk.describe().c_str(), writers[i]->frames(), width, height, o.fps,
                    writers[i]->encoder().c_str(), (long long)r.model->step());
    std::printf("in %.1f s\n", seconds);
    return 0;
}

} // namespace

void addAnimateCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<AnimateOptions>();
    CLI::App* sub = app.add_subcommand(
        "animate", "Write a latent walk of a checkpoint's samples as an animated WebP and/or an MP4");
    sub->add_option("checkpoint", o->checkpoint, "Checkpoint file")->required()->check(regularFileValidator("checkpoint"));
    sub->add_option("-o,--out", o->outs, "Files to write, .webp and/or .mp4 (one walk, both formats: -o a.webp -o a.mp4)")
        ->capture_default_str()
        ->check(nonEmptyValidator());
    sub->add_option("--walk", o->walk,
                    "z: each row walks a loop through z for fixed columns; pages: label --label goes from page --from "
                    "to page --to; path: the code moves through --combinations in order")
        ->capture_default_str()
        ->check(CLI::IsMember({"z", "pages", "path"}));
    sub->add_option("--combinations", o->combinations,
                    "z: the columns; pages: the starting combination (one); path: the combinations visited "
                    "(label 0 most significant). Default: the first 8 (z, path) or 0 (pages)");
    sub->add_option("--label", o->label, "pages: the label whose page is mixed")->capture_default_str();
    sub->add_option("--from", o->from, "pages: category at the first frame")->capture_default_str();
    sub->add_option("--to", o->to, "pages: category at the last frame")->capture_default_str();
    sub->add_option("--rows", o->rows, "Fixed z rows")->capture_default_str()->check(CLI::Range(1, 64));
    sub->add_option("--frames", o->frames, "Frames in all")->capture_default_str()->check(CLI::Range(2, 10000));
    sub->add_option("--keyframes", o->keyframes, "z: points of z on the loop")
        ->capture_default_str()
        ->check(CLI::Range(2, 1000));
    sub->add_option("--fps", o->fps, "Frames a second")->capture_default_str()->check(finiteValidator() &
                                                                                         CLI::Range(1.0, 120.0));
    sub->add_option("--scale", o->scale, "Each pixel drawn as scale x scale (sharp)")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    sub->add_option("--z-seed", o->zSeed, "Seed of the z rows")->capture_default_str()->check(seedValidator());
    sub->add_option("--device", o->config.device, "auto, cpu or cuda");
    sub->add_option("--threads", o->config.threads, "CPU intra-op threads; 0 = all cores");
    sub->callback([o, &exitCode] { exitCode = runAnimate(*o); });
}

} // namespace cgpgan::cli
