// store_bench: rows/s for batched inserts into SQLite (WAL, synchronous=NORMAL) with
// sequential integer keys (1k rows per transaction, and one big transaction), random keys in
// a unique index, and point lookups/s. Each benchmark uses a fresh database file in a temp
// directory (under $TMPDIR or /tmp).
// BM_Pg*: the same on PostgreSQL: COPY (BulkWriter), batched INSERTs (Exec in a transaction)
// and point lookups, against DETENTE_BENCH_PG_URL when set, else a private cluster started
// once by this binary (testing/pg_cluster.h, durable settings: fsync and synchronous_commit
// on), each benchmark in a fresh schema. Results are recorded in docs/performance/store.md.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "base/check.h"
#include "store/store.h"
#include "testing/pg_cluster.h"

namespace detente::store {
namespace {

// A fresh database in its own temporary directory, removed afterwards.
class TempDb {
 public:
  explicit TempDb(Synchronous sync = Synchronous::kNormal) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr ? tmp : "/tmp") + "/store_bench.XXXXXX";
    DETENTE_CHECK(::mkdtemp(tmpl.data()) != nullptr);
    dir_ = tmpl;
    auto c = Connect({.url = "sqlite:" + dir_ + "/bench.db", .synchronous = sync});
    DETENTE_CHECK(c.ok());
    conn_ = std::move(c).value();
    DETENTE_CHECK(conn_
                      ->ExecScript("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL);"
                                   "CREATE TABLE r (h BLOB NOT NULL UNIQUE, n INTEGER NOT NULL)")
                      .ok());
  }
  ~TempDb() {
    conn_.reset();
    std::string cmd = "rm -rf '" + dir_ + "'";
    DETENTE_CHECK(std::system(cmd.c_str()) == 0);
  }
  Connection& conn() { return *conn_; }

 private:
  std::string dir_;
  std::unique_ptr<Connection> conn_;
};

// 32-byte payload, like a SHA-256 digest column.
Bytes Payload(int64_t i) {
  Bytes b(32);
  for (size_t j = 0; j < b.size(); ++j)
    b[j] = static_cast<uint8_t>(i * 31 + static_cast<int64_t>(j));
  return b;
}

