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

#include <cstdlib>
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

}  // namespace
}  // namespace detente::server

BENCHMARK_MAIN();
