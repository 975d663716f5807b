#include "core/gallery/gallery_store.h"

#include "core/gallery/sqlite_statement.h"
#include "core/gallery/text_fold.h"
#include "core/util/errors.h"
#include "core/util/log.h"
#include "core/vocabulary/choices.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <system_error>

namespace lumina::gallery {

namespace fs = std::filesystem;

namespace {

constexpr int kBusyTimeoutMs = 10000;

// What search matches for a row: the folded prompt, negative prompt and the model family's names (shown name
// and settings key, "lumina-image 2.0" and "lumina2"). Settings without "model_family" were made by
// Lumina-Next, as pipeline::requestFromJson reads them; an unknown family adds no names.
std::string searchText(const std::string& prompt, const std::string& negativePrompt,
                       const nlohmann::json& settings) {
    std::string text = foldCase(prompt);
    text.append("\n").append(foldCase(negativePrompt));
    std::string family = toString(ModelFamily::LuminaNext);
    if (settings.is_object())
        if (auto it = settings.find("model_family"); it != settings.end() && it->is_string())
            family = it->get<std::string>();
    try {
        const ModelFamily parsed = parseModelFamily(family, "model_family");
        text.append("\n").append(foldCase(displayName(parsed))).append("\n").append(toString(parsed));
    } catch (const std::exception&) {
    }
    return text;
}

int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// --- Schema migrations: entry i brings the database from version i to version i + 1. To change the schema,
// append a function and raise kSchemaVersion; never edit a released migration.
void migrateToV1(sqlite3* db, const fs::path& file) {
    execSql(db, file, R"sql(
        CREATE TABLE items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at_ms INTEGER NOT NULL,
            prompt TEXT NOT NULL,
            negative_prompt TEXT NOT NULL,
            search_text TEXT NOT NULL,          -- foldCase(prompt) + '\n' + foldCase(negative_prompt)
            settings TEXT NOT NULL,             -- JSON
            seed INTEGER NOT NULL,              -- uint64 stored bit for bit
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            image_path TEXT NOT NULL,
            thumbnail BLOB,
            favourite INTEGER NOT NULL DEFAULT 0,
            trashed INTEGER NOT NULL DEFAULT 0,
            duration_ms REAL NOT NULL DEFAULT 0,
            model TEXT NOT NULL DEFAULT '',
            device TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX items_by_created ON items (trashed, created_at_ms DESC, id DESC);
        CREATE INDEX items_favourites ON items (favourite, trashed, created_at_ms DESC, id DESC);
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            position INTEGER NOT NULL,
            state INTEGER NOT NULL,             -- 0 queued, 1 running
            request TEXT NOT NULL,              -- JSON
            created_at_ms INTEGER NOT NULL
        );
        CREATE INDEX jobs_by_position ON jobs (position, id);
    )sql");
}

// v2: the item an image-to-image result was made from (Refine). No foreign key: a result outlives its source.
void migrateToV2(sqlite3* db, const fs::path& file) {
    execSql(db, file, "ALTER TABLE items ADD COLUMN source_id INTEGER");
}

// v3: search matches the model family (searchText); the rows written before get its names too.
void migrateToV3(sqlite3* db, const fs::path& file) {
    Statement read(db, file, "SELECT id, prompt, negative_prompt, settings FROM items");
    Statement write(db, file, "UPDATE items SET search_text = ?2 WHERE id = ?1");
    while (read.step()) {
        nlohmann::json settings = nlohmann::json::parse(read.text(3), nullptr, false);
        write.bind(1, read.int64(0)).bind(2, searchText(read.text(1), read.text(2), settings));
        write.run();
        write.reset();
    }
}

using Migration = void (*)(sqlite3*, const fs::path&);
constexpr Migration kMigrations[] = {&migrateToV1, &migrateToV2, &migrateToV3};
static_assert(std::size(kMigrations) == GalleryStore::kSchemaVersion, "one migration per schema version");

int readUserVersion(sqlite3* db, const fs::path& file) {
    Statement s(db, file, "PRAGMA user_version");
    return s.step() ? static_cast<int>(s.int64(0)) : 0;
}

bool isCorruptionCode(int code) {
    const int primary = code & 0xFF;
    return primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT;
}

std::string timestampForFileName() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y%m%d-%H%M%S", &tm);
    return buffer;
}

