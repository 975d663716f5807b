#include "ui/settings_panel.h"

#include "core/sampling/cfg_truncation.h"
#include "core/text/lumina2_prompt.h"
#include "ui/choice_combo.h"
#include "ui/estimate.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QRegularExpressionValidator>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace lumina {
namespace ui {
namespace {

constexpr int kMinSize = 256, kMaxSize = 6144;

// Item data of the system prompt choice; the custom text is the line edit's.
const QString kSuperior = QStringLiteral("superior"), kAlignment = QStringLiteral("alignment"),
              kCustom = QStringLiteral("custom");

QString presetLabel(const std::string& preset, ModelFamily family) {
    if (preset == "lumina") return SettingsPanel::tr("Lumina (official demo recipe)");
    if (preset == "lumina2-official")
        return SettingsPanel::tr("Lumina-Image 2.0 (official sample.py recipe)");
    if (preset == "diffusers")
        return family == ModelFamily::Lumina2 ? SettingsPanel::tr("Diffusers (Lumina2Pipeline defaults)")
                                              : SettingsPanel::tr("Diffusers (LuminaPipeline defaults)");
    return QString::fromStdString(preset);
}

QString sizeText(int w, int h) {
    return QStringLiteral("%1 × %2").arg(w).arg(h);
}

void addHeader(QComboBox* combo, const QString& text) {
    combo->addItem(text);
    auto* model = qobject_cast<QStandardItemModel*>(combo->model());
    QStandardItem* item = model->item(combo->count() - 1);
    item->setFlags(item->flags() & ~(Qt::ItemIsSelectable | Qt::ItemIsEnabled));
    QFont f = item->font();
    f.setBold(true);
    item->setFont(f);
}

} // namespace

const std::vector<SizePreset>& sizePresets() {
    static const std::vector<SizePreset> presets{
        {1024, 1024, true},  {1152, 896, true},   {896, 1152, true},   {1216, 832, true},
        {832, 1216, true},   {1344, 768, true},   {768, 1344, true},   {1536, 640, true},
        {640, 1536, true},   {1536, 1536, false}, {2048, 2048, false}, {2048, 1024, false},
        {1024, 2048, false}, {4096, 1024, false}, {2560, 1440, false}, {3840, 2160, false},
        {4096, 4096, false}};
    return presets;
}

int SettingsPanel::snap16(int value) {
    return std::clamp(int(std::lround(value / 16.0)) * 16, kMinSize, kMaxSize);
}

SettingsPanel::SettingsPanel(QWidget* parent)
    : QWidget(parent) {
    setObjectName("SettingsPanel");
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);

    // Size
    m_sizePreset = new QComboBox(this);
    m_sizePreset->setObjectName("sizePreset");
    addHeader(m_sizePreset, tr("Native (about 1 megapixel)"));
    bool extrapolatedHeader = false;
    for (const SizePreset& p : sizePresets()) {
        if (!p.native && !extrapolatedHeader) {
            addHeader(m_sizePreset, tr("Extrapolated (beyond training size)"));
            extrapolatedHeader = true;
        }
        m_sizePreset->addItem(QStringLiteral("   ") + sizeText(p.width, p.height), QSize(p.width, p.height));
    }
    m_sizePreset->addItem(tr("Custom"), QSize());
    m_width = new QSpinBox(this);
    m_height = new QSpinBox(this);
    for (QSpinBox* s : {m_width, m_height}) {
        s->setRange(kMinSize, kMaxSize);
        s->setSingleStep(16);
        s->setKeyboardTracking(false);
        s->setValue(1024);
    }
    m_width->setObjectName("widthSpin");
    m_height->setObjectName("heightSpin");
    m_width->setAccessibleName(tr("Width"));
    m_height->setAccessibleName(tr("Height"));
    m_lock = new QToolButton(this);
    m_lock->setObjectName("aspectLock");
    m_lock->setCheckable(true);
    m_lock->setText(tr("Lock"));
    m_lock->setToolTip(tr("Keep the aspect ratio when one side changes"));
    m_swap = new QToolButton(this);
    m_swap->setObjectName("swapSize");
    m_swap->setText(QStringLiteral("⇄"));
    m_swap->setToolTip(tr("Swap width and height"));
    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(m_width, 1);
    sizeRow->addWidget(new QLabel(QStringLiteral("×"), this));
    sizeRow->addWidget(m_height, 1);
    sizeRow->addWidget(m_lock);
    sizeRow->addWidget(m_swap);
    form->addRow(tr("Si&ze:"), m_sizePreset);
    form->addRow(QString(), sizeRow);

