#pragma once
// Refine ×2–×4 (docs/img2img.md, "Refine"): factor and strength for a gallery picture, with the size, the
// steps that will run and the time and memory estimate of the large run shown before it starts. A run the
// estimate says will not fit in the memory budget cannot be started from here (the message gives both
// numbers).
#include "core/engine/generation_engine.h"
#include "core/pipeline/refine.h"

#include <QDialog>
#include <optional>

class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;

namespace lumina {
namespace ui {

struct RefineContext {
    QString device, precision; // of the loaded model ("cpu" when none is loaded)
    pipeline::ModelFootprint modelFootprint;
    double budgetGigabytes = 0; // memory the run may use; 0: unknown (no check)
};

class RefineDialog : public QDialog {
    Q_OBJECT
public:
    RefineDialog(pipeline::RefineSource source, int factor, RefineContext context, QWidget* parent = nullptr);

    // The request for the chosen factor and strength; nullopt when they cannot be used (the dialog says why).
    std::optional<pipeline::GenerationRequest> request() const;

    QComboBox* factorBox() const { return m_factor; }
    QDoubleSpinBox* strengthBox() const { return m_strength; }
    QLabel* summaryLabel() const { return m_summary; }

private:
    void refresh();

    pipeline::RefineSource m_source;
    RefineContext m_context;
    QComboBox* m_factor;
    QDoubleSpinBox* m_strength;
    QLabel* m_summary;
    QDialogButtonBox* m_buttons;
};

} // namespace ui
} // namespace lumina
