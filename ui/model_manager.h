#pragma once
// File → Model Manager: the Lumina pipelines in the Hugging Face cache (core/hub/hub_cache.h scanPipelines)
// with size, complete or not; download a repository, resume or cancel a download, verify (re-hash), delete,
// set as the default model. Downloads run in the window's DownloadTask, so they continue when the dialog
// closes.
#include <QDialog>
#include <QString>
#include <atomic>
#include <thread>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace lumina {
namespace ui {

class DownloadTask;

class ModelManagerDialog : public QDialog {
    Q_OBJECT
public:
    ModelManagerDialog(DownloadTask* task, const QString& cacheDir, QWidget* parent = nullptr);
    ~ModelManagerDialog() override;

    QTableWidget* table() const { return m_table; }
    QLabel* statusLabel() const { return m_status; }
    QProgressBar* progressBar() const { return m_progress; }
    QLineEdit* repoEdit() const { return m_repo; }

public slots:
    void refresh();
    void downloadRepo();   // the repo id in the edit field
    void resumeSelected(); // continues the selected (incomplete) row's download
    void cancelDownload();
    void verifySelected();
    void deleteSelected(bool confirm = true);
    void setSelectedAsDefault();

signals:
    void modelChosen(const QString& folderOrRepoId); // "set as default": load it and remember it
    void verified(const QString& repoId, const QStringList& corruptFiles);

private:
    void updateButtons();
    int selectedRow() const;
    QString rowRepo(int row) const;
    QString rowPath(int row) const;

    DownloadTask* m_task;
    QString m_cacheDir;
    QTableWidget* m_table;
    QLineEdit* m_repo;
    QLabel* m_status;
    QProgressBar* m_progress;
    QPushButton* m_download;
    QPushButton* m_resume;
    QPushButton* m_cancel;
    QPushButton* m_verify;
    QPushButton* m_delete;
    QPushButton* m_default;
    std::thread m_verifyThread;
    std::atomic<bool> m_verifying{false};
};

} // namespace ui
} // namespace lumina
