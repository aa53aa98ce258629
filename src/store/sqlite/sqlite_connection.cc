// store/sqlite/sqlite_connection.cc: the SQLite backend: Connection, Rows and BulkWriter over
// the sqlite3 C API, with a per-connection statement cache keyed by SQL text.
//
// Placeholders: SQLite itself parses "$1", "$2", ... as *named* parameters (a '$' followed
// by identifier characters), and its tokenizer already skips string literals, quoted
// identifiers and comments. So the SQL text is passed to SQLite unchanged and each statement's
// parameter names are mapped once, at prepare time, to the $N they stand for; values are then
// bound by that map. No SQL rewriting of our own, so nothing to get wrong inside literals.
// See ../../../docs/formats/storage.md. Tested by tests/store/*_test.cc.
#include "store/sqlite/sqlite_connection.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <functional>
#include <unordered_map>
#include <vector>

#include "base/check.h"

namespace detente::store::sqlite {
namespace {

// Statements cached per connection. SQL is written by our code, not by users, so the working
// set is small; the cap only guards against a caller that builds SQL dynamically.
constexpr size_t kMaxCachedStatements = 512;
// SQLITE_MAX_VARIABLE_NUMBER's default since 3.32.0.
constexpr int kMaxParameterNumber = 32766;
// How much of the SQL an error message quotes.
constexpr size_t kMaxSqlInMessage = 240;

std::string Abbrev(std::string_view sql) {
  std::string out;
  out.reserve(std::min(sql.size(), kMaxSqlInMessage) + 3);
  bool space = false;
  for (char c : sql) {
    if (out.size() >= kMaxSqlInMessage) {
      out += "...";
      break;
    }
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Maps an SQLite result code (extended codes are on) to a canonical Status. `detail` is
// sqlite3_errmsg() or equivalent; `sql` is quoted (abbreviated) when not empty.
Status MapCode(int rc, std::string_view detail, std::string_view sql) {
  std::string msg = "sqlite: ";
  msg.append(detail);
  msg.append(" (").append(sqlite3_errstr(rc)).append(", code ").append(std::to_string(rc));
  msg.append(")");
  if (!sql.empty()) msg.append(" in \"").append(Abbrev(sql)).append("\"");
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return base::AlreadyExistsError(std::move(msg));
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return base::FailedPreconditionError(std::move(msg));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return base::UnavailableError(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return base::DataLossError(std::move(msg));
    case SQLITE_ERROR:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_MISUSE:
      return base::InvalidArgumentError(std::move(msg));
    case SQLITE_READONLY:
      return base::FailedPreconditionError(std::move(msg));
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return base::PermissionDeniedError(std::move(msg));
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return base::ResourceExhaustedError(std::move(msg));
    case SQLITE_INTERRUPT:
    case SQLITE_ABORT:
      return base::AbortedError(std::move(msg));
    case SQLITE_SCHEMA:
      return base::AbortedError(std::move(msg));
    default:
      return base::InternalError(std::move(msg));
  }
}

Status MapError(int rc, sqlite3* db, std::string_view sql) {
  return MapCode(rc, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc), sql);
}

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ';') return false;
  }
  return true;
}

// One prepared statement and the map from its SQLite parameter indexes to our $N.
struct Stmt {
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(stmt); }

  sqlite3_stmt* stmt = nullptr;
  std::string sql;
  // number_of_index[i] is N for SQLite parameter index i ("$N"); index 0 is unused.
  std::vector<int> number_of_index;
  int parameter_count = 0;  // the highest N, which is also the number of values to bind
  bool in_use = false;      // held by a Rows or BulkWriter: not to be reset or evicted
};

// Parses "$N" (N in 1..kMaxParameterNumber, no leading zeros); 0 if not of that form.
int ParsePlaceholder(const char* name) {
  if (name == nullptr || name[0] != '$' || name[1] < '1' || name[1] > '9') return 0;
  std::string_view digits(name + 1);
  int n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return 0;
  return n <= kMaxParameterNumber ? n : 0;
}

class SqliteConnection;

// A statement borrowed for one use: a cached one (marked in_use while borrowed) or, when the
// cached one is busy, a private one finalized on release.
class StmtLease {
 public:
  StmtLease() = default;
  StmtLease(Stmt* cached, std::unique_ptr<Stmt> owned) : cached_(cached), owned_(std::move(owned)) {
    if (cached_ != nullptr) cached_->in_use = true;
  }
  StmtLease(StmtLease&& o) noexcept : cached_(o.cached_), owned_(std::move(o.owned_)) {
    o.cached_ = nullptr;
  }
  StmtLease& operator=(StmtLease&&) = delete;
  ~StmtLease() { Release(); }

