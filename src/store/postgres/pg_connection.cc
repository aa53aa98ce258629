// store/postgres/pg_connection.cc: the PostgreSQL backend: Connection, Rows and BulkWriter
// over libpq.
//
// - Statements are prepared once per connection (PQsendPrepare, generated names) and cached by
//   SQL text plus the types of the values bound (a value's type is part of the prepared
//   statement: int64 -> int8, double -> float8, text -> text, bytes -> bytea, NULL -> 0,
//   i.e. inferred by the server). Parameters go in binary format, results come back in text
//   format and are converted on access (see PgRows).
// - Each statement is sent as one pipeline (PQenterPipelineMode): [SAVEPOINT,] [Parse,]
//   Bind/Execute, [RELEASE SAVEPOINT,] Sync, so it costs one round trip. Inside a transaction
//   the savepoint makes a failing statement undo only itself, as on SQLite (PostgreSQL would
//   otherwise abort the whole transaction); this is psql's ON_ERROR_ROLLBACK.
// - Placeholders $1..$N are found by a small scanner that skips literals, quoted identifiers,
//   dollar-quoted strings and comments, so that errors (gaps, value counts, several
//   statements) read as on SQLite; the SQL itself goes to the server unchanged.
// - BulkWriter buffers rows as COPY text and sends one COPY ... FROM STDIN per ~1 MiB.
// See ../../../docs/formats/storage.md. Tested by tests/store/pg_connection_test.cc and the
// backend-parametrized tests in tests/store/.
#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/check.h"

namespace detente::store::postgres {
namespace {

// Statements cached per connection; past this, all are deallocated and prepared again on use.
constexpr size_t kMaxCachedStatements = 512;
// The protocol's Bind message counts parameters in an int16.
constexpr int kMaxParameterNumber = 65535;
// How much of the SQL an error message quotes.
constexpr size_t kMaxSqlInMessage = 240;
// BulkWriter: bytes of COPY text buffered before one COPY command is sent.
constexpr size_t kCopyFlushBytes = 1 << 20;
// PQputCopyData takes an int length; send the buffer in pieces of this size.
constexpr size_t kCopyChunkBytes = 1 << 20;

// Type OIDs (src/include/catalog/pg_type.dat).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kFloat8Oid = 701;

constexpr const char* kSavepoint = "SAVEPOINT detente_stmt";
constexpr const char* kRelease = "RELEASE SAVEPOINT detente_stmt";
constexpr const char* kRollbackTo =
    "ROLLBACK TO SAVEPOINT detente_stmt; RELEASE SAVEPOINT detente_stmt";
constexpr const char* kBatchSavepoint = "SAVEPOINT detente_batch";
constexpr const char* kBatchRelease = "RELEASE SAVEPOINT detente_batch";
constexpr const char* kBatchRollbackTo =
    "ROLLBACK TO SAVEPOINT detente_batch; RELEASE SAVEPOINT detente_batch";
// ExecBatch: executions per pipeline (one Sync, one round trip). Their replies (~40 bytes
// each) must fit in the socket buffers, since the client sends the whole chunk before it
// reads anything (blocking mode): 512 keeps them around 20 KiB.
constexpr size_t kBatchChunk = 512;

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

std::string TrimNewlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

void ReplaceAll(std::string& s, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + with.size())) {
    s.replace(pos, what.size(), with);
  }
}

// ---- Error mapping ------------------------------------------------------------------------

// The canonical code for a SQLSTATE (PostgreSQL manual, appendix A).
base::StatusCode CodeForSqlState(std::string_view state, bool connection_bad) {
  using base::StatusCode;
  if (state.size() != 5) return connection_bad ? StatusCode::kUnavailable : StatusCode::kInternal;
  std::string_view cls = state.substr(0, 2);
  if (state == "23505") return StatusCode::kAlreadyExists;
  if (cls == "23") return StatusCode::kFailedPrecondition;  // integrity constraint violation
  if (cls == "40") return StatusCode::kAborted;             // 40001 serialization, 40P01 deadlock
  if (cls == "08") return StatusCode::kUnavailable;         // connection exception
  if (state == "42501") return StatusCode::kPermissionDenied;
  if (cls == "42") return StatusCode::kInvalidArgument;     // syntax error or access rule
  if (state == "57014") return StatusCode::kCancelled;      // query_canceled (statement_timeout)
  if (cls == "57") return StatusCode::kUnavailable;         // admin shutdown, crash shutdown, ...
  if (state == "55P03") return StatusCode::kUnavailable;    // lock_not_available (lock_timeout)
  if (cls == "55") return StatusCode::kFailedPrecondition;  // object not in prerequisite state
  if (state == "53300") return StatusCode::kUnavailable;    // too_many_connections
  if (cls == "53" || cls == "54") return StatusCode::kResourceExhausted;
  if (state == "XX001" || state == "XX002") return StatusCode::kDataLoss;
  if (cls == "XX") return StatusCode::kInternal;
  if (cls == "22" || cls == "21" || cls == "26" || cls == "34" || cls == "0A" || cls == "2F" ||
      cls == "P0" || cls == "44") {
    return StatusCode::kInvalidArgument;  // data exception, cardinality, feature, ...
  }
  if (cls == "25") return StatusCode::kFailedPrecondition;  // e.g. 25006 read-only transaction
  if (cls == "28") return StatusCode::kUnauthenticated;
  if (cls == "3D" || cls == "3F") return StatusCode::kNotFound;  // no such database / schema
  return connection_bad ? StatusCode::kUnavailable : StatusCode::kInternal;
}

