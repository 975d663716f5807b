#include "ui/preferences.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>

namespace lumina {
namespace ui {

Preferences Preferences::load() {
    QSettings s;
    Preferences p;
    try {
        p.device = pipeline::parseDeviceChoice(s.value("engine/device", "auto").toString().toStdString());
        p.precision = pipeline::parsePrecision(s.value("engine/precision", "auto").toString().toStdString());
    } catch (const std::exception&) {
        // a hand-edited settings file: keep the defaults
    }
    try {
        p.vaeTiling = pipeline::parseVaeTiling(s.value("engine/vaeTiling", "auto").toString().toStdString());
    } catch (const std::exception&) {
    }
    const int tile = s.value("engine/vaeTile", 0).toInt();
    p.vaeTileSize = (tile >= 256 && tile <= 8192 && tile % 64 == 0) ? tile : 0;
    p.language = s.value("ui/language").toString();
    p.outputFolder = s.value("output/folder", defaultOutputFolder()).toString();
    p.lastModel = s.value("engine/lastModel").toString();
    return p;
}

void Preferences::save() const {
    QSettings s;
    s.setValue("engine/device", QString::fromStdString(pipeline::toString(device)));
    s.setValue("engine/precision", QString::fromStdString(pipeline::toString(precision)));
    s.setValue("engine/vaeTiling", QString::fromStdString(pipeline::toString(vaeTiling)));
    s.setValue("engine/vaeTile", vaeTileSize);
    s.setValue("ui/language", language);
    s.setValue("output/folder", outputFolder);
    s.setValue("engine/lastModel", lastModel);
}

QString Preferences::defaultOutputFolder() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::PicturesLocation)).filePath("Lumina Studio");
}

PreferencesDialog::PreferencesDialog(const Preferences& prefs, QWidget* parent)
    : QDialog(parent)
    , m_prefs(prefs) {
    setObjectName("PreferencesDialog");
    setWindowTitle(tr("Preferences"));
    auto* form = new QFormLayout;
    m_device = new QComboBox(this);
    m_device->setObjectName("prefDevice");
    m_device->addItem(tr("Automatic (GPU when available)"), "auto");
    m_device->addItem(tr("CPU"), "cpu");
    m_device->addItem(tr("NVIDIA GPU (CUDA)"), "cuda");
    m_device->addItem(tr("Apple GPU (MPS)"), "mps");
    m_device->setCurrentIndex(m_device->findData(QString::fromStdString(pipeline::toString(prefs.device))));
    m_precision = new QComboBox(this);
    m_precision->setObjectName("prefPrecision");
    m_precision->addItem(tr("Automatic (bf16 on GPU, fp32 on CPU)"), "auto");
    m_precision->addItem(tr("fp32 (exact, slow, most memory)"), "fp32");
    m_precision->addItem(tr("bf16"), "bf16");
    m_precision->addItem(tr("fp16"), "fp16");
    m_precision->setCurrentIndex(
        m_precision->findData(QString::fromStdString(pipeline::toString(prefs.precision))));
    m_vaeTiling = new QComboBox(this);
    m_vaeTiling->setObjectName("prefVaeTiling");
    m_vaeTiling->addItem(tr("Automatic (tiles when memory is short)"), "auto");
    m_vaeTiling->addItem(tr("Always in tiles (least memory)"), "always");
    m_vaeTiling->addItem(tr("Never in tiles"), "never");
    m_vaeTiling->setCurrentIndex(
        std::max(0, m_vaeTiling->findData(QString::fromStdString(pipeline::toString(prefs.vaeTiling)))));
    m_vaeTile = new QComboBox(this);
    m_vaeTile->setObjectName("prefVaeTile");
    m_vaeTile->addItem(tr("Automatic (from free memory)"), 0);
    for (int px : {512, 1024, 2048})
        m_vaeTile->addItem(tr("%1 pixels").arg(px), px);
    if (m_vaeTile->findData(prefs.vaeTileSize) < 0)
        m_vaeTile->addItem(tr("%1 pixels").arg(prefs.vaeTileSize), prefs.vaeTileSize);
    m_vaeTile->setCurrentIndex(m_vaeTile->findData(prefs.vaeTileSize));
    m_language = new QComboBox(this);
    m_language->setObjectName("prefLanguage");
    m_language->addItem(tr("System language"), "");
    m_language->addItem("English", "en");
    m_language->addItem(QString::fromUtf8("简体中文"), "zh_CN");
    m_language->addItem(QString::fromUtf8("日本語"), "ja");
    m_language->setCurrentIndex(std::max(0, m_language->findData(prefs.language)));
    m_output = new QLineEdit(prefs.outputFolder, this);
    m_output->setObjectName("prefOutputFolder");
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Output folder"), m_output->text());
        if (!dir.isEmpty()) m_output->setText(dir);
    });
    auto* outputRow = new QHBoxLayout;
    outputRow->addWidget(m_output, 1);
    outputRow->addWidget(browse);
    form->addRow(tr("&Device:"), m_device);
    form->addRow(tr("&Precision:"), m_precision);
    form->addRow(tr("&VAE decoding:"), m_vaeTiling);
    form->addRow(tr("VAE &tile size:"), m_vaeTile);
    form->addRow(tr("&Language:"), m_language);
    auto* outputLabel = new QLabel(tr("&Output folder:"), this);
    outputLabel->setBuddy(m_output); // a row holding a layout gets no buddy by itself: Alt+O must still work
    form->addRow(outputLabel, outputRow);
    auto* note = new QLabel(tr("Device and precision apply the next time a model is loaded. "
                               "A new language applies after a restart."),
                            this);
    note->setWordWrap(true);
    note->setObjectName("hint");
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(buttons);
    setMinimumWidth(520);
}

Preferences PreferencesDialog::preferences() const {
    Preferences p = m_prefs;
    p.device = pipeline::parseDeviceChoice(m_device->currentData().toString().toStdString());
    p.precision = pipeline::parsePrecision(m_precision->currentData().toString().toStdString());
    p.vaeTiling = pipeline::parseVaeTiling(m_vaeTiling->currentData().toString().toStdString());
    p.vaeTileSize = m_vaeTile->currentData().toInt();
    p.language = m_language->currentData().toString();
    p.outputFolder = m_output->text().trimmed().isEmpty() ? Preferences::defaultOutputFolder()
                                                          : m_output->text().trimmed();
    return p;
}

} // namespace ui
} // namespace lumina
