// Animated WebP through libwebp's animation encoder and demuxer, MP4 through
// FFmpeg's libraries (animation.h). No encoder of our own: these are the
// well-kept ones Debian ships (libwebp-dev, libavformat-dev, libavcodec-dev,
// libswscale-dev).
#include "cgpgan/animation.h"

#include "cgpgan/error.h"
#include "cgpgan/file_io.h"

#include <webp/demux.h>
#include <webp/encode.h>
#include <webp/mux.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

namespace cgpgan {

namespace fs = std::filesystem;

namespace {

std::string lowerExtension(const std::string& path)
{
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

std::string avText(int code)
{
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, text, sizeof text);
    return text;
}

// An RGB copy of a frame (grey is repeated into the three channels).
std::vector<uint8_t> rgbOf(const Image8& frame)
{
    const size_t pixels = size_t(frame.width) * size_t(frame.height);
    if (frame.channels == 3)
        return frame.data;
    std::vector<uint8_t> rgb(pixels * 3);
    for (size_t i = 0; i < pixels; ++i)
        for (int c = 0; c < 3; ++c)
            rgb[i * 3 + size_t(c)] = frame.data[i * size_t(frame.channels) + (frame.channels == 1 ? 0 : size_t(c))];
    return rgb;
}

// A temporary name beside path, renamed into place by finish().
std::string temporaryBeside(const std::string& path)
{
    std::random_device random;
    return path + ".partial-" + std::to_string(random()) + fs::path(path).extension().string();
}

} // namespace

AnimationFormat animationFormatOf(const std::string& path)
{
    const std::string ext = lowerExtension(path);
    if (ext == ".webp")
        return AnimationFormat::WebP;
    if (ext == ".mp4")
        return AnimationFormat::Mp4;
    throw Error("animation " + path + ": name it .webp (an animated WebP) or .mp4 (a video)");
}

struct AnimationWriter::Impl {
    std::string path;
    AnimationFormat format = AnimationFormat::WebP;
    int width = 0, height = 0;
    double fps = 0;
    int frames = 0;
    bool finished = false;
    std::string encoder;

    // WebP
    WebPAnimEncoder* webp = nullptr;
    WebPConfig webpConfig{};

    // MP4
    std::string temporary;
    AVFormatContext* format_ = nullptr;
    AVCodecContext* codec = nullptr;
    AVStream* stream = nullptr;
    SwsContext* sws = nullptr;
    AVFrame* frame = nullptr;
    AVPacket* packet = nullptr;
    int videoWidth = 0, videoHeight = 0;

    ~Impl()
    {
        if (webp)
            WebPAnimEncoderDelete(webp);
        sws_freeContext(sws);
        av_frame_free(&frame);
        av_packet_free(&packet);
        avcodec_free_context(&codec);
        if (format_) {
            if (format_->pb)
                avio_closep(&format_->pb);
            avformat_free_context(format_);
        }
        if (!temporary.empty() && !finished) {
            std::error_code ignored;
            fs::remove(temporary, ignored); // nothing half-written is left
        }
    }

    [[noreturn]] void fail(const std::string& what) const { throw Error("animation " + path + ": " + what); }

    void openWebP()
    {
        WebPAnimEncoderOptions options;
        if (!WebPAnimEncoderOptionsInit(&options))
            fail("libwebp's animation encoder does not match its headers");
        options.anim_params.loop_count = 0; // loop for ever
        options.anim_params.bgcolor = 0xff000000;
        webp = WebPAnimEncoderNew(width, height, &options);
        if (!webp)
            fail("libwebp could not start an animation of " + std::to_string(width) + " x " + std::to_string(height));
        if (!WebPConfigInit(&webpConfig))
            fail("libwebp's encoder does not match its headers");
        // Lossless: generated tiles are small and sharp, and lossy WebP
        // smears their colours; method 4 is libwebp's balance of size and time.
        webpConfig.lossless = 1;
        webpConfig.quality = 75;
        webpConfig.method = 4;
        encoder = "WebP (lossless, libwebp " + std::to_string(WebPGetEncoderVersion() >> 16) + "." +
                  std::to_string((WebPGetEncoderVersion() >> 8) & 0xff) + ")";
    }

