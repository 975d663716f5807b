#pragma once
// Combo boxes over the shared generation choices (core/vocabulary/choices.h): each item's data is the
// choice's one name, so the UI prints and parses through the same table as JSON and the CLI.
#include "core/vocabulary/choices.h"

#include <QComboBox>
#include <QString>
#include <string_view>

namespace lumina::ui {

template <typename E> void addChoice(QComboBox* combo, const QString& label, E value) {
    combo->addItem(label, QString::fromStdString(toString(value)));
}

// Selects the item of `value`; leaves the selection as it is when the combo has no such item.
template <typename E> void selectChoice(QComboBox* combo, E value) {
    const int i = combo->findData(QString::fromStdString(toString(value)));
    if (i >= 0) combo->setCurrentIndex(i);
}

// The current item's choice, read back through the vocabulary's parser (parseSampler, parseDeviceChoice,
// ...).
template <typename E>
E currentChoice(const QComboBox* combo, E (*parse)(std::string_view text, std::string_view field)) {
    return parse(combo->currentData().toString().toStdString(), combo->objectName().toStdString());
}

} // namespace lumina::ui
