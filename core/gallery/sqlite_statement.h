#pragma once
// A thin RAII layer over the SQLite C API for the gallery: prepared statements, transactions, and errors
// turned into IoError messages that name the database file.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace lumina::gallery {

[[noreturn]] void throwSqlite(sqlite3* db, const std::filesystem::path& file, std::string_view what);

// Runs SQL without results (schema, pragmas); throws IoError.
void execSql(sqlite3* db, const std::filesystem::path& file, const char* sql);

class Statement {
public:
    Statement(sqlite3* db, const std::filesystem::path& file, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters are 1-based, as in SQLite.
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bindBlob(int index, const std::vector<uint8_t>& bytes);
    Statement& bindNull(int index);

    bool step();  // true while a row is available
    void run();   // step() that must finish without rows
    void reset(); // ready to bind and run again

    int64_t int64(int column) const;
    bool isNull(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    std::vector<uint8_t> blob(int column) const;

private:
    sqlite3* m_db;
    const std::filesystem::path& m_file;
    sqlite3_stmt* m_stmt = nullptr;
};

// BEGIN IMMEDIATE (takes the write lock up front, so the busy timeout applies and a reader never has to be
// upgraded to a writer mid-transaction); rolls back unless commit() was called.
class WriteTransaction {
public:
    WriteTransaction(sqlite3* db, const std::filesystem::path& file);
    ~WriteTransaction();
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    void commit();

private:
    sqlite3* m_db;
    const std::filesystem::path& m_file;
    bool m_done = false;
};

} // namespace lumina::gallery
