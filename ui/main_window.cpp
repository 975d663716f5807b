#include "ui/main_window.h"

#include "core/gallery/latents_file.h"
#include "core/image/settings_readback.h"
#include "core/util/app_paths.h"
#include "core/util/errors.h"
#include "core/util/system_memory.h"
#include "ui/canvas_widget.h"
#include "ui/download_task.h"
#include "ui/engine_bridge.h"
#include "ui/first_run.h"
#include "ui/gallery_model.h"
#include "ui/gallery_panel.h"
#include "ui/model_manager.h"
#include "ui/prompt_panel.h"
#include "ui/queue_panel.h"
#include "ui/refine_dialog.h"
#include "ui/settings_panel.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>
#include <algorithm>

namespace lumina {
namespace ui {
namespace {

QString formatDuration(double ms) {
    const int s = int(ms / 1000 + 0.5);
    return s < 60 ? QObject::tr("%1 s").arg(s) : QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
}

// Resident memory of this process (Linux); -1 where unknown.
double residentGigabytes() {
#ifdef Q_OS_LINUX
    QFile f("/proc/self/statm");
    if (f.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> parts = f.readAll().split(' ');
        if (parts.size() > 1) return parts[1].toDouble() * 4096.0 / 1e9;
    }
#endif
    return -1;
}

} // namespace

MainWindow::MainWindow(std::unique_ptr<engine::GenerationEngine> engine, MainWindowOptions options,
                       QWidget* parent)
    : QMainWindow(parent)
    , m_options(std::move(options))
    , m_prefs(Preferences::load()) {
    setObjectName("MainWindow");
    setWindowTitle(tr("Lumina Studio"));
    setAcceptDrops(true); // a picture dropped on the window restores its settings (openImage)
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks |
                   QMainWindow::AllowNestedDocks);
    resize(1440, 900);
    openStore(m_options.databaseFile.empty() ? appDataDirectory() / "gallery.sqlite"
                                             : m_options.databaseFile);
    m_bridge = new EngineBridge(std::move(engine), this);
    m_downloads = new DownloadTask(this);
    createCentral();
    createDocks();
    createMenus();
    createStatusBar();
    connectBridge();
    if (m_options.persistLayout) {
        QSettings s;
        restoreGeometry(s.value("window/geometry").toByteArray());
        restoreState(s.value("window/state").toByteArray());
    }
    m_settings->setEstimateDevice(
        m_prefs.device == DeviceChoice::Auto
            ? (m_options.autoDevice.isEmpty() ? QStringLiteral("cpu") : m_options.autoDevice)
            : QString::fromStdString(toString(m_prefs.device)),
        QString::fromStdString(toString(m_prefs.precision)));
    updateStatus();
    updateRunButtons();
    if (!m_bridge->hasEngine())
        m_canvas->setPlaceholder(
            tr("This build has no inference engine. Run lumina-studio --demo to try the interface."));
    const QString model = m_options.modelToLoad.isEmpty() ? m_prefs.lastModel : m_options.modelToLoad;
    if (!model.isEmpty() && m_bridge->hasEngine())
        QTimer::singleShot(0, this, [this, model] { loadModel(model); });
    else if (m_options.offerModelSetup && m_bridge->hasEngine())
        QTimer::singleShot(0, this, &MainWindow::offerModelSetup);
    connect(m_downloads, &DownloadTask::finished, this,
            [this](bool ok, bool cancelled, const QString& message, const QString&) {
                if (ok)
                    statusBar()->showMessage(
                        tr("Download of %1 complete and verified.").arg(m_downloads->repoId()), 8000);
                else if (!cancelled)
                    showBanner(tr("The download of %1 failed: %2").arg(m_downloads->repoId(), message));
            });
}

void MainWindow::offerModelSetup() {
    // A download interrupted by closing the app is continued only with the user's consent.
    const PendingDownload pending = DownloadTask::pending();
    if (pending.valid()) {
        auto* box =
            new QMessageBox(QMessageBox::Question, tr("Resume download"),
                            tr("The download of %1 was interrupted. Continue it now? The bytes already "
                               "fetched are kept.")
                                .arg(pending.repoId),
                            QMessageBox::Yes | QMessageBox::No, this);
        box->setObjectName("resumeDownloadBox");
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::finished, this, [this, pending](int result) {
            if (result == QMessageBox::Yes) {
                m_downloads->start(pending.repoId, pending.revision, pending.cacheDir);
                showModelManager();
            } else {
                DownloadTask::clearPending();
                if (m_prefs.lastModel.isEmpty()) showFirstRun();
            }
        });
        box->open();
        return;
    }
    if (m_prefs.lastModel.isEmpty()) showFirstRun();
}

