#include "ui/lora_list.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

namespace lumina {
namespace ui {
namespace {

// The spin box's everyday range; a restored scale outside it (the request allows up to 100) widens it.
constexpr double kScaleRange = 4.0;
// Pixels a LoRA's file name (with the missing mark) may take in its row.
constexpr int kNameWidth = 150;

bool fileExists(const std::string& path) {
    return QFileInfo(QString::fromStdString(path)).isFile();
}

} // namespace

LoraList::LoraList(QWidget* parent)
    : QWidget(parent) {
    setObjectName("loraList");
    m_rowsLayout = new QVBoxLayout;
    m_rowsLayout->setContentsMargins(0, 0, 0, 0);
    m_rowsLayout->setSpacing(2);
    m_emptyNote = new QLabel(tr("None: the model as it is"), this);
    m_emptyNote->setObjectName("hint");
    m_emptyNote->setWordWrap(true); // a long translation wraps instead of widening the settings dock
    auto* add = new QPushButton(tr("Add LoRA…"), this);
    add->setObjectName("addLora");
    add->setToolTip(
        tr("LoRA weights for this model (.safetensors), applied in list order with their scales"));
    connect(add, &QPushButton::clicked, this, [this] {
        const QString start =
            m_rows.empty() ? QString() : QFileInfo(QString::fromStdString(m_rows.back().entry.path)).path();
        const QString file = QFileDialog::getOpenFileName(this, tr("Add a LoRA"), start,
                                                          tr("LoRA weights (*.safetensors);;All files (*)"));
        if (!file.isEmpty()) addFile(file);
    });
    auto* addRowLayout = new QHBoxLayout;
    addRowLayout->addWidget(m_emptyNote, 1);
    addRowLayout->addWidget(add);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_rowsLayout);
    layout->addLayout(addRowLayout);
    updateEmptyNote();
}

std::vector<LoraEntry> LoraList::entries() const {
    std::vector<LoraEntry> out;
    for (const Row& row : m_rows)
        out.push_back(row.entry);
    return out;
}

void LoraList::setEntries(const std::vector<LoraEntry>& entries) {
    for (const Row& row : m_rows)
        delete row.widget;
    m_rows.clear();
    for (const LoraEntry& entry : entries)
        addRow(entry);
    updateEmptyNote();
    emit changed();
}

std::vector<pipeline::LoraChoice> LoraList::choices() const {
    std::vector<pipeline::LoraChoice> out;
    for (const Row& row : m_rows)
        if (row.entry.enabled && fileExists(row.entry.path)) out.push_back({row.entry.path, row.entry.scale});
    return out;
}

void LoraList::setChoices(const std::vector<pipeline::LoraChoice>& loras) {
    if (loras == choices()) return;
    std::vector<LoraEntry> entries;
    for (const pipeline::LoraChoice& lora : loras)
        entries.push_back({lora.path, lora.scale, true});
    setEntries(entries);
}

void LoraList::addFile(const QString& path) {
    addRow({path.toStdString(), 1.0, true});
    updateEmptyNote();
    emit changed();
}

void LoraList::refreshMissing() {
    for (const Row& row : m_rows)
        markRow(row);
}

void LoraList::showEvent(QShowEvent* event) {
    refreshMissing(); // a file may have gone while the list was hidden
    QWidget::showEvent(event);
}

void LoraList::addRow(const LoraEntry& entry) {
    auto* widget = new QWidget(this);
    widget->setObjectName("loraRow");
    auto* enabled = new QCheckBox(widget);
    enabled->setObjectName("loraEnabled");
    enabled->setChecked(entry.enabled);
    auto* scale = new QDoubleSpinBox(widget);
    scale->setObjectName("loraScale");
    scale->setAccessibleName(tr("LoRA scale"));
    scale->setDecimals(2);
    scale->setSingleStep(0.05);
    scale->setRange(std::min(-kScaleRange, entry.scale), std::max(kScaleRange, entry.scale));
    scale->setValue(entry.scale);
    auto* remove = new QToolButton(widget);
    remove->setObjectName("loraRemove");
    remove->setText(QStringLiteral("✕"));
    remove->setToolTip(tr("Remove this LoRA"));
    auto* row = new QHBoxLayout(widget);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(enabled, 1);
    row->addWidget(scale);
    row->addWidget(remove);
    m_rowsLayout->addWidget(widget);
    m_rows.push_back({entry, widget});
    markRow(m_rows.back());

    const auto rowOf = [this, widget]() -> Row& {
        return *std::find_if(m_rows.begin(), m_rows.end(),
                             [widget](const Row& r) { return r.widget == widget; });
    };
    connect(enabled, &QCheckBox::toggled, this, [this, rowOf](bool on) {
        rowOf().entry.enabled = on;
        emit changed();
    });
    // The row keeps the exact scale (a restored 0.125 stays 0.125); only an edit replaces it.
    connect(scale, &QDoubleSpinBox::valueChanged, this, [this, rowOf](double value) {
        rowOf().entry.scale = value;
        emit changed();
    });
    connect(remove, &QToolButton::clicked, this, [this, widget] { removeRow(widget); });
}

void LoraList::removeRow(QWidget* widget) {
    m_rows.erase(
        std::find_if(m_rows.begin(), m_rows.end(), [widget](const Row& r) { return r.widget == widget; }));
    widget->deleteLater();
    widget->hide();
    updateEmptyNote();
    emit changed();
}

void LoraList::markRow(const Row& row) {
    auto* enabled = row.widget->findChild<QCheckBox*>("loraEnabled");
    const QString path = QString::fromStdString(row.entry.path);
    const QString name = QFileInfo(path).fileName();
    const bool missing = !fileExists(row.entry.path);
    row.widget->setProperty("missing", missing);
    // A long file name is elided in the middle (the tooltip has the whole path), so the settings dock keeps
    // its width whatever the files are called.
    const QFontMetrics metrics = enabled->fontMetrics();
    const QString label = missing ? tr("%1 (missing)") : QStringLiteral("%1");
    const int nameWidth = std::max(40, kNameWidth - metrics.horizontalAdvance(label.arg(QString())));
    enabled->setText(label.arg(metrics.elidedText(name, Qt::ElideMiddle, nameWidth)));
    enabled->setToolTip(missing ? tr("File not found, not applied: %1").arg(path) : path);
    enabled->setStyleSheet(missing ? QStringLiteral("color: #e07a6a;") : QString());
}

void LoraList::updateEmptyNote() {
    m_emptyNote->setVisible(m_rows.empty());
}

} // namespace ui
} // namespace lumina
