#include "ui/refine_dialog.h"

#include "ui/estimate.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace lumina {
namespace ui {

RefineDialog::RefineDialog(pipeline::RefineSource source, int factor, RefineContext context, QWidget* parent)
    : QDialog(parent)
    , m_source(std::move(source))
    , m_context(std::move(context)) {
    setWindowTitle(tr("Refine"));
    m_factor = new QComboBox(this);
    for (int f : {2, 3, 4})
        m_factor->addItem(tr("×%1").arg(f), f);
    m_factor->setCurrentIndex(m_factor->findData(factor) < 0 ? 0 : m_factor->findData(factor));
    m_strength = new QDoubleSpinBox(this);
    m_strength->setRange(0.05, 1.0);
    m_strength->setSingleStep(0.05);
    m_strength->setDecimals(2);
    m_strength->setValue(pipeline::kRefineStrength);
    m_strength->setToolTip(
        tr("How much of the schedule runs again at the large size: lower keeps more of the "
           "picture, 1 starts from noise."));
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Refine"));

    auto* form = new QFormLayout;
    form->addRow(tr("Size"), m_factor);
    form->addRow(tr("Strength"), m_strength);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_summary);
    layout->addWidget(m_buttons);

    connect(m_factor, &QComboBox::currentIndexChanged, this, &RefineDialog::refresh);
    connect(m_strength, &QDoubleSpinBox::valueChanged, this, &RefineDialog::refresh);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    refresh();
}

std::optional<pipeline::GenerationRequest> RefineDialog::request() const {
    try {
        return pipeline::refineRequest(m_source, m_factor->currentData().toInt(), m_strength->value());
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

void RefineDialog::refresh() {
    bool usable = true;
    QString text;
    try {
        const auto r =
            pipeline::refineRequest(m_source, m_factor->currentData().toInt(), m_strength->value());
        const int kept = pipeline::keptSteps(r);
        const RunEstimate e = estimateRun(r.width, r.height, kept, r.sampling.sampler, m_context.device,
                                          m_context.precision, m_context.modelFootprint);
        const QString time =
            e.seconds < 90 ? tr("%1 s").arg(qRound(e.seconds)) : tr("%1 min").arg(e.seconds / 60, 0, 'f', 1);
        text = tr("%1 × %2 → %3 × %4, %5 of %6 steps, same prompt and seed. Estimate: about %7 and %8 GB of "
                  "memory (a rough guide, not a measurement).")
                   .arg(m_source.width)
                   .arg(m_source.height)
                   .arg(r.width)
                   .arg(r.height)
                   .arg(kept)
                   .arg(r.sampling.steps)
                   .arg(time)
                   .arg(e.gigabytes, 0, 'f', 1);
        if (m_context.budgetGigabytes > 0 && e.gigabytes > m_context.budgetGigabytes) {
            usable = false;
            text += "\n" + tr("This needs about %1 GB but only %2 GB are available: choose a smaller factor.")
                               .arg(e.gigabytes, 0, 'f', 1)
                               .arg(m_context.budgetGigabytes, 0, 'f', 1);
        }
    } catch (const std::exception& e) {
        usable = false;
        text = QString::fromStdString(e.what());
    }
    m_summary->setText(text);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(usable);
}

} // namespace ui
} // namespace lumina