// Maps an error result (or, when `res` is null, the connection's error) to a Status. Bound
// values are never quoted (DETAIL may hold them and is left out).
Status MapError(const PGresult* res, PGconn* conn, std::string_view sql) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string text;
  if (primary != nullptr) {
    text = primary;
  } else if (res != nullptr && *PQresultErrorMessage(res) != '\0') {
    text = TrimNewlines(PQresultErrorMessage(res));
  } else {
    text = TrimNewlines(PQerrorMessage(conn));
    if (text.empty()) text = "unknown error";
  }
  const bool bad = PQstatus(conn) == CONNECTION_BAD;
  std::string msg = "postgres: " + text;
  if (state != nullptr) {
    msg.append(" (SQLSTATE ").append(state);
    if (const char* c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME); c != nullptr) {
      msg.append(", constraint ").append(c);
    }
    msg.append(")");
  } else if (bad) {
    msg.append(" (connection lost)");
  }
  if (!sql.empty()) msg.append(" in \"").append(Abbrev(sql)).append("\"");
  return Status(CodeForSqlState(state != nullptr ? state : "", bad), std::move(msg));
}

// The line number of "COPY t, line N[, column ...]" in an error's CONTEXT; 0 if none.
int64_t CopyErrorLine(const PGresult* res) {
  const char* ctx = res != nullptr ? PQresultErrorField(res, PG_DIAG_CONTEXT) : nullptr;
  if (ctx == nullptr) return 0;
  std::string_view s(ctx);
  size_t pos = s.find(", line ");
  if (!s.starts_with("COPY ") || pos == std::string_view::npos) return 0;
  s.remove_prefix(pos + 7);
  int64_t line = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), line);
  return ec == std::errc() ? line : 0;
}

// ---- Placeholder scanner ------------------------------------------------------------------

bool IsIdentChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '$' || u >= 0x80;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Checks that `sql` is one statement whose placeholders are exactly $1..$N; returns N.
// Skips '...' (and E'...' with backslash escapes), "...", $tag$...$tag$, -- and nested /* */
// comments, as PostgreSQL's lexer does (standard_conforming_strings = on).
Result<int> ScanPlaceholders(std::string_view sql) {
  const size_t n = sql.size();
  std::vector<bool> seen;
  int max_seen = 0;
  bool any_token = false;
  bool after_semicolon = false;
  size_t i = 0;
  while (i < n) {
    const char c = sql[i];
    if (c == '\0') return base::InvalidArgumentError("postgres: SQL text contains a NUL byte");
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      int depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      }
      continue;
    }
    if (c == ';') {
      after_semicolon = any_token;
      ++i;
      continue;
    }
    if (after_semicolon) {
      return base::InvalidArgumentError(
          "postgres: Exec/Query take exactly one statement (use ExecScript for several): \"" +
          Abbrev(sql) + "\"");
    }
    any_token = true;
    if (c == '\'') {
      const bool escapes =
          i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !IsIdentChar(sql[i - 2]));
      ++i;
      while (i < n) {
        if (escapes && sql[i] == '\\') {
          i += 2;
        } else if (sql[i] == '\'') {
          if (i + 1 < n && sql[i + 1] == '\'') {
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          ++i;
        }
      }
      continue;
    }
    if (c == '"') {
      ++i;
      while (i < n) {
        if (sql[i] == '"') {
          if (i + 1 < n && sql[i + 1] == '"') {
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          ++i;
        }
      }
      continue;
    }
    if (c == '$') {
      if (i + 1 < n && IsDigit(sql[i + 1])) {
        size_t j = i + 1;
        int64_t num = 0;
        while (j < n && IsDigit(sql[j])) {
          if (num <= kMaxParameterNumber) num = num * 10 + (sql[j] - '0');
          ++j;
        }
        if (num < 1 || num > kMaxParameterNumber) {
          return base::InvalidArgumentError("postgres: placeholder '" +
                                            std::string(sql.substr(i, j - i)) +
                                            "' is not in $1..$65535 in \"" + Abbrev(sql) + "\"");
        }
        if (static_cast<size_t>(num) >= seen.size()) seen.resize(static_cast<size_t>(num) + 1);
        seen[static_cast<size_t>(num)] = true;
        max_seen = std::max(max_seen, static_cast<int>(num));
        i = j;
        continue;
      }
      size_t j = i + 1;
      while (j < n && IsIdentChar(sql[j]) && sql[j] != '$') ++j;
      if (j < n && sql[j] == '$') {  // $tag$ ... $tag$ (a dollar-quoted string)
        std::string_view tag = sql.substr(i, j - i + 1);
        size_t end = sql.find(tag, j + 1);
        i = end == std::string_view::npos ? n : end + tag.size();
        continue;
      }
      ++i;
      continue;
    }
    if (IsIdentChar(c)) {  // identifiers and keywords may contain '$' ("a$1" is one name)
      while (i < n && IsIdentChar(sql[i])) ++i;
      continue;
    }
    ++i;
  }
  if (!any_token) {
    return base::InvalidArgumentError("postgres: empty statement in \"" + Abbrev(sql) + "\"");
  }
  int distinct = 0;
  for (int k = 1; k <= max_seen; ++k) distinct += seen[static_cast<size_t>(k)] ? 1 : 0;
  if (distinct != max_seen) {
    return base::InvalidArgumentError("postgres: placeholder $" + std::to_string(max_seen) +
                                      " used but only " + std::to_string(distinct) +
                                      " distinct placeholders: $1..$" + std::to_string(max_seen) +
                                      " must all appear, without gaps, in \"" + Abbrev(sql) + "\"");
  }
  return max_seen;
}

// ---- Values -------------------------------------------------------------------------------

