// The procedural data sets that need no download: the built-in shapes images
// (the demo preset, SPEC 5) and toy-2d (SPEC 5, from the original CGPGAN paper).
//
// Both are fully determined by the seed on every platform: std::mt19937_64 is
// specified bit for bit by the standard, and the uniform / normal mappings
// below are our own (std::uniform_real_distribution and std::normal_distribution
// differ between standard libraries).
#include "cgpgan/data.h"

#include "cgpgan/error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <random>

namespace cgpgan {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Uniform in [0, 1) with 53 random bits.
double uniform01(std::mt19937_64& rng)
{
    return double(rng() >> 11) * 0x1.0p-53;
}

// Uniform in {0, 1, 2, 3} from the two top bits (exactly uniform).
int uniform4(std::mt19937_64& rng)
{
    return int(rng() >> 62);
}

// ---------------------------------------------------------------- shapes
//
// The shapes are rendered in exact integer arithmetic: positions in 1/8 pixel
// units, the rotation as an integer vector (c, s) of length r, and every
// inside test squared so that no irrational number is needed. No floating
// point rounding (or FMA contraction) can change a byte between platforms.

enum class ShapeKind { Circle = 0, Square = 1, Triangle = 2, Cross = 3 };

const std::array<const char*, 4> kShapeNames = {"circle", "square", "triangle", "cross"};
const std::array<const char*, 4> kColourNames = {"red", "green", "blue", "yellow"};
// Four clearly distinct hues, each bright on a black background.
const std::array<std::array<int64_t, 3>, 4> kColourRgb = {{
    {235, 45, 45},  // red
    {45, 215, 60},  // green
    {55, 95, 245},  // blue
    {240, 220, 40}, // yellow
}};

constexpr int64_t kSub = 4;        // 4x4 samples per pixel
constexpr int64_t kUnitsPerPx = 8; // sample centres fall on odd 1/8-pixel positions
constexpr int64_t kBrightnessOne = 256;

// Everything random about one image, drawn in a fixed order from the generator.
struct ShapeParams {
    ShapeKind kind = ShapeKind::Circle;
    int colour = 0;
    int64_t radius = 8;  // shape radius R, 1/8 pixels
    int64_t centreX = 0; // 1/8 pixels, image coordinates
    int64_t centreY = 0;
    int64_t c = 1;       // rotation vector (c, s) of length r = sqrt(c^2 + s^2)
    int64_t s = 0;
    int64_t brightness = kBrightnessOne; // in 1/256
};

// Uniform integer in [lo, hi] (the modulo bias of a 64-bit draw is negligible).
int64_t uniformInt(std::mt19937_64& rng, int64_t lo, int64_t hi)
{
    return lo + int64_t(rng() % uint64_t(hi - lo + 1));
}

// A uniform direction as an integer vector (c, s) of length 1024..2048: a
// uniform point of that annulus (angle resolution about 0.001 rad). With
// maxTangent1000 > 0 only directions within atan(maxTangent1000 / 1000) of
// the shape's own orientation (c > 0) are kept, still uniform in angle.
void drawRotation(std::mt19937_64& rng, ShapeParams& p, int64_t maxTangent1000)
{
    for (;;) {
        p.c = int64_t(rng() >> 52) - 2048;
        p.s = int64_t(rng() >> 52) - 2048;
        const int64_t r2 = p.c * p.c + p.s * p.s;
        if (r2 < (int64_t(1) << 20) || r2 > (int64_t(1) << 22))
            continue;
        if (maxTangent1000 == 0 || (p.c > 0 && 1000 * std::abs(p.s) <= maxTangent1000 * p.c))
            return;
    }
}

// SPEC 5: the draws are made in the same order for both variations (kind,
// colour, radius, centre x, centre y, rotation, brightness); only their ranges differ.
ShapeParams drawShapeParams(std::mt19937_64& rng, int resolution, ShapesVariation variation)
{
    const int64_t size = int64_t(resolution) * kUnitsPerPx;
    ShapeParams p;
    p.kind = ShapeKind(uniform4(rng));
    p.colour = uniform4(rng);
    if (variation == ShapesVariation::Full) {
        // Shape diameter 35%..75% of the image: radius 0.175..0.375 of it.
        p.radius = uniformInt(rng, size * 175 / 1000, size * 375 / 1000);
        // The shape's unit circle lies inside the image; square corners and the
        // triangle's base corners may reach a little past it ("nearly inside").
        p.centreX = uniformInt(rng, p.radius, size - p.radius);
        p.centreY = uniformInt(rng, p.radius, size - p.radius);
        drawRotation(rng, p, 0); // any angle
    } else {
        // Diameter 70 % of the side +-12 % of it (0.616..0.784): radius 0.308..0.392.
        p.radius = uniformInt(rng, size * 308 / 1000, size * 392 / 1000);
        // Centre within +-8 % of the side from the middle.
        const int64_t spread = size * 8 / 100;
        p.centreX = uniformInt(rng, size / 2 - spread, size / 2 + spread);
        p.centreY = uniformInt(rng, size / 2 - spread, size / 2 + spread);
        // Within +-20 degrees: tan 20 deg = 0.36397; atan(0.364) = 20.00 deg.
        drawRotation(rng, p, 364);
    }
    p.brightness = uniformInt(rng, kBrightnessOne * 8 / 10, kBrightnessOne); // 0.8..1
    return p;
}

// Is the sample at (u, v) inside the shape? (u, v) is the offset from the
// centre in the shape's frame, scaled by r: U = c dx + s dy, V = -s dx + c dy
// with (dx, dy) in 1/8 pixels; a point at distance R (the radius) has
// U^2 + V^2 = q = r^2 R^2.
template <ShapeKind kind>
inline bool insideShape(int64_t u, int64_t v, int64_t q)
{
    if constexpr (kind == ShapeKind::Circle) { // radius 1 (area 3.14)
        return u * u + v * v <= q;
    } else if constexpr (kind == ShapeKind::Square) { // half side 0.8 (area 2.56)
        return 25 * u * u <= 16 * q && 25 * v * v <= 16 * q;
    } else if constexpr (kind == ShapeKind::Cross) { // arms reach 1.0, half width 0.3 (area 2.04)
        const bool alongU = u * u <= q && 100 * v * v <= 9 * q;
        const bool alongV = 100 * u * u <= 9 * q && v * v <= q;
        return alongU || alongV;
    } else {
        // Triangle, inradius 0.6, outward unit normals (0, -1), (4/5, 3/5), (-4/5, 3/5):
        // apex (0, 1), base corners (+-1.2, -0.6) (area 1.92). Each half plane
        // n.(U, V) <= 0.6 r R is tested squared where its left side is positive.
        const auto within = [q](int64_t side, int64_t scale2) {
            return side <= 0 || 25 * side * side <= 9 * scale2 * q;
        };
        return within(-v, 1) && within(4 * u + 3 * v, 25) && within(-4 * u + 3 * v, 25);
    }
}

// How far (in units of R, times 100) each shape reaches from its centre.
int64_t reachPercent(ShapeKind kind)
{
    switch (kind) {
    case ShapeKind::Circle: return 100;
    case ShapeKind::Square: return 114;   // 0.8 * sqrt 2
    case ShapeKind::Cross: return 105;    // sqrt(1 + 0.3^2)
    case ShapeKind::Triangle: return 135; // sqrt(1.2^2 + 0.6^2)
    }
    return 150;
}

// Draws one shape into a black CHW image, anti-aliased with 4x4 samples per
// pixel. Only pixels inside the shape's bounding box are sampled.
template <ShapeKind kind>
void renderShape(const ShapeParams& p, int resolution, uint8_t* chw)
{
    const int64_t q = (p.c * p.c + p.s * p.s) * p.radius * p.radius;
    const int64_t reach = p.radius * reachPercent(kind) / 100 + kUnitsPerPx;
    const auto firstPixel = [&](int64_t centre) {
        return int(std::max<int64_t>(0, (centre - reach) / kUnitsPerPx));
    };
    const auto lastPixel = [&](int64_t centre) {
        return int(std::min<int64_t>(resolution - 1, (centre + reach) / kUnitsPerPx));
    };

    // value = colour * brightness * hits / 16, rounded.
    constexpr int64_t kDenominator = kBrightnessOne * kSub * kSub;
    std::array<int64_t, 3> scaled{};
    for (size_t ch = 0; ch < 3; ++ch)
        scaled[ch] = kColourRgb[size_t(p.colour)][ch] * p.brightness;

    const size_t plane = size_t(resolution) * size_t(resolution);
    for (int y = firstPixel(p.centreY); y <= lastPixel(p.centreY); ++y) {
        for (int x = firstPixel(p.centreX); x <= lastPixel(p.centreX); ++x) {
            int64_t hits = 0;
            for (int64_t sy = 0; sy < kSub; ++sy) {
                const int64_t dy = y * kUnitsPerPx + 2 * sy + 1 - p.centreY;
                for (int64_t sx = 0; sx < kSub; ++sx) {
                    const int64_t dx = x * kUnitsPerPx + 2 * sx + 1 - p.centreX;
                    const int64_t u = p.c * dx + p.s * dy;
                    const int64_t v = -p.s * dx + p.c * dy;
                    hits += insideShape<kind>(u, v, q) ? 1 : 0;
                }
            }
            if (hits == 0)
                continue;
            const size_t offset = size_t(y) * size_t(resolution) + size_t(x);
            for (size_t ch = 0; ch < 3; ++ch)
                chw[ch * plane + offset] =
                    uint8_t((scaled[ch] * hits + kDenominator / 2) / kDenominator);
        }
    }
}

void renderShape(const ShapeParams& p, int resolution, uint8_t* chw)
{
    switch (p.kind) {
    case ShapeKind::Circle: return renderShape<ShapeKind::Circle>(p, resolution, chw);
    case ShapeKind::Square: return renderShape<ShapeKind::Square>(p, resolution, chw);
    case ShapeKind::Triangle: return renderShape<ShapeKind::Triangle>(p, resolution, chw);
    case ShapeKind::Cross: return renderShape<ShapeKind::Cross>(p, resolution, chw);
    }
}

LabelColumn namedColumn(const char* name, const std::array<const char*, 4>& classNames,
                        int64_t count)
{
    LabelColumn column;
    column.name = name;
    column.classNames.assign(classNames.begin(), classNames.end());
    column.values.reserve(size_t(count));
    return column;
}

// ---------------------------------------------------------------- toy-2d

// SPEC 5, toy-2d: centres, weights and sigma of the four Gaussians.
const std::array<std::array<double, 2>, 4> kToyCentres = {{{-1, 1}, {0, -2}, {1, -1}, {2, 1}}};
const std::array<double, 4> kToyWeights = {0.1, 0.2, 0.3, 0.4};
constexpr double kToySigma = 0.3;

int drawComponent(std::mt19937_64& rng)
{
    const double u = uniform01(rng);
    double cumulative = 0;
    for (int k = 0; k < 3; ++k) {
        cumulative += kToyWeights[size_t(k)];
        if (u < cumulative)
            return k;
    }
    return 3;
}

// Two independent standard normals (Box-Muller).
std::array<double, 2> standardNormalPair(std::mt19937_64& rng)
{
    const double u1 = 1.0 - uniform01(rng); // (0, 1]: log is finite
    const double u2 = uniform01(rng);
    const double radius = std::sqrt(-2.0 * std::log(u1));
    return {radius * std::cos(2.0 * kPi * u2), radius * std::sin(2.0 * kPi * u2)};
}

} // namespace

