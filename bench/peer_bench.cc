// peer_bench: two nodes in one process over loopback HTTP (alpha's Agent -> beta's Server with
// the peer mount), each Exchange on its own SQLite file with synchronous=FULL.
//   BM_BatchOriginateDeliver: 10,000 messages originated in batches of 1,000, then delivered
//     and receipted in POSTs of 256 envelopes; counters: originate_msgs_per_s,
//     deliver_msgs_per_s (delivered with a verified, recorded receipt), end_to_end_msgs_per_s.
//   BM_SingleMessageLatency: one message at a time: Originate, then deliver it at once
//     (Agent::DeliverNow) until its receipt is recorded; counters p50_ms, p99_ms.
// Results: docs/performance/peer.md.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "accord/accord.h"
#include "peer/peer.h"
#include "server/server.h"

namespace detente::peer {
namespace {

// CPU seconds used by the whole process (every thread: both nodes, server and agent).
double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

crypto::SigningKey Key(uint8_t b) {
  std::array<uint8_t, 32> seed{};
  seed.fill(b);
  return *crypto::SigningKey::FromSeed(seed);
}

std::unique_ptr<store::Connection> Connect(const std::string& path) {
  store::Options o;
  o.url = "sqlite:" + path;
  o.synchronous = store::Synchronous::kFull;
  auto c = store::Connect(o);
  if (!c.ok()) {
    std::fprintf(stderr, "connect %s: %s\n", path.c_str(), c.status().ToString().c_str());
    std::abort();
  }
  return std::move(c).value();
}

// alpha and beta, beta serving on 127.0.0.1:0, alpha's agent pointed at it.
struct Pair {
  std::string dir;
  crypto::SigningKey alpha_key = Key(1), beta_key = Key(2);
  std::unique_ptr<SharedExchange> alpha, beta;
  std::unique_ptr<Endpoint> beta_endpoint;
  server::Metrics metrics;
  server::Router router;
  std::unique_ptr<server::PeerMount> mount;
  std::unique_ptr<server::Server> srv;
  std::unique_ptr<Agent> agent;

  Pair() {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/peer_bench.XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir = tmpl;
    accord::Accord a;
    a.name = "bench";
    a.created = "2026-01-01T00:00:00Z";
    a.parties = {{"alpha", alpha_key.public_key(), {}}, {"beta", beta_key.public_key(), {}}};
    a.witnesses = {"alpha", "beta"};
    a.commitments = {{"C1", "x"}};
    a.deadlines = {{"critical", {3600, 86400}},
                   {"high", {14400, 259200}},
                   {"medium", {86400, 604800}},
                   {"low", {259200, 2592000}}};
    Check(a.Sign("alpha", alpha_key));
    Check(a.Sign("beta", beta_key));
    alpha = Open(a, "alpha", alpha_key);
    beta = Open(a, "beta", beta_key);
    beta_endpoint = std::make_unique<Endpoint>(beta.get(), nullptr);
    mount = std::make_unique<server::PeerMount>(beta_endpoint.get());
    Check(mount->AddRoutes(router));
    server::ServerOptions o;
    o.threads = 2;
    o.max_content_length = kMaxWireBytes;
    auto s = server::Server::Start(o, router, nullptr, &metrics);
    Check(s.status());
    srv = std::move(s).value();
    alpha->With([&](accord::Exchange& ex) {
      Check(SetEndpointOverride(ex.connection(), "beta", srv->url()));
      return 0;
    });
    agent = std::make_unique<Agent>(alpha.get(), alpha_key);
  }
  ~Pair() {
    agent.reset();
    srv->Shutdown();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  static void Check(const base::Status& s) {
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      std::abort();
    }
  }

