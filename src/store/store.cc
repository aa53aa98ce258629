// store/store.cc: the backend-neutral parts of the store: Connect() (URL dispatch), the
// Transaction guard and schema migrations. See ../../docs/formats/storage.md.
// Tested by tests/store/*_test.cc.
#include "store/store.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>

#include "store/postgres/pg_connection.h"
#include "store/sqlite/sqlite_connection.h"

namespace detente::store {
namespace {

constexpr std::string_view kSqliteScheme = "sqlite:";

// The schema_migrations table; the same DDL is valid on SQLite and PostgreSQL.
constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
    "  module TEXT NOT NULL,\n"
    "  version INTEGER NOT NULL,\n"
    "  description TEXT NOT NULL,\n"
    "  applied_at TEXT NOT NULL,\n"
    "  PRIMARY KEY (module, version)\n"
    ")";

// "scheme" of "scheme://..." when the URL has that shape (RFC 3986 scheme characters).
std::string_view UrlScheme(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return {};
  for (size_t i = 0; i < sep; ++i) {
    char c = url[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return {};
  }
  return url.substr(0, sep);
}

// Now as RFC 3339 UTC with milliseconds (for schema_migrations.applied_at; informational).
std::string NowRfc3339() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

// The versions of `module` recorded in schema_migrations, ascending, checked to be 1..k.
Result<int64_t> AppliedVersion(Connection& conn, std::string_view module) {
  ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT version FROM schema_migrations WHERE module = $1 "
                                         "ORDER BY version",
                                         {Value(module)}));
  int64_t expected = 1;
  while (rows->Next()) {
    int64_t v = rows->Int64(0);
    if (v != expected) {
      return base::FailedPreconditionError(
          "schema_migrations for module '" + std::string(module) +
          "' is not contiguous: found "
          "version " +
          std::to_string(v) + " where " + std::to_string(expected) +
          " was expected (the database was migrated by something else, or edited by hand)");
    }
    ++expected;
  }
  RETURN_IF_ERROR(rows->status());
  return expected - 1;
}

Status CheckNotNewer(std::string_view module, int64_t applied, int64_t latest) {
  if (applied > latest) {
    return base::FailedPreconditionError(
        "database has module '" + std::string(module) + "' at schema version " +
        std::to_string(applied) + ", newer than the latest this binary knows (" +
        std::to_string(latest) + "): run a newer detente, or restore a matching backup");
  }
  return base::OkStatus();
}

// PostgreSQL has no database-wide write lock for BEGIN to take (SQLite's BEGIN IMMEDIATE):
// migrating transactions serialize on this transaction-level advisory lock instead, so that
// two processes migrating at once apply each migration once. A no-op on SQLite.
constexpr int64_t kMigrationLockKey = 0x64657465'6e746531;  // "detente1"
Status LockMigrations(Connection& conn) {
  if (conn.backend() != Backend::kPostgres) return base::OkStatus();
  auto r = conn.Exec("SELECT pg_advisory_xact_lock($1)", {Value(kMigrationLockKey)});
  return r.ok() ? base::OkStatus() : r.status().WithContext("Migrate: taking the migration lock");
}

}  // namespace

Result<std::unique_ptr<Connection>> Connect(const Options& options) {
  std::string_view url = options.url;
  if (url.empty()) {
    return base::InvalidArgumentError("database URL is empty (use sqlite:PATH or a file path)");
  }
  if (url.find('\0') != std::string_view::npos) {
    return base::InvalidArgumentError("database URL contains a NUL byte");
  }
  std::string_view scheme = UrlScheme(url);
  if (options.busy_timeout_ms < 0) {
    return base::InvalidArgumentError("busy_timeout_ms must be >= 0, got " +
                                      std::to_string(options.busy_timeout_ms));
  }
  if (scheme == "postgresql" || scheme == "postgres") {
    // The URL may carry a password: the backend never echoes it (see postgres::RedactUrl).
    return postgres::Open(options);
  }
  if (!scheme.empty() && scheme != "sqlite") {
    return base::InvalidArgumentError("unsupported database URL scheme '" + std::string(scheme) +
                                      "' (use sqlite:PATH or postgresql://...)");
  }
  std::string path;
  if (url.starts_with(kSqliteScheme)) {
    std::string_view rest = url.substr(kSqliteScheme.size());
    if (rest.starts_with("//")) {
      return base::InvalidArgumentError("database URL '" + std::string(url) +
                                        "': write sqlite:PATH (e.g. sqlite:/var/lib/detente/"
                                        "node.db or sqlite::memory:), not sqlite://");
    }
    path = std::string(rest);
  } else {
    path = std::string(url);
  }
  if (path.empty())
    return base::InvalidArgumentError("database URL '" + std::string(url) + "' has an empty path");
  return sqlite::Open(path, options);
}

// ---- ExecBatch (default: a loop) ----------------------------------------------------------------

