// server_bench: Router::Find on TAXII-shaped routes, UserStore::Authenticate from the cache and
// without it (one Argon2id "interactive" verification), and sequential keep-alive HTTP round
// trips (GET /healthz) over loopback against an in-process Server. Results:
// docs/performance/server.md.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "server/server.h"

namespace detente::server {
namespace {

Handler Ok() {
  return [](const Request&) { return Response::Json(200, "{}"); };
}

void BM_RouterFind(benchmark::State& state) {
  Router router;
  const char* patterns[] = {"/taxii2/",
                            "/taxii2/{api_root}/",
                            "/taxii2/{api_root}/status/{id}/",
                            "/taxii2/{api_root}/collections/",
                            "/taxii2/{api_root}/collections/{id}/",
                            "/taxii2/{api_root}/collections/{id}/manifest/",
                            "/taxii2/{api_root}/collections/{id}/objects/",
                            "/taxii2/{api_root}/collections/{id}/objects/{object_id}/",
                            "/taxii2/{api_root}/collections/{id}/objects/{object_id}/versions/",
                            "/healthz",
                            "/metrics"};
  for (const char* p : patterns) (void)router.Add("GET", p, Access::kPublic, Ok());
  std::string path =
      "/taxii2/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/objects/"
      "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f/";
  for (auto _ : state) {
    auto m = router.Find("GET", path);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_RouterFind);

std::unique_ptr<UserStore> MakeUsers() {
  store::Options so;
  so.url = ":memory:";
  auto conn = store::Connect(so);
  if (!conn.ok()) std::abort();
  auto users = UserStore::Open(std::move(conn).value());  // interactive limits
  if (!users.ok() || !(*users)->AddUser("alice", "correct horse").ok()) std::abort();
  return std::move(users).value();
}

std::string BasicAlice() {
  return "Basic " + base::Base64Encode(base::AsBytes("alice:correct horse"));
}

void BM_AuthenticateCached(benchmark::State& state) {
  auto users = MakeUsers();
  std::string header = BasicAlice();
  if (!users->Authenticate(header).ok()) std::abort();
  for (auto _ : state) benchmark::DoNotOptimize(users->Authenticate(header));
}
BENCHMARK(BM_AuthenticateCached);

void BM_AuthenticateArgon2idInteractive(benchmark::State& state) {
  auto users = MakeUsers();
  for (auto _ : state) {
    auto p = users->VerifyPassword("alice", "correct horse");
    if (!p.ok()) std::abort();
  }
}
BENCHMARK(BM_AuthenticateArgon2idInteractive)->Unit(benchmark::kMillisecond);

void BM_KeepAliveHealthz(benchmark::State& state) {
  Metrics metrics;
  Router router;
  (void)AddBuiltinRoutes(router, &metrics);
  ServerOptions o;
  o.threads = 2;
  auto server = Server::Start(o, router, nullptr, &metrics);
  if (!server.ok()) std::abort();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((*server)->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  char buf[4096];
  for (auto _ : state) {
    if (::send(fd, req.data(), req.size(), 0) != static_cast<ssize_t>(req.size())) std::abort();
    // The response ends with the 15-byte body {"status":"ok"}.
    std::string got;
    while (got.size() < 15 || got.compare(got.size() - 15, 15, "{\"status\":\"ok\"}") != 0) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) std::abort();
      got.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  (*server)->Shutdown();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeepAliveHealthz)->UseRealTime();

// GET .../objects/?limit=10 through Dispatch (cached Basic auth, router, TaxiiMount, SQLite
// file with 200 indicators), from 1 or 2 client threads: the serialised mount (one Service
// behind a mutex) against the pooled one (a Service and connection per concurrent request).
struct TaxiiFixture {
  std::string dir;
  store::Options so;
  std::unique_ptr<store::Connection> conn;
  std::unique_ptr<taxii::Repository> repo;
  std::unique_ptr<UserStore> users;
  std::unique_ptr<TaxiiMount> serial, pooled;
  Router serial_router, pooled_router;
  std::string path;
};

TaxiiFixture& Taxii() {
  static TaxiiFixture* f = [] {
    auto* t = new TaxiiFixture;
    char tmpl[] = "/tmp/taxii_bench_XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) std::abort();
    t->dir = tmpl;
    static std::string dir_to_remove = t->dir;
    std::atexit([] { std::filesystem::remove_all(dir_to_remove); });
    t->so.url = "sqlite:" + t->dir + "/node.db";
    auto conn = store::Connect(t->so);
    if (!conn.ok() || !store::Migrate(**conn, NodeMigrations()).ok()) std::abort();
    t->conn = std::move(conn).value();
    t->repo = std::make_unique<taxii::Repository>(*t->conn);
    if (!EnsureDefaultApiRoot(*t->repo, "alpha").ok()) std::abort();
    auto c = t->repo->CreateCollection({.api_root = "api1", .title = "bench"});
    if (!c.ok()) std::abort();
    std::vector<std::string> objects;
    for (int i = 1; i <= 200; ++i) {
      char id[64];
      std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012x", i, i);
      objects.push_back(std::string("{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
                                    "\"indicator--") +
                        id +
                        "\",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":"
                        "\"2024-01-01T00:00:00.000Z\",\"pattern\":\"[ipv4-addr:value = "
                        "'10.0.0.1']\",\"pattern_type\":\"stix\",\"valid_from\":"
                        "\"2024-01-01T00:00:00Z\"}");
    }
    std::vector<std::string_view> views(objects.begin(), objects.end());
    if (!t->repo->AddObjects(*c, views).ok()) std::abort();
    t->users = MakeUsers();
    if (!t->users->GrantAccess("alice", c->id, true, false).ok()) std::abort();
    // Warm the credential cache: the one Argon2id check is not what is measured.
    if (!t->users->Authenticate(BasicAlice()).ok()) std::abort();
    t->serial = std::make_unique<TaxiiMount>(*t->repo, taxii::ServiceOptions{});
    store::Options so = t->so;
    t->pooled = std::make_unique<TaxiiMount>([so] { return store::Connect(so); },
                                             taxii::ServiceOptions{}, 2);
    if (!t->serial->AddRoutes(t->serial_router).ok()) std::abort();
    if (!t->pooled->AddRoutes(t->pooled_router).ok()) std::abort();
    t->path = "/api1/collections/" + c->id + "/objects/";
    return t;
  }();
  return *f;
}

void RunTaxiiGet(benchmark::State& state, Router& router) {
  TaxiiFixture& f = Taxii();
  Request r;
  r.method = "GET";
  r.path = f.path;
  r.query = "limit=10";
  r.target = f.path + "?limit=10";
  r.headers.emplace_back("authorization", BasicAlice());
  r.headers.emplace_back("accept", "application/taxii+json;version=2.1");
  for (auto _ : state) {
    Response resp = Dispatch(router, f.users.get(), r, nullptr);
    if (resp.status != 200) state.SkipWithError("status is not 200");
    benchmark::DoNotOptimize(resp);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_TaxiiGetObjectsSerialised(benchmark::State& state) {
  RunTaxiiGet(state, Taxii().serial_router);
}
BENCHMARK(BM_TaxiiGetObjectsSerialised)->Threads(1)->Threads(2)->UseRealTime();

void BM_TaxiiGetObjectsPooled(benchmark::State& state) {
  RunTaxiiGet(state, Taxii().pooled_router);
}
BENCHMARK(BM_TaxiiGetObjectsPooled)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace detente::server

BENCHMARK_MAIN();
