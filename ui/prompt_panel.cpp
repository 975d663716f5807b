#include "ui/prompt_panel.h"

#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStyle>
#include <QTextBlock>
#include <QTimer>
#include <QVBoxLayout>

namespace lumina {
namespace ui {
namespace {
constexpr int kHistoryLimit = 200;
}

PromptPanel::PromptPanel(QWidget* parent)
    : QWidget(parent) {
    setObjectName("PromptPanel");
    m_prompt = new QPlainTextEdit(this);
    m_prompt->setObjectName("promptEdit");
    m_prompt->setPlaceholderText(tr("Describe the image… (Ctrl+Enter to generate, Alt+Up/Down for history)"));
    m_prompt->setTabChangesFocus(true);
    m_prompt->installEventFilter(this);
    m_prompt->setAccessibleName(tr("Prompt"));
    m_tokens = new QLabel(this);
    m_tokens->setObjectName("tokenLabel");
    m_tokens->setAlignment(Qt::AlignRight);
    m_negative = new QPlainTextEdit(this);
    m_negative->setObjectName("negativeEdit");
    m_negative->setPlaceholderText(tr("Negative prompt (optional)"));
    m_negative->setTabChangesFocus(true);
    m_negative->setMaximumHeight(70);
    m_negative->installEventFilter(this);
    m_negative->setAccessibleName(tr("Negative prompt"));
    auto* promptLabel = new QLabel(tr("&Prompt"), this);
    promptLabel->setBuddy(m_prompt);
    auto* negativeLabel = new QLabel(tr("&Negative prompt"), this);
    negativeLabel->setBuddy(m_negative);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->addWidget(promptLabel);
    layout->addWidget(m_prompt, 1);
    layout->addWidget(m_tokens);
    layout->addWidget(negativeLabel);
    layout->addWidget(m_negative);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250);
    connect(m_prompt, &QPlainTextEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, [this] { emit promptSettled(prompt()); });
    m_history = QSettings().value("prompt/history").toStringList();
    setTokenCountUnavailable();
}

QString PromptPanel::prompt() const {
    return m_prompt->toPlainText();
}
QString PromptPanel::negativePrompt() const {
    return m_negative->toPlainText();
}
void PromptPanel::setPrompt(const QString& text) {
    m_prompt->setPlainText(text);
}
void PromptPanel::setNegativePrompt(const QString& text) {
    m_negative->setPlainText(text);
}

void PromptPanel::addToHistory(const QString& text) {
    if (text.trimmed().isEmpty()) return;
    if (m_history.isEmpty() || m_history.last() != text) m_history.append(text);
    while (m_history.size() > kHistoryLimit)
        m_history.removeFirst();
    m_historyIndex = -1;
    QSettings().setValue("prompt/history", m_history);
}

void PromptPanel::historyBack() {
    if (m_history.isEmpty()) return;
    if (m_historyIndex == -1) {
        m_draft = prompt();
        m_historyIndex = int(m_history.size());
    }
    if (m_historyIndex > 0) setPrompt(m_history.at(--m_historyIndex));
    m_prompt->moveCursor(QTextCursor::End);
}

void PromptPanel::historyForward() {
    if (m_historyIndex == -1) return;
    if (++m_historyIndex >= m_history.size()) {
        m_historyIndex = -1;
        setPrompt(m_draft);
    } else {
        setPrompt(m_history.at(m_historyIndex));
    }
    m_prompt->moveCursor(QTextCursor::End);
}

bool PromptPanel::eventFilter(QObject* watched, QEvent* event) {
    // Only plain key presses are looked at; input-method events pass through untouched.
    if (event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
        if (enter && (key->modifiers() & Qt::ControlModifier)) {
            emit generateRequested();
            return true;
        }
        if (watched == m_prompt && key->modifiers() == Qt::AltModifier) {
            if (key->key() == Qt::Key_Up) {
                historyBack();
                return true;
            }
            if (key->key() == Qt::Key_Down) {
                historyForward();
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

void PromptPanel::setTokenCount(int count, int limit, bool truncated, int keptChars) {
    m_tokens->setText(truncated ? tr("%1 / %2 tokens — the highlighted end is cut off").arg(count).arg(limit)
                                : tr("%1 / %2 tokens").arg(count).arg(limit));
    m_tokens->setProperty("over", truncated);
    m_tokens->style()->unpolish(m_tokens);
    m_tokens->style()->polish(m_tokens);
    QList<QTextEdit::ExtraSelection> marks;
    if (truncated && keptChars < prompt().size()) {
        QTextEdit::ExtraSelection mark;
        mark.cursor = QTextCursor(m_prompt->document());
        mark.cursor.setPosition(keptChars);
        mark.cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
        mark.format.setBackground(QColor(0x6b, 0x2a, 0x2a));
        mark.format.setForeground(QColor(0xff, 0xc8, 0xc0));
        marks.append(mark);
    }
    m_prompt->setExtraSelections(marks);
}

void PromptPanel::setTokenCountUnavailable() {
    m_tokens->setText(tr("Token count appears once a model is loaded"));
    m_tokens->setProperty("over", false);
    m_prompt->setExtraSelections({});
}

} // namespace ui
} // namespace lumina