  Stmt* get() const { return cached_ != nullptr ? cached_ : owned_.get(); }
  Stmt* operator->() const { return get(); }

  // Resets the statement (bindings cleared) and gives it back.
  void Release() {
    Stmt* s = get();
    if (s == nullptr) return;
    sqlite3_reset(s->stmt);
    sqlite3_clear_bindings(s->stmt);
    if (cached_ != nullptr) cached_->in_use = false;
    cached_ = nullptr;
    owned_.reset();
  }

 private:
  Stmt* cached_ = nullptr;
  std::unique_ptr<Stmt> owned_;
};

struct SqlHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

class SqliteRows final : public Rows {
 public:
  SqliteRows(StmtLease lease, bool has_row, int* open_rows, sqlite3* db)
      : lease_(std::move(lease)),
        pending_row_(has_row),
        done_(!has_row),
        open_rows_(open_rows),
        db_(db) {
    ++*open_rows_;
    if (done_) lease_.Release();
  }
  ~SqliteRows() override { --*open_rows_; }

  bool Next() override {
    if (pending_row_) {
      pending_row_ = false;
      return true;
    }
    if (done_) return false;
    int rc = sqlite3_step(lease_->stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) status_ = MapError(rc, db_, lease_->sql);
    done_ = true;
    lease_.Release();
    return false;
  }
  const Status& status() const override { return status_; }
  int column_count() const override { return done_ ? 0 : sqlite3_column_count(lease_->stmt); }
  bool IsNull(int col) const override {
    return done_ || sqlite3_column_type(lease_->stmt, col) == SQLITE_NULL;
  }
  int64_t Int64(int col) const override {
    return done_ ? 0 : sqlite3_column_int64(lease_->stmt, col);
  }
  double Double(int col) const override {
    return done_ ? 0 : sqlite3_column_double(lease_->stmt, col);
  }
  std::string_view Text(int col) const override {
    if (done_) return {};
    const unsigned char* p = sqlite3_column_text(lease_->stmt, col);
    int n = sqlite3_column_bytes(lease_->stmt, col);
    if (p == nullptr) return {};
    return std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
  }
  ByteView Blob(int col) const override {
    if (done_) return {};
    const void* p = sqlite3_column_blob(lease_->stmt, col);
    int n = sqlite3_column_bytes(lease_->stmt, col);
    if (p == nullptr) return {};
    return ByteView(static_cast<const uint8_t*>(p), static_cast<size_t>(n));
  }

 private:
  StmtLease lease_;
  bool pending_row_;  // the first row, stepped by Query(), not yet returned by Next()
  bool done_;
  Status status_;
  int* open_rows_;
  sqlite3* db_;
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override {
    // A Rows or BulkWriter outliving its connection is a bug in the caller.
    DETENTE_CHECK(open_rows_ == 0);
    cache_.clear();
    sqlite3_close_v2(db_);
  }

  Backend backend() const override { return Backend::kSqlite; }
  sqlite3* db() const { return db_; }
  const std::string& path() const { return path_; }

  Status ExecScript(std::string_view sql) override {
    std::string copy(sql);  // sqlite3_exec needs NUL termination
    char* err = nullptr;
    int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return base::OkStatus();
    std::string detail = err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return MapCode(sqlite3_extended_errcode(db_), detail, sql);
  }

  Result<int64_t> Exec(std::string_view sql, std::span<const Value> params) override {
    ASSIGN_OR_RETURN(StmtLease lease, Lease(sql));
    return Run(lease.get(), params);
  }

  // Binds `params` and steps `s` to completion; returns the rows changed. `s` is reset.
  Result<int64_t> Run(Stmt* s, std::span<const Value> params) {
    RETURN_IF_ERROR(Bind(s, params, /*copy=*/false));
    int64_t before = sqlite3_total_changes64(db_);
    int rc;
    while ((rc = sqlite3_step(s->stmt)) == SQLITE_ROW) {
    }
    Status status = rc == SQLITE_DONE ? base::OkStatus() : MapError(rc, db_, s->sql);
    // total_changes moves only for INSERT/UPDATE/DELETE; changes() alone would report the
    // previous statement's count after DDL.
    int64_t changed = sqlite3_total_changes64(db_) == before ? 0 : sqlite3_changes64(db_);
    sqlite3_reset(s->stmt);
    sqlite3_clear_bindings(s->stmt);
    if (!status.ok()) return status;
    return changed;
  }

