#pragma once
// The Lumina-Image 2.0 LoRAs of a run (docs/lumina2.md, "In the studio"): .safetensors files added with a
// file dialog, each with a scale and an enabled box, applied in list order (GenerationRequest::loras). A file
// that is gone stays in the list, marked, and is not sent, so a moved file is noticed instead of silently
// dropped.
#include "core/pipeline/request.h"

#include <QWidget>
#include <string>
#include <vector>

class QVBoxLayout;
class QLabel;

namespace lumina {
namespace ui {

// One row of the list: what the per-model memory (ui/preferences.h) keeps.
struct LoraEntry {
    std::string path;
    double scale = 1.0;
    bool enabled = true;
    bool operator==(const LoraEntry&) const = default;
};

class LoraList : public QWidget {
    Q_OBJECT
public:
    explicit LoraList(QWidget* parent = nullptr);

    std::vector<LoraEntry> entries() const;
    void setEntries(const std::vector<LoraEntry>& entries);
    // The enabled rows whose file exists, in order: what a request carries.
    std::vector<pipeline::LoraChoice> choices() const;
    // A request's LoRAs (gallery "use these settings"), all enabled. When they are what the list already
    // sends, the list stays as it is (its disabled and missing rows too).
    void setChoices(const std::vector<pipeline::LoraChoice>& loras);
    void addFile(const QString& path);
    // Checks the files again and marks the missing ones.
    void refreshMissing();

signals:
    // A row was added, removed, enabled, disabled or rescaled (or the whole list replaced).
    void changed();

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct Row {
        LoraEntry entry;
        QWidget* widget;
    };
    void addRow(const LoraEntry& entry);
    void removeRow(QWidget* widget);
    void markRow(const Row& row);
    void updateEmptyNote();

    std::vector<Row> m_rows;
    QVBoxLayout* m_rowsLayout;
    QLabel* m_emptyNote;
};

} // namespace ui
} // namespace lumina