Dataset makeShapesDataset(int64_t count, int resolution, uint64_t seed, ShapesVariation variation)
{
    if (count <= 0)
        throw Error("built-in shapes: count must be positive, got " + std::to_string(count));
    if (resolution < 16 || resolution > 1024)
        throw Error("built-in shapes: resolution must be in 16..1024, got "
                    + std::to_string(resolution));

    Dataset data;
    data.name = variation == ShapesVariation::Full ? "built-in shapes (4 shapes x 4 colours, full nuisances)"
                                                   : "built-in shapes (4 shapes x 4 colours, moderate nuisances)";
    data.source = "builtin";
    data.count = count;
    data.channels = 3;
    data.height = resolution;
    data.width = resolution;
    data.pixels.assign(size_t(count) * size_t(data.imageSize()), 0); // black background

    LabelColumn shapes = namedColumn("shape", kShapeNames, count);
    LabelColumn colours = namedColumn("colour", kColourNames, count);

    std::mt19937_64 rng(seed);
    for (int64_t i = 0; i < count; ++i) {
        const ShapeParams p = drawShapeParams(rng, resolution, variation);
        renderShape(p, resolution, data.pixels.data() + size_t(i) * size_t(data.imageSize()));
        shapes.values.push_back(int32_t(p.kind));
        colours.values.push_back(int32_t(p.colour));
    }
    data.labels = {std::move(shapes), std::move(colours)};
    return data;
}