  Result<std::unique_ptr<Rows>> Query(std::string_view sql,
                                      std::span<const Value> params) override {
    ASSIGN_OR_RETURN(StmtLease lease, Lease(sql));
    // The statement is stepped after this call returns, when `params` may be gone: copy.
    RETURN_IF_ERROR(Bind(lease.get(), params, /*copy=*/true));
    int rc = sqlite3_step(lease->stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return MapError(rc, db_, lease->sql);
    return std::unique_ptr<Rows>(
        std::make_unique<SqliteRows>(std::move(lease), rc == SQLITE_ROW, &open_rows_, db_));
  }

  Status Begin(TxMode mode) override {
    if (in_transaction()) {
      return base::FailedPreconditionError(
          "Begin: a transaction is already open on this connection (transactions do not nest)");
    }
    auto r = Exec(mode == TxMode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", {});
    return r.ok() ? base::OkStatus() : r.status();
  }
  Status Commit() override {
    if (!in_transaction()) return base::FailedPreconditionError("Commit: no transaction is open");
    auto r = Exec("COMMIT", {});
    return r.ok() ? base::OkStatus() : r.status();
  }
  Status Rollback() override {
    if (!in_transaction()) {
      return base::FailedPreconditionError("Rollback: no transaction is open");
    }
    auto r = Exec("ROLLBACK", {});
    return r.ok() ? base::OkStatus() : r.status();
  }
  bool in_transaction() const override { return sqlite3_get_autocommit(db_) == 0; }

  Result<std::unique_ptr<BulkWriter>> BulkInsert(std::string_view table,
                                                 std::vector<std::string> columns) override;

  // Borrows the cached statement for `sql`, preparing and caching it on first use.
  Result<StmtLease> Lease(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      if (!it->second->in_use) return StmtLease(it->second.get(), nullptr);
      // Busy (an open Rows on the same SQL): use a private statement for this call.
      ASSIGN_OR_RETURN(std::unique_ptr<Stmt> own, Prepare(sql, /*persistent=*/false));
      return StmtLease(nullptr, std::move(own));
    }
    ASSIGN_OR_RETURN(std::unique_ptr<Stmt> fresh, Prepare(sql, /*persistent=*/true));
    if (cache_.size() >= kMaxCachedStatements) EvictIdle();
    Stmt* raw = fresh.get();
    cache_.emplace(std::string(sql), std::move(fresh));
    return StmtLease(raw, nullptr);
  }

  int* open_rows() { return &open_rows_; }

 private:
  void EvictIdle() {
    for (auto it = cache_.begin(); it != cache_.end();) {
      it = it->second->in_use ? std::next(it) : cache_.erase(it);
    }
  }

  Result<std::unique_ptr<Stmt>> Prepare(std::string_view sql, bool persistent) {
    if (sql.size() > static_cast<size_t>(sqlite3_limit(db_, SQLITE_LIMIT_SQL_LENGTH, -1))) {
      return base::InvalidArgumentError("sqlite: SQL text too long (" + std::to_string(sql.size()) +
                                        " bytes)");
    }
    auto s = std::make_unique<Stmt>();
    s->sql = std::string(sql);
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, s->sql.data(), static_cast<int>(s->sql.size()),
                                persistent ? SQLITE_PREPARE_PERSISTENT : 0, &s->stmt, &tail);
    if (rc != SQLITE_OK) return MapError(rc, db_, sql);
    if (s->stmt == nullptr) {
      return base::InvalidArgumentError("sqlite: empty statement in \"" + Abbrev(sql) + "\"");
    }
    std::string_view rest(tail, static_cast<size_t>(s->sql.data() + s->sql.size() - tail));
    if (!IsBlank(rest)) {
      // Only comments may follow; anything that prepares to a statement is a second one.
      sqlite3_stmt* next = nullptr;
      int rc2 =
          sqlite3_prepare_v3(db_, rest.data(), static_cast<int>(rest.size()), 0, &next, nullptr);
      bool more = rc2 != SQLITE_OK || next != nullptr;
      sqlite3_finalize(next);
      if (more) {
        return base::InvalidArgumentError(
            "sqlite: Exec/Query take exactly one statement (use ExecScript for several): \"" +
            Abbrev(sql) + "\"");
      }
    }
    int count = sqlite3_bind_parameter_count(s->stmt);
    s->number_of_index.assign(static_cast<size_t>(count) + 1, 0);
    for (int i = 1; i <= count; ++i) {
      const char* name = sqlite3_bind_parameter_name(s->stmt, i);
      int n = ParsePlaceholder(name);
      if (n == 0) {
        return base::InvalidArgumentError(
            std::string("sqlite: placeholder '") + (name != nullptr ? name : "?") +
            "' is not of the form $1..$N (use PostgreSQL-style numbered placeholders) in \"" +
            Abbrev(sql) + "\"");
      }
      if (n > count) {
        return base::InvalidArgumentError(
            "sqlite: placeholder $" + std::to_string(n) + " used but only " +
            std::to_string(count) + " distinct placeholders: $1..$" + std::to_string(count) +
            " must all appear, without gaps, in \"" + Abbrev(sql) + "\"");
      }
      // Names are distinct and all within 1..count, so together they are exactly $1..$count.
      s->number_of_index[static_cast<size_t>(i)] = n;
    }
    s->parameter_count = count;
    return s;
  }

