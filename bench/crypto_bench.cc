// crypto_bench: SHA-256 MB/s (64 B and 1 MiB inputs), hashes/s for 65-byte inputs (the size
// of an RFC 9162 node hash input), Ed25519 signs/s and verifies/s. Results and the command
// line are recorded in docs/performance/crypto.md.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <string>

#include "crypto/crypto.h"

namespace detente::crypto {
namespace {

void BM_Sha256OneShot(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    Digest d = Sha256(data);
    benchmark::DoNotOptimize(d);
    data[0] = static_cast<char>(d[0]);  // a dependency chain: no hoisting
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Sha256OneShot)->Arg(64)->Arg(65)->Arg(1 << 20);

// Baseline for comparison: OpenSSL's one-shot EVP_Digest with the legacy EVP_sha256()
// (implicit fetch) and a context allocated per call: what Sha256() avoids.
void BM_Sha256EvpDigestBaseline(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    Digest d;
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), d.data(), &len, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(d);
    data[0] = static_cast<char>(d[0]);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Sha256EvpDigestBaseline)->Arg(65);

void BM_Sha256Concat65(benchmark::State& state) {
  uint8_t prefix = 1;
  Digest left = Sha256("left"), right = Sha256("right");
  for (auto _ : state) {
    Digest d = Sha256Concat({ByteView(&prefix, 1), left, right});
    benchmark::DoNotOptimize(d);
    left = d;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Sha256Concat65);

void BM_Sha256Hasher(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'x');
  Sha256Hasher h;
  for (auto _ : state) {
    h.Update(data);
    Digest d = h.Finish();
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Sha256Hasher)->Arg(65)->Arg(1 << 20);

void BM_Ed25519Sign(benchmark::State& state) {
  SigningKey key = SigningKey::Generate();
  std::string msg(static_cast<size_t>(state.range(0)), 'm');
  for (auto _ : state) {
    Signature sig = key.Sign(msg);
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Ed25519Sign)->Arg(256);

void BM_Ed25519Verify(benchmark::State& state) {
  SigningKey key = SigningKey::Generate();
  std::string msg(static_cast<size_t>(state.range(0)), 'm');
  Signature sig = key.Sign(msg);
  for (auto _ : state) {
    bool ok = key.public_key().Verify(msg, sig);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Ed25519Verify)->Arg(256);

}  // namespace
}  // namespace detente::crypto

BENCHMARK_MAIN();
