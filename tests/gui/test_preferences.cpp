// The Preferences dialog and its settings: the dialog shows what is stored and returns what was chosen,
// settings survive a round trip and hand-edited nonsense falls back to defaults, and the window applies what
// was accepted (a queued job carries the device, precision and VAE tiling chosen).
#include "core/util/log.h"
#include "gui/gui_test_support.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QTimer>

using namespace lumina;

namespace {

QComboBox* combo(QWidget& dialog, const char* name) {
    auto* c = dialog.findChild<QComboBox*>(name);
    if (!c) qFatal("no combo box %s", name);
    return c;
}

void choose(QComboBox* c, const QVariant& data) {
    const int i = c->findData(data);
    QVERIFY2(i >= 0, qPrintable(c->objectName() + ": no item " + data.toString()));
    c->setCurrentIndex(i);
}

} // namespace

class TestPreferences : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { test::isolateSettings(m_dir); }
    void init() { QSettings().clear(); }

    void dialogShowsStoredValuesAndReturnsChoices() {
        ui::Preferences p;
        p.device = DeviceChoice::CUDA;
        p.precision = Precision::BF16;
        p.vaeTiling = VAETiling::Always;
        p.vaeTileSize = 1024;
        p.attention = AttentionBackend::Efficient;
        p.language = "zh_CN";
        p.outputFolder = m_dir.filePath("out");
        p.lastModel = "/models/lumina";
        ui::PreferencesDialog dialog(p);
        QCOMPARE(combo(dialog, "prefDevice")->currentData().toString(), QString("cuda"));
        QCOMPARE(combo(dialog, "prefPrecision")->currentData().toString(), QString("bf16"));
        QCOMPARE(combo(dialog, "prefVaeTiling")->currentData().toString(), QString("always"));
        QCOMPARE(combo(dialog, "prefVaeTile")->currentData().toInt(), 1024);
        QCOMPARE(combo(dialog, "prefAttention")->currentData().toString(), QString("efficient"));
        QCOMPARE(combo(dialog, "prefLanguage")->currentData().toString(), QString("zh_CN"));
        auto* output = dialog.findChild<QLineEdit*>("prefOutputFolder");
        QCOMPARE(output->text(), m_dir.filePath("out"));

        if (const QString shots = qEnvironmentVariable("LUMINA_SCREENSHOT_DIR"); !shots.isEmpty()) {
            dialog.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            QVERIFY(dialog.grab().save(QDir(shots).filePath("preferences_en.png")));
        }
        choose(combo(dialog, "prefDevice"), "cpu");
        choose(combo(dialog, "prefPrecision"), "fp32");
        choose(combo(dialog, "prefVaeTiling"), "never");
        choose(combo(dialog, "prefVaeTile"), 0);
        choose(combo(dialog, "prefAttention"), "libtorch");
        choose(combo(dialog, "prefLanguage"), "ja");
        output->setText("   "); // blank: back to the default folder
        const ui::Preferences chosen = dialog.preferences();
        QVERIFY(chosen.device == DeviceChoice::CPU);
        QVERIFY(chosen.precision == Precision::FP32);
        QVERIFY(chosen.vaeTiling == VAETiling::Never);
        QCOMPARE(chosen.vaeTileSize, 0);
        QVERIFY(chosen.attention == AttentionBackend::LibTorch);
        QCOMPARE(chosen.language, QString("ja"));
        QCOMPARE(chosen.outputFolder, ui::Preferences::defaultOutputFolder());
        QCOMPARE(chosen.lastModel, QString("/models/lumina")); // not on the dialog: kept
    }

    void unusualStoredTileSizeIsShown() {
        ui::Preferences p;
        p.vaeTileSize = 768;
        ui::PreferencesDialog dialog(p);
        QCOMPARE(combo(dialog, "prefVaeTile")->currentData().toInt(), 768);
        QCOMPARE(dialog.preferences().vaeTileSize, 768);
    }

    void settingsRoundTripAndBadValuesFallBack() {
        ui::Preferences p;
        p.device = DeviceChoice::MPS;
        p.precision = Precision::FP16;
        p.vaeTiling = VAETiling::Always;
        p.vaeTileSize = 2048;
        p.attention = AttentionBackend::CuDNN;
        p.language = "ja";
        p.outputFolder = "/tmp/lumina out";
        p.save();
        const auto back = ui::Preferences::load();
        QVERIFY(back.device == p.device);
        QVERIFY(back.precision == p.precision);
        QVERIFY(back.vaeTiling == p.vaeTiling);
        QCOMPARE(back.vaeTileSize, 2048);
        QVERIFY(back.attention == AttentionBackend::CuDNN);
        QCOMPARE(back.language, QString("ja"));
        QCOMPARE(back.outputFolder, QString("/tmp/lumina out"));

        QSettings s; // a hand-edited settings file
        s.setValue("engine/device", "quantum");
        s.setValue("engine/vaeTiling", "sometimes");
        s.setValue("engine/vaeTile", 1000); // not a multiple of 64
        s.setValue("engine/attention", "warp");
        QTemporaryDir logDir;
        log::initialize("prefs-test", logDir.path().toStdString(), log::Level::Error);
        const auto fallback = ui::Preferences::load();
        QVERIFY(fallback.device == DeviceChoice::Auto);
        QVERIFY(fallback.precision == Precision::FP16); // a valid neighbour is kept
        QVERIFY(fallback.vaeTiling == VAETiling::Auto);
        QCOMPARE(fallback.vaeTileSize, 0);
        QVERIFY(fallback.attention == AttentionBackend::Auto);
        // Each reset is logged with the key, the bad value and what is used instead.
        QFile logFile(QString::fromStdString(log::logFilePath()));
        QVERIFY(logFile.open(QIODevice::ReadOnly));
        const QString logged = QString::fromUtf8(logFile.readAll());
        QVERIFY2(logged.contains("engine/device: 'quantum'") && logged.contains("using 'auto'"),
                 qPrintable(logged));
        QVERIFY2(logged.contains("engine/vaeTiling: 'sometimes'"), qPrintable(logged));
        QVERIFY2(logged.contains("engine/vaeTile: '1000'"), qPrintable(logged));
        QVERIFY2(logged.contains("engine/attention: 'warp'"), qPrintable(logged));
        QVERIFY2(!logged.contains("engine/precision"), qPrintable(logged));
    }

    void windowAppliesAcceptedPreferences() {
        QTemporaryDir dir;
        ui::MainWindow w(nullptr, test::windowOptions(dir));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        bool sawDialog = false;
        QTimer::singleShot(0, this, [&] {
            auto* dialog = qobject_cast<ui::PreferencesDialog*>(QApplication::activeModalWidget());
            if (!dialog) return;
            sawDialog = true;
            choose(combo(*dialog, "prefDevice"), "cpu");
            choose(combo(*dialog, "prefVaeTiling"), "always");
            choose(combo(*dialog, "prefVaeTile"), 512);
            dialog->accept();
        });
        w.findChild<QAction*>("actionPreferences")->trigger(); // modal: returns once accepted
        QVERIFY(sawDialog);
        QVERIFY(w.preferences().device == DeviceChoice::CPU);
        QVERIFY(w.preferences().vaeTiling == VAETiling::Always);
        QCOMPARE(QSettings().value("engine/vaeTile").toInt(), 512); // saved at once

        // Cancel changes nothing.
        QTimer::singleShot(0, this, [&] {
            if (auto* dialog = qobject_cast<ui::PreferencesDialog*>(QApplication::activeModalWidget())) {
                choose(combo(*dialog, "prefDevice"), "cuda");
                dialog->reject();
            }
        });
        w.findChild<QAction*>("actionPreferences")->trigger();
        QVERIFY(w.preferences().device == DeviceChoice::CPU);

        // A job queued now carries the decode settings (no model is loaded, so it stays in the queue); device
        // and precision are load settings, applied when a model is loaded, and a job does not pretend to
        // carry them.
        w.promptPanel()->setPrompt("a quiet harbour");
        w.generate();
        const auto jobs = w.store()->jobs();
        QCOMPARE(jobs.size(), size_t{1});
        QVERIFY(!jobs[0].request.contains("device"));
        QVERIFY(!jobs[0].request.contains("dtype"));
        QCOMPARE(jobs[0].request.at("vae_tiling").get<std::string>(), std::string("always"));
        QCOMPARE(jobs[0].request.at("vae_tile").get<int>(), 512);
    }
};

QTEST_MAIN(TestPreferences)
#include "test_preferences.moc"
