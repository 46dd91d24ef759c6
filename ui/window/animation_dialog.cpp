#include "window/animation_dialog.h"

#include "cgpgan/combinations.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

namespace cgpgan::ui {

namespace {
QSpinBox* spin(int lo, int hi, int value, const QString& tip)
{
    auto* box = new QSpinBox;
    box->setRange(lo, hi);
    box->setValue(value);
    box->setToolTip(tip);
    return box;
}
} // namespace

AnimationDialog::AnimationDialog(int dL, int dC, int resolution, const QString& folder, QWidget* parent)
    : QDialog(parent), m_dL(dL), m_dC(dC), m_resolution(resolution)
{
    setWindowTitle(tr("Export animation"));
    m_kind = new QComboBox;
    m_kind->addItem(tr("z walk: each row loops through z, codes fixed"), int(LatentWalk::Kind::Z));
    m_kind->addItem(tr("Page sweep: one label's page from A to B"), int(LatentWalk::Kind::Pages));
    m_kind->addItem(tr("Path: the code moves through combinations"), int(LatentWalk::Kind::Path));
    m_combinations = new QLineEdit(QStringLiteral("0 1 2 3"));
    m_combinations->setToolTip(tr("Combination ids (label 0 most significant), separated by spaces or commas"));
    m_combinationsLabel = new QLabel;
    m_label = spin(0, std::max(0, dL - 1), 0, tr("The label whose page is mixed"));
    m_from = spin(0, std::max(0, dC - 1), 0, tr("The category at the first frame"));
    m_to = spin(0, std::max(0, dC - 1), std::min(1, dC - 1), tr("The category at the last frame"));
    m_rows = spin(1, 64, 4, tr("Fixed z rows (one per row of tiles)"));
    m_frames = spin(2, 10000, 60, tr("Frames in all"));
    m_keyframes = spin(2, 1000, 4, tr("z walk: points of z on the loop"));
    m_scale = spin(1, 16, 4, tr("Each pixel drawn as scale x scale (sharp)"));
    m_fps = new QDoubleSpinBox;
    m_fps->setRange(1, 120);
    m_fps->setValue(20);
    m_fps->setToolTip(tr("Frames a second"));
    m_file = new QLineEdit(QDir(folder).filePath(QStringLiteral("walk")));
    m_file->setToolTip(tr("The files' name; .webp and .mp4 are added as ticked"));
    auto* browse = new QPushButton(tr("Browse..."));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getSaveFileName(this, tr("Animation file"), m_file->text(),
                                                            tr("Animations (*.webp *.mp4)"));
        if (!chosen.isEmpty())
            setFileStem(chosen);
    });
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(browse);
    m_webp = new QCheckBox(tr("animated WebP"));
    m_webp->setChecked(true);
    m_mp4 = new QCheckBox(tr("MP4 (H.264)"));
    m_mp4->setChecked(true);
    auto* formats = new QHBoxLayout;
    formats->addWidget(m_webp);
    formats->addWidget(m_mp4);
    formats->addStretch(1);
    m_summary = new QLabel;
    m_summary->setWordWrap(true);

    auto* form = new QFormLayout;
    form->addRow(tr("Walk"), m_kind);
    form->addRow(m_combinationsLabel, m_combinations);
    form->addRow(tr("Label"), m_label);
    form->addRow(tr("From page"), m_from);
    form->addRow(tr("To page"), m_to);
    form->addRow(tr("z rows"), m_rows);
    form->addRow(tr("Frames"), m_frames);
    form->addRow(tr("Keyframes"), m_keyframes);
    form->addRow(tr("Frames a second"), m_fps);
    form->addRow(tr("Scale"), m_scale);
    form->addRow(tr("File"), fileRow);
    form->addRow(tr("Formats"), formats);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Export"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_summary);
    layout->addWidget(buttons);

    for (QSpinBox* box : {m_label, m_from, m_to, m_rows, m_frames, m_keyframes, m_scale})
        connect(box, &QSpinBox::valueChanged, this, &AnimationDialog::refresh);
    connect(m_fps, &QDoubleSpinBox::valueChanged, this, &AnimationDialog::refresh);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &AnimationDialog::refresh);
    connect(m_combinations, &QLineEdit::textChanged, this, &AnimationDialog::refresh);
    connect(m_file, &QLineEdit::textChanged, this, &AnimationDialog::refresh);
    connect(m_webp, &QCheckBox::toggled, this, &AnimationDialog::refresh);
    connect(m_mp4, &QCheckBox::toggled, this, &AnimationDialog::refresh);
    refresh();
}

