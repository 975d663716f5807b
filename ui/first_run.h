#pragma once
// The first-run screen, shown when no model is set: download Lumina-Next-SFT into the Hugging Face cache (its
// size and the target folder shown up front, progress and cancel right there), open a model folder, or try
// the demo. The download runs in the window's DownloadTask and keeps going if the screen is closed.
#include <QDialog>

class QLabel;
class QProgressBar;
class QPushButton;

namespace lumina {
namespace ui {

class DownloadTask;

// The repository the first-run screen offers, and its approximate download size (the selection of
// core/hub/file_selection.h: bf16 transformer, fp32 Gemma-2B, SDXL VAE, configs).
inline constexpr const char* kDefaultModelRepo = "Alpha-VLLM/Lumina-Next-SFT-diffusers";
inline constexpr double kDefaultModelGigabytes = 14.2;
// The diffusers repositories of the Lumina family the Model Manager suggests as the user types.
inline constexpr const char* kSuggestedModelRepos[] = {kDefaultModelRepo, "Alpha-VLLM/Lumina-Image-2.0"};

class FirstRunDialog : public QDialog {
    Q_OBJECT
public:
    FirstRunDialog(DownloadTask* task, const QString& cacheDir, QWidget* parent = nullptr);

    QPushButton* downloadButton() const { return m_download; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* openButton() const { return m_open; }
    QPushButton* demoButton() const { return m_demo; }
    QLabel* statusLabel() const { return m_status; }
    QProgressBar* progressBar() const { return m_progress; }

signals:
    void openFolderRequested();
    void demoRequested();
    void modelReady(const QString& folderOrRepoId);

private:
    DownloadTask* m_task;
    QString m_cacheDir;
    QPushButton* m_download;
    QPushButton* m_cancel;
    QPushButton* m_open;
    QPushButton* m_demo;
    QLabel* m_status;
    QProgressBar* m_progress;
};

} // namespace ui
} // namespace lumina