void BM_BulkInsertSequential1kPerTx(benchmark::State& state) {
  TempDb db;
  int64_t key = 0;
  const Bytes payload = Payload(1);
  for (auto _ : state) {
    auto tx = Transaction::Begin(db.conn());
    DETENTE_CHECK(tx.ok());
    auto w = db.conn().BulkInsert("t", {"k", "v"});
    DETENTE_CHECK(w.ok());
    for (int i = 0; i < 1000; ++i) {
      Value row[2] = {Value(key++), Value(ByteView(payload))};
      DETENTE_CHECK((*w)->Add(row).ok());
    }
    DETENTE_CHECK((*w)->Finish().ok());
    DETENTE_CHECK(tx->Commit().ok());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
  state.counters["rows"] = static_cast<double>(key);
}
BENCHMARK(BM_BulkInsertSequential1kPerTx)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BulkInsertSequentialOneTx(benchmark::State& state) {
  TempDb db;
  int64_t key = 0;
  const Bytes payload = Payload(1);
  auto w = db.conn().BulkInsert("t", {"k", "v"});  // owns one transaction for the whole run
  DETENTE_CHECK(w.ok());
  for (auto _ : state) {
    Value row[2] = {Value(key++), Value(ByteView(payload))};
    DETENTE_CHECK((*w)->Add(row).ok());
  }
  DETENTE_CHECK((*w)->Finish().ok());  // the commit is outside the timed loop (one per run)
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BulkInsertSequentialOneTx)->Iterations(1'000'000)->UseRealTime();

void BM_ExecInsertSequential1kPerTx(benchmark::State& state) {
  TempDb db;
  int64_t key = 0;
  const Bytes payload = Payload(1);
  for (auto _ : state) {
    auto tx = Transaction::Begin(db.conn());
    DETENTE_CHECK(tx.ok());
    for (int i = 0; i < 1000; ++i) {
      DETENTE_CHECK(db.conn()
                        .Exec("INSERT INTO t (k, v) VALUES ($1, $2)",
                              {Value(key++), Value(ByteView(payload))})
                        .ok());
    }
    DETENTE_CHECK(tx->Commit().ok());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_ExecInsertSequential1kPerTx)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BulkInsertRandomUniqueKey1kPerTx(benchmark::State& state) {
  TempDb db;
  std::mt19937_64 rng(42);
  int64_t n = 0;
  for (auto _ : state) {
    auto tx = Transaction::Begin(db.conn());
    DETENTE_CHECK(tx.ok());
    auto w = db.conn().BulkInsert("r", {"h", "n"});
    DETENTE_CHECK(w.ok());
    for (int i = 0; i < 1000; ++i) {
      Bytes h(32);
      for (size_t j = 0; j < 32; j += 8) {
        uint64_t x = rng();
        for (size_t b = 0; b < 8; ++b) h[j + b] = static_cast<uint8_t>(x >> (8 * b));
      }
      Value row[2] = {Value(std::move(h)), Value(n++)};
      DETENTE_CHECK((*w)->Add(row).ok());
    }
    DETENTE_CHECK((*w)->Finish().ok());
    DETENTE_CHECK(tx->Commit().ok());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
  state.counters["rows"] = static_cast<double>(n);
}
BENCHMARK(BM_BulkInsertRandomUniqueKey1kPerTx)->Unit(benchmark::kMillisecond)->UseRealTime();

// Fills `t` with keys 0..rows-1 and 32-byte values.
void Fill(Connection& conn, int64_t rows) {
  auto w = conn.BulkInsert("t", {"k", "v"});
  DETENTE_CHECK(w.ok());
  for (int64_t k = 0; k < rows; ++k) {
    Value row[2] = {Value(k), Value(Payload(k))};
    DETENTE_CHECK((*w)->Add(row).ok());
  }
  DETENTE_CHECK((*w)->Finish().ok());
}

int64_t Lookup(Connection& conn, int64_t k) {
  auto r = conn.Query("SELECT v FROM t WHERE k = $1", {k});
  DETENTE_CHECK(r.ok());
  return (*r)->Next() ? static_cast<int64_t>((*r)->Blob(0).size()) : 0;
}

// Each lookup in its own (autocommit) read transaction: includes taking and releasing the
// WAL read lock every time.
void BM_PointLookup(benchmark::State& state) {
  TempDb db;
  const int64_t rows = state.range(0);
  Fill(db.conn(), rows);
  std::mt19937_64 rng(7);
  int64_t found = 0;
  for (auto _ : state) {
    found += Lookup(db.conn(), static_cast<int64_t>(rng() % static_cast<uint64_t>(rows)));
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PointLookup)->Arg(100'000)->Arg(1'000'000)->UseRealTime();

// 1000 lookups per deferred read transaction (how a request handler reading many rows would
// do it).
void BM_PointLookupInReadTx(benchmark::State& state) {
  TempDb db;
  const int64_t rows = state.range(0);
  Fill(db.conn(), rows);
  std::mt19937_64 rng(7);
  int64_t found = 0;
  for (auto _ : state) {
    auto tx = Transaction::Begin(db.conn(), Connection::TxMode::kDeferred);
    DETENTE_CHECK(tx.ok());
    for (int i = 0; i < 1000; ++i) {
      found += Lookup(db.conn(), static_cast<int64_t>(rng() % static_cast<uint64_t>(rows)));
    }
    DETENTE_CHECK(tx->Commit().ok());
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_PointLookupInReadTx)->Arg(100'000)->Arg(1'000'000)->UseRealTime();

// ---- PostgreSQL -----------------------------------------------------------------------------

// The server: DETENTE_BENCH_PG_URL, or a private durable cluster for the whole run.
const std::string& PgUrl() {
  static std::unique_ptr<testing::PgCluster> cluster;
  static const std::string url = [] {
    const char* env = std::getenv("DETENTE_BENCH_PG_URL");
    if (env != nullptr && *env != '\0') return std::string(env);
    auto c = testing::PgCluster::Start({.durable = true});
    if (!c.ok()) {
      std::fprintf(stderr, "store_bench: %s\n", c.status().ToString().c_str());
      std::abort();
    }
    cluster = std::move(c).value();
    std::atexit([] { cluster.reset(); });
    return cluster->url();
  }();
  return url;
}

// A fresh schema holding t (k BIGINT PRIMARY KEY, v BYTEA NOT NULL), dropped afterwards.
class PgDb {
 public:
  PgDb() {
    static int counter = 0;
    schema_ = "bench_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    auto admin = Connect({.url = PgUrl()});
    DETENTE_CHECK(admin.ok());
    admin_ = std::move(admin).value();
    DETENTE_CHECK(admin_->ExecScript("CREATE SCHEMA " + schema_).ok());
    auto c = Connect({.url = PgUrl() + (PgUrl().find('?') == std::string::npos ? "?" : "&") +
                             "options=-csearch_path%3D" + schema_});
    DETENTE_CHECK(c.ok());
    conn_ = std::move(c).value();
    DETENTE_CHECK(
        conn_->ExecScript("CREATE TABLE t (k BIGINT PRIMARY KEY, v BYTEA NOT NULL)").ok());
  }
  ~PgDb() {
    conn_.reset();
    DETENTE_CHECK(admin_->ExecScript("DROP SCHEMA " + schema_ + " CASCADE").ok());
  }
  Connection& conn() { return *conn_; }

 private:
  std::string schema_;
  std::unique_ptr<Connection> admin_;
  std::unique_ptr<Connection> conn_;
};

// COPY through one BulkWriter of 10k rows per transaction (the writer's own; ~1 MiB per COPY).
void BM_PgCopy10kPerTx(benchmark::State& state) {
  PgDb db;
  int64_t key = 0;
  const Bytes payload = Payload(1);
  for (auto _ : state) {
    auto w = db.conn().BulkInsert("t", {"k", "v"});
    DETENTE_CHECK(w.ok());
    for (int i = 0; i < 10'000; ++i) {
      Value row[2] = {Value(key++), Value(ByteView(payload))};
      DETENTE_CHECK((*w)->Add(row).ok());
    }
    DETENTE_CHECK((*w)->Finish().ok());
  }
  state.SetItemsProcessed(state.iterations() * 10'000);
}
BENCHMARK(BM_PgCopy10kPerTx)->Unit(benchmark::kMillisecond)->UseRealTime();

// One BulkWriter (one transaction) for 1 M rows; the final flush and commit are in the loop's
// last iterations' share only through Finish() outside it (as BM_BulkInsertSequentialOneTx).
void BM_PgCopyOneTx(benchmark::State& state) {
  PgDb db;
  int64_t key = 0;
  const Bytes payload = Payload(1);
  auto w = db.conn().BulkInsert("t", {"k", "v"});
  DETENTE_CHECK(w.ok());
  for (auto _ : state) {
    Value row[2] = {Value(key++), Value(ByteView(payload))};
    DETENTE_CHECK((*w)->Add(row).ok());
  }
  DETENTE_CHECK((*w)->Finish().ok());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PgCopyOneTx)->Iterations(1'000'000)->UseRealTime();

// Exec("INSERT ...") per row (cached prepared statement, one round trip each, with the
// per-statement savepoint), 1000 rows per transaction.
void BM_PgExecInsert1kPerTx(benchmark::State& state) {
  PgDb db;
  int64_t key = 0;
  const Bytes payload = Payload(1);
  for (auto _ : state) {
    auto tx = Transaction::Begin(db.conn());
    DETENTE_CHECK(tx.ok());
    for (int i = 0; i < 1000; ++i) {
      DETENTE_CHECK(db.conn()
                        .Exec("INSERT INTO t (k, v) VALUES ($1, $2)",
                              {Value(key++), Value(ByteView(payload))})
                        .ok());
    }
    DETENTE_CHECK(tx->Commit().ok());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_PgExecInsert1kPerTx)->Unit(benchmark::kMillisecond)->UseRealTime();

// Exec("INSERT ...") per row in autocommit mode: one round trip and one commit (WAL flush)
// per row.
void BM_PgExecInsertAutocommit(benchmark::State& state) {
  PgDb db;
  int64_t key = 0;
  const Bytes payload = Payload(1);
  for (auto _ : state) {
    DETENTE_CHECK(
        db.conn()
            .Exec("INSERT INTO t (k, v) VALUES ($1, $2)", {Value(key++), Value(ByteView(payload))})
            .ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PgExecInsertAutocommit)->UseRealTime();

// ExecBatch of 1000 INSERTs (its own transaction): pipelined, ~512 per round trip.
void BM_PgExecBatchInsert1k(benchmark::State& state) {
  PgDb db;
  int64_t key = 0;
  const Bytes payload = Payload(1);
  std::vector<std::vector<Value>> batch(1000);
  for (auto _ : state) {
    for (auto& row : batch) row = {Value(key++), Value(ByteView(payload))};
    DETENTE_CHECK(db.conn().ExecBatch("INSERT INTO t (k, v) VALUES ($1, $2)", batch).ok());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_PgExecBatchInsert1k)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PgPointLookup(benchmark::State& state) {
  PgDb db;
  const int64_t rows = state.range(0);
  Fill(db.conn(), rows);
  DETENTE_CHECK(db.conn().ExecScript("ANALYZE t").ok());
  std::mt19937_64 rng(7);
  int64_t found = 0;
  for (auto _ : state) {
    found += Lookup(db.conn(), static_cast<int64_t>(rng() % static_cast<uint64_t>(rows)));
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PgPointLookup)->Arg(100'000)->Arg(1'000'000)->UseRealTime();

// 1000 lookups per read transaction (REPEATABLE READ; each lookup then runs inside the
// per-statement savepoint).
void BM_PgPointLookupInReadTx(benchmark::State& state) {
  PgDb db;
  const int64_t rows = state.range(0);
  Fill(db.conn(), rows);
  DETENTE_CHECK(db.conn().ExecScript("ANALYZE t").ok());
  std::mt19937_64 rng(7);
  int64_t found = 0;
  for (auto _ : state) {
    auto tx = Transaction::Begin(db.conn(), Connection::TxMode::kDeferred);
    DETENTE_CHECK(tx.ok());
    for (int i = 0; i < 1000; ++i) {
      found += Lookup(db.conn(), static_cast<int64_t>(rng() % static_cast<uint64_t>(rows)));
    }
    DETENTE_CHECK(tx->Commit().ok());
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_PgPointLookupInReadTx)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace detente::store

BENCHMARK_MAIN();
