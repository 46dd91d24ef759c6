#pragma once
// Animations (issue 27, "latent walks as animation"): frames written as an
// animated WebP (libwebp's WebPAnimEncoder) or an MP4 (FFmpeg's libavformat
// and libavcodec: H.264 through libx264 when the build of FFmpeg has it, else
// MPEG-4 part 2), and read back with the same libraries. Torch-free, like
// the rest of io/.
#include "cgpgan/image_io.h"

#include <memory>
#include <string>

namespace cgpgan {

enum class AnimationFormat { WebP, Mp4 };

// The format a path's extension names (.webp, .mp4); throws Error naming
// the extensions otherwise.
AnimationFormat animationFormatOf(const std::string& path);

// Frames of one size, added one at a time, written at finish(): nothing is
// at path before then (a temporary file beside it is renamed into place),
// and a writer destroyed without finish() leaves nothing. Frames are RGB or
// grey (Image8, rows top first); an MP4 pads an odd width or height by one
// black pixel (its 4:2:0 colour needs even sizes).
class AnimationWriter {
public:
    AnimationWriter(const std::string& path, int width, int height, double fps);
    ~AnimationWriter();
    AnimationWriter(const AnimationWriter&) = delete;
    AnimationWriter& operator=(const AnimationWriter&) = delete;

    void add(const Image8& frame);
    void finish();
    int frames() const;
    // What encodes it: "WebP (lossless)", "H.264 (libx264)", "MPEG-4 part 2".
    std::string encoder() const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

// What a file holds, by decoding every frame with the library that wrote it.
struct AnimationInfo {
    int frames = 0;
    int width = 0, height = 0;
    double seconds = 0; // the duration the file states
    std::string codec;  // "webp", "h264", "mpeg4"
};
AnimationInfo readAnimationInfo(const std::string& path);

} // namespace cgpgan