  std::unique_ptr<SharedExchange> Open(const accord::Accord& a, const std::string& party,
                                       const crypto::SigningKey& key) {
    std::string path = dir + "/" + party + ".db";
    auto conn = Connect(path);
    Check(accord::Exchange::Join(*conn, a, party, key));
    auto ex = accord::Exchange::Open(std::move(conn), party, key);
    Check(ex.status());
    return std::make_unique<SharedExchange>(std::move(ex).value());
  }
};

void BM_BatchOriginateDeliver(benchmark::State& state) {
  const size_t total = static_cast<size_t>(state.range(0));
  const size_t batch = 1000;
  double originate_s = 0, deliver_s = 0, originate_cpu = 0, deliver_cpu = 0;
  uint64_t delivered = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto owned = std::make_unique<Pair>();
    Pair& pair = *owned;
    std::vector<accord::Exchange::Draft> drafts(batch);
    for (size_t i = 0; i < batch; ++i) {
      drafts[i].kind = "note";
      drafts[i].to = {"beta"};
      drafts[i].body = "{\"indicator\":\"[ipv4-addr:value = '198.51.100." +
                       std::to_string(i % 250) + "']\",\"n\":" + std::to_string(i) + "}";
    }
    state.ResumeTiming();
    double c0 = ProcessCpuSeconds();
    auto t0 = std::chrono::steady_clock::now();
    for (size_t done = 0; done < total; done += batch) {
      auto r = pair.alpha->With([&](accord::Exchange& ex) { return ex.OriginateBatch(drafts); });
      Pair::Check(r.status());
    }
    auto t1 = std::chrono::steady_clock::now();
    double c1 = ProcessCpuSeconds();
    auto s = pair.agent->DeliverNow("beta");
    Pair::Check(s.status());
    auto t2 = std::chrono::steady_clock::now();
    double c2 = ProcessCpuSeconds();
    originate_cpu += c1 - c0;
    deliver_cpu += c2 - c1;
    if (s->pending != 0 || !s->errors.empty()) {
      state.SkipWithError(
          ("not all delivered: " + (s->errors.empty() ? std::string("?") : s->errors.front()))
              .c_str());
      return;
    }
    delivered += s->delivered;
    originate_s += std::chrono::duration<double>(t1 - t0).count();
    deliver_s += std::chrono::duration<double>(t2 - t1).count();
    state.PauseTiming();
    owned.reset();  // keep the teardown out of the timing
    state.ResumeTiming();
  }
  const double n = static_cast<double>(total) * static_cast<double>(state.iterations());
  state.counters["originate_msgs_per_s"] = n / originate_s;
  state.counters["deliver_msgs_per_s"] = static_cast<double>(delivered) / deliver_s;
  state.counters["end_to_end_msgs_per_s"] = n / (originate_s + deliver_s);
  // Per CPU second of the whole process: what a machine with a free core per node approaches
  // (the sender and the receiver work in parallel while batches are pipelined).
  state.counters["originate_msgs_per_cpu_s"] = n / originate_cpu;
  state.counters["deliver_msgs_per_cpu_s"] = static_cast<double>(delivered) / deliver_cpu;
}
BENCHMARK(BM_BatchOriginateDeliver)->Arg(10'000)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_SingleMessageLatency(benchmark::State& state) {
  Pair pair;
  const std::vector<std::string> to = {"beta"};
  std::vector<double> ms;
  // Warm up the connection and the statement caches.
  for (int i = 0; i < 20; ++i) {
    Pair::Check(pair.alpha->With([&](accord::Exchange& ex) {
      return ex.Originate("note", to, "{\"warm\":true}").status();
    }));
    Pair::Check(pair.agent->DeliverNow("beta").status());
  }
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto env = pair.alpha->With(
        [&](accord::Exchange& ex) { return ex.Originate("note", to, "{\"n\":1}"); });
    auto s = pair.agent->DeliverNow("beta");
    auto t1 = std::chrono::steady_clock::now();
    if (!env.ok() || !s.ok() || s->delivered != 1 || s->pending != 0) {
      state.SkipWithError("single delivery failed");
      return;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * static_cast<double>(ms.size())))];
  };
  state.counters["p50_ms"] = pct(0.50);
  state.counters["p99_ms"] = pct(0.99);
  state.counters["max_ms"] = ms.back();
}
BENCHMARK(BM_SingleMessageLatency)->Iterations(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace detente::peer

BENCHMARK_MAIN();
