// bench/accord_bench.cc: Exchange throughput without transport, two Exchanges on SQLite files
// in a temporary directory (synchronous FULL, as a node runs): Originate one message per
// transaction, OriginateBatch (256 per transaction), and the recipient's Accept of 256-envelope
// deliveries plus the sender's RecordAnswer. Prints one line per figure.
//   [ACCORD_BENCH_DIR=/dev/shm] accord_bench [messages]   (default 5000)
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <string>
#include <vector>

#include "accord/accord.h"

namespace {
using namespace detente;
using Clock = std::chrono::steady_clock;

crypto::SigningKey Key(uint8_t b) {
  std::array<uint8_t, 32> seed{};
  seed.fill(b);
  return *crypto::SigningKey::FromSeed(seed);
}

template <typename T>
T Must(base::Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}
void Must(const base::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

std::unique_ptr<accord::Exchange> Node(const std::string& dir, const std::string& name,
                                       uint8_t seed, const accord::Accord& a) {
  store::Options so;
  so.url = "sqlite:" + dir + "/" + name + ".db";
  so.synchronous = store::Synchronous::kFull;
  auto conn = Must(store::Connect(so), "connect");
  Must(accord::Exchange::Join(*conn, a, name, Key(seed)), "join");
  return Must(accord::Exchange::Open(std::move(conn), name, Key(seed)), "open");
}

double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
// Process CPU seconds (the machine may be shared: wall time then overstates the cost).
double Cpu() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 5000;
  // ACCORD_BENCH_DIR: where the databases go (default /tmp; /dev/shm separates fsync cost).
  const char* base_dir = std::getenv("ACCORD_BENCH_DIR");
  std::string tmpl = std::string(base_dir != nullptr ? base_dir : "/tmp") + "/accord_bench.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return 1;
  std::string dir = tmpl;
  accord::Accord a;
  a.name = "bench";
  a.created = "2026-01-01T00:00:00Z";
  a.parties = {{"alpha", Key(1).public_key(), {}}, {"beta", Key(2).public_key(), {}}};
  a.deadlines = {{"critical", {1, 1}}, {"high", {1, 1}}, {"medium", {1, 1}}, {"low", {1, 1}}};
  a.witnesses = {"alpha", "beta"};
  Must(a.Sign("alpha", Key(1)), "sign");
  Must(a.Sign("beta", Key(2)), "sign");
  auto alpha = Node(dir, "alpha", 1, a);
  auto beta = Node(dir, "beta", 2, a);
  std::vector<std::string> to = {"beta"};
  std::string body = R"({"text":"an indicator","priority":"high","n":12345})";

  int singles = std::max(1, n / 10);
  auto t0 = Clock::now();
  double c0 = Cpu();
  for (int i = 0; i < singles; ++i) Must(alpha->Originate("note", to, body).status(), "originate");
  double s1 = Seconds(t0);
  double c1 = Cpu() - c0;
  std::printf("originate single: %d messages in %.3f s = %.0f msgs/s (one transaction each); "
              "CPU %.0f us/msg\n",
              singles, s1, singles / s1, c1 * 1e6 / singles);

  std::vector<accord::Exchange::Draft> drafts(256);
  for (auto& d : drafts) {
    d.kind = "note";
    d.to = to;
    d.body = body;
  }
  int batches = std::max(1, n / 256);
  t0 = Clock::now();
  c0 = Cpu();
  for (int i = 0; i < batches; ++i) Must(alpha->OriginateBatch(drafts).status(), "batch");
  double s2 = Seconds(t0);
  double c2 = Cpu() - c0;
  std::printf("originate batch:  %d messages in %.3f s = %.0f msgs/s (256 per transaction); "
              "CPU %.0f us/msg\n",
              batches * 256, s2, batches * 256 / s2, c2 * 1e6 / (batches * 256));

  int accepted = 0;
  double accept_s = 0, record_s = 0, next_s = 0;
  double accept_c = 0, record_c = 0;
  for (;;) {
    auto t = Clock::now();
    accord::Delivery d = Must(alpha->NextDelivery("beta", 256), "next");
    next_s += Seconds(t);
    if (d.envelopes.empty()) break;
    uint64_t held = 0;
    for (const auto& l : Must(alpha->PeerLogs(), "peers")) {
      if (l.party == "beta") held = l.size;
    }
    t = Clock::now();
    double c = Cpu();
    accord::DeliveryAnswer ans = Must(beta->Accept("alpha", d, held), "accept");
    accept_s += Seconds(t);
    accept_c += Cpu() - c;
    t = Clock::now();
    c = Cpu();
    Must(alpha->RecordAnswer("beta", d, ans), "record");
    record_s += Seconds(t);
    record_c += Cpu() - c;
    accepted += static_cast<int>(ans.results.size());
  }
  std::printf("next delivery:    %d envelopes in %.3f s = %.0f envelopes/s (proofs, 256 per batch)\n",
              accepted, next_s, accepted / next_s);
  std::printf("accept:           %d envelopes in %.3f s = %.0f envelopes/s (verify + store + "
              "signed receipt, 256 per transaction); CPU %.0f us/envelope\n",
              accepted, accept_s, accepted / accept_s, accept_c * 1e6 / accepted);
  std::printf("record answer:    %d receipts in %.3f s = %.0f receipts/s; CPU %.0f us/receipt\n",
              accepted, record_s, accepted / record_s, record_c * 1e6 / accepted);
  std::printf("end to end:       %.0f messages/s originated (batched), delivered and receipted\n",
              accepted / (s2 * accepted / (batches * 256.0 + singles) + next_s + accept_s + record_s));
  alpha.reset();
  beta.reset();
  std::string rm = "rm -rf '" + dir + "'";
  return std::system(rm.c_str()) == 0 ? 0 : 1;
}
