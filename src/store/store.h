// store/store.h: the public header of the store module: one interface over the database,
// with SQLite (embedded default, WAL) and PostgreSQL (libpq) backends.
//
// SQL passed to Exec/Query uses PostgreSQL-style placeholders $1..$N on every backend, in any
// order and repeated at will, but together exactly $1..$N (the SQLite backend binds SQLite's
// named parameters "$1".."$N" by name, so '$1' in a string literal is never a placeholder).
// Value types map as:
//   int64 <-> INTEGER / BIGINT, double <-> REAL / DOUBLE PRECISION, text <-> TEXT,
//   bytes <-> BLOB / BYTEA, null <-> NULL.
// (PostgreSQL: parameters are typed int8 / float8 / text / bytea, NULL untyped; results are
// converted per column type, e.g. BOOLEAN reads as 1/0 and BYTEA's Text() gives its bytes.)
// Statements are prepared once per connection and cached by their SQL text.
// Conventions, pragmas, error mapping and the schema_migrations table:
// see ../../docs/formats/storage.md.
//
// Thread-safety: a Connection is NOT thread-safe; use one per thread (SQLite WAL lets many
// connections read while one writes). Connect() is thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/base.h"

namespace detente::store {

using base::Bytes;
using base::ByteView;
using base::Result;
using base::Status;

enum class Backend { kSqlite, kPostgres };

enum class Synchronous {
  kNormal,  // SQLite synchronous=NORMAL: durable at each checkpoint of the WAL, crash-consistent
  kFull,    // synchronous=FULL: every commit fsynced before it returns
};

struct Options {
  // "sqlite:PATH", a plain file path, ":memory:" (SQLite), or "postgresql://..." /
  // "postgres://..." (a libpq connection URI).
  std::string url;
  // PostgreSQL: kFull sets synchronous_commit = on; kNormal keeps the server's setting.
  Synchronous synchronous = Synchronous::kNormal;
  // SQLite: busy_timeout. PostgreSQL: lock_timeout (a wait on a row lock), at least 1 ms.
  int busy_timeout_ms = 5000;
  // PostgreSQL: default_transaction_read_only = on.
  bool read_only = false;
  // SQLite only: create the file if it does not exist.
  bool create = true;
};

// A parameter or column value.
class Value {
 public:
  Value() = default;  // NULL
  Value(std::nullptr_t) {}
  Value(int64_t v) : v_(v) {}
  Value(int v) : v_(static_cast<int64_t>(v)) {}
  Value(uint32_t v) : v_(static_cast<int64_t>(v)) {}
  Value(double v) : v_(v) {}
  Value(std::string v) : v_(std::move(v)) {}
  Value(std::string_view v) : v_(std::string(v)) {}
  Value(const char* v) : v_(std::string(v)) {}
  Value(Bytes v) : v_(std::move(v)) {}
  Value(ByteView v) : v_(Bytes(v.begin(), v.end())) {}
  static Value Blob(std::string_view bytes) { return Value(base::AsBytes(bytes)); }

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  bool is_double() const { return std::holds_alternative<double>(v_); }
  bool is_text() const { return std::holds_alternative<std::string>(v_); }
  bool is_blob() const { return std::holds_alternative<Bytes>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const { return std::get<double>(v_); }
  const std::string& as_text() const { return std::get<std::string>(v_); }
  const Bytes& as_blob() const { return std::get<Bytes>(v_); }

 private:
  std::variant<std::monostate, int64_t, double, std::string, Bytes> v_;
};

// The rows of one query, read forward. Views returned by Text()/Blob() stay valid until the
// next call to Next() or the destruction of the Rows. REQUIRES: a Rows is destroyed before its
// Connection. While it is open, the connection may run other statements, including the same
// SQL text (which then uses a private, uncached statement). Column accessors on a NULL value
// return 0 / empty; after Next() returned false they return 0 / empty.
class Rows {
 public:
  virtual ~Rows() = default;
  // Moves to the next row; false at the end or on error (then status() says which).
  virtual bool Next() = 0;
  virtual const Status& status() const = 0;
  virtual int column_count() const = 0;
  virtual bool IsNull(int col) const = 0;
  virtual int64_t Int64(int col) const = 0;
  virtual double Double(int col) const = 0;
  virtual std::string_view Text(int col) const = 0;
  virtual ByteView Blob(int col) const = 0;
};

// COPY-style bulk loading of many rows into one table. On PostgreSQL this is COPY ... FROM
// STDIN, one COPY per ~1 MiB of buffered rows (so a row the server rejects is reported by the
// Add that flushes, or by Finish, and rows are only certain to be written once Finish
// returned); on SQLite a cached INSERT per Add in the enclosing transaction. Rows become
// visible when the enclosing transaction commits (a BulkWriter used outside a transaction
// opens its own).
class BulkWriter {
 public:
  virtual ~BulkWriter() = default;
  // REQUIRES: row.size() equals the number of columns given to BulkInsert.
  virtual Status Add(std::span<const Value> row) = 0;
  Status Add(std::initializer_list<Value> row) { return Add(std::span(row.begin(), row.size())); }
  // Flushes (and commits the writer's own transaction, if it opened one); returns the number
  // of rows written. The writer is unusable afterwards. After a failed Add, every later call
  // returns that first error.
  virtual Result<int64_t> Finish() = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Backend backend() const = 0;

