#include "window/session_dialog.h"

#include "cgpgan/error.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace cgpgan::ui {

SessionDialog::SessionDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("New session"));
    auto* form = new QFormLayout;

    m_preset = new QComboBox;
    for (const auto& name : presetNames())
        m_preset->addItem(QString::fromStdString(name));
    m_description = new QLabel;
    m_description->setWordWrap(true);
    m_description->setStyleSheet(QStringLiteral("color: palette(mid)"));
    form->addRow(tr("Preset"), m_preset);
    form->addRow(QString(), m_description);

    m_kind = new QComboBox;
    m_kind->setObjectName(QStringLiteral("sessionDataKind"));
    m_kind->addItem(tr("Built-in shapes (no download)"), int(DataKind::Builtin));
    m_kind->addItem(tr("MNIST / Fashion-MNIST (IDX files)"), int(DataKind::Mnist));
    m_kind->addItem(tr("CIFAR-10 (binary batches)"), int(DataKind::Cifar10));
    m_kind->addItem(tr("Image folder (PNG / JPEG)"), int(DataKind::Folder));
    m_kind->addItem(tr("toy-2d points (built-in)"), int(DataKind::Toy2d));
    form->addRow(tr("Data"), m_kind);

    m_path = new QLineEdit;
    m_path->setObjectName(QStringLiteral("sessionDataPath"));
    m_path->setPlaceholderText(tr("folder or file"));
    m_browse = new QPushButton(tr("Browse..."));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);
    form->addRow(tr("Path"), pathRow);

    m_split = new QComboBox;
    m_split->addItems({"train", "test", "all"});
    form->addRow(tr("MNIST split"), m_split);

    m_count = new QSpinBox;
    m_count->setRange(0, 10000000);
    m_count->setSingleStep(1000);
    m_count->setSpecialValueText(tr("all"));
    m_count->setToolTip(tr("Built-in sets: how many samples to draw. Files: keep at most this many (all = 0)."));
    form->addRow(tr("Samples"), m_count);

    m_steps = new QSpinBox;
    m_steps->setRange(1, 100000000);
    m_steps->setSingleStep(1000);
    form->addRow(tr("Steps"), m_steps);
    m_batch = new QSpinBox;
    m_batch->setRange(2, 4096);
    form->addRow(tr("Batch"), m_batch);

    m_device = new QComboBox;
    m_device->addItem(tr("Automatic (CUDA when present)"), int(DeviceChoice::Auto));
    m_device->addItem(tr("CPU"), int(DeviceChoice::Cpu));
    m_device->addItem(tr("CUDA"), int(DeviceChoice::Cuda));
    form->addRow(tr("Device"), m_device);
    m_threads = new QSpinBox;
    m_threads->setRange(0, 256);
    m_threads->setSpecialValueText(tr("automatic (%1: one core left for the window)")
                                       .arg(std::max(1, QThread::idealThreadCount() - 1)));
    form->addRow(tr("CPU threads"), m_threads);

    m_problem = new QLabel;
    m_problem->setObjectName(QStringLiteral("sessionProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #d9534f"));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));
    connect(buttons, &QDialogButtonBox::accepted, this, &SessionDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SessionDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);

    connect(m_preset, &QComboBox::currentIndexChanged, this, &SessionDialog::presetChosen);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &SessionDialog::kindChosen);
    connect(m_browse, &QPushButton::clicked, this, &SessionDialog::browse);
    setConfig(preset("demo"));
}

void SessionDialog::setConfig(const Config& config)
{
    const QSignalBlocker block(m_preset);
    m_preset->setCurrentText(QString::fromStdString(config.preset));
    m_description->setText(QString::fromStdString(config.description));
    m_kind->setCurrentIndex(std::max(0, m_kind->findData(int(config.data.kind))));
    m_path->setText(QString::fromStdString(config.data.path));
    m_split->setCurrentText(QString::fromStdString(config.data.split));
    m_count->setValue(int(config.data.count));
    m_steps->setValue(int(std::min<int64_t>(config.train.steps, m_steps->maximum())));
    m_batch->setValue(config.train.batch);
    m_device->setCurrentIndex(std::max(0, m_device->findData(int(config.run.device))));
    m_threads->setValue(config.run.threads);
    kindChosen();
}