    m_steps = new QSpinBox(this);
    m_steps->setObjectName("stepsSpin");
    m_steps->setRange(1, 1000);
    m_guidance = new QDoubleSpinBox(this);
    m_guidance->setObjectName("guidanceSpin");
    m_guidance->setRange(0.0, 30.0);
    m_guidance->setSingleStep(0.5);
    m_guidance->setDecimals(1);
    form->addRow(tr("S&teps:"), m_steps);
    form->addRow(tr("G&uidance:"), m_guidance);

    m_seedMode = new QComboBox(this);
    m_seedMode->setObjectName("seedMode");
    m_seedMode->addItem(tr("Random"), int(SeedMode::Random));
    m_seedMode->addItem(tr("Fixed"), int(SeedMode::Fixed));
    m_seedMode->addItem(tr("Increment"), int(SeedMode::Increment));
    m_seed = new QLineEdit(QStringLiteral("0"), this);
    m_seed->setObjectName("seedEdit");
    m_seed->setValidator(new QRegularExpressionValidator(QRegularExpression("[0-9]{1,19}"), m_seed));
    m_seed->setAccessibleName(tr("Seed"));
    m_reuseSeed = new QPushButton(tr("Reuse last"), this);
    m_reuseSeed->setObjectName("reuseSeed");
    m_reuseSeed->setEnabled(false);
    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(m_seedMode);
    seedRow->addWidget(m_seed, 1);
    seedRow->addWidget(m_reuseSeed);
    auto* seedLabel =
        new QLabel(tr("See&d:"), this); // a row holding a layout needs its label's buddy set by hand
    seedLabel->setBuddy(m_seedMode);
    form->addRow(seedLabel, seedRow);

    m_preset = new QComboBox(this);
    m_preset->setObjectName("presetCombo");
    fillPresets();
    m_sampler = new QComboBox(this);
    m_sampler->setObjectName("samplerCombo");
    addChoice(m_sampler, tr("Midpoint (2 evaluations per step)"), Sampler::Midpoint);
    addChoice(m_sampler, tr("Euler"), Sampler::Euler);
    addChoice(m_sampler, tr("Diffusers Euler"), Sampler::DiffusersEuler);
    addChoice(m_sampler, tr("RK4 (4 evaluations per step)"), Sampler::RK4);
    m_schedule = new QComboBox(this);
    m_schedule->setObjectName("scheduleCombo");
    addChoice(m_schedule, tr("Uniform"), Schedule::Uniform);
    addChoice(m_schedule, tr("Sigmoid"), Schedule::Sigmoid);
    m_timeShift = new QDoubleSpinBox(this);
    m_timeShift->setObjectName("timeShiftSpin");
    m_timeShift->setRange(0.1, 20.0);
    m_timeShift->setSingleStep(0.5);
    form->addRow(tr("Pre&set:"), m_preset);
    form->addRow(tr("Sa&mpler:"), m_sampler);
    form->addRow(tr("S&chedule:"), m_schedule);
    form->addRow(tr("Time sh&ift:"), m_timeShift);

    m_batch = new QSpinBox(this);
    m_batch->setObjectName("batchSpin");
    m_batch->setRange(1, 100);
    m_batch->setToolTip(tr("Generate adds this many jobs to the queue, with seeds following the seed mode"));
    form->addRow(tr("&Batch count:"), m_batch);

