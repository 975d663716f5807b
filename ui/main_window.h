#pragma once
// The studio's main window: menus, dockable panels (prompt, settings, queue, gallery), the central canvas
// with its progress strip, and the status bar. It owns the GalleryStore (gallery + persisted job queue) and
// the EngineBridge, and runs queued jobs one at a time.
#include "core/engine/generation_engine.h"
#include "core/gallery/gallery_store.h"
#include "ui/preferences.h"

#include <QMainWindow>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

class QDragEnterEvent;
class QDropEvent;
class QLabel;
class QProgressBar;
class QPushButton;
class QToolButton;

namespace lumina {
namespace ui {

class CanvasWidget;
class DownloadTask;
class EngineBridge;
class GalleryPanel;
class PromptPanel;
class QueuePanel;
class SettingsPanel;
struct GenerationResult;

struct MainWindowOptions {
    std::filesystem::path databaseFile; // empty: <app data>/gallery.sqlite
    QString outputFolder;               // empty: from Preferences
    QString modelToLoad;                // loaded right after start; empty: none
    bool persistLayout = true;          // restore and save window geometry and dock layout
    bool offerModelSetup = false;       // first-run screen when no model is set; offer to resume a download
    // The inference runtime, for the About box ("LibTorch 2.11.0 · CUDA: no · MPS: no"); given by the
    // executable, which links LibTorch (the UI library does not).
    QString runtimeSummary;
    // What the device choice `auto` resolves to on this machine ("cuda", "mps" or "cpu"; empty: cpu), for the
    // estimate shown before a model is loaded; also given by the executable.
    QString autoDevice;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(std::unique_ptr<engine::GenerationEngine> engine = nullptr,
                        MainWindowOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    PromptPanel* promptPanel() const { return m_prompt; }
    SettingsPanel* settingsPanel() const { return m_settings; }
    CanvasWidget* canvas() const { return m_canvas; }
    QueuePanel* queuePanel() const { return m_queue; }
    GalleryPanel* galleryPanel() const { return m_gallery; }
    EngineBridge* bridge() const { return m_bridge; }
    gallery::GalleryStore* store() const { return m_store.get(); }
    QProgressBar* progressBar() const { return m_progress; }
    QString bannerText() const;
    bool queueRunning() const { return m_queueRunning; }
    DownloadTask* downloads() const { return m_downloads; }

public slots:
    void generate();    // Ctrl+Enter: adds the batch to the queue and runs it
    void cancelRun();   // Esc: stops within one model evaluation, pauses the queue
    void stopAndKeep(); // keeps the current draft
    void runQueue();
    void pauseQueue();
    void loadModel(const QString& folderOrRepoId);
    void openModelDialog();
    // An all-in-one Lumina-Image 2.0 .safetensors checkpoint; the engine tells its parts from the tensors.
    void openModelFileDialog();
    void showPreferences();
    void showModelManager(); // File → Model Manager
    void showFirstRun();     // the first-run screen (download / open a folder / demo)
    const Preferences& preferences() const { return m_prefs; }
    void showAbout();
    // Refine ×2–×4 of a gallery picture: asks factor and strength with the estimate (RefineDialog), then
    // queues the image-to-image run; the result links back to the item.
    void refine(const lumina::gallery::GalleryItem& item, int factor);
    // File → Open Image and dropping a picture on the window: restores the generation settings embedded in it
    // (ours, A1111, ComfyUI, SwarmUI) into the prompt and settings, and says what had no counterpart here.
    // Memory a run may use on the loaded model's device (GPU capacity, else available + resident host
    // memory), for the pre-run estimates; 0 when unknown.
    double memoryBudgetGigabytes() const;
    void openImage(const QString& path);
    // Export of a gallery item at full quality: its kept latents decoded again (the saved picture for items
    // made before latents were kept; the banner says so) and written as the extension of `file` says (PNG
    // 8/16-bit, TIFF 16-bit, EXR half, JPEG, WebP), settings embedded. Answered by the banner (and
    // EngineBridge::exported).
    void exportItem(const lumina::gallery::GalleryItem& item, const QString& file, int pngBitDepth = 16,
                    int quality = 95);
    void showExportDialog(const lumina::gallery::GalleryItem& item);
    // Completes an item whose picture could not be written when it was made (a full disk, a missing folder):
    // the kept latents are decoded again into a PNG in the output folder and the item points to it.
    void saveAgain(const lumina::gallery::GalleryItem& item);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createCentral();
    void createDocks();
    void createMenus();
    void createStatusBar();
    void openStore(const std::filesystem::path& file);
    void offerModelSetup();
    void connectBridge();
    void startNextJob();
    void onFinished(const GenerationResult& result);
    void onJobEnded(qint64 jobId);
    void showBanner(const QString& text, bool aboutModel = false);
    void updateRunButtons();
    void updateStatus();
    void updateMemory();
    QString stepText(int step, int total, double etaMs) const;
    void fitProgressText();
    void enqueue(pipeline::GenerationRequest request);
    QString outputFolder() const;

    MainWindowOptions m_options;
    std::map<QString, int64_t> m_savingAgain; // export target -> gallery item waiting for its picture
    Preferences m_prefs;
    std::unique_ptr<gallery::GalleryStore> m_store;
    EngineBridge* m_bridge = nullptr;
    DownloadTask* m_downloads = nullptr;
    PromptPanel* m_prompt = nullptr;
    SettingsPanel* m_settings = nullptr;
    QueuePanel* m_queue = nullptr;
    GalleryPanel* m_gallery = nullptr;
    CanvasWidget* m_canvas = nullptr;
    QLabel* m_banner = nullptr;
    QToolButton* m_bannerClose = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_generateButton = nullptr;
    QPushButton* m_keepButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_deviceLabel = nullptr;
    QLabel* m_memoryLabel = nullptr;
    bool m_queueRunning = false;
    bool m_bannerAboutModel = false;
    qint64 m_currentJob = 0;
    QSize m_currentSize;
};

} // namespace ui
} // namespace lumina