char TypeChar(const Value& v) {
  if (v.is_int()) return 'i';
  if (v.is_double()) return 'd';
  if (v.is_text()) return 't';
  if (v.is_blob()) return 'b';
  return 'n';
}

Oid TypeOid(const Value& v) {
  if (v.is_int()) return kInt8Oid;
  if (v.is_double()) return kFloat8Oid;
  if (v.is_text()) return kTextOid;
  if (v.is_blob()) return kByteaOid;
  return 0;  // NULL: let the server infer the type from the context
}

void PutBigEndian(uint64_t x, char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(x & 0xff);
    x >>= 8;
  }
}

// Parameters in binary format, pointing into `params` (and into `scratch` for numbers).
struct EncodedParams {
  explicit EncodedParams(std::span<const Value> params) {
    const size_t n = params.size();
    scratch.resize(n * 8);
    values.resize(n);
    lengths.resize(n);
    formats.assign(n, 1);
    types.resize(n);
    static const char kEmpty = 0;  // a zero-length value must not be a null pointer (NULL)
    for (size_t i = 0; i < n; ++i) {
      const Value& v = params[i];
      types[i] = TypeOid(v);
      if (v.is_int()) {
        PutBigEndian(static_cast<uint64_t>(v.as_int()), &scratch[i * 8]);
        values[i] = &scratch[i * 8];
        lengths[i] = 8;
      } else if (v.is_double()) {
        PutBigEndian(std::bit_cast<uint64_t>(v.as_double()), &scratch[i * 8]);
        values[i] = &scratch[i * 8];
        lengths[i] = 8;
      } else if (v.is_text()) {
        const std::string& t = v.as_text();
        values[i] = t.empty() ? &kEmpty : t.data();
        lengths[i] = static_cast<int>(t.size());
      } else if (v.is_blob()) {
        const Bytes& b = v.as_blob();
        values[i] = b.empty() ? &kEmpty : reinterpret_cast<const char*>(b.data());
        lengths[i] = static_cast<int>(b.size());
      } else {
        values[i] = nullptr;
        lengths[i] = 0;
      }
    }
  }
  std::vector<char> scratch;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  std::vector<Oid> types;
};