    // Image-to-image: a picture to start from instead of noise.
    m_initImage = new QLineEdit(this);
    m_initImage->setObjectName("initImageEdit");
    m_initImage->setReadOnly(true);
    m_initImage->setPlaceholderText(tr("None: start from noise"));
    m_chooseInitImage = new QToolButton(this);
    m_chooseInitImage->setObjectName("chooseInitImage");
    m_chooseInitImage->setText(tr("Choose…"));
    m_clearInitImage = new QToolButton(this);
    m_clearInitImage->setObjectName("clearInitImage");
    m_clearInitImage->setText(QStringLiteral("✕"));
    m_clearInitImage->setToolTip(tr("Start from noise again"));
    auto* initRow = new QHBoxLayout;
    initRow->addWidget(m_initImage, 1);
    initRow->addWidget(m_chooseInitImage);
    initRow->addWidget(m_clearInitImage);
    auto* initLabel = new QLabel(tr("I&nit image:"), this);
    initLabel->setBuddy(m_chooseInitImage);
    form->addRow(initLabel, initRow);
    m_strength = new QDoubleSpinBox(this);
    m_strength->setObjectName("strengthSpin");
    m_strength->setRange(0.05, 1.0);
    m_strength->setSingleStep(0.05);
    m_strength->setValue(pipeline::InitImageSettings{}.strength);
    m_strength->setToolTip(
        tr("How much of the schedule runs from the picture: lower keeps more of it, 1 starts from noise"));
    m_initResize = new QComboBox(this);
    m_initResize->setObjectName("initResizeCombo");
    addChoice(m_initResize, tr("Fit (stretch to the size)"), InitResize::Fit);
    addChoice(m_initResize, tr("Crop (keep its aspect ratio)"), InitResize::Crop);
    auto* strengthRow = new QHBoxLayout;
    strengthRow->addWidget(m_strength);
    strengthRow->addWidget(m_initResize, 1);
    auto* strengthLabel = new QLabel(tr("Stren&gth:"), this); // a layout row: the buddy is set by hand
    strengthLabel->setBuddy(m_strength);
    form->addRow(strengthLabel, strengthRow);

    m_extrapolationToggle = new QToolButton(this);
    m_extrapolationToggle->setObjectName("extrapolationToggle");
    m_extrapolationToggle->setText(tr("Extrapolation"));
    m_extrapolationToggle->setCheckable(true);
    m_extrapolationToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_extrapolationToggle->setArrowType(Qt::RightArrow);
    m_extrapolation = makeExtrapolationGroup();
    m_extrapolation->setVisible(false);
    connect(m_extrapolationToggle, &QToolButton::toggled, this, [this](bool open) {
        m_extrapolation->setVisible(open);
        m_extrapolationToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    });

    m_lumina2 = makeLumina2Group();
    m_lumina2->setVisible(false);

    m_estimate = new QLabel(this);
    m_estimate->setObjectName("estimateLabel");
    m_estimate->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->addLayout(form);
    layout->addWidget(m_lumina2);
    layout->addWidget(m_extrapolationToggle);
    layout->addWidget(m_extrapolation);
    layout->addWidget(m_estimate);
    layout->addStretch(1);