  // Runs one or more ';'-separated statements without parameters (DDL, pragmas). Errors as
  // for Exec; statements before the failing one stay applied unless inside a transaction.
  virtual Status ExecScript(std::string_view sql) = 0;

  // Runs one statement (a trailing ';' or comment is allowed, a second statement is not);
  // returns the number of rows changed by an INSERT/UPDATE/DELETE (0 for anything else).
  // `params` are only read during the call.
  // Errors: kInvalidArgument (SQL error), kAlreadyExists (unique constraint),
  // kFailedPrecondition (other constraint), kUnavailable (busy/locked past the timeout,
  // connection lost), kDataLoss (corrupt database).
  virtual Result<int64_t> Exec(std::string_view sql, std::span<const Value> params) = 0;
  Result<int64_t> Exec(std::string_view sql, std::initializer_list<Value> params = {}) {
    return Exec(sql, std::span(params.begin(), params.size()));
  }

  // Runs `sql` (one statement, as for Exec) once per element of `batch`, each a full set of
  // values for $1..$N, as one unit: every execution is applied or none is (outside a
  // transaction the batch runs in its own; inside one, a failing batch undoes only itself).
  // Returns the total number of rows changed. On PostgreSQL the executions travel pipelined,
  // ~512 per network round trip (docs/formats/storage.md); the default implementation (SQLite)
  // loops over Exec inside a transaction or savepoint.
  // Errors: as for Exec, with the context "ExecBatch row <i>" (0-based).
  virtual Result<int64_t> ExecBatch(std::string_view sql,
                                    std::span<const std::vector<Value>> batch);

  // Runs one query up to its first row (so a locked or invalid query fails here); the rest
  // is read through the Rows. `params` are copied: they need not outlive the call.
  // Errors: as for Exec.
  virtual Result<std::unique_ptr<Rows>> Query(std::string_view sql,
                                              std::span<const Value> params) = 0;
  Result<std::unique_ptr<Rows>> Query(std::string_view sql,
                                      std::initializer_list<Value> params = {}) {
    return Query(sql, std::span(params.begin(), params.size()));
  }

  // Transactions. Prefer the Transaction guard below. kImmediate takes the write lock at
  // BEGIN (SQLite BEGIN IMMEDIATE), so a read-then-write transaction cannot fail midway;
  // on PostgreSQL it is a READ COMMITTED transaction (row locks, no database write lock) and
  // kDeferred a REPEATABLE READ snapshot. On both, a statement that fails inside a
  // transaction undoes only itself (PostgreSQL: an implicit savepoint per statement).
  enum class TxMode { kDeferred, kImmediate };
  virtual Status Begin(TxMode mode = TxMode::kImmediate) = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  virtual bool in_transaction() const = 0;

  // A writer of rows into `table` (`columns`: plain identifiers [A-Za-z_][A-Za-z0-9_]*, at
  // most 63 characters). Outside a transaction the writer opens its own (BEGIN IMMEDIATE),
  // committed by Finish() and rolled back if the writer is destroyed first or a row fails.
  // REQUIRES: the writer is destroyed before this connection.
  // Errors: kInvalidArgument (bad names, unknown table or column), kUnavailable (locked).
  virtual Result<std::unique_ptr<BulkWriter>> BulkInsert(std::string_view table,
                                                         std::vector<std::string> columns) = 0;
};

// Opens a connection. Errors: kInvalidArgument (bad URL, unknown scheme, negative timeout),
// kUnavailable (cannot connect or open; a PostgreSQL password is never echoed), kNotFound (SQLite
// file missing and !create), kDataLoss (not a database), kFailedPrecondition (WAL refused by the
// file system).
Result<std::unique_ptr<Connection>> Connect(const Options& options);

// A transaction that rolls back unless Commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& conn,
                                   Connection::TxMode mode = Connection::TxMode::kImmediate);
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;  // null once committed or rolled back
};

// A schema migration of one module. Each module exports its list (e.g.
// ledger::Migrations()); versions start at 1 and increase by one.
struct Migration {
  std::string_view module;
  int version;
  std::string_view description;
  std::string_view sqlite_sql;
  std::string_view postgres_sql;  // empty: same as sqlite_sql
};

// Applies, each in its own transaction, every migration not yet recorded in the
// schema_migrations table (module, version, description, applied_at). Modules are independent;
// `migrations` may list several modules in any order. Idempotent. REQUIRES: no transaction
// open on `conn` (else kFailedPrecondition). A failing migration is rolled back and returned
// with the context "migration <module> v<N> (<description>)"; earlier ones stay applied.
// Errors: kFailedPrecondition when the database records a version of a module newer than any
// given (the binary is older than the database), or when versions are not contiguous.
Status Migrate(Connection& conn, std::span<const Migration> migrations);

}  // namespace detente::store
