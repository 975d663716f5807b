#pragma once
// The history gallery and the job queue, in one SQLite database in the app-data folder: versioned schema
// with migrations, WAL, paged queries (the UI shows 10,000+ items), search by prompt text in any script.
// Image files stay the source of truth: the database indexes them (and can be rebuilt from their metadata).
// Thread-safety: one GalleryStore per thread (each opens its own connection); SQLite WAL lets a reader and a
// writer work concurrently, and a busy timeout makes concurrent writers wait instead of failing.
// Search: a case-folded copy of prompt + negative prompt (text_fold.h) and the model family's names (from the
// settings' "model_family") is stored per row and matched with instr(), so substring search works in every
// script, CJK included, and "lumina2" or "Lumina-Image 2.0" finds that family's images. Every method throws
// IoError when SQLite fails (disk full, file removed), naming the database file.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace lumina::gallery {

struct GalleryItem {
    int64_t id = 0;
    int64_t createdAtMs = 0; // Unix epoch milliseconds
    std::string prompt;
    std::string negativePrompt;
    nlohmann::json
        settings; // pipeline::toJson(resolved request) plus result facts (seed, timings, device, model)
    uint64_t seed = 0;
    int width = 0, height = 0;
    std::string imagePath;
    std::vector<uint8_t> thumbnailPng; // small PNG (longest edge <= 256), may be empty
    bool favourite = false;
    bool trashed = false;
    double durationMs = 0;
    std::string model, device;
    // The item this one was made from (Refine): its init image. Kept when the source is deleted for good.
    std::optional<int64_t> sourceId;
};

struct GalleryQuery {
    std::string text; // case-insensitive substring of prompt or negative prompt, any script; empty: all
    bool favouritesOnly = false;
    bool includeTrashed = false;
    bool trashedOnly = false;
    int64_t offset = 0;
    int64_t limit = 200; // paged; newest first
};

enum class JobState { Queued, Running };

struct QueuedJob {
    int64_t id = 0;
    int64_t position = 0; // order in the queue (smaller runs first)
    JobState state = JobState::Queued;
    nlohmann::json request; // pipeline::toJson(GenerationRequest)
    int64_t createdAtMs = 0;
};

// How open() found the database file.
enum class OpenOutcome { Created, Opened, Migrated, RecoveredFromCorruption, RecoveredFromNewerVersion };

class GalleryStore {
public:
    static constexpr int kSchemaVersion = 3;

    // Opens or creates the database. A corrupt file, or one written by a newer version, is moved aside to
    // "<name>.backup-<timestamp>" and a fresh database is created; outcome() says so, backupPath() names it.
    // Throws IoError when the folder cannot be written.
    explicit GalleryStore(const std::filesystem::path& databaseFile);
    ~GalleryStore();
    GalleryStore(const GalleryStore&) = delete;
    GalleryStore& operator=(const GalleryStore&) = delete;

    OpenOutcome outcome() const { return m_outcome; }
    const std::filesystem::path& backupPath() const { return m_backupPath; }
    const std::filesystem::path& path() const { return m_path; }

    // Gallery
    int64_t addItem(const GalleryItem& item); // returns the new id
    // Adds many items in one transaction (an index rebuild, an import): far faster than addItem in a loop.
    std::vector<int64_t> addItems(const std::vector<GalleryItem>& items);
    std::optional<GalleryItem> item(int64_t id) const;
    std::vector<GalleryItem> items(const GalleryQuery& query) const; // thumbnails included
    int64_t count(const GalleryQuery& query) const;
    void setFavourite(int64_t id, bool favourite);
    // Where the item's picture now is ("Save again" after a failed save).
    void setImagePath(int64_t id, const std::string& imagePath);
    void moveToTrash(int64_t id); // undoable
    void restoreFromTrash(int64_t id);
    void purgeTrash();                 // deletes trashed rows only (= purgeTrash(false))
    void purgeTrash(bool deleteFiles); // deleteFiles: also removes their image files (missing files are fine)
    // Where item `id` keeps its final latents (gallery/latents_file.h): "latents/<id>.safetensors" beside the
    // database. The file goes with the row when the trash is purged.
    std::filesystem::path latentsFile(int64_t id) const;

    // Job queue: persisted so it survives restarts and crashes.
    int64_t enqueue(const nlohmann::json& request);
    std::vector<QueuedJob> jobs() const; // in run order
    void removeJob(int64_t id);
    void moveJob(int64_t id, int64_t newIndex); // reorder: newIndex within jobs()
    std::optional<QueuedJob> takeNextJob();     // marks the first queued job Running and returns it
    void finishJob(int64_t id);                 // removes a finished (or failed) job
    // After a crash, Running jobs go back to Queued (at the front, in their order). Returns how many were
    // re-queued. Call once at start-up, before any worker runs: a job running in another live process looks
    // the same.
    int requeueInterruptedJobs();

private:
    void openOrRecover();
    bool tryOpen(bool& newerVersion); // false: the file is not a usable database
    void configureConnection();
    void migrate(int fromVersion);
    void closeConnection();
    void moveAside();
    int64_t insertItem(const GalleryItem& item);
    sqlite3* m_db = nullptr;
    std::filesystem::path m_path;
    std::filesystem::path m_backupPath;
    OpenOutcome m_outcome = OpenOutcome::Opened;
};

} // namespace lumina::gallery