Status CheckValueSizes(std::span<const Value> params) {
  for (size_t i = 0; i < params.size(); ++i) {
    size_t size = params[i].is_text()   ? params[i].as_text().size()
                  : params[i].is_blob() ? params[i].as_blob().size()
                                        : 0;
    // PostgreSQL's limit for one field is 1 GB; libpq lengths are int.
    if (size >= (size_t{1} << 30)) {
      return base::InvalidArgumentError("postgres: value for $" + std::to_string(i + 1) + " is " +
                                        std::to_string(size) +
                                        " bytes, over PostgreSQL's 1 GB field limit");
    }
  }
  return base::OkStatus();
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// Decodes bytea's hex output ("\x0a1b..."); false if `text` is not in that form.
bool DecodeByteaHex(std::string_view text, Bytes& out) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out.resize((text.size() - 2) / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(text[2 + 2 * i]);
    int lo = nibble(text[3 + 2 * i]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

// Rows over one materialized result (text format). Conversions, by column type:
//   Int64: integers parsed; BOOLEAN 't'/'f' -> 1/0; NUMERIC and floats truncated toward zero
//          (saturating); anything unparsable -> 0.
//   Double: any number parsed ("Infinity", "-Infinity", "NaN" included); else 0.
//   Text: the text form; for BYTEA the decoded bytes (as SQLite returns a blob's bytes).
//   Blob: for BYTEA the decoded bytes; for other types the bytes of the text form.
class PgRows final : public Rows {
 public:
  explicit PgRows(PgResult res)
      : res_(std::move(res)),
        rows_(PQntuples(res_.get())),
        cols_(PQnfields(res_.get())),
        decoded_(static_cast<size_t>(cols_), {-1, Bytes()}) {}

  bool Next() override {
    if (row_ + 1 < rows_) {
      ++row_;
      return true;
    }
    row_ = rows_;
    return false;
  }
  const Status& status() const override { return status_; }
  int column_count() const override { return on_row() ? cols_ : 0; }
  bool IsNull(int col) const override {
    return !valid(col) || PQgetisnull(res_.get(), row_, col) != 0;
  }
  int64_t Int64(int col) const override {
    if (IsNull(col)) return 0;
    std::string_view s = Raw(col);
    if (PQftype(res_.get(), col) == kBoolOid) return s == "t" ? 1 : 0;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return v;
    double d = ParseDouble(s);
    if (std::isnan(d)) return 0;
    if (d >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
    if (d <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(d);
  }
  double Double(int col) const override { return IsNull(col) ? 0 : ParseDouble(Raw(col)); }
  std::string_view Text(int col) const override {
    if (IsNull(col)) return {};
    if (const Bytes* b = Decoded(col); b != nullptr) {
      return std::string_view(reinterpret_cast<const char*>(b->data()), b->size());
    }
    return Raw(col);
  }
  ByteView Blob(int col) const override {
    if (IsNull(col)) return {};
    if (const Bytes* b = Decoded(col); b != nullptr) return ByteView(*b);
    std::string_view s = Raw(col);
    return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }

 private:
  bool on_row() const { return row_ >= 0 && row_ < rows_; }
  bool valid(int col) const { return on_row() && col >= 0 && col < cols_; }
  std::string_view Raw(int col) const {
    return std::string_view(PQgetvalue(res_.get(), row_, col),
                            static_cast<size_t>(PQgetlength(res_.get(), row_, col)));
  }
  static double ParseDouble(std::string_view s) {
    double d = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc()) return d;
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    return 0;
  }
  // The decoded bytes of a BYTEA column on the current row (decoded once per row), or null.
  const Bytes* Decoded(int col) const {
    if (PQftype(res_.get(), col) != kByteaOid) return nullptr;
    auto& [row, bytes] = decoded_[static_cast<size_t>(col)];
    if (row != row_) {
      if (!DecodeByteaHex(Raw(col), bytes)) return nullptr;
      row = row_;
    }
    return &bytes;
  }

  PgResult res_;
  int rows_;
  int cols_;
  int row_ = -1;
  Status status_;  // always OK: the whole result arrived before Query returned
  mutable std::vector<std::pair<int, Bytes>> decoded_;  // per column: (row, bytes)
};

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;  // 63: NAMEDATALEN - 1
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s) {
    if (!alpha(c) && !IsDigit(c)) return false;
  }
  return true;
}

struct SqlHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

class PgConnection final : public Connection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() override {
    DETENTE_CHECK(open_writers_ == 0);  // a BulkWriter outliving its connection is a bug
    PQfinish(conn_);
  }

  Backend backend() const override { return Backend::kPostgres; }

  Status ExecScript(std::string_view sql) override {
    if (sql.find('\0') != std::string_view::npos) {
      return base::InvalidArgumentError("postgres: SQL script contains a NUL byte");
    }
    RETURN_IF_ERROR(CheckUsable());
    const bool tx = in_transaction();
    if (tx) RETURN_IF_ERROR(Simple(kSavepoint));
    std::string copy(sql);
    PgResult res(PQexec(conn_, copy.c_str()));
    ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    Status status;
    if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
      AbandonCopy(st);
      status = base::InvalidArgumentError(
          "postgres: COPY in ExecScript is not supported (use BulkInsert) in \"" + Abbrev(sql) +
          "\"");
    } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
      status = MapError(res.get(), conn_, sql);
    }
    if (tx) return FinishSavepoint(std::move(status));
    return status;
  }

  Result<int64_t> Exec(std::string_view sql, std::span<const Value> params) override {
    ASSIGN_OR_RETURN(PgResult res, Run(sql, params));
    return ChangedRows(res.get());
  }

  Result<int64_t> ExecBatch(std::string_view sql,
                            std::span<const std::vector<Value>> batch) override {
    if (batch.empty()) return 0;
    RETURN_IF_ERROR(CheckUsable());
    ASSIGN_OR_RETURN(int count, ScanPlaceholders(sql));
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].size() != static_cast<size_t>(count)) {
        return base::InvalidArgumentError("ExecBatch row " + std::to_string(i) +
                                          ": postgres: statement has " + std::to_string(count) +
                                          " placeholders but " + std::to_string(batch[i].size()) +
                                          " values were given: \"" + Abbrev(sql) + "\"");
      }
      RETURN_IF_ERROR(CheckValueSizes(batch[i]).WithContext("ExecBatch row " + std::to_string(i)));
    }
    // One new statement per value-type signature not cached yet: make room up front, so that
    // no statement of this batch is deallocated while the batch runs.
    std::unordered_set<std::string> new_keys;
    for (const std::vector<Value>& row : batch) {
      std::string key;
      key.reserve(sql.size() + 1 + row.size());
      key.append(sql).push_back('\0');
      for (const Value& v : row) key.push_back(TypeChar(v));
      if (!cache_.contains(key)) new_keys.insert(std::move(key));
    }
    if (cache_.size() + new_keys.size() > kMaxCachedStatements) {
      RETURN_IF_ERROR(Simple("DEALLOCATE ALL"));
      cache_.clear();
    }
    // An explicit transaction (or savepoint) spans the chunks, so the batch is all or nothing.
    const bool tx = in_transaction();
    RETURN_IF_ERROR(Simple(tx ? kBatchSavepoint : "BEGIN"));
    int64_t total = 0;
    Status status;
    for (size_t start = 0; start < batch.size() && status.ok(); start += kBatchChunk) {
      status =
          RunBatchChunk(sql, batch, start, std::min(batch.size(), start + kBatchChunk), &total);
    }
    if (!status.ok()) {
      if (PQstatus(conn_) == CONNECTION_OK)
        Simple(tx ? kBatchRollbackTo : "ROLLBACK").IgnoreError();
      return status;
    }
    RETURN_IF_ERROR(tx ? Simple(kBatchRelease) : Commit());
    return total;
  }

  Result<std::unique_ptr<Rows>> Query(std::string_view sql,
                                      std::span<const Value> params) override {
    ASSIGN_OR_RETURN(PgResult res, Run(sql, params));
    return std::unique_ptr<Rows>(std::make_unique<PgRows>(std::move(res)));
  }

  Status Begin(TxMode mode) override {
    if (in_transaction()) {
      return base::FailedPreconditionError(
          "Begin: a transaction is already open on this connection (transactions do not nest)");
    }
    // kImmediate: READ COMMITTED, row locks taken as rows are written (there is no database
    // write lock to take). kDeferred: a REPEATABLE READ snapshot, as a SQLite read transaction.
    return Simple(mode == TxMode::kImmediate ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ");
  }
  Status Commit() override {
    if (!in_transaction()) return base::FailedPreconditionError("Commit: no transaction is open");
    RETURN_IF_ERROR(CheckUsable());
    PgResult res(PQexec(conn_, "COMMIT"));
    if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
      return MapError(res.get(), conn_, "COMMIT");
    }
    // COMMIT of a transaction in the aborted state succeeds but rolls back.
    if (std::string_view(PQcmdStatus(res.get())) == "ROLLBACK") {
      return base::AbortedError(
          "postgres: COMMIT rolled back: the transaction had been aborted by an earlier error");
    }
    return base::OkStatus();
  }
  Status Rollback() override {
    if (!in_transaction()) {
      return base::FailedPreconditionError("Rollback: no transaction is open");
    }
    return Simple("ROLLBACK");
  }
  bool in_transaction() const override {
    PGTransactionStatusType t = PQtransactionStatus(conn_);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
  }

  Result<std::unique_ptr<BulkWriter>> BulkInsert(std::string_view table,
                                                 std::vector<std::string> columns) override;

  // Runs one COPY ... FROM STDIN of `data` (COPY text format). Inside a transaction it is
  // wrapped in a savepoint, so a failure undoes only this COPY. `*error_line` is set to the
  // 1-based line of `data` that failed, when the server says (else 0).
  Status CopyIn(const std::string& copy_sql, std::string_view data, int64_t* error_line) {
    *error_line = 0;
    RETURN_IF_ERROR(CheckUsable());
    const bool tx = in_transaction();
    if (tx) RETURN_IF_ERROR(Simple(kSavepoint));
    Status status = CopyInRaw(copy_sql, data, error_line);
    if (tx) return FinishSavepoint(std::move(status));
    return status;
  }

  int* open_writers() { return &open_writers_; }

 private:
  // After a statement inside a savepoint: release it, or roll back to it on failure.
  Status FinishSavepoint(Status status) {
    if (status.ok()) return Simple(kRelease);
    if (PQstatus(conn_) == CONNECTION_OK) Simple(kRollbackTo).IgnoreError();
    return status;
  }

  Status CheckUsable() {
    if (PQstatus(conn_) != CONNECTION_OK) {
      return base::UnavailableError("postgres: the connection was lost (" +
                                    TrimNewlines(PQerrorMessage(conn_)) + "); open a new one");
    }
    return base::OkStatus();
  }

  // Runs a parameterless command with the simple protocol.
  Status Simple(const char* sql) {
    RETURN_IF_ERROR(CheckUsable());
    PgResult res(PQexec(conn_, sql));
    ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return MapError(res.get(), conn_, sql);
    return base::OkStatus();
  }

  void AbandonCopy(ExecStatusType st) {
    if (st == PGRES_COPY_IN || st == PGRES_COPY_BOTH) {
      PQputCopyEnd(conn_, "COPY is not supported here");
    } else {
      char* buf = nullptr;
      while (PQgetCopyData(conn_, &buf, 0) > 0) PQfreemem(buf);
    }
    while (PGresult* r = PQgetResult(conn_)) PQclear(r);
  }

  Status CopyInRaw(const std::string& copy_sql, std::string_view data, int64_t* error_line) {
    PgResult res(PQexec(conn_, copy_sql.c_str()));
    if (!res || PQresultStatus(res.get()) != PGRES_COPY_IN) {
      return MapError(res.get(), conn_, copy_sql);
    }
    for (size_t off = 0; off < data.size(); off += kCopyChunkBytes) {
      size_t len = std::min(kCopyChunkBytes, data.size() - off);
      if (PQputCopyData(conn_, data.data() + off, static_cast<int>(len)) != 1) {
        return MapError(nullptr, conn_, copy_sql);
      }
    }
    if (PQputCopyEnd(conn_, nullptr) != 1) return MapError(nullptr, conn_, copy_sql);
    res.reset(PQgetResult(conn_));
    Status status;
    if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
      status = MapError(res.get(), conn_, copy_sql);
      *error_line = CopyErrorLine(res.get());
    }
    while (PGresult* r = PQgetResult(conn_)) PQclear(r);
    return status;
  }

  // Prepares (on a cache miss) and executes `sql` with `params`, as one pipeline; returns the
  // execution's result (text format).
  Result<PgResult> Run(std::string_view sql, std::span<const Value> params) {
    RETURN_IF_ERROR(CheckUsable());
    std::string key;
    key.reserve(sql.size() + 1 + params.size());
    key.append(sql).push_back('\0');
    for (const Value& v : params) key.push_back(TypeChar(v));
    auto it = cache_.find(key);
    std::string name;
    const bool prepare = it == cache_.end();
    if (prepare) {
      ASSIGN_OR_RETURN(int count, ScanPlaceholders(sql));
      if (params.size() != static_cast<size_t>(count)) {
        return base::InvalidArgumentError("postgres: statement has " + std::to_string(count) +
                                          " placeholders but " + std::to_string(params.size()) +
                                          " values were given: \"" + Abbrev(sql) + "\"");
      }
      if (cache_.size() >= kMaxCachedStatements) {
        RETURN_IF_ERROR(Simple("DEALLOCATE ALL"));
        cache_.clear();
      }
      name = "detente_" + std::to_string(next_statement_++);
    } else {
      name = it->second;
    }
    RETURN_IF_ERROR(CheckValueSizes(params));
    EncodedParams enc(params);
    const int n = static_cast<int>(params.size());
    const bool tx = in_transaction();

    // The pipeline: [SAVEPOINT] [Parse] Bind/Execute [RELEASE] Sync.
    enum Step { kSavepointStep, kPrepareStep, kExecStep, kReleaseStep };
    std::vector<Step> steps;
    if (PQenterPipelineMode(conn_) != 1) return MapError(nullptr, conn_, sql);
    bool sent = true;
    if (tx) {
      sent = sent &&
             PQsendQueryParams(conn_, kSavepoint, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
      steps.push_back(kSavepointStep);
    }
    std::string sql_copy;
    if (prepare) {
      sql_copy.assign(sql);
      sent = sent && PQsendPrepare(conn_, name.c_str(), sql_copy.c_str(), n, enc.types.data()) == 1;
      steps.push_back(kPrepareStep);
    }
    sent = sent && PQsendQueryPrepared(conn_, name.c_str(), n, enc.values.data(),
                                       enc.lengths.data(), enc.formats.data(), 0) == 1;
    steps.push_back(kExecStep);
    if (tx) {
      sent =
          sent && PQsendQueryParams(conn_, kRelease, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
      steps.push_back(kReleaseStep);
    }
    sent = sent && PQpipelineSync(conn_) == 1;
    if (!sent) {
      Status s = MapError(nullptr, conn_, sql);
      DrainPipeline();
      return s;
    }

    PgResult exec_result;
    PgResult error_result;  // the first failure
    bool prepared_ok = false;
    for (Step step : steps) {
      PGresult* r;
      while ((r = PQgetResult(conn_)) != nullptr) {
        PgResult owned(r);
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_FATAL_ERROR) {
          if (!error_result) error_result = std::move(owned);
        } else if (step == kPrepareStep && st == PGRES_COMMAND_OK) {
          prepared_ok = true;
        } else if (step == kExecStep && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)) {
          exec_result = std::move(owned);
        } else if (step == kExecStep && st == PGRES_COPY_IN) {
          PQputCopyEnd(conn_, "COPY is not supported through Exec/Query");
        } else if (step == kExecStep && st == PGRES_COPY_OUT) {
          char* buf = nullptr;
          while (PQgetCopyData(conn_, &buf, 0) > 0) PQfreemem(buf);
        }
        if (PQstatus(conn_) == CONNECTION_BAD) break;
      }
      if (PQstatus(conn_) == CONNECTION_BAD) break;
    }
    Status status;
    if (PQstatus(conn_) == CONNECTION_BAD) {
      status = MapError(error_result.get(), conn_, sql);
    } else {
      PgResult sync(PQgetResult(conn_));
      if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
        // E.g. the server ended the session (57P01) and closed the connection mid-pipeline.
        if (sync && PQresultStatus(sync.get()) == PGRES_FATAL_ERROR && !error_result) {
          error_result = std::move(sync);
        }
        DrainPipeline();
        status = error_result ? MapError(error_result.get(), conn_, sql)
                 : PQstatus(conn_) == CONNECTION_BAD
                     ? MapError(nullptr, conn_, sql)
                     : base::InternalError("postgres: pipeline out of step after \"" + Abbrev(sql) +
                                           "\"");
      } else if (PQexitPipelineMode(conn_) != 1) {
        status = MapError(nullptr, conn_, sql);
      }
    }
    if (prepare && prepared_ok) cache_.emplace(std::move(key), std::move(name));
    if (status.ok() && error_result) status = MapError(error_result.get(), conn_, sql);
    if (status.ok() && !exec_result) {
      status = base::InvalidArgumentError("postgres: statement returned no result (COPY?) in \"" +
                                          Abbrev(sql) + "\"");
    }
    if (!status.ok()) {
      if (tx && in_transaction() && PQstatus(conn_) == CONNECTION_OK) {
        Simple(kRollbackTo).IgnoreError();
      }
      return status;
    }
    return exec_result;
  }

  static int64_t ChangedRows(const PGresult* res) {
    std::string_view tag = PQcmdStatus(const_cast<PGresult*>(res));
    if (!(tag.starts_with("INSERT ") || tag.starts_with("UPDATE ") || tag.starts_with("DELETE ") ||
          tag.starts_with("MERGE "))) {
      return 0;
    }
    std::string_view count = PQcmdTuples(const_cast<PGresult*>(res));
    int64_t n = 0;
    std::from_chars(count.data(), count.data() + count.size(), n);
    return n;
  }

  // ExecBatch: rows [begin, end) of `batch` as one pipeline: [Parse] Bind/Execute per row
  // (a Parse for each value-type signature not yet prepared), then Sync. REQUIRES: a
  // transaction is open (so that Sync does not commit), row sizes checked.
  Status RunBatchChunk(std::string_view sql, std::span<const std::vector<Value>> batch,
                       size_t begin, size_t end, int64_t* total) {
    struct Step {
      bool prepare;
      size_t row;
      std::string key;  // for a Parse: the cache key to record once it succeeded
      std::string name;
    };
    std::vector<Step> steps;
    std::unordered_map<std::string, std::string> pending;  // prepared in this chunk
    const std::string sql_copy(sql);
    if (PQenterPipelineMode(conn_) != 1) return MapError(nullptr, conn_, sql);
    bool sent = true;
    for (size_t i = begin; i < end && sent; ++i) {
      std::span<const Value> params = batch[i];
      std::string key;
      key.reserve(sql.size() + 1 + params.size());
      key.append(sql).push_back('\0');
      for (const Value& v : params) key.push_back(TypeChar(v));
      std::string name;
      EncodedParams enc(params);
      const int n = static_cast<int>(params.size());
      if (auto it = cache_.find(key); it != cache_.end()) {
        name = it->second;
      } else if (auto p = pending.find(key); p != pending.end()) {
        name = p->second;
      } else {
        name = "detente_" + std::to_string(next_statement_++);
        pending.emplace(key, name);
        sent = PQsendPrepare(conn_, name.c_str(), sql_copy.c_str(), n, enc.types.data()) == 1;
        steps.push_back({true, i, key, name});
      }
      sent = sent && PQsendQueryPrepared(conn_, name.c_str(), n, enc.values.data(),
                                         enc.lengths.data(), enc.formats.data(), 0) == 1;
      steps.push_back({false, i, {}, {}});
    }
    sent = sent && PQpipelineSync(conn_) == 1;
    if (!sent) {
      Status s = MapError(nullptr, conn_, sql);
      DrainPipeline();
      return s;
    }
    PgResult error_result;
    size_t error_row = 0;
    for (Step& step : steps) {
      PGresult* r;
      while ((r = PQgetResult(conn_)) != nullptr) {
        PgResult owned(r);
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_FATAL_ERROR) {
          if (!error_result) {
            error_result = std::move(owned);
            error_row = step.row;
          }
        } else if (step.prepare && st == PGRES_COMMAND_OK) {
          cache_.emplace(std::move(step.key), std::move(step.name));
        } else if (!step.prepare && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)) {
          *total += ChangedRows(r);
        }
        if (PQstatus(conn_) == CONNECTION_BAD) break;
      }
      if (PQstatus(conn_) == CONNECTION_BAD) break;
    }
    Status status;
    if (PQstatus(conn_) != CONNECTION_BAD) {
      PgResult sync(PQgetResult(conn_));
      if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
        if (sync && PQresultStatus(sync.get()) == PGRES_FATAL_ERROR && !error_result) {
          error_result = std::move(sync);
          error_row = begin;
        }
        DrainPipeline();
        if (!error_result) {
          status = base::InternalError("postgres: pipeline out of step in ExecBatch");
        }
      } else if (PQexitPipelineMode(conn_) != 1) {
        status = MapError(nullptr, conn_, sql);
      }
    }
    if (error_result) {
      return MapError(error_result.get(), conn_, sql)
          .WithContext("ExecBatch row " + std::to_string(error_row));
    }
    if (status.ok() && PQstatus(conn_) == CONNECTION_BAD) status = MapError(nullptr, conn_, sql);
    return status;
  }

  // Discards whatever a broken pipeline still has queued.
  void DrainPipeline() {
    for (int guard = 0; guard < 64 && PQstatus(conn_) == CONNECTION_OK; ++guard) {
      if (PQexitPipelineMode(conn_) == 1) return;
      PGresult* r = PQgetResult(conn_);
      if (r != nullptr) PQclear(r);
    }
  }

  PGconn* conn_;
  // SQL text + '\0' + one character per value type -> prepared statement name.
  std::unordered_map<std::string, std::string, SqlHash, std::equal_to<>> cache_;
  uint64_t next_statement_ = 0;
  int open_writers_ = 0;
};