  Status Bind(Stmt* s, std::span<const Value> params, bool copy) {
    if (params.size() != static_cast<size_t>(s->parameter_count)) {
      return base::InvalidArgumentError(
          "sqlite: statement has " + std::to_string(s->parameter_count) + " placeholders but " +
          std::to_string(params.size()) + " values were given: \"" + Abbrev(s->sql) + "\"");
    }
    sqlite3_destructor_type lifetime = copy ? SQLITE_TRANSIENT : SQLITE_STATIC;
    for (int i = 1; i <= s->parameter_count; ++i) {
      const Value& v = params[static_cast<size_t>(s->number_of_index[static_cast<size_t>(i)] - 1)];
      int rc;
      if (v.is_int()) {
        rc = sqlite3_bind_int64(s->stmt, i, v.as_int());
      } else if (v.is_text()) {
        const std::string& t = v.as_text();
        rc = sqlite3_bind_text64(s->stmt, i, t.data(), t.size(), lifetime, SQLITE_UTF8);
      } else if (v.is_blob()) {
        const Bytes& b = v.as_blob();
        // A null data pointer would bind NULL; an empty blob must stay a (zero-length) blob.
        rc = b.empty() ? sqlite3_bind_zeroblob(s->stmt, i, 0)
                       : sqlite3_bind_blob64(s->stmt, i, b.data(), b.size(), lifetime);
      } else if (v.is_double()) {
        rc = sqlite3_bind_double(s->stmt, i, v.as_double());
      } else {
        rc = sqlite3_bind_null(s->stmt, i);
      }
      if (rc != SQLITE_OK) {
        Status st = MapError(rc, db_, s->sql)
                        .WithContext("binding $" +
                                     std::to_string(s->number_of_index[static_cast<size_t>(i)]));
        sqlite3_clear_bindings(s->stmt);
        return st;
      }
    }
    return base::OkStatus();
  }

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>, SqlHash, std::equal_to<>> cache_;
  int open_rows_ = 0;  // live Rows and BulkWriters (they borrow statements from cache_)
};

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;  // 63: PostgreSQL's NAMEDATALEN - 1
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

class SqliteBulkWriter final : public BulkWriter {
 public:
  SqliteBulkWriter(SqliteConnection* conn, StmtLease lease, size_t columns, bool owns_tx)
      : conn_(conn), lease_(std::move(lease)), columns_(columns), owns_tx_(owns_tx) {
    ++*conn_->open_rows();
  }
  ~SqliteBulkWriter() override {
    lease_.Release();
    if (owns_tx_ && !finished_ && conn_->in_transaction()) conn_->Rollback().IgnoreError();
    --*conn_->open_rows();
  }

  Status Add(std::span<const Value> row) override {
    if (finished_) return base::FailedPreconditionError("BulkWriter: Add after Finish");
    if (!status_.ok()) return status_;
    if (row.size() != columns_) {
      return base::InvalidArgumentError("BulkWriter: row has " + std::to_string(row.size()) +
                                        " values, expected " + std::to_string(columns_));
    }
    auto r = conn_->Run(lease_.get(), row);
    if (!r.ok()) return Fail(r.status().WithContext("BulkWriter row " + std::to_string(rows_)));
    ++rows_;
    return base::OkStatus();
  }

