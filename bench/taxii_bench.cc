// taxii benchmarks.
//   BM_PageOf100/type_filter:<0|1|2>: GET objects/ with limit=100 (no match[type], one type,
//     two types) at a random position (added_after) in a
//     collection of DETENTE_BENCH_TAXII_OBJECTS objects (default 100000; 1000000 for the full
//     run), bulk-loaded into a SQLite file; half indicators, half malware, one version each.
//   BM_PageOf100Next: the same, following `next` cursors.
//   BM_PostIngest: POST envelopes of 500 new indicators (validation, canonical hash, insert,
//     status); items/s = objects/s.
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include "crypto/crypto.h"
#include "taxii/taxii.h"

namespace detente::taxii {
namespace {

std::string StixId(std::string_view type, int64_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%08llx-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(n & 0xffffffff),
                static_cast<unsigned long long>(n));
  return std::string(type) + "--" + buf;
}

std::string Indicator(int64_t n) {
  std::string s = "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"";
  s.append(StixId("indicator", n));
  s.append(
      "\",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\","
      "\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"stix\","
      "\"valid_from\":\"2024-01-01T00:00:00Z\"}");
  return s;
}

int64_t ObjectCount() {
  const char* env = std::getenv("DETENTE_BENCH_TAXII_OBJECTS");
  return env != nullptr ? std::atoll(env) : 100000;
}

// One bulk-loaded database shared by the page benchmarks.
struct Fixture {
  std::string dir;
  std::unique_ptr<store::Connection> conn;
  std::unique_ptr<Repository> repo;
  std::unique_ptr<Service> service;
  CollectionInfo coll;
  int64_t n = 0;
  int64_t base_us = 1'700'000'000'000'000;

  static Fixture& Get() {
    static Fixture* f = [] {
      auto* fx = new Fixture;
      fx->Load();
      return fx;
    }();
    return *f;
  }

  void Load() {
    char tmpl[] = "/tmp/taxii_bench.XXXXXX";
    dir = ::mkdtemp(tmpl);
    conn = *store::Connect({.url = "sqlite:" + dir + "/db.sqlite"});
    DETENTE_CHECK(store::Migrate(*conn, Migrations()).ok());
    repo = std::make_unique<Repository>(*conn);
    DETENTE_CHECK(repo->CreateApiRoot({.name = "api1", .title = "bench"}).ok());
    coll = *repo->CreateCollection({.api_root = "api1", .title = "big"});
    service = std::make_unique<Service>(*repo);
    n = ObjectCount();
    auto w = *conn->BulkInsert(
        "taxii_objects",
        {"collection_id", "date_added", "stix_id", "type", "spec_version", "version", "version_key",
         "vkey", "canon_hash", "tlp", "latest_sv", "is_first", "is_last", "body"});
    std::string hash(32, 'h');
    for (int64_t i = 0; i < n; ++i) {
      bool ind = i % 2 == 0;
      std::string id = StixId(ind ? "indicator" : "malware", i);
      std::string body = Indicator(i);
      DETENTE_CHECK(w->Add({store::Value(coll.internal_id), store::Value(base_us + i),
                            store::Value(id), store::Value(ind ? "indicator" : "malware"),
                            store::Value("2.1"), store::Value("2024-01-01T00:00:00.000Z"),
                            store::Value("2024-01-01T00:00:00.000000000Z"),
                            store::Value("2.1 2024-01-01T00:00:00.000000000Z"),
                            store::Value::Blob(hash), store::Value(), store::Value(1),
                            store::Value(1), store::Value(1), store::Value::Blob(body)})
                        .ok());
    }
    DETENTE_CHECK(w->Finish().ok());
    DETENTE_CHECK(
        conn->Exec("UPDATE taxii_collections SET last_added_us = $1", {store::Value(base_us + n)})
            .ok());
    DETENTE_CHECK(conn->ExecScript("ANALYZE").ok());
  }
};

std::string Micros(int64_t us) {
  return base::Timestamp::FromUnixSeconds(us / 1'000'000,
                                          static_cast<int32_t>(us % 1'000'000) * 1000, 6)
      .FormatWithPrecision(6);
}

void BM_PageOf100(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  std::mt19937_64 rng(1);
  int64_t type_filter = state.range(0);  // 0: none, 1: one type, 2: two types
  int64_t objects = 0;
  for (auto _ : state) {
    Request r;
    r.method = "GET";
    r.path = "/api1/collections/" + f.coll.id + "/objects/";
    int64_t at = static_cast<int64_t>(rng() % static_cast<uint64_t>(f.n - 300));
    r.query = {{"limit", "100"}, {"added_after", Micros(f.base_us + at)}};
    if (type_filter == 1) r.query.emplace_back("match[type]", "malware");
    if (type_filter == 2) r.query.emplace_back("match[type]", "malware,tool");
    Response resp = f.service->Handle(r);
    if (resp.status != 200) state.SkipWithError("not 200");
    benchmark::DoNotOptimize(resp.body.data());
    objects += 100;
  }
  state.SetItemsProcessed(objects);
  state.counters["collection_objects"] = static_cast<double>(f.n);
}
BENCHMARK(BM_PageOf100)->Arg(0)->Arg(1)->Arg(2)->ArgName("type_filter");

void BM_PageOf100Next(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  std::string next;
  for (auto _ : state) {
    Request r;
    r.method = "GET";
    r.path = "/api1/collections/" + f.coll.id + "/objects/";
    r.query = {{"limit", "100"}};
    if (!next.empty()) r.query.emplace_back("next", next);
    Response resp = f.service->Handle(r);
    size_t at = resp.body.find("\"next\":\"");
    next = at == std::string::npos ? "" : resp.body.substr(at + 8, 55);
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_PageOf100Next);

void BM_PostIngest(benchmark::State& state) {
  char tmpl[] = "/tmp/taxii_bench_post.XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto conn = *store::Connect({.url = "sqlite:" + dir + "/db.sqlite"});
  DETENTE_CHECK(store::Migrate(*conn, Migrations()).ok());
  Repository repo(*conn);
  DETENTE_CHECK(repo.CreateApiRoot({.name = "api1", .title = "bench"}).ok());
  CollectionInfo coll = *repo.CreateCollection({.api_root = "api1", .title = "in"});
  Service service(repo);
  int64_t next_id = 0;
  constexpr int kBatch = 500;
  for (auto _ : state) {
    state.PauseTiming();
    Request r;
    r.method = "POST";
    r.path = "/api1/collections/" + coll.id + "/objects/";
    r.headers.emplace("Content-Type", "application/taxii+json;version=2.1");
    r.body = "{\"objects\":[";
    for (int i = 0; i < kBatch; ++i) {
      if (i > 0) r.body.push_back(',');
      r.body.append(Indicator(next_id++));
    }
    r.body.append("]}");
    state.ResumeTiming();
    Response resp = service.Handle(r);
    if (resp.status != 202) state.SkipWithError("not 202");
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  std::system(("rm -rf '" + dir + "'").c_str());
}
BENCHMARK(BM_PostIngest)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace detente::taxii

BENCHMARK_MAIN();