// COPY text format (PostgreSQL manual, COPY, "Text Format"): fields separated by tabs, rows
// by newlines, NULL as \N, and backslash, tab, newline and carriage return escaped.
Status AppendCopyField(const Value& v, std::string& out) {
  if (v.is_null()) {
    out += "\\N";
  } else if (v.is_int()) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_int());
    out.append(buf, end);
  } else if (v.is_double()) {
    double d = v.as_double();
    if (std::isnan(d)) {
      out += "NaN";
    } else if (std::isinf(d)) {
      out += d > 0 ? "Infinity" : "-Infinity";
    } else {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, end);
    }
  } else if (v.is_text()) {
    const std::string& t = v.as_text();
    if (t.find('\0') != std::string::npos) {
      return base::InvalidArgumentError(
          "text value contains a NUL byte, which PostgreSQL TEXT cannot store (use bytes)");
    }
    for (char c : t) {
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        default:
          out += c;
      }
    }
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    const Bytes& b = v.as_blob();
    out += "\\\\x";  // the field text \x..., with its backslash escaped
    size_t at = out.size();
    out.resize(at + 2 * b.size());
    for (size_t i = 0; i < b.size(); ++i) {
      out[at + 2 * i] = kHex[b[i] >> 4];
      out[at + 2 * i + 1] = kHex[b[i] & 0xf];
    }
  }
  return base::OkStatus();
}