void MainWindow::showFirstRun() {
    auto* dialog = new FirstRunDialog(m_downloads, DownloadTask::defaultCacheDir(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &FirstRunDialog::openFolderRequested, this, &MainWindow::openModelDialog,
            Qt::QueuedConnection);
    connect(dialog, &FirstRunDialog::demoRequested, this, [] {
        QProcess::startDetached(QCoreApplication::applicationFilePath(), {QStringLiteral("--demo")});
    });
    connect(dialog, &FirstRunDialog::modelReady, this,
            [this](const QString&) { loadModel(QString::fromLatin1(kDefaultModelRepo)); });
    dialog->open();
}

void MainWindow::showModelManager() {
    auto* dialog = findChild<ModelManagerDialog*>();
    if (!dialog) {
        dialog = new ModelManagerDialog(m_downloads, {}, this);
        connect(dialog, &ModelManagerDialog::modelChosen, this, &MainWindow::loadModel);
    }
    dialog->refresh();
    dialog->show();
    dialog->raise();
}

MainWindow::~MainWindow() {
    m_bridge->shutdown(); // before the store and panels go: the worker may still be running
}

void MainWindow::openStore(const std::filesystem::path& file) {
    try {
        m_store = std::make_unique<gallery::GalleryStore>(file);
    } catch (const std::exception& e) {
        // The data folder cannot be written: keep working with a temporary database and say so.
        const std::filesystem::path fallback =
            std::filesystem::path(QDir::tempPath().toStdString()) / "lumina-gallery.sqlite";
        m_store = std::make_unique<gallery::GalleryStore>(fallback);
        QTimer::singleShot(0, this, [this, msg = QString::fromStdString(e.what())] {
            showBanner(
                tr("The gallery database could not be opened (%1). This session uses a temporary database.")
                    .arg(msg));
        });
    }
    const QString backup = QString::fromStdString(m_store->backupPath().string());
    if (m_store->outcome() == gallery::OpenOutcome::RecoveredFromCorruption)
        QTimer::singleShot(0, this, [this, backup] {
            showBanner(tr("The gallery database was damaged. It was moved to %1 and a new, empty gallery was "
                          "started. "
                          "Your image files are untouched.")
                           .arg(backup));
        });
    else if (m_store->outcome() == gallery::OpenOutcome::RecoveredFromNewerVersion)
        QTimer::singleShot(0, this, [this, backup] {
            showBanner(
                tr("The gallery database was written by a newer Lumina Studio. It was moved to %1 and a new "
                   "gallery was started.")
                    .arg(backup));
        });
    const int requeued = m_store->requeueInterruptedJobs();
    if (requeued > 0)
        QTimer::singleShot(0, this, [this, requeued] {
            statusBar()->showMessage(
                tr("%n interrupted job(s) were put back in the queue.", nullptr, requeued), 8000);
        });
}

void MainWindow::createCentral() {
    auto* central = new QWidget(this);
    m_banner = new QLabel(central);
    m_banner->setObjectName("bannerLabel");
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->hide();
    m_bannerClose = new QToolButton(central);
    m_bannerClose->setText(QStringLiteral("✕"));
    m_bannerClose->setToolTip(tr("Dismiss"));
    m_bannerClose->hide();
    connect(m_bannerClose, &QToolButton::clicked, this, [this] {
        m_banner->hide();
        m_bannerClose->hide();
    });
    auto* bannerRow = new QHBoxLayout;
    bannerRow->addWidget(m_banner, 1);
    bannerRow->addWidget(m_bannerClose, 0, Qt::AlignTop);

    m_canvas = new CanvasWidget(central);
    m_canvas->setPlaceholder(tr("Open a model (File → Open Model…), type a prompt and press Ctrl+Enter."));
    m_progress = new QProgressBar(central);
    m_progress->setObjectName("runProgress");
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("Idle"));
    m_progress->setTextVisible(true);
    fitProgressText();
    m_generateButton = new QPushButton(tr("Generate"), central);
    m_generateButton->setObjectName("generateButton");
    m_generateButton->setToolTip(tr("Add to the queue and run (Ctrl+Enter)"));
    m_keepButton = new QPushButton(tr("Stop and keep"), central);
    m_keepButton->setObjectName("keepButton");
    m_keepButton->setToolTip(tr("Stop now and keep the current draft (Shift+Esc)"));
    m_cancelButton = new QPushButton(tr("Cancel"), central);
    m_cancelButton->setObjectName("cancelButton");
    m_cancelButton->setToolTip(tr("Stop and discard (Esc)"));
    auto* fit = new QToolButton(central);
    fit->setText(tr("Fit"));
    fit->setToolTip(tr("Fit the image to the window (Ctrl+0)"));
    auto* actual = new QToolButton(central);
    actual->setText(QStringLiteral("100%"));
    actual->setToolTip(tr("Actual pixels (Ctrl+1)"));
    connect(fit, &QToolButton::clicked, m_canvas, &CanvasWidget::fitToWindow);
    connect(actual, &QToolButton::clicked, m_canvas, &CanvasWidget::actualSize);
    connect(m_generateButton, &QPushButton::clicked, this, &MainWindow::generate);
    connect(m_keepButton, &QPushButton::clicked, this, &MainWindow::stopAndKeep);
    connect(m_cancelButton, &QPushButton::clicked, this, &MainWindow::cancelRun);

    auto* strip = new QHBoxLayout;
    strip->addWidget(fit);
    strip->addWidget(actual);
    strip->addWidget(m_progress, 1);
    strip->addWidget(m_keepButton);
    strip->addWidget(m_cancelButton);
    strip->addWidget(m_generateButton);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(bannerRow);
    layout->addWidget(m_canvas, 1);
    layout->addLayout(strip);
    setCentralWidget(central);
}