std::vector<ShapeNuisance> shapesNuisances(int64_t count, int resolution, uint64_t seed, ShapesVariation variation)
{
    std::vector<ShapeNuisance> out;
    out.reserve(size_t(std::max<int64_t>(count, 0)));
    const double side = double(resolution) * double(kUnitsPerPx);
    std::mt19937_64 rng(seed);
    for (int64_t i = 0; i < count; ++i) {
        const ShapeParams p = drawShapeParams(rng, resolution, variation);
        out.push_back({2.0 * double(p.radius) / side, double(p.centreX) / side, double(p.centreY) / side,
                       std::atan2(double(p.s), double(p.c)) * 180.0 / kPi, double(p.brightness) / kBrightnessOne});
    }
    return out;
}

Dataset makeToy2dDataset(int64_t count, uint64_t seed)
{
    if (count <= 0)
        throw Error("toy-2d: count must be positive, got " + std::to_string(count));

    Dataset data;
    data.name = "toy-2d (4 Gaussians)";
    data.source = "builtin";
    data.count = count;
    data.pointDim = 2;
    data.points.reserve(size_t(count) * 2);

    LabelColumn component;
    component.name = "component";
    for (const auto& centre : kToyCentres)
        component.classNames.push_back("(" + std::to_string(int(centre[0])) + ","
                                       + std::to_string(int(centre[1])) + ")");
    component.values.reserve(size_t(count));

    std::mt19937_64 rng(seed);
    for (int64_t i = 0; i < count; ++i) {
        const int k = drawComponent(rng);
        const std::array<double, 2> noise = standardNormalPair(rng);
        data.points.push_back(float(kToyCentres[size_t(k)][0] + kToySigma * noise[0]));
        data.points.push_back(float(kToyCentres[size_t(k)][1] + kToySigma * noise[1]));
        component.values.push_back(k);
    }
    data.labels = {std::move(component)};
    return data;
}

} // namespace cgpgan
