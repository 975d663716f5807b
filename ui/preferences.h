#pragma once
// Application preferences (QSettings) and the Preferences dialog: device, precision, VAE tiling, attention
// kernel, language, output folder.
#include "core/pipeline/request.h"
#include "ui/lora_list.h"

#include <QDialog>
#include <QString>
#include <optional>
#include <string>
#include <vector>

class QComboBox;
class QLineEdit;

namespace lumina {
namespace ui {

struct Preferences {
    DeviceChoice device = DeviceChoice::Auto;
    Precision precision = Precision::Auto;
    VAETiling vaeTiling = VAETiling::Auto;
    AttentionBackend attention = AttentionBackend::Auto; // the engine's attention kernel setting
    int vaeTileSize = 0;                                 // image pixels; 0 = from free memory
    QString language;                                    // "" = system, "en", "zh_CN", "ja"
    QString outputFolder;                                // where finished images are written
    QString lastModel;                                   // reloaded on start

    static Preferences load();
    void save() const;
    static QString defaultOutputFolder();
};

// Lumina-Image 2.0's system prompt remembered per model (by its name); nullopt: the pipeline's default.
std::optional<std::string> rememberedSystemPrompt(const QString& modelName);
void rememberSystemPrompt(const QString& modelName, const std::optional<std::string>& systemPrompt);
// Lumina-Image 2.0's LoRA list remembered per model, disabled and missing rows included.
std::vector<LoraEntry> rememberedLoras(const QString& modelName);
void rememberLoras(const QString& modelName, const std::vector<LoraEntry>& loras);

class PreferencesDialog : public QDialog {
    Q_OBJECT
public:
    explicit PreferencesDialog(const Preferences& prefs, QWidget* parent = nullptr);
    Preferences preferences() const;

private:
    Preferences m_prefs;
    QComboBox* m_device;
    QComboBox* m_precision;
    QComboBox* m_vaeTiling;
    QComboBox* m_vaeTile;
    QComboBox* m_attention;
    QComboBox* m_language;
    QLineEdit* m_output;
};

} // namespace ui
} // namespace lumina