void SessionDialog::presetChosen()
{
    try {
        setConfig(preset(m_preset->currentText().toStdString()));
        m_problem->clear();
    } catch (const std::exception& e) {
        m_problem->setText(QString::fromStdString(userMessage(e)));
    }
}

DataKind SessionDialog::currentKind() const
{
    return DataKind(m_kind->currentData().toInt());
}

void SessionDialog::kindChosen()
{
    const DataKind kind = currentKind();
    const bool needsPath = kind != DataKind::Builtin && kind != DataKind::Toy2d;
    m_path->setEnabled(needsPath);
    m_browse->setEnabled(needsPath);
    m_split->setEnabled(kind == DataKind::Mnist);
}

void SessionDialog::browse()
{
    const DataKind kind = currentKind();
    const QString start = m_path->text().isEmpty() ? QDir::homePath() : m_path->text();
    const QString chosen = QFileDialog::getExistingDirectory(
        this, kind == DataKind::Folder ? tr("Folder of images") : tr("Folder holding the data files"), start);
    if (!chosen.isEmpty())
        m_path->setText(chosen);
}

QString SessionDialog::build(Config& out) const
{
    try {
        out = preset(m_preset->currentText().toStdString());
    } catch (const std::exception& e) {
        return QString::fromStdString(userMessage(e));
    }
    const DataKind kind = currentKind();
    out.data.kind = kind;
    out.data.path = m_path->text().trimmed().toStdString();
    out.data.split = m_split->currentText().toStdString();
    out.data.count = m_count->value();
    out.train.steps = m_steps->value();
    out.train.epochs = 0; // the dialog speaks in steps
    out.train.batch = m_batch->value();
    out.run.device = DeviceChoice(m_device->currentData().toInt());
    out.run.threads = m_threads->value();
    // The checks `cgpgan train` makes of --data and --data-path (issue 26),
    // in the dialog's words.
    if (kind == DataKind::Builtin || kind == DataKind::Toy2d) {
        // Generated data reads no path: the field is disabled, and a path
        // left from another choice is dropped rather than stored unused.
        out.data.path.clear();
    } else {
        const QString path = m_path->text().trimmed();
        if (path.isEmpty())
            return tr("Choose where the data is (Path).");
        const QFileInfo info(path);
        if (!info.exists())
            return tr("%1 does not exist.").arg(path);
        if (kind == DataKind::Folder && !info.isDir())
            return tr("%1 is not a folder: image data is a folder of PNG or JPEG files (one subfolder per class "
                      "gives labels).")
                .arg(path);
        if (!info.isDir() && !info.isFile())
            return tr("%1 is neither a file nor a folder (a pipe or a device?): choose the data's file or folder.")
                .arg(path);
        if (!info.isReadable() || (info.isDir() && !info.isExecutable()))
            return tr("%1 cannot be read: check its permissions.").arg(path);
    }
    // The data must fit the model: toy-2d needs the mlp preset and images a conv one.
    const bool points = kind == DataKind::Toy2d;
    if (points != (out.model.arch == Arch::Mlp))
        return points ? tr("toy-2d points need the toy-2d preset.")
                      : tr("The %1 preset models 2-d points; choose toy-2d data or an image preset.")
                            .arg(m_preset->currentText());
    if (kind == DataKind::Mnist) {
        // MNIST is grey 28x28, padded to 32 (SPEC 5): fit the model to it.
        out.model.channels = 1;
    } else if (kind == DataKind::Cifar10 || kind == DataKind::Builtin) {
        out.model.channels = 3;
    }
    out.data.resolution = out.model.resolution;
    out.data.channels = out.model.channels;
    try {
        out.validate();
    } catch (const std::exception& e) {
        return QString::fromStdString(userMessage(e));
    }
    return {};
}

void SessionDialog::accept()
{
    Config config;
    const QString problem = build(config);
    if (!problem.isEmpty()) {
        m_problem->setText(problem);
        return;
    }
    m_result = config;
    QDialog::accept();
}

} // namespace cgpgan::ui
