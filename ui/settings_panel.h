#pragma once
// Settings panel: size (native and extrapolated presets, custom size snapped to 16 with aspect lock and
// swap), steps, guidance, seed policy (random / fixed / increment, reuse last), preset (fills the fields),
// sampler, schedule, time shift, a folded "Extrapolation" group (Lumina-Next only), the Lumina-Image 2.0
// controls (system prompt, CFG normalization, CFG truncation, LoRA list; docs/lumina2.md), the batch count
// and an optional init image (image-to-image: picture, strength, fit or crop; docs/img2img.md). Shows a
// time/memory estimate.
#include "core/engine/generation_engine.h"
#include "core/pipeline/request.h"
#include "ui/lora_list.h"

#include <QWidget>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace lumina {
namespace ui {

enum class SeedMode { Random = 0, Fixed = 1, Increment = 2 };

struct SizePreset {
    int width, height;
    bool native;
};
const std::vector<SizePreset>& sizePresets();

// The memory plan's decisions and warnings as a sentence for the estimate labels (empty when there is
// nothing to say).
QString memoryPlanNote(const pipeline::MemoryPlan& plan);

// What a CFG truncation ratio saves, from lumina2CfgTruncationPlan: "Guided on 15 of 30 steps: saves 15 of
// 60 model evaluations."
QString cfgTruncationNote(int steps, double guidanceScale, double cfgTruncRatio);

class SettingsPanel : public QWidget {
    Q_OBJECT
public:
    explicit SettingsPanel(QWidget* parent = nullptr);

    // Everything but prompt, negative prompt, seed, device and precision.
    // The request carries the panel's family (setFamily).
    pipeline::GenerationRequest request() const;
    // Fills every field from a request (gallery "use these settings"); the seed becomes fixed.
    void applyRequest(const pipeline::GenerationRequest& request);
    // One seed per job of a batch following the seed mode; Increment advances the seed field past the batch.
    std::vector<uint64_t> takeSeeds(int count);
    int batchCount() const;
    void setLastSeed(uint64_t seed);
    void setSize(int width, int height);
    void setEstimateDevice(const QString& device, const QString& precision);
    // The loaded model the estimate is for (its name and parameter counts); unknown sizes: Lumina-Next-SFT's.
    // budgetGigabytes: what a run may use on the device (0: unknown).
    void setEstimateModel(const QString& name, const pipeline::ModelFootprint& size,
                          double budgetGigabytes = 0);
    SeedMode seedMode() const;
    // The loaded model's family: offers its presets and shows its controls only. A different family resets
    // the settings to its default preset; the same family keeps them.
    void setFamily(ModelFamily family);
    ModelFamily family() const { return m_family; }
    // Lumina-Image 2.0's system prompt (nullopt: the pipeline's default, "superior"; always for Lumina-Next).
    std::optional<std::string> systemPrompt() const;
    void setSystemPrompt(const std::optional<std::string>& systemPrompt);
    // Lumina-Image 2.0's LoRA list (the request carries its enabled rows whose file exists, in order).
    std::vector<LoraEntry> loraEntries() const;
    void setLoraEntries(const std::vector<LoraEntry>& entries);
    // Image-to-image: the picture a run starts from (empty: text-to-image, strength and resize disabled).
    void setInitImage(const QString& path);
    QString initImage() const;

    static int snap16(int value);

signals:
    // The Lumina-Image 2.0 system prompt changed (choice or text): the token count and the per-model memory
    // follow it.
    void systemPromptChanged();
    // The LoRA list changed (a row added, removed, enabled, rescaled): the per-model memory follows it.
    void lorasChanged();

private:
    void applyPreset(const QString& preset);
    void onSizePresetChosen(int index);
    void onWidthEdited();
    void onHeightEdited();
    void updateEstimate();
    QWidget* makeExtrapolationGroup();
    QWidget* makeLumina2Group();
    void fillPresets();
    void onSystemPromptChoice();
    void updateTruncationNote();

    QComboBox* m_sizePreset;
    QSpinBox* m_width;
    QSpinBox* m_height;
    QToolButton* m_lock;
    QToolButton* m_swap;
    QSpinBox* m_steps;
    QDoubleSpinBox* m_guidance;
    QComboBox* m_seedMode;
    QLineEdit* m_seed;
    QPushButton* m_reuseSeed;
    QComboBox* m_preset;
    QComboBox* m_sampler;
    QComboBox* m_schedule;
    QDoubleSpinBox* m_timeShift;
    QToolButton* m_extrapolationToggle;
    QWidget* m_extrapolation;
    QComboBox* m_rope;
    QDoubleSpinBox* m_watershed;
    QCheckBox* m_scaleBelowNative;
    QCheckBox* m_proportional;
    QCheckBox* m_contextDrop;
    QWidget* m_lumina2;
    QComboBox* m_systemPromptChoice;
    QLineEdit* m_systemPrompt;
    QComboBox* m_cfgNormalization;
    QDoubleSpinBox* m_cfgTruncRatio;
    QLabel* m_truncationNote;
    LoraList* m_loras;
    ModelFamily m_family = ModelFamily::LuminaNext;
    QSpinBox* m_batch;
    QLineEdit* m_initImage;
    QToolButton* m_chooseInitImage;
    QToolButton* m_clearInitImage;
    QDoubleSpinBox* m_strength;
    QComboBox* m_initResize;
    QLabel* m_estimate;
    double m_aspect = 1.0;
    uint64_t m_lastSeed = 0;
    bool m_hasLastSeed = false;
    bool m_updating = false;
    QString m_device = "cpu", m_precision = "auto";
    QString m_modelName;
    pipeline::ModelFootprint m_modelFootprint;
    double m_budgetGigabytes = 0;
};

} // namespace ui
} // namespace lumina