    void addWebP(const Image8& image)
    {
        WebPPicture picture;
        if (!WebPPictureInit(&picture))
            fail("libwebp's picture does not match its headers");
        picture.width = width;
        picture.height = height;
        picture.use_argb = 1;
        const auto rgb = rgbOf(image);
        const bool ok = WebPPictureImportRGB(&picture, rgb.data(), width * 3) != 0;
        const int timestamp = int(std::lround(frames * 1000.0 / fps));
        const bool added = ok && WebPAnimEncoderAdd(webp, &picture, timestamp, &webpConfig) != 0;
        WebPPictureFree(&picture);
        if (!added)
            fail(std::string("libwebp could not add frame ") + std::to_string(frames + 1) + ": " +
                 WebPAnimEncoderGetError(webp));
    }

    void finishWebP()
    {
        const int end = int(std::lround(frames * 1000.0 / fps));
        if (!WebPAnimEncoderAdd(webp, nullptr, end, nullptr))
            fail(std::string("libwebp could not end the animation: ") + WebPAnimEncoderGetError(webp));
        WebPData data;
        WebPDataInit(&data);
        if (!WebPAnimEncoderAssemble(webp, &data))
            fail(std::string("libwebp could not assemble the animation: ") + WebPAnimEncoderGetError(webp));
        try {
            writeFileAtomically(path, std::string_view(reinterpret_cast<const char*>(data.bytes), data.size),
                                "animation");
        } catch (...) {
            WebPDataClear(&data);
            throw;
        }
        WebPDataClear(&data);
    }

    void openMp4()
    {
        // 4:2:0 colour needs even sizes: an odd side gets one black pixel more.
        videoWidth = width + (width % 2);
        videoHeight = height + (height % 2);
        av_log_set_level(AV_LOG_ERROR); // x264's statistics are not ours to print
        temporary = temporaryBeside(path);
        if (avformat_alloc_output_context2(&format_, nullptr, "mp4", temporary.c_str()) < 0 || !format_)
            fail("FFmpeg has no MP4 muxer");
        const AVCodec* found = avcodec_find_encoder_by_name("libx264");
        if (!found)
            found = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
        if (!found)
            fail("FFmpeg has neither an H.264 (libx264) nor an MPEG-4 encoder");
        stream = avformat_new_stream(format_, nullptr);
        codec = avcodec_alloc_context3(found);
        frame = av_frame_alloc();
        packet = av_packet_alloc();
        if (!stream || !codec || !frame || !packet)
            fail("out of memory starting the video");
        // fps as a rational with a millisecond's precision (29.97 -> 29970/1000).
        const AVRational rate{int(std::lround(fps * 1000)), 1000};
        codec->width = videoWidth;
        codec->height = videoHeight;
        codec->time_base = av_inv_q(rate);
        codec->framerate = rate;
        codec->pix_fmt = AV_PIX_FMT_YUV420P;
        codec->gop_size = std::max(1, int(std::lround(fps)));
        // No B-frames: frames leave in order, so MP4's edit list needs no
        // delay and every player (and our reader) shows frame 1 first.
        codec->max_b_frames = 0;
        if (format_->oformat->flags & AVFMT_GLOBALHEADER)
            codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        if (std::string(found->name) == "libx264") {
            // Near-lossless for small sharp tiles; "medium" is x264's default speed.
            av_opt_set(codec->priv_data, "crf", "16", 0);
            av_opt_set(codec->priv_data, "preset", "medium", 0);
            encoder = "H.264 (libx264)";
        } else {
            codec->bit_rate = int64_t(videoWidth) * videoHeight * 8; // ~8 bits a pixel a second at 1 fps
            codec->qmax = 6;
            encoder = "MPEG-4 part 2";
        }
        if (const int e = avcodec_open2(codec, found, nullptr); e < 0)
            fail("FFmpeg could not open the " + encoder + " encoder: " + avText(e));
        if (const int e = avcodec_parameters_from_context(stream->codecpar, codec); e < 0)
            fail("FFmpeg: " + avText(e));
        stream->time_base = codec->time_base;
        if (const int e = avio_open(&format_->pb, temporary.c_str(), AVIO_FLAG_WRITE); e < 0)
            fail("cannot write " + temporary + ": " + avText(e));
        if (const int e = avformat_write_header(format_, nullptr); e < 0)
            fail("FFmpeg could not write the MP4 header: " + avText(e));
        frame->format = codec->pix_fmt;
        frame->width = videoWidth;
        frame->height = videoHeight;
        if (const int e = av_frame_get_buffer(frame, 0); e < 0)
            fail("FFmpeg: " + avText(e));
        sws = sws_getContext(videoWidth, videoHeight, AV_PIX_FMT_RGB24, videoWidth, videoHeight, AV_PIX_FMT_YUV420P,
                             SWS_POINT, nullptr, nullptr, nullptr);
        if (!sws)
            fail("FFmpeg's swscale cannot convert RGB to YUV 4:2:0");
    }