class PgBulkWriter final : public BulkWriter {
 public:
  PgBulkWriter(PgConnection* conn, std::string copy_sql, size_t columns, bool owns_tx)
      : conn_(conn), copy_sql_(std::move(copy_sql)), columns_(columns), owns_tx_(owns_tx) {
    ++*conn_->open_writers();
  }
  ~PgBulkWriter() override {
    if (owns_tx_ && !finished_ && conn_->in_transaction()) conn_->Rollback().IgnoreError();
    --*conn_->open_writers();
  }

  Status Add(std::span<const Value> row) override {
    if (finished_) return base::FailedPreconditionError("BulkWriter: Add after Finish");
    if (!status_.ok()) return status_;
    if (row.size() != columns_) {
      return base::InvalidArgumentError("BulkWriter: row has " + std::to_string(row.size()) +
                                        " values, expected " + std::to_string(columns_));
    }
    const size_t before = buf_.size();
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) buf_ += '\t';
      Status s = AppendCopyField(row[i], buf_);
      if (!s.ok()) {
        buf_.resize(before);
        return Fail(s.WithContext("postgres: BulkWriter row " + std::to_string(rows_) +
                                  ", column " + std::to_string(i + 1)));
      }
    }
    buf_ += '\n';
    ++rows_;
    if (buf_.size() >= kCopyFlushBytes) return Flush();
    return base::OkStatus();
  }

  Result<int64_t> Finish() override {
    if (finished_) return base::FailedPreconditionError("BulkWriter: Finish called twice");
    if (!status_.ok()) return status_;
    RETURN_IF_ERROR(Flush());
    finished_ = true;
    if (owns_tx_) RETURN_IF_ERROR(conn_->Commit());
    return rows_;
  }

 private:
  // Sends the buffered rows as one COPY.
  Status Flush() {
    if (buf_.empty()) return base::OkStatus();
    int64_t line = 0;
    Status s = conn_->CopyIn(copy_sql_, buf_, &line);
    buf_.clear();
    if (!s.ok()) {
      std::string where = line > 0 ? "BulkWriter row " + std::to_string(flushed_ + line - 1)
                                   : "BulkWriter rows " + std::to_string(flushed_) + ".." +
                                         std::to_string(rows_ - 1);
      return Fail(s.WithContext(where));
    }
    flushed_ = rows_;
    return base::OkStatus();
  }

  Status Fail(Status s) {
    status_ = s;
    if (owns_tx_ && conn_->in_transaction()) conn_->Rollback().IgnoreError();
    owns_tx_ = false;
    return s;
  }

  PgConnection* conn_;
  std::string copy_sql_;
  size_t columns_;
  bool owns_tx_;
  bool finished_ = false;
  int64_t rows_ = 0;     // rows added
  int64_t flushed_ = 0;  // rows sent by successful COPYs
  std::string buf_;      // COPY text of rows flushed_..rows_-1
  Status status_;        // the first error; the writer is unusable after one
};

