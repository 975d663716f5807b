// GalleryStore: schema, items, search in any script and by model family, paging at scale, recovery, job
// queue, concurrency. Mutations tried: searchText() without the family's names -> searchByModelFamily and
// migratesVersionOneGallery fail; migrateToV3 returning before it rewrites the rows ->
// migratesVersionOneGallery fails.
#include "core/gallery/gallery_store.h"
#include "core/gallery/latents_file.h"
#include "core/util/errors.h"
#include "support/timing_bound.h"

#include <QtTest/QtTest>
#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <random>
#include <thread>

using namespace lumina::gallery;
namespace fs = std::filesystem;

namespace {

GalleryItem makeItem(const std::string& prompt, int64_t createdAtMs, const std::string& negative = {}) {
    GalleryItem item;
    item.prompt = prompt;
    item.negativePrompt = negative;
    item.createdAtMs = createdAtMs;
    item.settings = {{"prompt", prompt}, {"steps", 30}};
    item.seed = 1234;
    item.width = 1024;
    item.height = 768;
    item.imagePath = std::string("/tmp/img-") + std::to_string(createdAtMs) + ".png";
    item.thumbnailPng = {0x89, 'P', 'N', 'G', 1, 2, 3};
    item.durationMs = 1500.5;
    item.model = "Lumina-Next-SFT";
    item.device = "cuda";
    return item;
}

// Reads one integer pragma through a separate raw connection (independent of the store's code).
int64_t rawPragma(const fs::path& file, const char* pragma) {
    sqlite3* db = nullptr;
    sqlite3_open(file.string().c_str(), &db);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, (std::string("PRAGMA ") + pragma).c_str(), -1, &st, nullptr);
    int64_t v = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

} // namespace

class TestGalleryStore : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    fs::path dbPath(const char* name) { return fs::path(m_dir.path().toStdString()) / name; }