    void drain()
    {
        for (;;) {
            const int e = avcodec_receive_packet(codec, packet);
            if (e == AVERROR(EAGAIN) || e == AVERROR_EOF)
                return;
            if (e < 0)
                fail("FFmpeg could not encode: " + avText(e));
            // Each frame lasts one tick: without it the last one has no length,
            // and MP4's edit list (which a player trusts) leaves it out.
            if (packet->duration <= 0)
                packet->duration = 1;
            av_packet_rescale_ts(packet, codec->time_base, stream->time_base);
            packet->stream_index = stream->index;
            if (const int w = av_interleaved_write_frame(format_, packet); w < 0)
                fail("FFmpeg could not write to " + temporary + ": " + avText(w));
        }
    }

    void addMp4(const Image8& image)
    {
        // The frame in RGB, padded to the video's even size.
        const auto rgb = rgbOf(image);
        std::vector<uint8_t> padded(size_t(videoWidth) * size_t(videoHeight) * 3, 0);
        for (int y = 0; y < height; ++y)
            std::copy_n(rgb.data() + size_t(y) * size_t(width) * 3, size_t(width) * 3,
                        padded.data() + size_t(y) * size_t(videoWidth) * 3);
        if (const int e = av_frame_make_writable(frame); e < 0)
            fail("FFmpeg: " + avText(e));
        const uint8_t* source[1] = {padded.data()};
        const int stride[1] = {videoWidth * 3};
        sws_scale(sws, source, stride, 0, videoHeight, frame->data, frame->linesize);
        frame->pts = frames;
        if (const int e = avcodec_send_frame(codec, frame); e < 0)
            fail("FFmpeg could not encode frame " + std::to_string(frames + 1) + ": " + avText(e));
        drain();
    }

