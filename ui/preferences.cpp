#include "ui/preferences.h"

#include "core/util/log.h"
#include "ui/choice_combo.h"

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
#include <QUrl>
#include <cmath>

namespace lumina {
namespace ui {

Preferences Preferences::load() {
    QSettings s;
    Preferences p;
    // A hand-edited or older settings file: a value that does not parse keeps its default, and the log says
    // which key, what it held and what is used instead.
    const auto readChoice = [&s](const char* key, auto parse, auto& target) {
        const std::string text =
            s.value(key, QString::fromStdString(toString(target))).toString().toStdString();
        try {
            target = parse(text);
        } catch (const std::exception& e) {
            log::warn("settings {}: '{}' is not valid ({}); using '{}'", key, text, e.what(),
                      toString(target));
        }
    };
    readChoice(
        "engine/device", [](const std::string& t) { return parseDeviceChoice(t); }, p.device);
    readChoice(
        "engine/precision", [](const std::string& t) { return parsePrecision(t); }, p.precision);
    readChoice(
        "engine/vaeTiling", [](const std::string& t) { return parseVAETiling(t); }, p.vaeTiling);
    readChoice(
        "engine/attention", [](const std::string& t) { return parseAttentionBackend(t); }, p.attention);
    const QVariant tileValue = s.value("engine/vaeTile", 0);
    bool tileIsNumber = false;
    const int tile = tileValue.toInt(&tileIsNumber);
    const bool tileValid = tileIsNumber && (tile == 0 || (tile >= 256 && tile <= 8192 && tile % 64 == 0));
    p.vaeTileSize = tileValid ? tile : 0;
    if (!tileValid)
        log::warn(
            "settings engine/vaeTile: '{}' is not 0 or a multiple of 64 from 256 to 8192; using 0 (from "
            "free memory)",
            tileValue.toString().toStdString());
    p.language = s.value("ui/language").toString();
    p.outputFolder = s.value("output/folder", defaultOutputFolder()).toString();
    p.lastModel = s.value("engine/lastModel").toString();
    return p;
}

void Preferences::save() const {
    QSettings s;
    s.setValue("engine/device", QString::fromStdString(toString(device)));
    s.setValue("engine/precision", QString::fromStdString(toString(precision)));
    s.setValue("engine/vaeTiling", QString::fromStdString(toString(vaeTiling)));
    s.setValue("engine/vaeTile", vaeTileSize);
    s.setValue("engine/attention", QString::fromStdString(toString(attention)));
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
    addChoice(m_device, tr("Automatic (GPU when available)"), DeviceChoice::Auto);
    addChoice(m_device, tr("CPU"), DeviceChoice::CPU);
    addChoice(m_device, tr("NVIDIA GPU (CUDA)"), DeviceChoice::CUDA);
    addChoice(m_device, tr("Apple GPU (MPS)"), DeviceChoice::MPS);
    selectChoice(m_device, prefs.device);
    m_precision = new QComboBox(this);
    m_precision->setObjectName("prefPrecision");
    addChoice(m_precision, tr("Automatic (bf16 on GPU, fp32 on CPU)"), Precision::Auto);
    addChoice(m_precision, tr("fp32 (exact, slow, most memory)"), Precision::FP32);
    addChoice(m_precision, tr("bf16"), Precision::BF16);
    addChoice(m_precision, tr("fp16"), Precision::FP16);
    selectChoice(m_precision, prefs.precision);
    m_vaeTiling = new QComboBox(this);
    m_vaeTiling->setObjectName("prefVaeTiling");
    addChoice(m_vaeTiling, tr("Automatic (tiles when memory is short)"), VAETiling::Auto);
    addChoice(m_vaeTiling, tr("Always in tiles (least memory)"), VAETiling::Always);
    addChoice(m_vaeTiling, tr("Never in tiles"), VAETiling::Never);
    selectChoice(m_vaeTiling, prefs.vaeTiling);
    m_vaeTile = new QComboBox(this);
    m_vaeTile->setObjectName("prefVaeTile");
    m_vaeTile->addItem(tr("Automatic (from free memory)"), 0);
    for (int px : {512, 1024, 2048})
        m_vaeTile->addItem(tr("%1 pixels").arg(px), px);
    if (m_vaeTile->findData(prefs.vaeTileSize) < 0)
        m_vaeTile->addItem(tr("%1 pixels").arg(prefs.vaeTileSize), prefs.vaeTileSize);
    m_vaeTile->setCurrentIndex(m_vaeTile->findData(prefs.vaeTileSize));
    m_attention = new QComboBox(this);
    m_attention->setObjectName("prefAttention");
    addChoice(m_attention, tr("Automatic (fastest measured on the GPU)"), AttentionBackend::Auto);
    addChoice(m_attention, tr("LibTorch's choice per call"), AttentionBackend::LibTorch);
    addChoice(m_attention, tr("Math (reference, most memory)"), AttentionBackend::Math);
    addChoice(m_attention, tr("Flash attention"), AttentionBackend::Flash);
    addChoice(m_attention, tr("Memory-efficient attention"), AttentionBackend::Efficient);
    addChoice(m_attention, tr("cuDNN attention"), AttentionBackend::CuDNN);
    selectChoice(m_attention, prefs.attention);
    m_attention->setToolTip(
        tr("Which attention kernel the GPU runs. Automatic times each kernel once per GPU and "
           "image shape and remembers the fastest; the CPU always uses LibTorch's own "
           "kernel, as the reference does."));
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
    form->addRow(tr("&Attention kernel:"), m_attention);
    form->addRow(tr("&Language:"), m_language);
    auto* outputLabel = new QLabel(tr("&Output folder:"), this);
    outputLabel->setBuddy(m_output); // a row holding a layout gets no buddy by itself: Alt+O must still work
    form->addRow(outputLabel, outputRow);
    auto* note =
        new QLabel(tr("Device, precision and the attention kernel apply the next time a model is loaded. "
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

namespace {
// One QSettings group per model; the name is percent-encoded since a repository id holds a '/'.
QString modelKey(const QString& modelName, const char* setting) {
    return QStringLiteral("modelSettings/%1/%2")
        .arg(QString::fromLatin1(QUrl::toPercentEncoding(modelName)), QLatin1String(setting));
}
QString systemPromptKey(const QString& modelName) {
    return modelKey(modelName, "systemPrompt");
}
} // namespace

std::optional<std::string> rememberedSystemPrompt(const QString& modelName) {
    const QSettings s;
    const QVariant v = s.value(systemPromptKey(modelName));
    if (!v.isValid()) return std::nullopt;
    return v.toString().toStdString();
}

void rememberSystemPrompt(const QString& modelName, const std::optional<std::string>& systemPrompt) {
    QSettings s;
    if (systemPrompt)
        s.setValue(systemPromptKey(modelName), QString::fromStdString(*systemPrompt));
    else
        s.remove(systemPromptKey(modelName));
}

std::vector<LoraEntry> rememberedLoras(const QString& modelName) {
    QSettings s;
    std::vector<LoraEntry> loras;
    const int count = s.beginReadArray(modelKey(modelName, "loras"));
    for (int i = 0; i < count; ++i) {
        s.setArrayIndex(i);
        LoraEntry entry;
        entry.path = s.value("path").toString().toStdString();
        bool scaleIsNumber = false;
        entry.scale = s.value("scale", 1.0).toDouble(&scaleIsNumber);
        entry.enabled = s.value("enabled", true).toBool();
        // A hand-edited entry the request would refuse (docs/lumina2.md, LoRA) is left out, and said so.
        if (entry.path.empty() || !scaleIsNumber || !std::isfinite(entry.scale) ||
            std::abs(entry.scale) > 100) {
            log::warn("settings {}/{}: not a LoRA file with a scale from -100 to 100; left out",
                      modelKey(modelName, "loras").toStdString(), i + 1);
            continue;
        }
        loras.push_back(entry);
    }
    s.endArray();
    return loras;
}

void rememberLoras(const QString& modelName, const std::vector<LoraEntry>& loras) {
    QSettings s;
    s.remove(modelKey(modelName, "loras")); // a shorter list leaves no old rows behind
    if (loras.empty()) return;
    s.beginWriteArray(modelKey(modelName, "loras"), int(loras.size()));
    for (int i = 0; i < int(loras.size()); ++i) {
        s.setArrayIndex(i);
        s.setValue("path", QString::fromStdString(loras[std::size_t(i)].path));
        s.setValue("scale", loras[std::size_t(i)].scale);
        s.setValue("enabled", loras[std::size_t(i)].enabled);
    }
    s.endArray();
}

Preferences PreferencesDialog::preferences() const {
    Preferences p = m_prefs;
    p.device = currentChoice(m_device, parseDeviceChoice);
    p.precision = currentChoice(m_precision, parsePrecision);
    p.vaeTiling = currentChoice(m_vaeTiling, parseVAETiling);
    p.vaeTileSize = m_vaeTile->currentData().toInt();
    p.attention = currentChoice(m_attention, parseAttentionBackend);
    p.language = m_language->currentData().toString();
    p.outputFolder = m_output->text().trimmed().isEmpty() ? Preferences::defaultOutputFolder()
                                                          : m_output->text().trimmed();
    return p;
}

} // namespace ui
} // namespace lumina
