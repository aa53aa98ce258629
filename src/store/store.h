// store/store.h: the public header of the store module: one interface over the database,
// with SQLite (embedded default, WAL) and PostgreSQL (libpq) backends.
//
// SQL passed to Exec/Query uses PostgreSQL-style placeholders $1..$N on every backend (the
// SQLite backend binds them as numbered parameters). Value types map as:
//   int64 <-> INTEGER / BIGINT, double <-> REAL / DOUBLE PRECISION, text <-> TEXT,
//   bytes <-> BLOB / BYTEA, null <-> NULL.
// Statements are prepared once per connection and cached by their SQL text.
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
  Synchronous synchronous = Synchronous::kNormal;
  int busy_timeout_ms = 5000;
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
// next call to Next() or the destruction of the Rows. A Rows must be destroyed before its
// connection is used for another statement with the same SQL text.
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
// STDIN; on SQLite a cached INSERT in the enclosing transaction. Rows become visible when the
// enclosing transaction commits (a BulkWriter used outside a transaction opens its own).
class BulkWriter {
 public:
  virtual ~BulkWriter() = default;
  // REQUIRES: row.size() equals the number of columns given to BulkInsert.
  virtual Status Add(std::span<const Value> row) = 0;
  Status Add(std::initializer_list<Value> row) { return Add(std::span(row.begin(), row.size())); }
  // Flushes; returns the number of rows written. The writer is unusable afterwards.
  virtual Result<int64_t> Finish() = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Backend backend() const = 0;

  // Runs one or more ';'-separated statements without parameters (DDL, pragmas).
  virtual Status ExecScript(std::string_view sql) = 0;

  // Runs one statement; returns the number of rows changed.
  // Errors: kInvalidArgument (SQL error), kAlreadyExists (unique constraint),
  // kFailedPrecondition (other constraint), kUnavailable (busy/locked past the timeout,
  // connection lost), kDataLoss (corrupt database).
  virtual Result<int64_t> Exec(std::string_view sql, std::span<const Value> params) = 0;
  Result<int64_t> Exec(std::string_view sql, std::initializer_list<Value> params = {}) {
    return Exec(sql, std::span(params.begin(), params.size()));
  }

  // Runs one query; rows are read from the result.
  virtual Result<std::unique_ptr<Rows>> Query(std::string_view sql,
                                              std::span<const Value> params) = 0;
  Result<std::unique_ptr<Rows>> Query(std::string_view sql,
                                      std::initializer_list<Value> params = {}) {
    return Query(sql, std::span(params.begin(), params.size()));
  }

  // Transactions. Prefer the Transaction guard below. kImmediate takes the write lock at
  // BEGIN (SQLite BEGIN IMMEDIATE), so a read-then-write transaction cannot fail midway.
  enum class TxMode { kDeferred, kImmediate };
  virtual Status Begin(TxMode mode = TxMode::kImmediate) = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  virtual bool in_transaction() const = 0;

  virtual Result<std::unique_ptr<BulkWriter>> BulkInsert(std::string_view table,
                                                         std::vector<std::string> columns) = 0;
};

// Opens a connection. Errors: kInvalidArgument (bad URL), kUnavailable (cannot connect),
// kNotFound (SQLite file missing and !create), kDataLoss (not a database).
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
// schema_migrations table (module, version, description, applied_at).
// Errors: kFailedPrecondition when the database records a version of a module newer than any
// given (the binary is older than the database), or when versions are not contiguous.
Status Migrate(Connection& conn, std::span<const Migration> migrations);

}  // namespace detente::store
