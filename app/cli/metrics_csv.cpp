#include "metrics_csv.h"

#include "cgpgan/clustering.h"
#include "cgpgan/error.h"
#include "cgpgan/file_io.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <vector>

namespace cgpgan::cli {

std::string MetricsCsv::header(int dL, int dC, const std::vector<std::string>& scoreNames)
{
    std::string h = "step,seconds,d_adv,r2,cls,cgp,g_adv,s_real,s_fake,fake_acc,prior_entropy,prior_frozen";
    for (int l = 0; l < dL; ++l)
        for (int k = 0; k < dC; ++k)
            h += ",prior_" + std::to_string(l) + "_" + std::to_string(k);
    h += ",z_diversity";
    for (std::string name : scoreNames) {
        // A label column's name comes from the data (an image folder's
        // "class"): anything but letters, digits and _ becomes _.
        for (char& c : name)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
                c = '_';
        for (const char* what : {"acc", "nmi", "ari"})
            h += ",score_" + name + "_" + what;
    }
    return h;
}

MetricsCsv::MetricsCsv(const std::string& path, int dL, int dC, int64_t resumeFromStep,
                       const std::vector<std::string>& scoreNames)
    : m_path(path), m_scoreCount(scoreNames.size())
{
    namespace fs = std::filesystem;
    const std::string expected = header(dL, dC, scoreNames);
    std::vector<std::string> keep;
    if (resumeFromStep > 0 && fs::exists(path)) {
        // Keep the rows up to the resumed step, so the file has every step once.
        std::ifstream in(path);
        std::string line;
        if (std::getline(in, line) && expected.rfind(line, 0) == 0 &&
            (line.size() == expected.size() || expected[line.size()] == ',')) {
            while (std::getline(in, line)) {
                const auto comma = line.find(',');
                if (comma == std::string::npos)
                    continue;
                if (std::stoll(line.substr(0, comma)) > resumeFromStep)
                    break;
                keep.push_back(line);
            }
        }
    }
    if (fs::path(path).has_parent_path())
        fs::create_directories(fs::path(path).parent_path());
    errno = 0;
    m_out.open(path, std::ios::trunc);
    check();
    m_out << expected << "\n";
    for (const auto& line : keep)
        m_out << line << "\n";
    m_out.precision(7);
    flush();
}

void MetricsCsv::check()
{
    if (m_out)
        return;
    const int error = errno; // set by the failed open or write under the stream
    throw Error("cannot write metrics " + m_path + ": " + (error ? std::strerror(error) : "the stream failed"));
}

void MetricsCsv::flush()
{
    errno = 0;
    m_out.flush();
    m_lastFlush = std::chrono::steady_clock::now();
    check();
}

void MetricsCsv::write(const StepStats& s)
{
    // Penalties not taken this step (train.reg_every) are empty cells, like z-diversity.
    const auto penalty = [&](double v) -> std::ostream& { return s.regularised ? m_out << v : m_out; };
    m_out << s.step << ',' << s.seconds << ',' << s.dAdversarial << ',';
    penalty(s.r2) << ',' << s.cls << ',';
    penalty(s.cgp) << ','
          << s.gAdversarial << ',' << s.realScore << ',' << s.fakeScore << ',' << s.fakeAccuracy << ','
          << s.priorEntropy << ',' << (s.priorFrozen ? 1 : 0);
    for (float p : s.prior)
        m_out << ',' << p;
    m_out << ',';
    if (std::isfinite(s.zDiversity))
        m_out << s.zDiversity;
    const bool scored = s.scores.size() == m_scoreCount;
    for (size_t i = 0; i < m_scoreCount; ++i) {
        if (scored)
            m_out << ',' << s.scores[i].accuracy << ',' << s.scores[i].nmi << ',' << s.scores[i].ari;
        else
            m_out << ",,,";
    }
    m_out << '\n';
    check();
    if (std::chrono::steady_clock::now() - m_lastFlush >= std::chrono::seconds(1))
        flush();
}

std::string eventsCsv(const std::vector<RunEvent>& events)
{
    std::string out = "step,kind,text\n";
    for (const RunEvent& e : events)
        out += std::to_string(e.step) + "," + csvField(e.kind) + "," + csvField(e.text) + "\n";
    return out;
}

void writeEventsCsv(const std::string& path, const std::vector<RunEvent>& events)
{
    writeFileAtomically(path, eventsCsv(events), "events CSV");
}

} // namespace cgpgan::cli