  Result<int64_t> Finish() override {
    if (finished_) return base::FailedPreconditionError("BulkWriter: Finish called twice");
    if (!status_.ok()) return status_;
    finished_ = true;
    lease_.Release();
    if (owns_tx_) RETURN_IF_ERROR(conn_->Commit());
    return rows_;
  }

 private:
  Status Fail(Status s) {
    status_ = s;
    if (owns_tx_ && conn_->in_transaction()) conn_->Rollback().IgnoreError();
    owns_tx_ = false;
    return s;
  }

  SqliteConnection* conn_;
  StmtLease lease_;
  size_t columns_;
  bool owns_tx_;
  bool finished_ = false;
  int64_t rows_ = 0;
  Status status_;  // the first error; the writer is unusable after one
};

Result<std::unique_ptr<BulkWriter>> SqliteConnection::BulkInsert(std::string_view table,
                                                                 std::vector<std::string> columns) {
  if (!IsIdentifier(table)) {
    return base::InvalidArgumentError("BulkInsert: table name '" + std::string(table) +
                                      "' is not a plain identifier [A-Za-z_][A-Za-z0-9_]*");
  }
  if (columns.empty() || columns.size() > static_cast<size_t>(kMaxParameterNumber)) {
    return base::InvalidArgumentError("BulkInsert: " + std::to_string(columns.size()) +
                                      " columns given for table " + std::string(table));
  }
  std::string sql = "INSERT INTO " + std::string(table) + " (";
  std::string values;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!IsIdentifier(columns[i])) {
      return base::InvalidArgumentError("BulkInsert: column name '" + columns[i] +
                                        "' is not a plain identifier [A-Za-z_][A-Za-z0-9_]*");
    }
    sql += (i ? ", " : "") + columns[i];
    values += (i ? ", $" : "$") + std::to_string(i + 1);
  }
  sql += ") VALUES (" + values + ")";
  ASSIGN_OR_RETURN(StmtLease lease, Lease(sql));
  bool owns_tx = !in_transaction();
  if (owns_tx) RETURN_IF_ERROR(Begin(TxMode::kImmediate));
  return std::unique_ptr<BulkWriter>(
      std::make_unique<SqliteBulkWriter>(this, std::move(lease), columns.size(), owns_tx));
}

}  // namespace

Result<std::unique_ptr<Connection>> Open(const std::string& path, const Options& options) {
  const bool memory = path == ":memory:";
  // A read-only connection cannot create the file either.
  if (!memory && (!options.create || options.read_only)) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        return base::NotFoundError(
            "sqlite: database file " + path +
            " does not exist (and create is off or the connection is read-only)");
      }
      return base::UnavailableError("sqlite: cannot stat " + path + ": " + std::strerror(errno));
    }
  }
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (options.read_only) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0);
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = MapError(rc, db, "").WithContext("opening " + path);
    sqlite3_close_v2(db);  // a handle is allocated even on failure
    return s;
  }
  auto conn = std::make_unique<SqliteConnection>(db, path);
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  // Double-quoted strings are identifiers only (as in PostgreSQL), and the schema cannot be
  // corrupted through SQL (writable_schema and friends are off).
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  auto context = [&](const Status& s) { return s.WithContext("opening " + path); };

  // 32 MiB of page cache (SQLite's default is 2 MiB): point lookups in tables of millions of
  // rows otherwise go to the OS for most interior pages. Memory is only taken as pages are read.
  RETURN_IF_ERROR(
      context(conn->ExecScript("PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768")));
  // Reading the schema version reads the header: "file is not a database" surfaces here.
  {
    auto rows = conn->Query("PRAGMA schema_version", {});
    if (!rows.ok()) return context(rows.status());
  }
  if (!memory && !options.read_only) {
    ASSIGN_OR_RETURN(auto rows, conn->Query("PRAGMA journal_mode = WAL", {}));
    std::string mode = rows->Next() ? std::string(rows->Text(0)) : "";
    RETURN_IF_ERROR(context(rows->status()));
    if (mode != "wal") {
      return base::FailedPreconditionError("sqlite: opening " + path +
                                           ": cannot enable WAL (journal_mode is '" + mode + "')");
    }
  }
  RETURN_IF_ERROR(context(conn->ExecScript(options.synchronous == Synchronous::kFull
                                               ? "PRAGMA synchronous = FULL"
                                               : "PRAGMA synchronous = NORMAL")));
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace detente::store::sqlite