    void finishMp4()
    {
        if (const int e = avcodec_send_frame(codec, nullptr); e < 0)
            fail("FFmpeg could not end the video: " + avText(e));
        drain();
        if (const int e = av_write_trailer(format_); e < 0)
            fail("FFmpeg could not finish the MP4: " + avText(e));
        avio_closep(&format_->pb);
        std::error_code error;
        fs::rename(temporary, path, error);
        if (error)
            fail("cannot move " + temporary + " to " + path + ": " + error.message());
    }
};

AnimationWriter::AnimationWriter(const std::string& path, int width, int height, double fps)
    : m_impl(std::make_unique<Impl>())
{
    auto& d = *m_impl;
    d.path = path;
    d.format = animationFormatOf(path);
    if (width < 1 || height < 1 || width > 16383 || height > 16383)
        d.fail("frames of " + std::to_string(width) + " x " + std::to_string(height) +
               " pixels: each side must be 1..16383");
    if (!(fps >= 1 && fps <= 120))
        d.fail("the frame rate must be 1..120 frames a second");
    d.width = width;
    d.height = height;
    d.fps = fps;
    if (d.format == AnimationFormat::WebP)
        d.openWebP();
    else
        d.openMp4();
}

AnimationWriter::~AnimationWriter() = default;

void AnimationWriter::add(const Image8& frame)
{
    auto& d = *m_impl;
    if (d.finished)
        d.fail("a frame after the end");
    if (frame.width != d.width || frame.height != d.height || (frame.channels != 1 && frame.channels != 3) ||
        frame.data.size() != size_t(frame.width) * size_t(frame.height) * size_t(frame.channels))
        d.fail("frame " + std::to_string(d.frames + 1) + " is " + std::to_string(frame.width) + " x " +
               std::to_string(frame.height) + " x " + std::to_string(frame.channels) + ", the animation " +
               std::to_string(d.width) + " x " + std::to_string(d.height) + " (grey or RGB)");
    if (d.format == AnimationFormat::WebP)
        d.addWebP(frame);
    else
        d.addMp4(frame);
    ++d.frames;
}

void AnimationWriter::finish()
{
    auto& d = *m_impl;
    if (d.finished)
        return;
    if (d.frames == 0)
        d.fail("no frames");
    if (d.format == AnimationFormat::WebP)
        d.finishWebP();
    else
        d.finishMp4();
    d.finished = true;
}

int AnimationWriter::frames() const { return m_impl->frames; }
std::string AnimationWriter::encoder() const { return m_impl->encoder; }

namespace {

AnimationInfo readWebPInfo(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof())
        throw Error("cannot read " + path);
    WebPData data{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
    WebPAnimDecoderOptions options;
    if (!WebPAnimDecoderOptionsInit(&options))
        throw Error("libwebp's animation decoder does not match its headers");
    options.color_mode = MODE_RGBA;
    WebPAnimDecoder* decoder = WebPAnimDecoderNew(&data, &options);
    if (!decoder)
        throw Error(path + " is not an animated WebP libwebp can read");
    WebPAnimInfo anim;
    AnimationInfo info;
    info.codec = "webp";
    if (WebPAnimDecoderGetInfo(decoder, &anim)) {
        info.width = int(anim.canvas_width);
        info.height = int(anim.canvas_height);
    }
    int timestamp = 0;
    while (WebPAnimDecoderHasMoreFrames(decoder)) {
        uint8_t* pixels = nullptr;
        if (!WebPAnimDecoderGetNext(decoder, &pixels, &timestamp)) {
            WebPAnimDecoderDelete(decoder);
            throw Error(path + ": frame " + std::to_string(info.frames + 1) + " does not decode");
        }
        ++info.frames;
    }
    info.seconds = timestamp / 1000.0; // the last frame's end
    WebPAnimDecoderDelete(decoder);
    return info;
}

AnimationInfo readVideoInfo(const std::string& path)
{
    av_log_set_level(AV_LOG_ERROR);
    AVFormatContext* format = nullptr;
    if (const int e = avformat_open_input(&format, path.c_str(), nullptr, nullptr); e < 0)
        throw Error("cannot open " + path + " with FFmpeg: " + avText(e));
    struct Close {
        AVFormatContext** f;
        AVCodecContext* c = nullptr;
        AVPacket* p = nullptr;
        AVFrame* fr = nullptr;
        ~Close()
        {
            av_frame_free(&fr);
            av_packet_free(&p);
            avcodec_free_context(&c);
            avformat_close_input(f);
        }
    } close{&format};
    if (const int e = avformat_find_stream_info(format, nullptr); e < 0)
        throw Error(path + ": FFmpeg finds no streams: " + avText(e));
    const int index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (index < 0)
        throw Error(path + " holds no video");
    const AVCodecParameters* parameters = format->streams[index]->codecpar;
    const AVCodec* decoder = avcodec_find_decoder(parameters->codec_id);
    if (!decoder)
        throw Error(path + ": FFmpeg has no decoder for its video");
    close.c = avcodec_alloc_context3(decoder);
    close.p = av_packet_alloc();
    close.fr = av_frame_alloc();
    avcodec_parameters_to_context(close.c, parameters);
    if (const int e = avcodec_open2(close.c, decoder, nullptr); e < 0)
        throw Error(path + ": " + avText(e));
    AnimationInfo info;
    info.codec = decoder->name;
    info.width = parameters->width;
    info.height = parameters->height;
    if (format->duration > 0)
        info.seconds = double(format->duration) / AV_TIME_BASE;
    const auto receive = [&] {
        while (avcodec_receive_frame(close.c, close.fr) == 0)
            ++info.frames;
    };
    while (av_read_frame(format, close.p) >= 0) {
        if (close.p->stream_index == index) {
            // A full decoder refuses a packet (EAGAIN) until its frames are taken.
            int e = avcodec_send_packet(close.c, close.p);
            while (e == AVERROR(EAGAIN)) {
                receive();
                e = avcodec_send_packet(close.c, close.p);
            }
            receive();
        }
        av_packet_unref(close.p);
    }
    avcodec_send_packet(close.c, nullptr);
    receive();
    return info;
}

} // namespace

AnimationInfo readAnimationInfo(const std::string& path)
{
    requireRegularFile(path, "animation");
    return animationFormatOf(path) == AnimationFormat::WebP ? readWebPInfo(path) : readVideoInfo(path);
}

} // namespace cgpgan