void MainWindow::createDocks() {
    auto makeDock = [this](const QString& title, const QString& name, QWidget* content,
                           Qt::DockWidgetArea area) {
        auto* dock = new QDockWidget(title, this);
        dock->setObjectName(name);
        dock->setWidget(content);
        dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                          QDockWidget::DockWidgetClosable);
        addDockWidget(area, dock);
        return dock;
    };
    m_prompt = new PromptPanel(this);
    m_settings = new SettingsPanel(this);
    m_queue = new QueuePanel(m_store.get(), this);
    m_gallery = new GalleryPanel(m_store.get(), this);
    QDockWidget* promptDock = makeDock(tr("Prompt"), "promptDock", m_prompt, Qt::LeftDockWidgetArea);
    QDockWidget* settingsDock = makeDock(tr("Settings"), "settingsDock", m_settings, Qt::LeftDockWidgetArea);
    QDockWidget* galleryDock = makeDock(tr("Gallery"), "galleryDock", m_gallery, Qt::RightDockWidgetArea);
    QDockWidget* queueDock = makeDock(tr("Queue"), "queueDock", m_queue, Qt::RightDockWidgetArea);
    resizeDocks({promptDock, galleryDock}, {400, 460}, Qt::Horizontal);
    resizeDocks({promptDock, settingsDock}, {260, 600}, Qt::Vertical);
    resizeDocks({galleryDock, queueDock}, {640, 200}, Qt::Vertical);

    connect(m_prompt, &PromptPanel::generateRequested, this, &MainWindow::generate);
    connect(m_prompt, &PromptPanel::promptSettled, this, [this](const QString& text) {
        if (m_bridge->hasModel()) m_bridge->requestTokenCount(text, m_settings->systemPrompt());
    });
    connect(m_settings, &SettingsPanel::systemPromptChanged, this, [this] {
        if (!m_bridge->hasModel() || m_bridge->modelFamily() != ModelFamily::Lumina2) return;
        rememberSystemPrompt(m_bridge->modelName(), m_settings->systemPrompt());
        m_bridge->requestTokenCount(m_prompt->prompt(), m_settings->systemPrompt());
    });
    connect(m_settings, &SettingsPanel::lorasChanged, this, [this] {
        if (!m_bridge->hasModel() || m_bridge->modelFamily() != ModelFamily::Lumina2) return;
        rememberLoras(m_bridge->modelName(), m_settings->loraEntries());
    });
    connect(m_queue, &QueuePanel::runRequested, this, &MainWindow::runQueue);
    connect(m_queue, &QueuePanel::pauseRequested, this, &MainWindow::pauseQueue);
    connect(m_gallery, &GalleryPanel::showRequested, this, [this](const gallery::GalleryItem& item) {
        if (m_bridge->busy()) return; // the live run keeps the canvas
        QImage image(QString::fromStdString(item.imagePath));
        if (image.isNull() && !item.thumbnailPng.empty())
            image.loadFromData(item.thumbnailPng.data(), int(item.thumbnailPng.size()), "PNG");
        if (!image.isNull()) m_canvas->showImage(image);
    });
    connect(m_gallery, &GalleryPanel::useSettingsRequested, this, [this](const gallery::GalleryItem& item) {
        try {
            const pipeline::GenerationRequest r = pipeline::requestFromJson(item.settings);
            if (m_bridge->hasModel() && r.family != m_bridge->modelFamily()) {
                // The pipeline refuses a request of the other family; say so now instead of failing a run.
                showBanner(tr("These settings are for a %1 model, but %2 is a %3 model. Load a %1 model to "
                              "use them.")
                               .arg(QString::fromStdString(displayName(r.family)), m_bridge->modelName(),
                                    QString::fromStdString(displayName(m_bridge->modelFamily()))));
                return;
            }
            m_prompt->setPrompt(QString::fromStdString(r.prompt));
            m_prompt->setNegativePrompt(QString::fromStdString(r.negativePrompt));
            m_settings->applyRequest(r);
            statusBar()->showMessage(tr("Settings copied from the gallery."), 4000);
        } catch (const std::exception& e) {
            showBanner(tr("These settings cannot be used: %1").arg(QString::fromStdString(e.what())));
        }
    });
    connect(m_gallery, &GalleryPanel::refineRequested, this, &MainWindow::refine);
    connect(m_gallery, &GalleryPanel::exportRequested, this, &MainWindow::showExportDialog);
    connect(m_gallery, &GalleryPanel::saveAgainRequested, this, &MainWindow::saveAgain);
    connect(m_gallery, &GalleryPanel::newSeedRequested, this, [this](const gallery::GalleryItem& item) {
        try {
            pipeline::GenerationRequest r = pipeline::requestFromJson(item.settings);
            r.seed = QRandomGenerator::global()->generate();
            enqueue(r);
            runQueue();
        } catch (const std::exception& e) {
            showBanner(tr("These settings cannot be used: %1").arg(QString::fromStdString(e.what())));
        }
    });
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Model…"), this, &MainWindow::openModelDialog);
    open->setObjectName("actionOpenModel");
    open->setShortcut(QKeySequence::Open);
    open->setEnabled(m_bridge->hasEngine());
    // Lumina-Image 2.0 as one .safetensors checkpoint (ComfyUI's all-in-one layout; docs/lumina2.md).
    QAction* openFile = file->addAction(tr("Open Model &File…"), this, &MainWindow::openModelFileDialog);
    openFile->setObjectName("actionOpenModelFile");
    openFile->setEnabled(m_bridge->hasEngine());
    QAction* openPicture = file->addAction(tr("Open &Image…"), this, [this] {
        const QString picture = QFileDialog::getOpenFileName(
            this, tr("Open Image"), QString(),
            tr("Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.exr);;All files (*)"));
        if (!picture.isEmpty()) openImage(picture);
    });
    openPicture->setObjectName("actionOpenImage");
    QAction* manager = file->addAction(tr("Model &Manager…"), this, &MainWindow::showModelManager);
    manager->setObjectName("actionModelManager");
    QAction* prefs = file->addAction(tr("&Preferences…"), this, &MainWindow::showPreferences);
    prefs->setObjectName("actionPreferences");
    prefs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    prefs->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName("actionQuit");
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_gallery->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setObjectName("actionUndo");
    undo->setShortcut(QKeySequence::Undo);
    edit->addAction(undo);

    QMenu* run = menuBar()->addMenu(tr("&Generate"));
    QAction* gen = run->addAction(tr("&Generate"), this, &MainWindow::generate);
    gen->setObjectName("actionGenerate");
    gen->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    QAction* cancel = run->addAction(tr("&Cancel"), this, &MainWindow::cancelRun);
    cancel->setObjectName("actionCancel");
    cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    QAction* keep = run->addAction(tr("Stop and &keep draft"), this, &MainWindow::stopAndKeep);
    keep->setObjectName("actionStopAndKeep");
    keep->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_Escape));
    run->addSeparator();
    run->addAction(tr("&Run queue"), this, &MainWindow::runQueue);
    run->addAction(tr("&Pause queue"), this, &MainWindow::pauseQueue);
    QAction* focusPrompt =
        run->addAction(tr("Focus &prompt"), this, [this] { m_prompt->promptEdit()->setFocus(); });
    focusPrompt->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));

    QMenu* image = menuBar()->addMenu(tr("&Image"));
    for (int factor : {2, 3, 4}) {
        QAction* refineAction = image->addAction(tr("Refine ×%1…").arg(factor), this,
                                                 [this, factor] { m_gallery->refineCurrent(factor); });
        refineAction->setObjectName(QString("actionRefine%1").arg(factor));
    }

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* fit = view->addAction(tr("&Fit to window"), m_canvas, &CanvasWidget::fitToWindow);
    fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    QAction* actual = view->addAction(tr("&Actual pixels"), m_canvas, &CanvasWidget::actualSize);
    actual->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About Lumina Studio"), this, &MainWindow::showAbout);
    about->setObjectName("actionAbout");
}