    connect(m_sizePreset, &QComboBox::currentIndexChanged, this, &SettingsPanel::onSizePresetChosen);
    connect(m_width, &QSpinBox::editingFinished, this, &SettingsPanel::onWidthEdited);
    connect(m_height, &QSpinBox::editingFinished, this, &SettingsPanel::onHeightEdited);
    connect(m_width, &QSpinBox::valueChanged, this, &SettingsPanel::updateEstimate);
    connect(m_height, &QSpinBox::valueChanged, this, &SettingsPanel::updateEstimate);
    connect(m_steps, &QSpinBox::valueChanged, this, &SettingsPanel::updateEstimate);
    connect(m_sampler, &QComboBox::currentIndexChanged, this, &SettingsPanel::updateEstimate);
    connect(m_lock, &QToolButton::toggled, this, [this](bool on) {
        if (on) m_aspect = double(m_width->value()) / m_height->value();
    });
    connect(m_swap, &QToolButton::clicked, this, [this] { setSize(m_height->value(), m_width->value()); });
    connect(m_seedMode, &QComboBox::currentIndexChanged, this,
            [this] { m_seed->setEnabled(seedMode() != SeedMode::Random); });
    connect(m_reuseSeed, &QPushButton::clicked, this, [this] {
        m_seed->setText(QString::number(m_lastSeed));
        m_seedMode->setCurrentIndex(m_seedMode->findData(int(SeedMode::Fixed)));
    });
    connect(m_preset, &QComboBox::currentIndexChanged, this,
            [this] { applyPreset(m_preset->currentData().toString()); });
    connect(m_chooseInitImage, &QToolButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(
            this, tr("Init image"), QFileInfo(m_initImage->text()).path(),
            tr("Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.exr *.bmp);;All files (*)"));
        if (!file.isEmpty()) setInitImage(file);
    });
    connect(m_clearInitImage, &QToolButton::clicked, this, [this] { setInitImage(QString()); });
    connect(m_strength, &QDoubleSpinBox::valueChanged, this, &SettingsPanel::updateEstimate);

    connect(m_steps, &QSpinBox::valueChanged, this, &SettingsPanel::updateTruncationNote);
    connect(m_guidance, &QDoubleSpinBox::valueChanged, this, &SettingsPanel::updateTruncationNote);
    connect(m_cfgTruncRatio, &QDoubleSpinBox::valueChanged, this, &SettingsPanel::updateTruncationNote);
    connect(m_systemPromptChoice, &QComboBox::currentIndexChanged, this,
            &SettingsPanel::onSystemPromptChoice);
    connect(m_systemPrompt, &QLineEdit::textEdited, this, [this] {
        const QSignalBlocker block(m_systemPromptChoice); // typing makes it a custom prompt, text kept
        m_systemPromptChoice->setCurrentIndex(m_systemPromptChoice->findData(kCustom));
        m_systemPrompt->setReadOnly(false);
        emit systemPromptChanged();
    });

    applyPreset(QString::fromStdString(pipeline::defaultPreset(m_family)));
    onSystemPromptChoice();
    m_seed->setEnabled(false);
    setSize(1024, 1024);
    setInitImage(QString());
}

void SettingsPanel::setInitImage(const QString& path) {
    m_initImage->setText(path);
    m_initImage->setToolTip(path);
    const bool on = !path.isEmpty();
    m_clearInitImage->setEnabled(on);
    m_strength->setEnabled(on);
    m_initResize->setEnabled(on);
    updateEstimate();
}

QString SettingsPanel::initImage() const {
    return m_initImage->text();
}