fs::path withSuffix(const fs::path& p, const std::string& suffix) {
    return fs::path(p.string() + suffix);
}

constexpr const char* kItemColumns = "id, created_at_ms, prompt, negative_prompt, settings, seed, width, "
                                     "height, image_path, thumbnail, favourite, "
                                     "trashed, duration_ms, model, device, source_id";

GalleryItem readItem(const Statement& s) {
    GalleryItem item;
    item.id = s.int64(0);
    item.createdAtMs = s.int64(1);
    item.prompt = s.text(2);
    item.negativePrompt = s.text(3);
    item.settings = nlohmann::json::parse(s.text(4), nullptr, false);
    if (item.settings.is_discarded()) item.settings = nullptr;
    item.seed = static_cast<uint64_t>(s.int64(5));
    item.width = static_cast<int>(s.int64(6));
    item.height = static_cast<int>(s.int64(7));
    item.imagePath = s.text(8);
    item.thumbnailPng = s.blob(9);
    item.favourite = s.int64(10) != 0;
    item.trashed = s.int64(11) != 0;
    item.durationMs = s.real(12);
    item.model = s.text(13);
    item.device = s.text(14);
    if (!s.isNull(15)) item.sourceId = s.int64(15);
    return item;
}

// WHERE clause for a query; the folded search text, when used, is parameter ?1.
std::string whereClause(const GalleryQuery& q) {
    std::string where = " WHERE 1";
    if (q.trashedOnly)
        where += " AND trashed = 1";
    else if (!q.includeTrashed)
        where += " AND trashed = 0";
    if (q.favouritesOnly) where += " AND favourite = 1";
    if (!q.text.empty()) where += " AND instr(search_text, ?1) > 0";
    return where;
}

QueuedJob readJob(const Statement& s) {
    QueuedJob job;
    job.id = s.int64(0);
    job.position = s.int64(1);
    job.state = s.int64(2) == 1 ? JobState::Running : JobState::Queued;
    job.request = nlohmann::json::parse(s.text(3), nullptr, false);
    if (job.request.is_discarded()) job.request = nullptr;
    job.createdAtMs = s.int64(4);
    return job;
}

constexpr const char* kJobColumns = "id, position, state, request, created_at_ms";

} // namespace

GalleryStore::GalleryStore(const fs::path& databaseFile)
    : m_path(databaseFile) {
    try {
        openOrRecover();
    } catch (...) {
        closeConnection(); // the destructor does not run for a throwing constructor
        throw;
    }
}

GalleryStore::~GalleryStore() {
    closeConnection();
}

void GalleryStore::closeConnection() {
    if (m_db) sqlite3_close_v2(m_db);
    m_db = nullptr;
}

void GalleryStore::openOrRecover() {
    std::error_code ec;
    const fs::path folder = m_path.parent_path();
    if (!folder.empty()) fs::create_directories(folder, ec);
    if (ec || (!folder.empty() && !fs::is_directory(folder)))
        throw IoError("gallery database " + m_path.string() + ": cannot create the folder " +
                      folder.string() + " (" + (ec ? ec.message() : std::string("a file is in the way")) +
                      "); choose a writable data folder");

    bool recovered = false;
    bool newer = false;
    if (!tryOpen(newer)) {
        closeConnection();
        moveAside();
        recovered = true;
        bool stillNewer = false;
        if (!tryOpen(stillNewer))
            throw IoError("gallery database " + m_path.string() +
                          ": a fresh database could not be created after moving the old one aside");
    }
    const int version = readUserVersion(m_db, m_path);
    if (version < kSchemaVersion) migrate(version);
    if (recovered)
        m_outcome = newer ? OpenOutcome::RecoveredFromNewerVersion : OpenOutcome::RecoveredFromCorruption;
    else if (version == 0)
        m_outcome = OpenOutcome::Created;
    else if (version < kSchemaVersion)
        m_outcome = OpenOutcome::Migrated;
    else
        m_outcome = OpenOutcome::Opened;
    if (recovered)
        log::warn("gallery database {} was {}; moved it to {} and started a fresh one", m_path.string(),
                  newer ? "written by a newer Lumina Studio" : "damaged", m_backupPath.string());
}

