#pragma once
// The settings that take one of a few words (issue 10): enum types in the
// code, the same lower-case words in JSON files, checkpoints and --set as
// before, so old configs and checkpoints load unchanged. One table per type
// gives both directions; an unknown word is an error that lists the choices.
#include <array>
#include <optional>
#include <string>
#include <utility>

namespace cgpgan {

enum class Arch { Conv, Mlp };                 // model.arch: conv | mlp (toy-2d)
enum class GanMode { Cgpgan, Vanilla };        // model.mode (SPEC 3; vanilla: the Fig. 1 baseline)
enum class LatentDist { Normal, Uniform };     // model.latent_dist (SPEC 2)
enum class DeviceChoice { Auto, Cpu, Cuda };   // run.device
enum class Precision { Fp32, Bf16 };           // run.precision
enum class DataKind { Builtin, Mnist, Cifar10, Folder, Toy2d }; // data.kind
enum class ShapesVariation { Moderate, Full }; // data.variation (SPEC 5, built-in shapes)
enum class SteerKind { Empty, Pin, Release, Revive, Merge, Undo }; // train.steer[].action (SPEC 4.9, steering)

template <typename E>
struct EnumNames;

#define CGPGAN_ENUM_NAMES(Type, N, ...)                                           \
    template <>                                                                   \
    struct EnumNames<Type> {                                                      \
        static constexpr std::array<std::pair<Type, const char*>, N> table{{__VA_ARGS__}}; \
    }

CGPGAN_ENUM_NAMES(Arch, 2, {Arch::Conv, "conv"}, {Arch::Mlp, "mlp"});
CGPGAN_ENUM_NAMES(GanMode, 2, {GanMode::Cgpgan, "cgpgan"}, {GanMode::Vanilla, "vanilla"});
CGPGAN_ENUM_NAMES(LatentDist, 2, {LatentDist::Normal, "normal"}, {LatentDist::Uniform, "uniform"});
CGPGAN_ENUM_NAMES(DeviceChoice, 3, {DeviceChoice::Auto, "auto"}, {DeviceChoice::Cpu, "cpu"},
                  {DeviceChoice::Cuda, "cuda"});
CGPGAN_ENUM_NAMES(Precision, 2, {Precision::Fp32, "fp32"}, {Precision::Bf16, "bf16"});
CGPGAN_ENUM_NAMES(DataKind, 5, {DataKind::Builtin, "builtin"}, {DataKind::Mnist, "mnist"},
                  {DataKind::Cifar10, "cifar10"}, {DataKind::Folder, "folder"}, {DataKind::Toy2d, "toy2d"});
CGPGAN_ENUM_NAMES(ShapesVariation, 2, {ShapesVariation::Moderate, "moderate"}, {ShapesVariation::Full, "full"});
CGPGAN_ENUM_NAMES(SteerKind, 6, {SteerKind::Empty, "empty"}, {SteerKind::Pin, "pin"}, {SteerKind::Release, "release"},
                  {SteerKind::Revive, "revive"}, {SteerKind::Merge, "merge"}, {SteerKind::Undo, "undo"});

#undef CGPGAN_ENUM_NAMES

// The word for a value ("conv").
template <typename E>
const char* nameOf(E value)
{
    for (const auto& [v, name] : EnumNames<E>::table)
        if (v == value)
            return name;
    return "?";
}

// The value of a word, or nothing when it is not one of the choices.
template <typename E>
std::optional<E> parseName(const std::string& word)
{
    for (const auto& [v, name] : EnumNames<E>::table)
        if (word == name)
            return v;
    return std::nullopt;
}

// "conv or mlp", "auto, cpu or cuda": for messages.
template <typename E>
std::string choicesOf()
{
    std::string out;
    const auto& table = EnumNames<E>::table;
    for (size_t i = 0; i < table.size(); ++i)
        out += std::string(i == 0 ? "" : i + 1 == table.size() ? " or " : ", ") + table[i].second;
    return out;
}

} // namespace cgpgan