Result<int64_t> Connection::ExecBatch(std::string_view sql,
                                      std::span<const std::vector<Value>> batch) {
  if (batch.empty()) return 0;
  // SAVEPOINT / RELEASE / ROLLBACK TO are the same SQL on SQLite and PostgreSQL.
  const bool tx = in_transaction();
  RETURN_IF_ERROR(tx ? ExecScript("SAVEPOINT detente_batch") : Begin(TxMode::kImmediate));
  int64_t total = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto r = Exec(sql, batch[i]);
    if (!r.ok()) {
      if (tx) {
        ExecScript("ROLLBACK TO SAVEPOINT detente_batch; RELEASE SAVEPOINT detente_batch")
            .IgnoreError();
      } else if (in_transaction()) {
        Rollback().IgnoreError();
      }
      return r.status().WithContext("ExecBatch row " + std::to_string(i));
    }
    total += *r;
  }
  RETURN_IF_ERROR(tx ? ExecScript("RELEASE SAVEPOINT detente_batch") : Commit());
  return total;
}

// ---- Transaction -------------------------------------------------------------------------------

Result<Transaction> Transaction::Begin(Connection& conn, Connection::TxMode mode) {
  RETURN_IF_ERROR(conn.Begin(mode));
  return Transaction(&conn);
}

Transaction::~Transaction() {
  // Best effort: if the connection already ended the transaction (e.g. a failed COMMIT that
  // SQLite rolled back itself), there is nothing left to undo.
  if (conn_ != nullptr && conn_->in_transaction()) conn_->Rollback().IgnoreError();
}

Status Transaction::Commit() {
  if (conn_ == nullptr) {
    return base::FailedPreconditionError("Transaction::Commit: already committed or moved from");
  }
  Status s = conn_->Commit();
  if (s.ok()) conn_ = nullptr;
  return s;
}

// ---- Migrations --------------------------------------------------------------------------------

Status Migrate(Connection& conn, std::span<const Migration> migrations) {
  if (conn.in_transaction()) {
    return base::FailedPreconditionError(
        "Migrate: a transaction is open; migrations run in their own transactions");
  }
  // Per module, in ascending version order; modules are independent of one another.
  std::map<std::string_view, std::vector<const Migration*>> by_module;
  for (const Migration& m : migrations) {
    if (m.module.empty()) return base::InvalidArgumentError("Migrate: migration without module");
    by_module[m.module].push_back(&m);
  }
  for (auto& [module, list] : by_module) {
    std::stable_sort(list.begin(), list.end(), [](const Migration* a, const Migration* b) {
      return a->version < b->version;
    });
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i]->version != static_cast<int>(i + 1)) {
        return base::FailedPreconditionError(
            "Migrate: migrations of module '" + std::string(module) +
            "' are not contiguous from 1: expected version " + std::to_string(i + 1) + ", got " +
            std::to_string(list[i]->version));
      }
    }
  }
  if (conn.backend() == Backend::kPostgres) {
    // Under the lock: concurrent CREATE TABLE IF NOT EXISTS can collide on PostgreSQL.
    ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn, Connection::TxMode::kImmediate));
    RETURN_IF_ERROR(LockMigrations(conn));
    RETURN_IF_ERROR(conn.ExecScript(kCreateMigrationsTable).WithContext("Migrate"));
    RETURN_IF_ERROR(tx.Commit().WithContext("Migrate"));
  } else {
    RETURN_IF_ERROR(conn.ExecScript(kCreateMigrationsTable).WithContext("Migrate"));
  }

  for (const auto& [module, list] : by_module) {
    const int64_t latest = static_cast<int64_t>(list.size());
    ASSIGN_OR_RETURN(int64_t applied, AppliedVersion(conn, module));
    RETURN_IF_ERROR(CheckNotNewer(module, applied, latest));
    for (const Migration* m : list) {
      if (m->version <= applied) continue;
      // Re-read inside the write transaction: another process may have migrated meanwhile.
      ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn, Connection::TxMode::kImmediate));
      RETURN_IF_ERROR(LockMigrations(conn));
      ASSIGN_OR_RETURN(applied, AppliedVersion(conn, module));
      RETURN_IF_ERROR(CheckNotNewer(module, applied, latest));
      if (m->version <= applied) continue;  // `tx` rolls back: nothing was written
      std::string what = "migration " + std::string(module) + " v" + std::to_string(m->version) +
                         " (" + std::string(m->description) + ")";
      std::string_view sql = conn.backend() == Backend::kPostgres && !m->postgres_sql.empty()
                                 ? m->postgres_sql
                                 : m->sqlite_sql;
      RETURN_IF_ERROR(conn.ExecScript(sql).WithContext(what));
      auto inserted = conn.Exec(
          "INSERT INTO schema_migrations (module, version, description, applied_at) "
          "VALUES ($1, $2, $3, $4)",
          {Value(module), Value(m->version), Value(m->description), Value(NowRfc3339())});
      if (!inserted.ok()) return inserted.status().WithContext(what);
      RETURN_IF_ERROR(tx.Commit().WithContext(what));
      applied = m->version;
    }
  }
  return base::OkStatus();
}

}  // namespace detente::store