bool GalleryStore::tryOpen(bool& newerVersion) {
    newerVersion = false;
    const int rc =
        sqlite3_open_v2(m_path.string().c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) throwSqlite(m_db, m_path, "opening");
    sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
    sqlite3_extended_result_codes(m_db, 1);
    int version = 0;
    try {
        version = readUserVersion(m_db, m_path);
        if (version > kSchemaVersion) {
            newerVersion = true;
            return false;
        }
        configureConnection();
        if (version >= 1) { // the tables this version relies on must be readable
            Statement(m_db, m_path, "SELECT id FROM items LIMIT 1").run();
            Statement(m_db, m_path, "SELECT id FROM jobs LIMIT 1").run();
        }
    } catch (const IoError&) {
        // Damaged bytes, or a database of ours whose tables are missing; anything else (busy, I/O) is
        // reported.
        const int code = sqlite3_extended_errcode(m_db);
        if (isCorruptionCode(code) || (version >= 1 && (code & 0xFF) == SQLITE_ERROR)) return false;
        throw;
    }
    return true;
}

void GalleryStore::configureConnection() {
    // WAL: readers never block the writer; NORMAL sync is durable across application crashes (only a power
    // loss can drop the last commits) and avoids an fsync per insert.
    execSql(m_db, m_path, "PRAGMA journal_mode = WAL");
    execSql(m_db, m_path, "PRAGMA synchronous = NORMAL");
    execSql(m_db, m_path, "PRAGMA foreign_keys = ON");
}

void GalleryStore::migrate(int fromVersion) {
    WriteTransaction tx(m_db, m_path);
    // Another connection may have migrated between our check and taking the write lock.
    int version = std::max(fromVersion, readUserVersion(m_db, m_path));
    for (; version < kSchemaVersion; ++version) {
        kMigrations[version](m_db, m_path);
        execSql(m_db, m_path, ("PRAGMA user_version = " + std::to_string(version + 1)).c_str());
    }
    tx.commit();
}

void GalleryStore::moveAside() {
    fs::path backup = withSuffix(m_path, ".backup-" + timestampForFileName());
    for (int n = 2; fs::exists(backup); ++n)
        backup = withSuffix(m_path, ".backup-" + timestampForFileName() + "-" + std::to_string(n));
    std::error_code ec;
    fs::rename(m_path, backup, ec);
    if (ec)
        throw IoError("gallery database " + m_path.string() + " is unusable and could not be moved to " +
                      backup.string() + " (" + ec.message() + "); move or delete it by hand");
    // A write-ahead log left beside the old file belongs to it, never to the fresh database.
    for (const char* suffix : {"-wal", "-shm"}) {
        const fs::path side = withSuffix(m_path, suffix);
        if (fs::exists(side, ec)) {
            fs::rename(side, withSuffix(backup, suffix), ec);
            if (ec) fs::remove(side, ec);
        }
    }
    m_backupPath = backup;
}

