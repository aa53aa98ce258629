// store_bench: rows/s for batched inserts into SQLite (WAL, synchronous=NORMAL) with
// sequential integer keys (1k rows per transaction, and one big transaction), random keys in
// a unique index, and point lookups/s. Each benchmark uses a fresh database file in a temp
// directory (under $TMPDIR or /tmp). Results are recorded in docs/performance/store.md.
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

}  // namespace
}  // namespace detente::store

BENCHMARK_MAIN();