Result<std::unique_ptr<BulkWriter>> PgConnection::BulkInsert(std::string_view table,
                                                             std::vector<std::string> columns) {
  if (!IsIdentifier(table)) {
    return base::InvalidArgumentError("BulkInsert: table name '" + std::string(table) +
                                      "' is not a plain identifier [A-Za-z_][A-Za-z0-9_]*");
  }
  if (columns.empty() || columns.size() > 1600) {  // 1600: MaxHeapAttributeNumber
    return base::InvalidArgumentError("BulkInsert: " + std::to_string(columns.size()) +
                                      " columns given for table " + std::string(table));
  }
  std::string sql = "COPY " + std::string(table) + " (";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!IsIdentifier(columns[i])) {
      return base::InvalidArgumentError("BulkInsert: column name '" + columns[i] +
                                        "' is not a plain identifier [A-Za-z_][A-Za-z0-9_]*");
    }
    sql += (i ? ", " : "") + columns[i];
  }
  sql += ") FROM STDIN";
  // An empty COPY checks the table and column names now rather than at the first flush.
  int64_t line = 0;
  RETURN_IF_ERROR(CopyIn(sql, "", &line).WithContext("BulkInsert"));
  bool owns_tx = !in_transaction();
  if (owns_tx) RETURN_IF_ERROR(Begin(TxMode::kImmediate));
  return std::unique_ptr<BulkWriter>(
      std::make_unique<PgBulkWriter>(this, std::move(sql), columns.size(), owns_tx));
}