void AnimationDialog::setWalk(const LatentWalk& walk)
{
    m_kind->setCurrentIndex(m_kind->findData(int(walk.kind)));
    QStringList ids;
    for (const int64_t c : walk.combinations)
        ids << QString::number(c);
    m_combinations->setText(ids.join(QLatin1Char(' ')));
    m_label->setValue(walk.label);
    m_from->setValue(walk.pageA);
    m_to->setValue(walk.pageB);
    m_rows->setValue(walk.rows);
    m_frames->setValue(walk.frames);
    m_keyframes->setValue(walk.keyframes);
    m_scale->setValue(walk.scale);
    refresh();
}

std::vector<int64_t> AnimationDialog::combinations() const
{
    std::vector<int64_t> out;
    for (const QString& part : m_combinations->text().split(QRegularExpression(QStringLiteral("[\\s,;]+")),
                                                             Qt::SkipEmptyParts)) {
        bool ok = false;
        const qlonglong id = part.toLongLong(&ok);
        out.push_back(ok ? id : -1);
    }
    return out;
}

LatentWalk AnimationDialog::walk() const
{
    LatentWalk w;
    w.kind = LatentWalk::Kind(m_kind->currentData().toInt());
    w.combinations = combinations();
    w.label = m_label->value();
    w.pageA = m_from->value();
    w.pageB = m_to->value();
    w.rows = m_rows->value();
    w.frames = m_frames->value();
    w.keyframes = m_keyframes->value();
    w.scale = m_scale->value();
    return w;
}

double AnimationDialog::fps() const { return m_fps->value(); }

void AnimationDialog::setFileStem(const QString& stem)
{
    QString name = stem;
    for (const char* ext : {".webp", ".mp4"})
        if (name.endsWith(QLatin1String(ext), Qt::CaseInsensitive))
            name.chop(int(qstrlen(ext)));
    m_file->setText(name);
}

void AnimationDialog::setFormats(bool webp, bool mp4)
{
    m_webp->setChecked(webp);
    m_mp4->setChecked(mp4);
}

QStringList AnimationDialog::paths() const
{
    QStringList out;
    const QString stem = m_file->text().trimmed();
    if (m_webp->isChecked())
        out << stem + QStringLiteral(".webp");
    if (m_mp4->isChecked())
        out << stem + QStringLiteral(".mp4");
    return out;
}

QString AnimationDialog::problem() const
{
    const LatentWalk w = walk();
    const int64_t total = combinationCount(m_dL, m_dC);
    for (const int64_t c : w.combinations)
        if (c < 0 || c >= total)
            return tr("Combinations are whole numbers from 0 to %1.").arg(total - 1);
    if (w.kind == LatentWalk::Kind::Z && w.combinations.empty())
        return tr("A z walk needs at least one combination (a column).");
    if (w.kind == LatentWalk::Kind::Pages && w.combinations.size() != 1)
        return tr("A page sweep starts from one combination (the other labels' categories).");
    if (w.kind == LatentWalk::Kind::Pages && w.pageA == w.pageB)
        return tr("From and To must be different pages.");
    if (w.kind == LatentWalk::Kind::Path && w.combinations.size() < 2)
        return tr("A path needs at least two combinations.");
    if (m_file->text().trimmed().isEmpty())
        return tr("Give the files a name.");
    if (!m_webp->isChecked() && !m_mp4->isChecked())
        return tr("Tick at least one format.");
    const QFileInfo folder(QFileInfo(m_file->text().trimmed()).absolutePath());
    if (!folder.isDir())
        return tr("The folder %1 does not exist.").arg(folder.filePath());
    return {};
}

void AnimationDialog::refresh()
{
    const auto kind = LatentWalk::Kind(m_kind->currentData().toInt());
    const bool pages = kind == LatentWalk::Kind::Pages;
    m_label->setEnabled(pages);
    m_from->setEnabled(pages);
    m_to->setEnabled(pages);
    m_keyframes->setEnabled(kind == LatentWalk::Kind::Z);
    m_combinationsLabel->setText(kind == LatentWalk::Kind::Z       ? tr("Columns")
                                 : kind == LatentWalk::Kind::Pages ? tr("Starting combination")
                                                                   : tr("Path"));
    const QString why = problem();
    m_ok->setEnabled(why.isEmpty());
    if (!why.isEmpty()) {
        m_summary->setText(why);
        return;
    }
    const LatentWalk w = walk();
    const auto [width, height] = w.frameSize(m_resolution);
    m_summary->setText(tr("%1 frames of %2 x %3 pixels, %4 s: %5")
                           .arg(w.frames)
                           .arg(width)
                           .arg(height)
                           .arg(double(w.frames) / fps(), 0, 'f', 1)
                           .arg(QString::fromStdString(w.describe())));
}

} // namespace cgpgan::ui