QWidget* SettingsPanel::makeExtrapolationGroup() {
    auto* box = new QWidget(this);
    box->setObjectName("extrapolationGroup");
    auto* form = new QFormLayout(box);
    form->setContentsMargins(16, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_rope = new QComboBox(box);
    m_rope->setObjectName("ropeCombo");
    addChoice(m_rope, tr("Time-aware (recommended)"), RoPEScaling::TimeAware);
    addChoice(m_rope, tr("NTK"), RoPEScaling::NTK);
    addChoice(m_rope, tr("Linear"), RoPEScaling::Linear);
    addChoice(m_rope, tr("None"), RoPEScaling::None);
    m_watershed = new QDoubleSpinBox(box);
    m_watershed->setObjectName("watershedSpin");
    m_watershed->setRange(0.0, 1.0);
    m_watershed->setSingleStep(0.05);
    m_scaleBelowNative = new QCheckBox(tr("Scale below the native size too"), box);
    m_proportional = new QCheckBox(tr("Proportional attention"), box);
    m_proportional->setObjectName("proportionalCheck");
    m_contextDrop = new QCheckBox(tr("Context drop"), box);
    m_contextDrop->setObjectName("contextDropCheck");
    form->addRow(tr("RoPE scaling:"), m_rope);
    form->addRow(tr("Watershed:"), m_watershed);
    form->addRow(QString(), m_scaleBelowNative);
    form->addRow(QString(), m_proportional);
    form->addRow(QString(), m_contextDrop);
    return box;
}

QWidget* SettingsPanel::makeLumina2Group() {
    auto* box = new QWidget(this);
    box->setObjectName("lumina2Group");
    auto* form = new QFormLayout(box);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_systemPromptChoice = new QComboBox(box);
    m_systemPromptChoice->setObjectName("systemPromptChoice");
    m_systemPromptChoice->addItem(tr("Superior (default)"), kSuperior);
    m_systemPromptChoice->addItem(tr("Alignment"), kAlignment);
    m_systemPromptChoice->addItem(tr("Custom"), kCustom);
    m_systemPromptChoice->setToolTip(tr("The instruction Gemma reads before the prompt (Lumina2Pipeline's "
                                        "system_prompt); the two official ones or your own text"));
    m_systemPrompt = new QLineEdit(box);
    m_systemPrompt->setObjectName("systemPromptEdit");
    m_systemPrompt->setAccessibleName(tr("System prompt text"));
    form->addRow(tr("System prompt:"), m_systemPromptChoice);
    form->addRow(QString(), m_systemPrompt);
    m_cfgNormalization = new QComboBox(box);
    m_cfgNormalization->setObjectName("cfgNormalizationCombo");
    addChoice(m_cfgNormalization, tr("Off"), CFGNormalization::Off);
    addChoice(m_cfgNormalization, tr("Rows (diffusers)"), CFGNormalization::Rows);
    addChoice(m_cfgNormalization, tr("Clip (official)"), CFGNormalization::Clip);
    m_cfgNormalization->setItemData(0, tr("Plain guidance: uncond + scale × (cond − uncond)"),
                                    Qt::ToolTipRole);
    m_cfgNormalization->setItemData(
        1, tr("Every row of the guided prediction rescaled to the conditional one's norm (Lumina2Pipeline)"),
        Qt::ToolTipRole);
    m_cfgNormalization->setItemData(2,
                                    tr("The guided prediction's norm clipped at the conditional one's "
                                       "(official sample.py, renorm_cfg 1)"),
                                    Qt::ToolTipRole);
    m_cfgNormalization->setToolTip(tr("How the guided prediction's size is kept in check at high guidance"));
    m_cfgTruncRatio = new QDoubleSpinBox(box);
    m_cfgTruncRatio->setObjectName("cfgTruncRatioSpin");
    m_cfgTruncRatio->setRange(0.0, 1.0);
    m_cfgTruncRatio->setSingleStep(0.05);
    m_cfgTruncRatio->setDecimals(2);
    m_cfgTruncRatio->setToolTip(tr("Guidance runs on the first part of the steps only (1: every step); the "
                                   "later steps run the conditional branch alone"));
    m_truncationNote = new QLabel(box);
    m_truncationNote->setObjectName("cfgTruncationNote");
    m_truncationNote->setWordWrap(true);
    form->addRow(tr("CFG normalization:"), m_cfgNormalization);
    form->addRow(tr("CFG truncation:"), m_cfgTruncRatio);
    form->addRow(QString(), m_truncationNote);
    m_loras = new LoraList(box);
    connect(m_loras, &LoraList::changed, this, &SettingsPanel::lorasChanged);
    form->addRow(tr("LoRAs:"), m_loras);
    return box;
}

void SettingsPanel::fillPresets() {
    const QSignalBlocker block(m_preset); // the caller applies the preset it wants
    m_preset->clear();
    for (const std::string& name : pipeline::presetNames(m_family))
        m_preset->addItem(presetLabel(name, m_family), QString::fromStdString(name));
}

void SettingsPanel::setFamily(ModelFamily family) {
    if (family == m_family) return;
    m_family = family;
    fillPresets();
    const bool lumina2 = family == ModelFamily::Lumina2;
    m_lumina2->setVisible(lumina2);
    m_extrapolationToggle->setVisible(!lumina2);
    m_extrapolation->setVisible(!lumina2 && m_extrapolationToggle->isChecked());
    applyPreset(QString::fromStdString(pipeline::defaultPreset(family)));
}

void SettingsPanel::onSystemPromptChoice() {
    const QString choice = m_systemPromptChoice->currentData().toString();
    if (choice == kSuperior) m_systemPrompt->setText(QString::fromUtf8(text::kLumina2SuperiorSystemPrompt));
    if (choice == kAlignment) m_systemPrompt->setText(QString::fromUtf8(text::kLumina2AlignmentSystemPrompt));
    m_systemPrompt->setReadOnly(choice != kCustom);
    m_systemPrompt->setCursorPosition(0);
    emit systemPromptChanged();
}

std::optional<std::string> SettingsPanel::systemPrompt() const {
    if (m_family != ModelFamily::Lumina2) return std::nullopt; // Lumina-Next has no system prompt
    if (m_systemPromptChoice->currentData().toString() == kSuperior) return std::nullopt;
    return m_systemPrompt->text().toStdString();
}

void SettingsPanel::setSystemPrompt(const std::optional<std::string>& systemPrompt) {
    QString choice = kCustom;
    if (!systemPrompt || *systemPrompt == text::kLumina2SuperiorSystemPrompt)
        choice = kSuperior;
    else if (*systemPrompt == text::kLumina2AlignmentSystemPrompt)
        choice = kAlignment;
    {
        const QSignalBlocker block(m_systemPromptChoice);
        m_systemPromptChoice->setCurrentIndex(m_systemPromptChoice->findData(choice));
    }
    if (choice == kCustom) m_systemPrompt->setText(QString::fromStdString(*systemPrompt));
    onSystemPromptChoice();
}

std::vector<LoraEntry> SettingsPanel::loraEntries() const {
    return m_loras->entries();
}

void SettingsPanel::setLoraEntries(const std::vector<LoraEntry>& entries) {
    m_loras->setEntries(entries);
}

QString cfgTruncationNote(int steps, double guidanceScale, double cfgTruncRatio) {
    const sampling::CfgTruncationPlan plan =
        sampling::lumina2CfgTruncationPlan(std::max(1, steps), guidanceScale, cfgTruncRatio);
    if (!sampling::guidanceEnabled(guidanceScale))
        return SettingsPanel::tr(
            "Guidance is off at this scale: every step runs the conditional branch only.");
    return SettingsPanel::tr("Guided on %1 of %2 steps: saves %3 of %4 model evaluations.")
        .arg(plan.guidedSteps)
        .arg(steps)
        .arg(plan.savedEvaluations)
        .arg(plan.evaluations + plan.savedEvaluations);
}

void SettingsPanel::updateTruncationNote() {
    m_truncationNote->setText(
        cfgTruncationNote(m_steps->value(), m_guidance->value(), m_cfgTruncRatio->value()));
}

void SettingsPanel::applyPreset(const QString& preset) {
    const pipeline::SamplingSettings s = pipeline::presetSettings(preset.toStdString(), m_family);
    selectChoice(m_cfgNormalization, s.cfgNormalization);
    m_cfgTruncRatio->setValue(s.cfgTruncRatio);
    selectChoice(m_sampler, s.sampler);
    selectChoice(m_schedule, s.schedule);
    selectChoice(m_rope, s.ropeScaling);
    m_steps->setValue(s.steps);
    m_guidance->setValue(s.guidanceScale);
    m_timeShift->setValue(s.timeShift);
    m_watershed->setValue(s.watershed);
    m_scaleBelowNative->setChecked(s.scaleBelowNative);
    m_proportional->setChecked(s.proportionalAttention);
    m_contextDrop->setChecked(s.contextDrop);
    updateEstimate();
}

void SettingsPanel::setSize(int width, int height) {
    m_updating = true;
    m_width->setValue(snap16(width));
    m_height->setValue(snap16(height));
    int match = m_sizePreset->findData(QSize(m_width->value(), m_height->value()));
    if (match < 0) match = m_sizePreset->count() - 1; // Custom
    m_sizePreset->setCurrentIndex(match);
    if (m_lock->isChecked()) m_aspect = double(m_width->value()) / m_height->value();
    m_updating = false;
    updateEstimate();
}

void SettingsPanel::onSizePresetChosen(int index) {
    if (m_updating) return;
    const QSize size = m_sizePreset->itemData(index).toSize();
    if (size.isValid()) setSize(size.width(), size.height());
}

void SettingsPanel::onWidthEdited() {
    const int w = snap16(m_width->value());
    setSize(w, m_lock->isChecked() ? snap16(int(w / m_aspect)) : m_height->value());
}

void SettingsPanel::onHeightEdited() {
    const int h = snap16(m_height->value());
    setSize(m_lock->isChecked() ? snap16(int(h * m_aspect)) : m_width->value(), h);
}

void SettingsPanel::setEstimateDevice(const QString& device, const QString& precision) {
    m_device = device.toLower();
    m_precision = precision.toLower();
    updateEstimate();
}

void SettingsPanel::setEstimateModel(const QString& name, const pipeline::ModelFootprint& size,
                                     double budgetGigabytes) {
    m_modelName = name;
    m_modelFootprint = size;
    m_budgetGigabytes = budgetGigabytes;
    updateEstimate();
}

QString memoryPlanNote(const pipeline::MemoryPlan& plan) {
    QStringList notes;
    if (plan.placement == pipeline::ModelPlacement::TextEncoderReleased)
        notes << SettingsPanel::tr("The text encoder leaves the GPU after encoding.");
    if (plan.placement == pipeline::ModelPlacement::Swapped)
        notes << SettingsPanel::tr("The text encoder and the transformer take turns on the GPU.");
    if (plan.tiledDecode) notes << SettingsPanel::tr("The VAE decodes in tiles.");
    if (!plan.fits())
        notes << SettingsPanel::tr("This is more than the %1 GB the device offers: choose a smaller size.")
                     .arg(double(plan.budgetBytes) / 1e9, 0, 'f', 1);
    return notes.isEmpty() ? QString() : " " + notes.join(' ');
}

void SettingsPanel::updateEstimate() {
    const int w = m_width->value(), h = m_height->value();
    // Image-to-image runs only the kept part of the schedule.
    const int steps =
        m_initImage->text().isEmpty() ? m_steps->value() : std::max(1, pipeline::keptSteps(request()));
    const RunEstimate e = estimateRun(w, h, steps, currentChoice(m_sampler, parseSampler), m_device,
                                      m_precision, m_modelFootprint, m_budgetGigabytes);
    const QString time =
        e.seconds < 90 ? tr("%1 s").arg(qRound(e.seconds)) : tr("%1 min").arg(e.seconds / 60, 0, 'f', 1);
    const QString model = m_modelFootprint.known()
                              ? tr("%1 (%2B parameters)")
                                    .arg(m_modelName)
                                    .arg(double(m_modelFootprint.transformerParams) / 1e9, 0, 'f', 2)
                              : tr("Lumina-Next-SFT (2B)");
    m_estimate->setText(tr("Estimate for %1 on %2: about %3 and %4 GB of memory for %5 image tokens. "
                           "A rough guide, not a measurement.")
                            .arg(model, m_device.isEmpty() ? QStringLiteral("cpu") : m_device, time)
                            .arg(e.gigabytes, 0, 'f', 1)
                            .arg((w / 16) * (h / 16)) +
                        memoryPlanNote(e.memory));
}

pipeline::GenerationRequest SettingsPanel::request() const {
    pipeline::GenerationRequest r;
    r.family = m_family;
    r.preset = m_preset->currentData().toString().toStdString();
    r.width = m_width->value();
    r.height = m_height->value();
    r.sampling = pipeline::presetSettings(r.preset, m_family);
    r.sampling.sampler = currentChoice(m_sampler, parseSampler);
    r.sampling.schedule = currentChoice(m_schedule, parseSchedule);
    r.sampling.steps = m_steps->value();
    r.sampling.guidanceScale = m_guidance->value();
    r.sampling.timeShift = m_timeShift->value();
    r.sampling.ropeScaling = currentChoice(m_rope, parseRoPEScaling);
    r.sampling.watershed = m_watershed->value();
    r.sampling.scaleBelowNative = m_scaleBelowNative->isChecked();
    r.sampling.proportionalAttention = m_proportional->isChecked();
    r.sampling.contextDrop = m_contextDrop->isChecked();
    if (m_family == ModelFamily::Lumina2) {
        r.systemPrompt = systemPrompt();
        r.sampling.cfgNormalization = currentChoice(m_cfgNormalization, parseCFGNormalization);
        r.sampling.cfgTruncRatio = m_cfgTruncRatio->value();
        r.loras = m_loras->choices();
    }
    if (!m_initImage->text().isEmpty()) {
        r.initImage.path = m_initImage->text().toStdString();
        r.initImage.strength = m_strength->value();
        r.initImage.resize = currentChoice(m_initResize, parseInitResize);
    }
    return r;
}

void SettingsPanel::applyRequest(const pipeline::GenerationRequest& r) {
    setFamily(r.family);
    {
        const QSignalBlocker block(m_preset); // keep the request's own values, not the preset's
        m_preset->setCurrentIndex(std::max(0, m_preset->findData(QString::fromStdString(r.preset))));
    }
    selectChoice(m_sampler, r.sampling.sampler);
    selectChoice(m_schedule, r.sampling.schedule);
    selectChoice(m_rope, r.sampling.ropeScaling);
    m_steps->setValue(r.sampling.steps);
    m_guidance->setValue(r.sampling.guidanceScale);
    m_timeShift->setValue(r.sampling.timeShift);
    m_watershed->setValue(r.sampling.watershed);
    m_scaleBelowNative->setChecked(r.sampling.scaleBelowNative);
    m_proportional->setChecked(r.sampling.proportionalAttention);
    m_contextDrop->setChecked(r.sampling.contextDrop);
    selectChoice(m_cfgNormalization, r.sampling.cfgNormalization);
    m_cfgTruncRatio->setValue(r.sampling.cfgTruncRatio);
    setSystemPrompt(r.systemPrompt);
    if (r.family == ModelFamily::Lumina2) m_loras->setChoices(r.loras);
    setSize(r.width, r.height);
    if (r.initImage.enabled()) {
        m_strength->setValue(r.initImage.strength);
        selectChoice(m_initResize, r.initImage.resize);
    }
    setInitImage(QString::fromStdString(r.initImage.path));
    if (r.seed) {
        m_seed->setText(QString::number(*r.seed));
        m_seedMode->setCurrentIndex(m_seedMode->findData(int(SeedMode::Fixed)));
    }
}

SeedMode SettingsPanel::seedMode() const {
    return SeedMode(m_seedMode->currentData().toInt());
}

std::vector<uint64_t> SettingsPanel::takeSeeds(int count) {
    std::vector<uint64_t> seeds;
    const uint64_t base = m_seed->text().toULongLong();
    for (int i = 0; i < count; ++i) {
        switch (seedMode()) {
        case SeedMode::Random:
            seeds.push_back(QRandomGenerator::global()->generate());
            break;
        case SeedMode::Fixed:
            seeds.push_back(base);
            break;
        case SeedMode::Increment:
            seeds.push_back(base + uint64_t(i));
            break;
        }
    }
    if (seedMode() == SeedMode::Increment) m_seed->setText(QString::number(base + uint64_t(count)));
    return seeds;
}

int SettingsPanel::batchCount() const {
    return m_batch->value();
}

void SettingsPanel::setLastSeed(uint64_t seed) {
    m_lastSeed = seed;
    m_hasLastSeed = true;
    m_reuseSeed->setEnabled(true);
    m_reuseSeed->setToolTip(tr("Use seed %1 again").arg(seed));
}

} // namespace ui
} // namespace lumina