int64_t GalleryStore::insertItem(const GalleryItem& item) {
    Statement s(m_db, m_path,
                "INSERT INTO items (created_at_ms, prompt, negative_prompt, search_text, settings, seed, "
                "width, height, "
                "image_path, thumbnail, favourite, trashed, duration_ms, model, device, source_id) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
    s.bind(1, item.createdAtMs ? item.createdAtMs : nowMs())
        .bind(2, item.prompt)
        .bind(3, item.negativePrompt)
        .bind(4, searchText(item.prompt, item.negativePrompt, item.settings))
        .bind(5, item.settings.is_null() ? std::string("{}") : item.settings.dump())
        .bind(6, static_cast<int64_t>(item.seed))
        .bind(7, int64_t{item.width})
        .bind(8, int64_t{item.height})
        .bind(9, item.imagePath);
    if (item.thumbnailPng.empty())
        s.bindNull(10);
    else
        s.bindBlob(10, item.thumbnailPng);
    s.bind(11, int64_t{item.favourite}).bind(12, int64_t{item.trashed}).bind(13, item.durationMs);
    s.bind(14, item.model).bind(15, item.device);
    if (item.sourceId)
        s.bind(16, *item.sourceId);
    else
        s.bindNull(16);
    s.run();
    return sqlite3_last_insert_rowid(m_db);
}

int64_t GalleryStore::addItem(const GalleryItem& item) {
    WriteTransaction tx(m_db, m_path);
    const int64_t id = insertItem(item);
    tx.commit();
    return id;
}

std::vector<int64_t> GalleryStore::addItems(const std::vector<GalleryItem>& items) {
    std::vector<int64_t> ids;
    ids.reserve(items.size());
    WriteTransaction tx(m_db, m_path);
    for (const auto& item : items)
        ids.push_back(insertItem(item));
    tx.commit();
    return ids;
}

std::optional<GalleryItem> GalleryStore::item(int64_t id) const {
    Statement s(m_db, m_path, std::string("SELECT ") + kItemColumns + " FROM items WHERE id = ?1");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return readItem(s);
}

std::vector<GalleryItem> GalleryStore::items(const GalleryQuery& query) const {
    Statement s(m_db, m_path,
                std::string("SELECT ") + kItemColumns + " FROM items" + whereClause(query) +
                    " ORDER BY created_at_ms DESC, id DESC LIMIT ?2 OFFSET ?3");
    if (!query.text.empty()) s.bind(1, foldCase(query.text));
    s.bind(2, query.limit < 0 ? int64_t{-1} : query.limit).bind(3, std::max<int64_t>(0, query.offset));
    std::vector<GalleryItem> out;
    while (s.step())
        out.push_back(readItem(s));
    return out;
}

int64_t GalleryStore::count(const GalleryQuery& query) const {
    Statement s(m_db, m_path, "SELECT COUNT(*) FROM items" + whereClause(query));
    if (!query.text.empty()) s.bind(1, foldCase(query.text));
    return s.step() ? s.int64(0) : 0;
}

void GalleryStore::setFavourite(int64_t id, bool favourite) {
    WriteTransaction tx(m_db, m_path);
    Statement(m_db, m_path, "UPDATE items SET favourite = ?2 WHERE id = ?1")
        .bind(1, id)
        .bind(2, int64_t{favourite})
        .run();
    tx.commit();
}

void GalleryStore::setImagePath(int64_t id, const std::string& imagePath) {
    WriteTransaction tx(m_db, m_path);
    Statement(m_db, m_path, "UPDATE items SET image_path = ?2 WHERE id = ?1")
        .bind(1, id)
        .bind(2, imagePath)
        .run();
    tx.commit();
}

void GalleryStore::moveToTrash(int64_t id) {
    WriteTransaction tx(m_db, m_path);
    Statement(m_db, m_path, "UPDATE items SET trashed = 1 WHERE id = ?1").bind(1, id).run();
    tx.commit();
}

void GalleryStore::restoreFromTrash(int64_t id) {
    WriteTransaction tx(m_db, m_path);
    Statement(m_db, m_path, "UPDATE items SET trashed = 0 WHERE id = ?1").bind(1, id).run();
    tx.commit();
}

void GalleryStore::purgeTrash() {
    purgeTrash(false);
}

fs::path GalleryStore::latentsFile(int64_t id) const {
    return m_path.parent_path() / "latents" / (std::to_string(id) + ".safetensors");
}

void GalleryStore::purgeTrash(bool deleteFiles) {
    std::vector<std::string> files;
    {
        WriteTransaction tx(m_db, m_path);
        Statement s(m_db, m_path, "SELECT id, image_path FROM items WHERE trashed = 1");
        while (s.step()) {
            files.push_back(latentsFile(s.int64(0)).string()); // the app's own copy goes with the row
            if (deleteFiles) files.push_back(s.text(1));
        }
        Statement(m_db, m_path, "DELETE FROM items WHERE trashed = 1").run();
        tx.commit();
    }
    // Files go only after the rows are gone: a crash in between leaves stray files, never rows without files.
    for (const auto& f : files) {
        std::error_code ec;
        if (!f.empty() && !fs::remove(fs::path(f), ec) && ec)
            log::warn("could not delete {} from the trash: {}", f, ec.message());
    }
}

int64_t GalleryStore::enqueue(const nlohmann::json& request) {
    WriteTransaction tx(m_db, m_path);
    Statement s(m_db, m_path,
                "INSERT INTO jobs (position, state, request, created_at_ms) "
                "VALUES ((SELECT COALESCE(MAX(position), 0) + 1 FROM jobs), 0, ?1, ?2)");
    s.bind(1, request.dump()).bind(2, nowMs()).run();
    const int64_t id = sqlite3_last_insert_rowid(m_db);
    tx.commit();
    return id;
}

std::vector<QueuedJob> GalleryStore::jobs() const {
    Statement s(m_db, m_path, std::string("SELECT ") + kJobColumns + " FROM jobs ORDER BY position, id");
    std::vector<QueuedJob> out;
    while (s.step())
        out.push_back(readJob(s));
    return out;
}

void GalleryStore::removeJob(int64_t id) {
    WriteTransaction tx(m_db, m_path);
    Statement(m_db, m_path, "DELETE FROM jobs WHERE id = ?1").bind(1, id).run();
    tx.commit();
}

void GalleryStore::moveJob(int64_t id, int64_t newIndex) {
    WriteTransaction tx(m_db, m_path);
    std::vector<int64_t> order;
    {
        Statement s(m_db, m_path, "SELECT id FROM jobs ORDER BY position, id");
        while (s.step())
            order.push_back(s.int64(0));
    }
    const auto it = std::find(order.begin(), order.end(), id);
    if (it == order.end()) return; // already finished or removed: nothing to move
    order.erase(it);
    const auto index =
        static_cast<std::size_t>(std::clamp<int64_t>(newIndex, 0, static_cast<int64_t>(order.size())));
    order.insert(order.begin() + static_cast<std::ptrdiff_t>(index), id);
    Statement update(m_db, m_path, "UPDATE jobs SET position = ?2 WHERE id = ?1");
    for (std::size_t i = 0; i < order.size(); ++i) {
        update.bind(1, order[i]).bind(2, static_cast<int64_t>(i + 1)).run();
        update.reset();
    }
    tx.commit();
}

std::optional<QueuedJob> GalleryStore::takeNextJob() {
    WriteTransaction tx(m_db, m_path);
    std::optional<QueuedJob> job;
    {
        Statement s(m_db, m_path,
                    std::string("SELECT ") + kJobColumns +
                        " FROM jobs WHERE state = 0 ORDER BY position, id LIMIT 1");
        if (s.step()) job = readJob(s);
    }
    if (!job) return std::nullopt;
    Statement(m_db, m_path, "UPDATE jobs SET state = 1 WHERE id = ?1").bind(1, job->id).run();
    tx.commit();
    job->state = JobState::Running;
    return job;
}

void GalleryStore::finishJob(int64_t id) {
    removeJob(id);
}

int GalleryStore::requeueInterruptedJobs() {
    WriteTransaction tx(m_db, m_path);
    // Shift the interrupted jobs below every queued one, keeping their own order.
    Statement(m_db, m_path,
              "UPDATE jobs SET state = 0, position = position - (SELECT MAX(position) FROM jobs) - 1 WHERE "
              "state = 1")
        .run();
    const int changed = sqlite3_changes(m_db);
    tx.commit();
    return changed;
}

} // namespace lumina::gallery