void MainWindow::createStatusBar() {
    m_modelLabel = new QLabel(this);
    m_modelLabel->setObjectName("modelLabel");
    m_deviceLabel = new QLabel(this);
    m_deviceLabel->setObjectName("deviceLabel");
    m_memoryLabel = new QLabel(this);
    m_memoryLabel->setObjectName("memoryLabel");
    statusBar()->addPermanentWidget(m_modelLabel);
    statusBar()->addPermanentWidget(m_deviceLabel);
    statusBar()->addPermanentWidget(m_memoryLabel);
    auto* timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, &MainWindow::updateMemory);
    timer->start(2000);
    updateMemory();
}

void MainWindow::connectBridge() {
    connect(m_bridge, &EngineBridge::modelLoadProgress, this, [this](qint64 bytes, qint64 total) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(total > 0 ? int(1000 * bytes / total) : 0);
        m_progress->setFormat(
            tr("Loading model… %1 of %2 GB").arg(bytes / 1e9, 0, 'f', 2).arg(total / 1e9, 0, 'f', 2));
    });
    connect(m_bridge, &EngineBridge::modelLoaded, this,
            [this](const QString& name, const QString& device, const QString& precision) {
                m_progress->setRange(0, 1);
                m_progress->setValue(0);
                m_progress->setFormat(tr("Ready"));
                m_settings->setEstimateDevice(device, precision);
                m_settings->setEstimateModel(name, m_bridge->modelFootprint(), memoryBudgetGigabytes());
                m_settings->setFamily(m_bridge->modelFamily()); // no-op for the same family: settings stay
                if (m_bridge->modelFamily() == ModelFamily::Lumina2) {
                    m_settings->setSystemPrompt(rememberedSystemPrompt(name));
                    m_settings->setLoraEntries(rememberedLoras(name));
                }
                if (m_bannerAboutModel) { // an earlier load failure no longer applies; other messages stay
                    m_banner->hide();
                    m_bannerClose->hide();
                }
                m_canvas->setPlaceholder(tr("Type a prompt and press Ctrl+Enter."));
                statusBar()->showMessage(tr("Model %1 loaded.").arg(name), 5000);
                updateStatus();
                m_bridge->requestTokenCount(m_prompt->prompt(), m_settings->systemPrompt());
                startNextJob();
            });
    connect(m_bridge, &EngineBridge::modelLoadFailed, this, [this](const QString& message) {
        m_progress->setRange(0, 1);
        m_progress->setValue(0);
        // The engine keeps the model it had: say so, and go on using it.
        const bool kept = m_bridge->hasModel();
        m_progress->setFormat(kept ? tr("Ready") : tr("No model"));
        showBanner(kept ? tr("The model could not be loaded: %1 %2 is still loaded and is used.")
                              .arg(message, m_bridge->modelName())
                        : tr("The model could not be loaded: %1").arg(message),
                   true);
        updateStatus();
        startNextJob();
    });
    connect(m_bridge, &EngineBridge::refused, this,
            [this](const QString& reason) { statusBar()->showMessage(reason, 6000); });
    connect(m_bridge, &EngineBridge::stage, this, [this](int stage) {
        switch (pipeline::Stage(stage)) {
        case pipeline::Stage::EncodingPrompt:
            m_progress->setFormat(tr("Encoding the prompt…"));
            break;
        case pipeline::Stage::EncodingImage:
            m_progress->setFormat(tr("Encoding the init image…"));
            break;
        case pipeline::Stage::Decoding:
            m_progress->setFormat(tr("Decoding the image…"));
            break;
        default:
            break;
        }
    });
    connect(m_bridge, &EngineBridge::progress, this, [this](qint64, int step, int total, double etaMs) {
        m_progress->setRange(0, total);
        m_progress->setValue(step);
        m_progress->setFormat(stepText(step, total, etaMs));
    });
    connect(m_bridge, &EngineBridge::preview, this,
            [this](qint64, const QImage& image) { m_canvas->showPreview(image, m_currentSize); });
    connect(m_bridge, &EngineBridge::finished, this, &MainWindow::onFinished);
    connect(m_bridge, &EngineBridge::exported, this,
            [this](const QString& file, const QString& error, bool fromLatents) {
                const auto waiting = m_savingAgain.find(file);
                const std::optional<int64_t> savedItem =
                    waiting == m_savingAgain.end() ? std::nullopt : std::optional<int64_t>(waiting->second);
                if (waiting != m_savingAgain.end()) m_savingAgain.erase(waiting);
                if (savedItem && error.isEmpty()) {
                    m_store->setImagePath(*savedItem, file.toStdString());
                    m_gallery->reload();
                    statusBar()->showMessage(tr("Saved again to %1.").arg(file), 6000);
                } else if (!error.isEmpty())
                    showBanner(tr("The export to %1 failed: %2").arg(file, error));
                else if (!fromLatents)
                    showBanner(tr("Exported %1 from the saved 8-bit picture: this item was made before "
                                  "latents were kept, "
                                  "so its full-precision image cannot be decoded again.")
                                   .arg(file));
                else
                    statusBar()->showMessage(tr("Exported %1.").arg(file), 6000);
                startNextJob();
            });
    connect(m_bridge, &EngineBridge::cancelled, this, [this](qint64 id) {
        m_progress->setFormat(tr("Cancelled"));
        m_progress->setValue(0);
        onJobEnded(id);
    });
    connect(m_bridge, &EngineBridge::failed, this, [this](qint64 id, const QString& message) {
        m_progress->setFormat(tr("Failed"));
        m_progress->setValue(0);
        showBanner(tr("Generation failed: %1").arg(message));
        m_queueRunning = false; // an error usually repeats: let the user look first
        onJobEnded(id);
    });
    connect(m_bridge, &EngineBridge::tokenCount, m_prompt, &PromptPanel::setTokenCount);
    connect(m_bridge, &EngineBridge::busyChanged, this, &MainWindow::updateRunButtons);
}