private slots:
    void createsThenReopens() {
        const auto file = dbPath("sub/folder/gallery.db");
        {
            GalleryStore store(file);
            QCOMPARE(store.outcome(), OpenOutcome::Created);
            QVERIFY(store.backupPath().empty());
        }
        QCOMPARE(rawPragma(file, "user_version"), int64_t{GalleryStore::kSchemaVersion});
        {
            GalleryStore store(file);
            QCOMPARE(store.outcome(), OpenOutcome::Opened);
        }
        sqlite3* db = nullptr;
        sqlite3_open(file.string().c_str(), &db);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
        QCOMPARE(sqlite3_step(st), SQLITE_ROW);
        QCOMPARE(QString(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))), QString("wal"));
        sqlite3_finalize(st);
        sqlite3_close(db);
    }

    void folderBlockedByFileThrows() {
        const auto blocker = dbPath("blocker");
        std::ofstream(blocker) << "x";
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, GalleryStore(blocker / "gallery.db"));
        // The database path itself is a folder: SQLite cannot open it (and the half-open handle is released).
        const auto folder = dbPath("a-folder.db");
        fs::create_directories(folder);
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, GalleryStore{folder});
    }

    void itemRoundTrip() {
        GalleryStore store(dbPath("items.db"));
        GalleryItem in = makeItem("一只猫 🐱 in the Rain", 1000, "blurry");
        in.seed = 0xFFFFFFFFFFFFFFF0ull; // above INT64_MAX: stored bit for bit
        in.favourite = true;
        in.thumbnailPng.assign(5000, 0xAB);
        const int64_t id = store.addItem(in);
        QVERIFY(id > 0);
        const auto out = store.item(id);
        QVERIFY(out.has_value());
        QCOMPARE(out->id, id);
        QCOMPARE(out->createdAtMs, in.createdAtMs);
        QCOMPARE(out->prompt, in.prompt);
        QCOMPARE(out->negativePrompt, in.negativePrompt);
        QCOMPARE(out->settings, in.settings);
        QCOMPARE(out->seed, in.seed);
        QCOMPARE(out->width, 1024);
        QCOMPARE(out->height, 768);
        QCOMPARE(out->imagePath, in.imagePath);
        QCOMPARE(out->thumbnailPng, in.thumbnailPng);
        QVERIFY(out->favourite);
        QVERIFY(!out->trashed);
        QCOMPARE(out->durationMs, 1500.5);
        QCOMPARE(out->model, in.model);
        QCOMPARE(out->device, in.device);
        QVERIFY(!store.item(id + 100).has_value());
        // No thumbnail and a zero creation time (stamped now).
        GalleryItem bare = makeItem("bare", 0);
        bare.thumbnailPng.clear();
        const auto b = store.item(store.addItem(bare));
        QVERIFY(b->thumbnailPng.empty());
        QVERIFY(b->createdAtMs > 1700000000000);
        QVERIFY(!b->sourceId.has_value());
        // A refined item links to its source.
        GalleryItem refined = makeItem("refined", 2000);
        refined.sourceId = id;
        QCOMPARE(store.item(store.addItem(refined))->sourceId, std::optional<int64_t>(id));
    }

    // Kept latents: written and read back bit for bit (safetensors any tool reads), refused with the file
    // named when cut short or malformed, and removed with their item when the trash is purged.
    void keptLatentsRoundTripAndGoWithTheirItem() {
        GalleryStore store(dbPath("latents.db"));
        const int64_t id = store.addItem(makeItem("kept", 3000));
        const auto file = store.latentsFile(id);
        QCOMPARE(file.parent_path().filename().string(), std::string("latents"));
        KeptLatents kept;
        kept.shape = {1, 4, 3, 5};
        for (int i = 0; i < 60; ++i)
            kept.values.push_back(static_cast<float>(i) * 0.37f - 9.5f);
        kept.values[7] = -0.0f;
        kept.metadata["lumina_settings"] = R"({"prompt":"猫"})";
        writeKeptLatents(file, kept);
        const auto back = readKeptLatents(file);
        QCOMPARE(back.shape, kept.shape);
        QVERIFY(std::memcmp(back.values.data(), kept.values.data(), kept.values.size() * sizeof(float)) == 0);
        QCOMPARE(back.metadata.at("lumina_settings"), kept.metadata.at("lumina_settings"));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest,
                                 writeKeptLatents(file, KeptLatents{{1, 4, 3, 4}, {1.0f}, {}}));

        // Broken files: each refused with the file named.
        std::ifstream in(file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const std::vector<std::pair<std::string, std::string>> broken{
            {"cut.safetensors", bytes.substr(0, bytes.size() - 4)},
            {"tiny.safetensors", bytes.substr(0, 5)},
            {"header.safetensors", std::string("\xff\xff\xff\xff\xff\xff\x00\x00", 8) + "{}"},
            {"json.safetensors", std::string("\x04\0\0\0\0\0\0\0", 8) + "{{{{"},
            {"dtype.safetensors", [] {
                 const std::string h =
                     R"({"latents":{"dtype":"F16","shape":[1,4,1,1],"data_offsets":[0,8]}})";
                 std::string b(8, '\0');
                 b[0] = static_cast<char>(h.size());
                 return b + h + std::string(8, '\0');
             }()}};
        for (const auto& [name, content] : broken) {
            const auto bad = dbPath(name.c_str());
            std::ofstream(bad, std::ios::binary) << content;
            try {
                readKeptLatents(bad);
                QFAIL(qPrintable(QString::fromStdString(name) + " was read"));
            } catch (const lumina::IoError& e) {
                QVERIFY2(QString(e.what()).contains(QString::fromStdString(name)), e.what());
            }
        }
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, readKeptLatents(dbPath("absent.safetensors")));

        store.moveToTrash(id);
        QVERIFY(fs::exists(file));
        store.purgeTrash();
        QVERIFY(!fs::exists(file));
    }

    // A gallery written by the first release (schema v1, no source_id column) opens migrated, its items
    // intact.
    void migratesVersionOneGallery() {
        const auto file = dbPath("v1.db");
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(file.string().c_str(), &db), SQLITE_OK);
        const char* v1 = R"sql(
            CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at_ms INTEGER NOT NULL,
                prompt TEXT NOT NULL, negative_prompt TEXT NOT NULL, search_text TEXT NOT NULL,
                settings TEXT NOT NULL, seed INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
                image_path TEXT NOT NULL, thumbnail BLOB, favourite INTEGER NOT NULL DEFAULT 0,
                trashed INTEGER NOT NULL DEFAULT 0, duration_ms REAL NOT NULL DEFAULT 0,
                model TEXT NOT NULL DEFAULT '', device TEXT NOT NULL DEFAULT '');
            CREATE INDEX items_by_created ON items (trashed, created_at_ms DESC, id DESC);
            CREATE INDEX items_favourites ON items (favourite, trashed, created_at_ms DESC, id DESC);
            CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, position INTEGER NOT NULL,
                state INTEGER NOT NULL, request TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
            CREATE INDEX jobs_by_position ON jobs (position, id);
            INSERT INTO items (created_at_ms, prompt, negative_prompt, search_text, settings, seed, width, height,
                image_path) VALUES (5, 'old cat', '', 'old cat', '{"steps":30}', 7, 1024, 1024, '/x/old.png');
            INSERT INTO items (created_at_ms, prompt, negative_prompt, search_text, settings, seed, width, height,
                image_path) VALUES (6, 'new dog', '', 'new dog', '{"model_family":"lumina2"}', 8, 1024, 1024,
                '/x/new.png');
            PRAGMA user_version = 1;)sql";
        QCOMPARE(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
        GalleryStore store(file);
        QCOMPARE(store.outcome(), OpenOutcome::Migrated);
        QCOMPARE(rawPragma(file, "user_version"), int64_t{GalleryStore::kSchemaVersion});
        const auto old = store.item(1);
        QVERIFY(old.has_value());
        QCOMPARE(old->prompt, std::string("old cat"));
        QCOMPARE(old->imagePath, std::string("/x/old.png"));
        QVERIFY(!old->sourceId.has_value());
        // v3: the rows written before search by their family too (no "model_family": Lumina-Next).
        GalleryQuery q;
        q.text = "lumina-next";
        QCOMPARE(store.items(q).size(), std::size_t{1});
        QCOMPARE(store.items(q)[0].prompt, std::string("old cat"));
        q.text = "lumina2";
        QCOMPARE(store.items(q).size(), std::size_t{1});
        QCOMPARE(store.items(q)[0].prompt, std::string("new dog"));
        q.text = "dog";
        QCOMPARE(store.count(q), int64_t{1});
        GalleryItem refined = makeItem("refined", 10);
        refined.sourceId = 1;
        QCOMPARE(store.item(store.addItem(refined))->sourceId, std::optional<int64_t>(1));
    }

    void pagingFavouritesTrash() {
        const auto file = dbPath("paging.db");
        GalleryStore store(file);
        std::vector<int64_t> ids;
        for (int i = 0; i < 10; ++i)
            ids.push_back(store.addItem(makeItem(std::string("p") + std::to_string(i), 1000 + i)));
        GalleryQuery q;
        q.limit = 4;
        auto page = store.items(q);
        QCOMPARE(page.size(), std::size_t{4});
        QCOMPARE(page[0].id, ids[9]); // newest first
        QCOMPARE(page[3].id, ids[6]);
        q.offset = 8;
        page = store.items(q);
        QCOMPARE(page.size(), std::size_t{2});
        QCOMPARE(page[1].id, ids[0]);
        QCOMPARE(store.count(GalleryQuery{}), int64_t{10});

        store.setFavourite(ids[2], true);
        store.setFavourite(ids[5], true);
        store.setFavourite(ids[5], false);
        GalleryQuery fav;
        fav.favouritesOnly = true;
        QCOMPARE(store.count(fav), int64_t{1});
        QCOMPARE(store.items(fav)[0].id, ids[2]);

        store.moveToTrash(ids[2]);
        store.moveToTrash(ids[3]);
        QCOMPARE(store.count(GalleryQuery{}), int64_t{8});
        QCOMPARE(store.count(fav), int64_t{0});
        GalleryQuery trash;
        trash.trashedOnly = true;
        QCOMPARE(store.count(trash), int64_t{2});
        GalleryQuery all;
        all.includeTrashed = true;
        QCOMPARE(store.count(all), int64_t{10});
        store.restoreFromTrash(ids[2]);
        QCOMPARE(store.count(trash), int64_t{1});
        QVERIFY(store.item(ids[2])->favourite); // restored with its star

        // purgeTrash(true) deletes the rows and their files.
        const fs::path image = dbPath("trashed.png");
        std::ofstream(image) << "png";
        GalleryItem withFile = makeItem("file", 5000);
        withFile.imagePath = image.string();
        const int64_t fileId = store.addItem(withFile);
        store.moveToTrash(fileId);
        store.purgeTrash(true);
        QVERIFY(!fs::exists(image));
        QVERIFY(!store.item(fileId));
        QVERIFY(!store.item(ids[3]));
        QCOMPARE(store.count(trash), int64_t{0});
        QCOMPARE(store.count(GalleryQuery{}), int64_t{9});
    }

    void searchAnyScript_data() {
        QTest::addColumn<QString>("needle");
        QTest::addColumn<int>("matches");
        QTest::newRow("ascii-case") << "RED fox" << 1;
        QTest::newRow("latin1") << QString::fromUtf8("CAFÉ") << 1;
        QTest::newRow("polish") << QString::fromUtf8("ŻÓŁW") << 1;
        QTest::newRow("greek") << QString::fromUtf8("ΓΆΤΑ") << 1;
        QTest::newRow("cyrillic") << QString::fromUtf8("КОШКА") << 2;
        QTest::newRow("chinese-substring") << QString::fromUtf8("猫在") << 1;
        QTest::newRow("japanese") << QString::fromUtf8("ねこ") << 1;
        QTest::newRow("emoji") << QString::fromUtf8("🐱") << 1;
        QTest::newRow("negative-prompt") << "BLURRY" << 1;
        QTest::newRow("none") << "zebra" << 0;
        QTest::newRow("like-wildcards-are-literal") << "%" << 0;
    }
    void searchAnyScript() {
        QFETCH(QString, needle);
        QFETCH(int, matches);
        const auto file = dbPath("search.db");
        GalleryStore store(file);
        if (store.count(GalleryQuery{}) == 0) {
            store.addItem(makeItem("A red Fox in snow", 1));
            store.addItem(makeItem("Café au lait", 2));
            store.addItem(makeItem("Żółw na plaży", 3));
            store.addItem(makeItem("Μια γάτα στον ήλιο", 4));
            store.addItem(makeItem("Кошка на крыше", 5));
            store.addItem(makeItem("чёрная кошка", 6, "Blurry, low quality"));
            store.addItem(makeItem("一只猫在雨中 🐱", 7));
            store.addItem(makeItem("ねこ", 8));
        }
        GalleryQuery q;
        q.text = needle.toStdString();
        QCOMPARE(store.count(q), int64_t{matches});
        QCOMPARE(int(store.items(q).size()), matches);
    }

    // The family's shown name and settings key match (docs/lumina2.md, "In the studio"); settings without
    // "model_family" are Lumina-Next's, as pipeline::requestFromJson reads them.
    void searchByModelFamily_data() {
        QTest::addColumn<QString>("needle");
        QTest::addColumn<int>("matches");
        QTest::newRow("key") << "lumina2" << 2;
        QTest::newRow("shown-name") << "Lumina-Image 2.0" << 2;
        QTest::newRow("part-of-name") << "IMAGE 2" << 2;
        QTest::newRow("next") << "Lumina-Next" << 2;
        QTest::newRow("family-and-prompt-stay-apart") << "lumina2 ink" << 0;
        QTest::newRow("prompt-still-matches") << "ink" << 1;
    }
    void searchByModelFamily() {
        QFETCH(QString, needle);
        QFETCH(int, matches);
        GalleryStore store(dbPath("family.db"));
        if (store.count(GalleryQuery{}) == 0) {
            for (const char* family : {"lumina2", "lumina2", "lumina-next"}) {
                GalleryItem item = makeItem("a picture", 1);
                item.settings["model_family"] = family;
                store.addItem(item);
            }
            GalleryItem old = makeItem("ink drawing", 2); // no model_family
            store.addItem(old);
        }
        GalleryQuery q;
        q.text = needle.toStdString();
        QCOMPARE(store.count(q), int64_t{matches});
    }

    void tenThousandItemsArePagedFast() {
        const auto file = dbPath("big.db");
        GalleryStore store(file);
        std::vector<GalleryItem> batch;
        batch.reserve(10000);
        std::vector<uint8_t> thumbnail(2048, 0x5A); // a small thumbnail-sized blob per row
        for (int i = 0; i < 10000; ++i) {
            GalleryItem it =
                makeItem(std::string("prompt number ") + std::to_string(i) + (i % 100 == 0 ? " 山水画" : ""),
                         1000 + i);
            it.thumbnailPng = thumbnail;
            it.favourite = i % 50 == 0;
            batch.push_back(std::move(it));
        }
        QElapsedTimer timer;
        timer.start();
        const auto ids = store.addItems(batch);
        const qint64 insertMs = timer.elapsed();
        QCOMPARE(ids.size(), std::size_t{10000});

        timer.restart();
        GalleryQuery q;
        q.limit = 200;
        int64_t seen = 0;
        int64_t lastCreated = INT64_MAX;
        for (q.offset = 0;; q.offset += q.limit) {
            const auto page = store.items(q);
            if (page.empty()) break;
            for (const auto& item : page) {
                QVERIFY(item.createdAtMs < lastCreated);
                lastCreated = item.createdAtMs;
            }
            seen += static_cast<int64_t>(page.size());
        }
        const qint64 pageAllMs = timer.elapsed();
        QCOMPARE(seen, int64_t{10000});

        timer.restart();
        q.offset = 9800;
        QCOMPARE(store.items(q).size(), std::size_t{200});
        const qint64 lastPageMs = timer.elapsed();

        timer.restart();
        GalleryQuery search;
        search.text = "山水";
        QCOMPARE(store.count(search), int64_t{100});
        GalleryQuery fav;
        fav.favouritesOnly = true;
        QCOMPARE(store.count(fav), int64_t{200});
        const qint64 searchMs = timer.elapsed();

        timer.restart();
        for (int i = 0; i < 200; ++i)
            store.addItem(makeItem("single", 100000 + i));
        const qint64 singleMs = timer.elapsed();

        qInfo("10000 items: batch insert %lld ms, all 50 pages %lld ms, last page %lld ms, search+favourites "
              "count "
              "%lld ms, 200 single addItem %lld ms",
              insertMs, pageAllMs, lastPageMs, searchMs, singleMs);
        LUMINA_VERIFY_WITHIN_MS(insertMs, 5000, "batch insert of 10000 items");
        LUMINA_VERIFY_WITHIN_MS(lastPageMs, 500, "last page of 10000 items");
        LUMINA_VERIFY_WITHIN_MS(searchMs, 1000, "search and favourites count");
    }

    void recoversFromGarbage() {
        const auto file = dbPath("corrupt.db");
        {
            std::ofstream out(file, std::ios::binary);
            std::mt19937 rng(7);
            for (int i = 0; i < 8192; ++i)
                out.put(static_cast<char>(rng() & 0xFF));
        }
        GalleryStore store(file);
        QCOMPARE(store.outcome(), OpenOutcome::RecoveredFromCorruption);
        QVERIFY(fs::exists(store.backupPath()));
        QCOMPARE(fs::file_size(store.backupPath()), std::uintmax_t{8192});
        QVERIFY(store.backupPath().string().find("corrupt.db.backup-") != std::string::npos);
        // The fresh database works.
        const int64_t id = store.addItem(makeItem("after recovery", 1));
        QCOMPARE(store.item(id)->prompt, std::string("after recovery"));
        QCOMPARE(store.count(GalleryQuery{}), int64_t{1});
    }

    void recoversFromTruncatedDatabase() {
        // A real database of ours cut short: the header survives but the pages are gone.
        const auto file = dbPath("truncated.db");
        {
            GalleryStore store(file);
            for (int i = 0; i < 50; ++i)
                store.addItem(makeItem("x", i));
        }
        QCOMPARE(rawPragma(file, "wal_checkpoint(TRUNCATE)"), int64_t{0});
        fs::resize_file(file, 100); // keeps the 100-byte header only
        GalleryStore store(file);
        QVERIFY(store.outcome() == OpenOutcome::RecoveredFromCorruption);
        QVERIFY(fs::exists(store.backupPath()));
        QCOMPARE(store.count(GalleryQuery{}), int64_t{0});
    }

    void recoversFromNewerVersion() {
        const auto file = dbPath("newer.db");
        {
            GalleryStore store(file);
            store.addItem(makeItem("from the future", 1));
        }
        sqlite3* db = nullptr;
        sqlite3_open(file.string().c_str(), &db);
        QCOMPARE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);

        GalleryStore store(file);
        QCOMPARE(store.outcome(), OpenOutcome::RecoveredFromNewerVersion);
        QVERIFY(fs::exists(store.backupPath()));
        QCOMPARE(rawPragma(store.backupPath(), "user_version"), int64_t{99}); // the old file is kept intact
        QCOMPARE(store.count(GalleryQuery{}), int64_t{0});
        QCOMPARE(rawPragma(file, "user_version"), int64_t{GalleryStore::kSchemaVersion});
    }

    void jobQueue() {
        GalleryStore store(dbPath("jobs.db"));
        const int64_t a = store.enqueue({{"prompt", "a"}});
        const int64_t b = store.enqueue({{"prompt", "b"}});
        const int64_t c = store.enqueue({{"prompt", "猫 c"}});
        const int64_t d = store.enqueue({{"prompt", "d"}});
        auto order = [&] {
            std::vector<int64_t> ids;
            for (const auto& j : store.jobs())
                ids.push_back(j.id);
            return ids;
        };
        QCOMPARE(order(), (std::vector<int64_t>{a, b, c, d}));
        QCOMPARE(store.jobs()[2].request["prompt"].get<std::string>(), std::string("猫 c"));
        store.moveJob(d, 0);
        QCOMPARE(order(), (std::vector<int64_t>{d, a, b, c}));
        store.moveJob(d, 99); // clamped to the end
        QCOMPARE(order(), (std::vector<int64_t>{a, b, c, d}));
        store.moveJob(a, 2);
        QCOMPARE(order(), (std::vector<int64_t>{b, c, a, d}));
        store.removeJob(c);
        QCOMPARE(order(), (std::vector<int64_t>{b, a, d}));

        auto job = store.takeNextJob();
        QVERIFY(job);
        QCOMPARE(job->id, b);
        QCOMPARE(job->state, JobState::Running);
        QCOMPARE(store.jobs()[0].state, JobState::Running);
        auto next = store.takeNextJob(); // the running one is skipped
        QCOMPARE(next->id, a);
        store.finishJob(b);
        store.finishJob(a);
        QCOMPARE(order(), (std::vector<int64_t>{d}));
        QCOMPARE(store.takeNextJob()->id, d);
        QVERIFY(!store.takeNextJob());
        store.finishJob(d);
        QVERIFY(store.jobs().empty());
        QCOMPARE(store.requeueInterruptedJobs(), 0);
    }

    void interruptedJobsAreRequeuedAfterCrash() {
        const auto file = dbPath("crash.db");
        int64_t running = 0, waiting = 0;
        {
            auto crashed = std::make_unique<GalleryStore>(file);
            running = crashed->enqueue({{"prompt", "was running"}});
            waiting = crashed->enqueue({{"prompt", "was waiting"}});
            QCOMPARE(crashed->takeNextJob()->id, running);
            // The process "dies" here: the job is never finished. A second store opens the same file while
            // the first connection is still open (as after a crash, its locks mean nothing).
            GalleryStore restarted(file);
            QCOMPARE(restarted.jobs()[0].state, JobState::Running);
            QCOMPARE(restarted.requeueInterruptedJobs(), 1);
            const auto jobs = restarted.jobs();
            QCOMPARE(jobs.size(), std::size_t{2});
            QCOMPARE(jobs[0].id, running); // back at the front
            QCOMPARE(jobs[0].state, JobState::Queued);
            QCOMPARE(jobs[1].id, waiting);
            QCOMPARE(restarted.takeNextJob()->id, running);
            crashed.reset();
        }
        GalleryStore later(file);
        QCOMPARE(later.requeueInterruptedJobs(), 1);
        QCOMPARE(later.jobs().front().id, running);
    }

    void twoThreadsReadAndWrite() {
        const auto file = dbPath("threads.db");
        { GalleryStore init(file); }
        std::atomic<int> failures{0};
        std::string firstError;
        std::mutex errorMutex;
        auto worker = [&](int which) {
            try {
                GalleryStore store(file);
                for (int i = 0; i < 150; ++i) {
                    store.addItem(
                        makeItem(std::string("thread ") + std::to_string(which), which * 100000 + i));
                    GalleryQuery q;
                    q.limit = 20;
                    store.items(q);
                    store.count(q);
                    if (i % 10 == 0) {
                        store.enqueue({{"i", i}});
                        if (auto j = store.takeNextJob()) store.finishJob(j->id);
                    }
                }
            } catch (const std::exception& e) {
                ++failures;
                std::lock_guard lock(errorMutex);
                firstError = e.what();
            }
        };
        std::thread t1(worker, 1), t2(worker, 2);
        t1.join();
        t2.join();
        QVERIFY2(failures == 0, firstError.c_str());
        GalleryStore check(file);
        QCOMPARE(check.count(GalleryQuery{}), int64_t{300});
        QVERIFY(check.jobs().empty());
    }
};

QTEST_GUILESS_MAIN(TestGalleryStore)
#include "test_gallery_store.moc"