// The password given in `url` (libpq's parse, percent-decoded), or empty.
std::string PasswordOf(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (opts == nullptr) return {};
  std::string password;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, "password") == 0 && o->val != nullptr) password = o->val;
  }
  PQconninfoFree(opts);
  return password;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  std::string out(url);
  size_t start = out.find("://");
  if (start == std::string::npos) return out;
  start += 3;
  size_t end = out.find_first_of("/?#", start);
  if (end == std::string::npos) end = out.size();
  size_t at = out.rfind('@', end);
  if (at != std::string::npos && at >= start) {
    size_t colon = out.find(':', start);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "****");
  }
  // A password may also come as a query parameter: ...?password=...
  for (size_t pos = out.find("password=", end); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    if (pos > 0 && out[pos - 1] != '?' && out[pos - 1] != '&') continue;
    size_t value = pos + 9;
    size_t stop = out.find_first_of("&#", value);
    if (stop == std::string::npos) stop = out.size();
    out.replace(value, stop - value, "****");
  }
  return out;
}

Result<std::unique_ptr<Connection>> Open(const Options& options) {
  const std::string& url = options.url;
  const std::string redacted = RedactUrl(url);
  const std::string password = PasswordOf(url);
  auto scrub = [&](std::string msg) {
    ReplaceAll(msg, password, "****");
    return TrimNewlines(std::move(msg));
  };
  {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
    if (opts == nullptr) {
      std::string detail = err != nullptr ? err : "out of memory";
      if (err != nullptr) PQfreemem(err);
      return base::InvalidArgumentError("postgres: invalid database URL " + redacted + ": " +
                                        scrub(detail));
    }
    PQconninfoFree(opts);
  }
  // Keywords before "dbname" are defaults that the URL may override.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "client_encoding", "dbname",
                        nullptr};
  const char* values[] = {"10", "detente", "UTF8", url.c_str(), nullptr};
  PGconn* pg = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (pg == nullptr) return base::ResourceExhaustedError("postgres: out of memory connecting");
  if (PQstatus(pg) != CONNECTION_OK) {
    std::string detail = scrub(PQerrorMessage(pg));
    PQfinish(pg);
    return base::UnavailableError("postgres: cannot connect to " + redacted + ": " + detail);
  }
  // Server notices (e.g. "relation already exists, skipping") are not errors: drop them
  // rather than let libpq print them on stderr.
  PQsetNoticeProcessor(
      pg, [](void*, const char*) {}, nullptr);
  auto conn = std::make_unique<PgConnection>(pg);
  // lock_timeout plays SQLite's busy_timeout: a writer waiting on a row lock gives up with
  // kUnavailable (55P03). 0 would mean "wait forever" in PostgreSQL, hence at least 1 ms.
  std::string setup = "SET lock_timeout = " + std::to_string(std::max(1, options.busy_timeout_ms)) +
                      "; SET bytea_output = hex; SET extra_float_digits = 1; "
                      "SET standard_conforming_strings = on";
  if (options.synchronous == Synchronous::kFull) setup += "; SET synchronous_commit = on";
  if (options.read_only) setup += "; SET default_transaction_read_only = on";
  RETURN_IF_ERROR(conn->ExecScript(setup).WithContext("postgres: configuring " + redacted));
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace detente::store::postgres
