#pragma once
// Helpers shared by the data tests (test_data_builtin, test_data_files):
// error messages, small IDX / CIFAR / image files written here, pixel access.
#include "cgpgan/data.h"
#include "cgpgan/error.h"
#include "cgpgan/image_io.h"

#include <QtTest/QtTest>

#include <zlib.h>

#include <array>
#include <functional>
#include <random>

namespace cgpgan::testing {

// The message of the cgpgan::Error that f throws, or a marker when it throws
// nothing or something else.
inline QString errorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const cgpgan::Error& e) {
        return QString::fromStdString(e.what());
    } catch (...) {
        return QStringLiteral("<an exception that is not cgpgan::Error>");
    }
    return QStringLiteral("<no exception>");
}

#define VERIFY_ERROR(statement, needle)                                                        \
    do {                                                                                       \
        const QString message_ = errorOf([&] { statement; });                                  \
        QVERIFY2(message_.contains(needle),                                                    \
                 qPrintable(QStringLiteral("'%1' should contain '%2'").arg(message_, needle))); \
    } while (0)

inline std::string str(const QString& s) { return s.toStdString(); }

inline void writeFile(const QString& path, const QByteArray& bytes, bool gzip)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (gzip) {
        gzFile f = gzopen(path.toLocal8Bit().constData(), "wb");
        QVERIFY(f);
        QCOMPARE(gzwrite(f, bytes.constData(), unsigned(bytes.size())), int(bytes.size()));
        QCOMPARE(gzclose(f), Z_OK);
    } else {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(bytes), qint64(bytes.size()));
    }
}

inline void appendBigEndian(QByteArray& out, uint32_t value)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.append(char((value >> shift) & 0xff));
}

inline QByteArray idxImages(uint32_t count, uint32_t rows, uint32_t cols, const QByteArray& pixels,
                     uint32_t magic = 0x00000803)
{
    QByteArray out;
    appendBigEndian(out, magic);
    appendBigEndian(out, count);
    appendBigEndian(out, rows);
    appendBigEndian(out, cols);
    return out + pixels;
}

inline QByteArray idxLabels(const QByteArray& labels)
{
    QByteArray out;
    appendBigEndian(out, 0x00000801);
    appendBigEndian(out, uint32_t(labels.size()));
    return out + labels;
}

inline QByteArray randomBytes(int n, uint32_t seed)
{
    std::mt19937 rng(seed);
    QByteArray out(n, 0);
    for (char& c : out)
        c = char(rng() & 0xff);
    return out;
}

// CIFAR-10 records: label then 3072 pixel bytes, pixel i of record r = (r * 7 + i) % 256.
inline QByteArray cifarRecords(const std::vector<int>& labels)
{
    QByteArray out;
    for (size_t r = 0; r < labels.size(); ++r) {
        out.append(char(labels[r]));
        for (int i = 0; i < 3072; ++i)
            out.append(char((int(r) * 7 + i) % 256));
    }
    return out;
}

// A solid-colour image (HWC) with `channels` channels.
inline Image8 solidImage(int width, int height, int channels, std::array<uint8_t, 3> rgb)
{
    Image8 image{width, height, channels, {}};
    for (int p = 0; p < width * height; ++p)
        for (int c = 0; c < channels; ++c)
            image.data.push_back(rgb[size_t(c)]);
    return image;
}

inline uint8_t pixelAt(const Dataset& d, int64_t image, int channel, int y, int x)
{
    return d.pixels[size_t(((image * d.channels + channel) * d.height + y) * d.width + x)];
}

// A pixel is foreground when any channel is clearly above the black background.
inline bool isForeground(const Dataset& d, int64_t image, int y, int x)
{
    for (int c = 0; c < d.channels; ++c)
        if (pixelAt(d, image, c, y, x) > 40)
            return true;
    return false;
}

inline QString sharedDatasets() { return QStringLiteral(CGPGAN_SHARED_DATASETS); }


} // namespace cgpgan::testing
