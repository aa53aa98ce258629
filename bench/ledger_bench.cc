// bench/ledger_bench.cc: the ledger's speed figures (docs/performance/ledger.md).
//
//   BM_AppendDurable     batches of 100,000 small entries, each batch fsynced (kFull)
//   BM_InclusionProof    random inclusion proofs at the full size of a large log
//   BM_LogVerify         Log::VerifyDirectory of the large log (2 threads)
//   BM_NodeHash, BM_VerifyInclusion, BM_SignCheckpoint   building blocks
//
// The large log (DETENTE_LEDGER_BENCH_ENTRIES entries, default 1,000,000) is built once per
// process in a temp dir (DETENTE_LEDGER_BENCH_DIR to keep and reuse one across runs).
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "ledger/ledger.h"

namespace detente::ledger {
namespace {

std::string TempDir(const char* name) {
  std::string tmpl = (std::filesystem::temp_directory_path() / name).string() + "_XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

// Entries like "entry 0000000042 payload...": 40 bytes.
void MakeEntries(uint64_t first, size_t n, std::vector<std::string>* owned,
                 std::vector<std::string_view>* views) {
  owned->clear();
  views->clear();
  char buf[64];
  for (size_t i = 0; i < n; ++i) {
    int len = std::snprintf(buf, sizeof buf, "entry %010llu payload-abcdefghijklmnop",
                            static_cast<unsigned long long>(first + i));
    owned->emplace_back(buf, static_cast<size_t>(len));
  }
  for (const auto& s : *owned) views->push_back(s);
}

uint64_t LargeLogEntries() {
  const char* env = std::getenv("DETENTE_LEDGER_BENCH_ENTRIES");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 1'000'000;
}

// Builds (or reuses) the large log; returns its directory.
const std::string& LargeLog() {
  static const std::string dir = [] {
    const char* keep = std::getenv("DETENTE_LEDGER_BENCH_DIR");
    std::string d = keep != nullptr ? std::string(keep) : TempDir("ledger_bench_large") + "/log";
    uint64_t want = LargeLogEntries();
    auto log = std::filesystem::exists(d + "/log.db")
                   ? Log::Open(d)
                   : Log::Create(d, "bench.example/log", std::nullopt);
    if (!log.ok()) {
      std::fprintf(stderr, "large log: %s\n", log.status().ToString().c_str());
      std::abort();
    }
    std::vector<std::string> owned;
    std::vector<std::string_view> views;
    while ((*log)->size() < want) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(100'000, want - (*log)->size()));
      MakeEntries((*log)->size(), n, &owned, &views);
      if (!(*log)->Append(views).ok()) std::abort();
    }
    return d;
  }();
  return dir;
}

void BM_AppendDurable(benchmark::State& state) {
  std::string dir = TempDir("ledger_bench_append") + "/log";
  LogOptions options;
  options.synchronous = state.range(1) != 0 ? store::Synchronous::kFull
                                            : store::Synchronous::kNormal;
  auto log = Log::Create(dir, "bench.example/append", std::nullopt, options);
  if (!log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return;
  }
  size_t batch = static_cast<size_t>(state.range(0));
  std::vector<std::string> owned;
  std::vector<std::string_view> views;
  for (auto _ : state) {
    state.PauseTiming();
    MakeEntries((*log)->size(), batch, &owned, &views);
    state.ResumeTiming();
    auto r = (*log)->Append(views);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(batch));
  state.counters["log_size"] = static_cast<double>((*log)->size());
  log->reset();
  std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
}
BENCHMARK(BM_AppendDurable)
    ->ArgNames({"batch", "fsync"})
    ->Args({100'000, 1})
    ->Args({10'000, 1})
    ->Args({1'000, 1})
    ->Args({100'000, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_InclusionProof(benchmark::State& state) {
  const std::string& dir = LargeLog();
  LogOptions ro;
  ro.read_only = true;
  auto log = Log::Open(dir, ro);
  if (!log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return;
  }
  uint64_t n = (*log)->size();
  std::mt19937_64 rng(static_cast<uint64_t>(state.thread_index()) + 1);
  for (auto _ : state) {
    auto p = (*log)->ProveInclusion(rng() % n, n);
    if (!p.ok()) state.SkipWithError(p.status().ToString().c_str());
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["log_size"] = static_cast<double>(n);
}
BENCHMARK(BM_InclusionProof)->Threads(1)->Threads(2)->UseRealTime();

void BM_LogVerify(benchmark::State& state) {
  const std::string& dir = LargeLog();
  uint64_t n = 0;
  for (auto _ : state) {
    auto r = Log::VerifyDirectory(dir, static_cast<int>(state.range(0)));
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    else n = r->entries;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["log_size"] = static_cast<double>(n);
}
BENCHMARK(BM_LogVerify)->ArgName("threads")->Arg(2)->Arg(1)->Unit(benchmark::kSecond)
    ->Iterations(1)->UseRealTime();

void BM_NodeHash(benchmark::State& state) {
  Hash a = HashLeaf(std::string_view("a"));
  Hash b = HashLeaf(std::string_view("b"));
  for (auto _ : state) {
    a = HashChildren(a, b);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NodeHash);

void BM_VerifyInclusion(benchmark::State& state) {
  MemoryTree tree;
  for (int i = 0; i < 1 << 20; ++i) tree.Append(HashLeaf(std::to_string(i)));
  uint64_t n = tree.size();
  Hash root = *tree.RootAt(n);
  auto proof = *tree.InclusionProof(12345, n);
  Hash leaf = HashLeaf(std::string_view("12345"));
  for (auto _ : state) {
    benchmark::DoNotOptimize(VerifyInclusion(12345, n, leaf, proof, root));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyInclusion);

void BM_SignCheckpoint(benchmark::State& state) {
  auto signer = *NoteSigner::Create("bench.example/log", kNoteTypeEd25519,
                                    crypto::SigningKey::Generate());
  Checkpoint cp{"bench.example/log", 123456789, HashLeaf(std::string_view("x")), {}};
  for (auto _ : state) {
    auto note = SignCheckpoint(cp, signer);
    benchmark::DoNotOptimize(note);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignCheckpoint);

}  // namespace
}  // namespace detente::ledger

BENCHMARK_MAIN();
