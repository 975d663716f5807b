#include "core/gallery/sqlite_statement.h"

#include "core/util/errors.h"

#include <sqlite3.h>

namespace lumina::gallery {

void throwSqlite(sqlite3* db, const std::filesystem::path& file, std::string_view what) {
    const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
    std::string message = "gallery database " + file.string() + ": " + std::string(what) +
                          " failed: " + (db ? sqlite3_errmsg(db) : "no connection") + " (SQLite code " +
                          std::to_string(code) + ")";
    const int primary = code & 0xFF;
    if (primary == SQLITE_FULL)
        message += "; free some disk space and try again";
    else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        message += "; another program holds the database, close it and try again";
    else if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_PERM)
        message += "; check that the folder exists and is writable";
    throw IoError(message);
}

void execSql(sqlite3* db, const std::filesystem::path& file, const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) throwSqlite(db, file, sql);
}

Statement::Statement(sqlite3* db, const std::filesystem::path& file, std::string_view sql)
    : m_db(db)
    , m_file(file) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr) != SQLITE_OK)
        throwSqlite(db, file, "preparing '" + std::string(sql) + "'");
}

Statement::~Statement() {
    sqlite3_finalize(m_stmt);
}

Statement& Statement::bind(int index, int64_t value) {
    if (sqlite3_bind_int64(m_stmt, index, value) != SQLITE_OK) throwSqlite(m_db, m_file, "binding a value");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    if (sqlite3_bind_double(m_stmt, index, value) != SQLITE_OK) throwSqlite(m_db, m_file, "binding a value");
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    if (sqlite3_bind_text64(m_stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) !=
        SQLITE_OK)
        throwSqlite(m_db, m_file, "binding a value");
    return *this;
}

Statement& Statement::bindBlob(int index, const std::vector<uint8_t>& bytes) {
    // An empty vector binds a zero-length blob, not NULL (data() may be null for an empty vector).
    static const uint8_t kNothing = 0;
    const void* data = bytes.empty() ? &kNothing : bytes.data();
    if (sqlite3_bind_blob64(m_stmt, index, data, bytes.size(), SQLITE_TRANSIENT) != SQLITE_OK)
        throwSqlite(m_db, m_file, "binding a value");
    return *this;
}

Statement& Statement::bindNull(int index) {
    if (sqlite3_bind_null(m_stmt, index) != SQLITE_OK) throwSqlite(m_db, m_file, "binding a value");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throwSqlite(m_db, m_file, std::string("running '") + sqlite3_sql(m_stmt) + "'");
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

int64_t Statement::int64(int column) const {
    return sqlite3_column_int64(m_stmt, column);
}

bool Statement::isNull(int column) const {
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

double Statement::real(int column) const {
    return sqlite3_column_double(m_stmt, column);
}

std::string Statement::text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column))) : std::string();
}

std::vector<uint8_t> Statement::blob(int column) const {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(m_stmt, column));
    const int n = sqlite3_column_bytes(m_stmt, column);
    return p ? std::vector<uint8_t>(p, p + n) : std::vector<uint8_t>();
}

WriteTransaction::WriteTransaction(sqlite3* db, const std::filesystem::path& file)
    : m_db(db)
    , m_file(file) {
    execSql(db, file, "BEGIN IMMEDIATE");
}

WriteTransaction::~WriteTransaction() {
    if (!m_done) sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
}

void WriteTransaction::commit() {
    execSql(m_db, m_file, "COMMIT");
    m_done = true;
}

} // namespace lumina::gallery