void MainWindow::loadModel(const QString& folder) {
    if (m_bridge->busy()) {
        statusBar()->showMessage(tr("Wait for the current run to finish before loading a model."), 5000);
        return;
    }
    m_prefs.lastModel = folder;
    m_prefs.save();
    engine::ModelLoadOptions options;
    options.device = m_prefs.device;
    options.precision = m_prefs.precision;
    options.attention = m_prefs.attention;
    m_progress->setRange(0, 0);
    m_progress->setFormat(tr("Loading model…"));
    m_bridge->loadModel(folder, options);
    updateStatus();
}

void MainWindow::openModelDialog() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a model folder"), m_prefs.lastModel);
    if (!dir.isEmpty()) loadModel(dir);
}

void MainWindow::openModelFileDialog() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Open a single-file model"),
                                                      QFileInfo(m_prefs.lastModel).absolutePath(),
                                                      tr("Lumina-Image 2.0 checkpoints (*.safetensors)"));
    if (!file.isEmpty()) loadModel(file);
}

QString MainWindow::outputFolder() const {
    return m_options.outputFolder.isEmpty() ? m_prefs.outputFolder : m_options.outputFolder;
}

void MainWindow::refine(const gallery::GalleryItem& item, int factor) {
    pipeline::RefineSource source;
    try {
        source.request = pipeline::requestFromJson(item.settings);
    } catch (const std::exception& e) {
        showBanner(tr("These settings cannot be used: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    source.request.seed = item.seed;
    source.width = item.width;
    source.height = item.height;
    source.imagePath = item.imagePath;
    source.galleryItem = item.id;
    if (!QFileInfo::exists(QString::fromStdString(item.imagePath))) {
        showBanner(tr("The picture's file %1 is missing, so it cannot be refined.")
                       .arg(QString::fromStdString(item.imagePath)));
        return;
    }
    RefineContext context;
    const bool loaded = m_bridge->hasModel();
    context.device = loaded ? m_bridge->deviceName() : QStringLiteral("cpu");
    context.precision = loaded ? m_bridge->precisionName() : QStringLiteral("fp32");
    context.modelFootprint = m_bridge->modelFootprint();
    context.budgetGigabytes = memoryBudgetGigabytes();
    RefineDialog dialog(source, factor, context, this);
    dialog.setObjectName("refineDialog");
    if (dialog.exec() != QDialog::Accepted) return;
    if (const auto request = dialog.request()) {
        enqueue(*request);
        runQueue();
    }
}

double MainWindow::memoryBudgetGigabytes() const {
    const engine::DeviceMemory device = m_bridge->deviceMemory();
    // The estimate counts the weights, which on the CPU are already part of this process's resident memory.
    if (!device.device.empty() && device.totalBytes > 0) return double(device.totalBytes) / 1e9;
    if (const auto available = availableSystemMemory())
        return double(*available) / 1e9 + std::max(0.0, residentGigabytes());
    return 0;
}

void MainWindow::openImage(const QString& path) {
    const QString name = QFileInfo(path).fileName();
    image::SettingsReadback readback;
    try {
        readback = image::readSettingsFromImage(path.toStdString());
    } catch (const std::exception& e) {
        showBanner(tr("%1 cannot be read: %2").arg(name, QString::fromStdString(e.what())));
        return;
    }
    QStringList notes;
    for (const auto& line : readback.problems)
        notes << QString::fromStdString(line);
    if (!readback.recognized()) {
        showBanner(notes.isEmpty() ? tr("%1 carries no generation settings.").arg(name)
                                   : tr("%1: no settings could be read (%2).").arg(name, notes.join("; ")));
        return;
    }
    // What the picture says, on top of what is set now: keys it does not carry keep their current values.
    pipeline::GenerationRequest current = m_settings->request();
    current.prompt = m_prompt->prompt().toStdString();
    current.negativePrompt = m_prompt->negativePrompt().toStdString();
    nlohmann::json merged = pipeline::toJson(current);
    merged.update(readback.settings);
    pipeline::GenerationRequest restored;
    try {
        restored = pipeline::requestFromJson(merged);
    } catch (const std::exception& e) {
        showBanner(tr("The settings in %1 cannot be used: %2").arg(name, QString::fromStdString(e.what())));
        return;
    }
    m_prompt->setPrompt(QString::fromStdString(restored.prompt));
    m_prompt->setNegativePrompt(QString::fromStdString(restored.negativePrompt));
    m_settings->applyRequest(restored);
    for (const auto& line : readback.unmapped)
        notes << QString::fromStdString(line);
    const QString source = readback.source == "lumina"    ? tr("Lumina Studio")
                           : readback.source == "a1111"   ? tr("AUTOMATIC1111")
                           : readback.source == "comfyui" ? tr("ComfyUI")
                                                          : tr("SwarmUI");
    QStringList keys;
    for (const auto& [key, value] : readback.settings.items())
        keys << QString::fromStdString(key);
    QString text = tr("Settings restored from %1 (%2): %3.").arg(name, source, keys.join(", "));
    if (!notes.isEmpty()) text += " " + tr("Not used here: %1.").arg(notes.join("; "));
    showBanner(text);
}

void MainWindow::exportItem(const gallery::GalleryItem& item, const QString& file, int pngBitDepth,
                            int quality) {
    ExportJob job;
    job.file = file;
    job.latentsFile = QString::fromStdString(m_store->latentsFile(item.id).string());
    job.savedImage = QString::fromStdString(item.imagePath);
    job.pngBitDepth = pngBitDepth;
    job.quality = quality;
    job.settingsJson =
        QByteArray::fromStdString(item.settings.is_null() ? std::string() : item.settings.dump());
    if (!QFileInfo::exists(job.latentsFile) && !QFileInfo::exists(job.savedImage)) {
        showBanner(tr("Nothing to export: this item has neither kept latents nor its picture %1.")
                       .arg(job.savedImage));
        return;
    }
    m_bridge->exportImage(job); // refused (and said in the status bar) while a run is busy
}

void MainWindow::saveAgain(const gallery::GalleryItem& item) {
    if (!item.imagePath.empty() && QFileInfo::exists(QString::fromStdString(item.imagePath))) {
        statusBar()->showMessage(
            tr("This picture is saved already: %1").arg(QString::fromStdString(item.imagePath)), 6000);
        return;
    }
    if (!QFileInfo::exists(QString::fromStdString(m_store->latentsFile(item.id).string()))) {
        showBanner(tr("This picture cannot be saved again: it was made before latents were kept."));
        return;
    }
    if (!QDir().mkpath(outputFolder())) {
        showBanner(
            tr("Cannot create the output folder %1. Choose another one in Preferences.").arg(outputFolder()));
        return;
    }
    const QString stem =
        QStringLiteral("lumina_%1_%2")
            .arg(QDateTime::fromMSecsSinceEpoch(item.createdAtMs).toString("yyyyMMdd_HHmmss"))
            .arg(item.seed);
    QString file = QDir(outputFolder()).filePath(stem + ".png");
    for (int i = 2; QFileInfo::exists(file); ++i)
        file = QDir(outputFolder()).filePath(QStringLiteral("%1_%2.png").arg(stem).arg(i));
    m_savingAgain[file] = item.id;
    exportItem(item, file, 8);
}

void MainWindow::showExportDialog(const gallery::GalleryItem& item) {
    const QString png16 = tr("PNG, 16-bit (*.png)"), png8 = tr("PNG, 8-bit (*.png)"),
                  tiff = tr("TIFF, 16-bit (*.tif)"), exr = tr("OpenEXR, half float (*.exr)"),
                  jpeg = tr("JPEG (*.jpg)"), webp = tr("WebP (*.webp)");
    QString filter = png16;
    const QString stem = QFileInfo(QString::fromStdString(item.imagePath)).completeBaseName();
    QString file =
        QFileDialog::getSaveFileName(this, tr("Export"), QDir(outputFolder()).filePath(stem + ".png"),
                                     QStringList{png16, png8, tiff, exr, jpeg, webp}.join(";;"), &filter);
    if (file.isEmpty()) return;
    if (QFileInfo(file).suffix().isEmpty())
        file += filter == tiff   ? ".tif"
                : filter == exr  ? ".exr"
                : filter == jpeg ? ".jpg"
                : filter == webp ? ".webp"
                                 : ".png";
    exportItem(item, file, filter == png8 ? 8 : 16);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile()) return;
    event->acceptProposedAction();
    openImage(urls.first().toLocalFile());
}

void MainWindow::enqueue(pipeline::GenerationRequest request) {
    request.vaeTiling = m_prefs.vaeTiling;
    request.vaeTileSize = m_prefs.vaeTileSize;
    m_store->enqueue(pipeline::toJson(request));
    m_queue->refresh();
}

void MainWindow::generate() {
    const QString prompt = m_prompt->prompt();
    if (prompt.trimmed().isEmpty()) {
        statusBar()->showMessage(tr("Type a prompt first."), 4000);
        m_prompt->promptEdit()->setFocus();
        return;
    }
    pipeline::GenerationRequest r = m_settings->request();
    r.prompt = prompt.toStdString();
    r.negativePrompt = m_prompt->negativePrompt().toStdString();
    try {
        pipeline::validateRequest(r);
    } catch (const std::exception& e) {
        showBanner(tr("These settings cannot be used: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    if (m_bridge->hasModel())
        m_bridge->requestTokenCount(prompt, r.systemPrompt); // answered before the run starts
    for (uint64_t seed : m_settings->takeSeeds(m_settings->batchCount())) {
        r.seed = seed;
        enqueue(r);
    }
    m_prompt->addToHistory(prompt);
    runQueue();
}

void MainWindow::runQueue() {
    m_queueRunning = true;
    m_queue->setRunning(true);
    if (!m_bridge->hasModel() && !m_bridge->busy())
        statusBar()->showMessage(tr("The queue runs as soon as a model is loaded (File → Open Model…)."),
                                 6000);
    startNextJob();
}

void MainWindow::pauseQueue() {
    m_queueRunning = false;
    m_queue->setRunning(false);
}

void MainWindow::cancelRun() {
    pauseQueue();
    if (m_bridge->busy() && m_currentJob) {
        m_progress->setFormat(tr("Cancelling…"));
        m_bridge->cancel(CancelMode::StopNow);
    }
}

void MainWindow::stopAndKeep() {
    if (m_bridge->busy() && m_currentJob) {
        m_progress->setFormat(tr("Stopping, keeping the draft…"));
        m_bridge->cancel(CancelMode::StopKeepDraft);
    }
}

void MainWindow::startNextJob() {
    if (!m_queueRunning || m_bridge->busy() || !m_bridge->hasModel()) return;
    while (std::optional<gallery::QueuedJob> job = m_store->takeNextJob()) {
        try {
            const pipeline::GenerationRequest r = pipeline::requestFromJson(job->request);
            if (r.family != m_bridge->modelFamily()) {
                // Made for the other family (queued before a model switch): the pipeline would refuse it. It
                // stays first in the queue, and the queue waits for the user.
                m_store->requeueInterruptedJobs();
                pauseQueue();
                m_queue->refresh();
                showBanner(
                    tr("The next queued job is for a %1 model, but %2 is a %3 model. Load a %1 model to "
                       "run it, or remove it from the queue.")
                        .arg(QString::fromStdString(displayName(r.family)), m_bridge->modelName(),
                             QString::fromStdString(displayName(m_bridge->modelFamily()))));
                return;
            }
            m_currentJob = job->id;
            m_currentSize = QSize(r.width, r.height);
            m_progress->setRange(0, r.sampling.steps);
            m_progress->setValue(0);
            m_progress->setFormat(tr("Starting…"));
            if (!m_bridge->generate(job->id, r, outputFolder())) {
                m_currentJob = 0;
                m_store->requeueInterruptedJobs(); // back to the queue: it starts when the engine is free
                m_queue->refresh();
                return;
            }
            m_queue->refresh();
            updateRunButtons();
            return;
        } catch (const std::exception& e) {
            m_store->finishJob(job->id);
            showBanner(tr("A queued job could not be read and was removed: %1")
                           .arg(QString::fromStdString(e.what())));
        }
    }
    pauseQueue(); // nothing left
    m_queue->refresh();
}

void MainWindow::onFinished(const GenerationResult& r) {
    m_canvas->showImage(r.image);
    gallery::GalleryItem item;
    item.createdAtMs = QDateTime::currentMSecsSinceEpoch();
    item.prompt = r.prompt.toStdString();
    item.negativePrompt = r.negativePrompt.toStdString();
    item.settings = nlohmann::json::parse(r.settingsJson.toStdString(), nullptr, false);
    item.seed = r.seed;
    item.width = r.width;
    item.height = r.height;
    item.imagePath = r.imagePath.toStdString();
    item.thumbnailPng.assign(r.thumbnailPng.begin(), r.thumbnailPng.end());
    item.durationMs = r.totalMs;
    item.model = r.model.toStdString();
    item.device = r.device.toStdString();
    if (item.settings.is_object() && item.settings.contains("init_gallery_item") &&
        item.settings["init_gallery_item"].is_number_integer())
        item.sourceId = item.settings["init_gallery_item"].get<int64_t>();
    try {
        const int64_t id = m_store->addItem(item);
        if (!r.latents.empty()) {
            gallery::KeptLatents kept{
                r.latentShape, r.latents, {{"lumina_settings", r.settingsJson.toStdString()}}};
            try {
                gallery::writeKeptLatents(m_store->latentsFile(id), kept);
            } catch (const std::exception& e) { // the item stays; Export will use the saved picture
                showBanner(
                    tr("The latents of this image could not be kept (Export will use the saved picture): %1")
                        .arg(QString::fromStdString(e.what())));
            }
        }
    } catch (const std::exception& e) {
        showBanner(
            tr("The image could not be added to the gallery: %1").arg(QString::fromStdString(e.what())));
    }
    if (!r.saveError.isEmpty()) showBanner(r.saveError);
    m_settings->setLastSeed(r.seed);
    m_progress->setValue(m_progress->maximum());
    m_progress->setFormat(r.draft ? tr("Draft kept · %1").arg(formatDuration(r.totalMs))
                                  : tr("Done in %1 · seed %2").arg(formatDuration(r.totalMs)).arg(r.seed));
    m_gallery->reload();
    onJobEnded(r.jobId);
}

void MainWindow::onJobEnded(qint64 jobId) {
    m_store->finishJob(jobId);
    m_currentJob = 0;
    m_queue->refresh();
    m_queue->setRunning(m_queueRunning);
    updateRunButtons();
    startNextJob();
}

void MainWindow::showBanner(const QString& text, bool aboutModel) {
    m_bannerAboutModel = aboutModel;
    m_banner->setText(text);
    m_banner->show();
    m_bannerClose->show();
}

QString MainWindow::stepText(int step, int total, double etaMs) const {
    return tr("Step %1 of %2 · about %3 left").arg(step).arg(total).arg(formatDuration(etaMs));
}

void MainWindow::fitProgressText() {
    // Qt centres the text of a progress bar and clips it at both ends when the bar is narrower, so the bar is
    // never narrower than its longest text in this language (a three-digit step count and a long ETA).
    m_progress->ensurePolished();
    const QString longest = stepText(888, 888, (88 * 60 + 58) * 1000.0);
    m_progress->setMinimumWidth(m_progress->fontMetrics().horizontalAdvance(longest) + 32);
}

QString MainWindow::bannerText() const {
    return m_banner->isHidden() ? QString() : m_banner->text();
}

void MainWindow::updateRunButtons() {
    const bool running = m_bridge->busy() && m_currentJob != 0;
    m_keepButton->setEnabled(running);
    m_cancelButton->setEnabled(running);
    m_generateButton->setEnabled(m_bridge->hasEngine());
}

void MainWindow::updateStatus() {
    const bool loaded = m_bridge->hasModel();
    m_modelLabel->setText(
        loaded ? tr("Model: %1 · %2")
                     .arg(QString::fromStdString(displayName(m_bridge->modelFamily())), m_bridge->modelName())
               : tr("No model loaded"));
    m_deviceLabel->setText(loaded ? tr("%1 · %2").arg(m_bridge->deviceName(), m_bridge->precisionName())
                                  : tr("%1 · %2").arg(QString::fromStdString(toString(m_prefs.device)),
                                                      QString::fromStdString(toString(m_prefs.precision))));
}

void MainWindow::updateMemory() {
    const double gb = residentGigabytes();
    QString text = gb < 0 ? QString() : tr("Memory: %1 GB").arg(gb, 0, 'f', 2);
    const engine::DeviceMemory device = m_bridge->deviceMemory();
    if (!device.device.empty() && device.totalBytes > 0) {
        const double giB = double(uint64_t{1} << 30);
        const QString gpu = tr("%1: %2 / %3 GB")
                                .arg(QString::fromStdString(device.device))
                                .arg(double(device.usedBytes) / giB, 0, 'f', 1)
                                .arg(double(device.totalBytes) / giB, 0, 'f', 0);
        text = text.isEmpty() ? gpu : tr("%1 · %2").arg(text, gpu);
    }
    m_memoryLabel->setText(text);
}

void MainWindow::showPreferences() {
    PreferencesDialog dialog(m_prefs, this);
    if (dialog.exec() != QDialog::Accepted) return;
    const Preferences before = m_prefs;
    m_prefs = dialog.preferences();
    m_prefs.save();
    if (m_prefs.language != before.language)
        QMessageBox::information(this, tr("Language"),
                                 tr("The new language applies after Lumina Studio is restarted."));
    if ((m_prefs.device != before.device || m_prefs.precision != before.precision ||
         m_prefs.attention != before.attention) &&
        m_bridge->hasModel())
        statusBar()->showMessage(
            tr("Device, precision and the attention kernel apply when the model is loaded "
               "again."),
            6000);
    updateStatus();
}

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About Lumina Studio"),
        tr("<b>Lumina Studio</b> %1<br>Local text-to-image generation with Lumina-Next and Lumina-Image "
           "2.0.<br>%2")
            .arg(QStringLiteral(LUMINA_VERSION), m_options.runtimeSummary.isEmpty()
                                                     ? tr("No inference engine in this build.")
                                                     : m_options.runtimeSummary.toHtmlEscaped()));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    // A running job is cancelled; it stays marked Running in the queue and is re-queued on the next start.
    m_bridge->shutdown();
    // A running download stops with its state kept; the next start offers to continue it.
    m_downloads->cancel();
    if (m_options.persistLayout) {
        QSettings s;
        s.setValue("window/geometry", saveGeometry());
        s.setValue("window/state", saveState());
    }
    event->accept();
}

} // namespace ui
} // namespace lumina
