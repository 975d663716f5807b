#pragma once
// Prompt panel: multi-line prompt (input methods work as in any QPlainTextEdit), live token count against the
// text encoder's limit with the truncated tail highlighted, negative prompt, and prompt history
// (Alt+Up/Down).
#include <QStringList>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTimer;

namespace lumina {
namespace ui {

class PromptPanel : public QWidget {
    Q_OBJECT
public:
    explicit PromptPanel(QWidget* parent = nullptr);

    QString prompt() const;
    QString negativePrompt() const;
    void setPrompt(const QString& text);
    void setNegativePrompt(const QString& text);
    QPlainTextEdit* promptEdit() const { return m_prompt; }

    // Remembers a prompt that was used (newest last, no duplicates in a row; persisted).
    void addToHistory(const QString& prompt);
    void historyBack();    // Alt+Up
    void historyForward(); // Alt+Down

public slots:
    // From the engine: keptChars is where truncation starts when truncated.
    void setTokenCount(int count, int limit, bool truncated, int keptChars);
    void setTokenCountUnavailable();

signals:
    void generateRequested();
    // Debounced: the prompt changed and has been still for a moment.
    void promptSettled(const QString& prompt);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QPlainTextEdit* m_prompt;
    QPlainTextEdit* m_negative;
    QLabel* m_tokens;
    QTimer* m_debounce;
    QStringList m_history;
    int m_historyIndex = -1; // -1: editing a new prompt
    QString m_draft;         // what was typed before browsing the history
};

} // namespace ui
} // namespace lumina
