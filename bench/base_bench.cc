// bench/base_bench.cc: throughput of the base module's hot paths.
//   cmake --build build-base --target base_bench && ./build-base/bench/base_bench
// Results and the machine they were measured on: docs/performance/base.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "base/base.h"

namespace detente::base {
namespace {

// ~10 MB of STIX-like objects (indicators, ipv4-addr SCOs, relationships) with shuffled keys,
// whitespace, escapes, non-ASCII text and numbers; fixed seed, so every run sees the same bytes.
const std::string& StixCorpus() {
  static const std::string corpus = [] {
    std::mt19937_64 rng(20261122);
    auto pick = [&](uint64_t n) { return rng() % n; };
    auto v4 = [&] {
      std::array<uint8_t, 16> b;
      for (auto& x : b) x = static_cast<uint8_t>(rng());
      b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);
      b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
      return Uuid(b).ToString();
    };
    auto ts = [&] {
      return Timestamp::FromUnixMillis(1'600'000'000'000 +
                                       static_cast<int64_t>(pick(100'000'000'000)))
          .Format();
    };
    std::string out =
        "{\n  \"type\": \"bundle\",\n  \"id\": \"bundle--" + v4() + "\",\n  \"objects\": [\n";
    int n = 0;
    while (out.size() < 10'000'000) {
      if (n++ > 0) out += ",\n";
      std::vector<std::string> props;
      switch (pick(3)) {
        case 0: {
          const std::string ip = std::to_string(pick(256)) + "." + std::to_string(pick(256)) + "." +
                                 std::to_string(pick(256)) + "." + std::to_string(pick(256));
          props = {
              "\"type\": \"indicator\"",
              "\"spec_version\": \"2.1\"",
              "\"id\": \"indicator--" + v4() + "\"",
              "\"created\": \"" + ts() + "\"",
              "\"modified\": \"" + ts() + "\"",
              "\"name\": \"Malicious site hosting downloader \\u00e9t\\u00e9 #" +
                  std::to_string(pick(100000)) + "\"",
              "\"description\": \"This organized threat actor group operates to create profit "
              "from all types of crime.\\nSee \\\"report\\\" \xE2\x80\x94 r\xC3\xA9sum\xC3\xA9\"",
              "\"indicator_types\": [\"malicious-activity\", \"anomalous-activity\"]",
              "\"pattern\": \"[ipv4-addr:value = '" + ip + "']\"",
              "\"pattern_type\": \"stix\"",
              "\"valid_from\": \"" + ts() + "\"",
              "\"confidence\": " + std::to_string(pick(101)),
              "\"labels\": [\"x\", \"y\", \"z\"]"};
          break;
        }
        case 1:
          props = {
              "\"type\": \"ipv4-addr\"",
              "\"spec_version\": \"2.1\"",
              "\"id\": \"ipv4-addr--" + v4() + "\"",
              "\"value\": \"198.51." + std::to_string(pick(256)) + "." + std::to_string(pick(256)) +
                  "\"",
              "\"x_score\": " + FormatEcmaScriptNumber(static_cast<double>(pick(1000000)) / 1000.0),
              "\"x_ratio\": " + FormatEcmaScriptNumber(std::bit_cast<double>(
                                    (rng() & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull))};
          break;
        default:
          props = {"\"type\": \"relationship\"",
                   "\"spec_version\": \"2.1\"",
                   "\"id\": \"relationship--" + v4() + "\"",
                   "\"created\": \"" + ts() + "\"",
                   "\"modified\": \"" + ts() + "\"",
                   "\"relationship_type\": \"indicates\"",
                   "\"source_ref\": \"indicator--" + v4() + "\"",
                   "\"target_ref\": \"malware--" + v4() + "\"",
                   "\"object_marking_refs\": [\"marking-definition--" + v4() + "\"]",
                   "\"external_references\": [{\"source_name\": \"capec\", \"external_id\": "
                   "\"CAPEC-" +
                       std::to_string(pick(1000)) + "\", \"x_weight\": 1.50e2}]"};
      }
      std::shuffle(props.begin(), props.end(), rng);
      out += "    {";
      for (size_t i = 0; i < props.size(); ++i) {
        out += i == 0 ? "\n      " : ",\n      ";
        out += props[i];
      }
      out += "\n    }";
    }
    out += "\n  ]\n}\n";
    return out;
  }();
  return corpus;
}

void BM_CanonicalizeStixBundle(benchmark::State& state) {
  const std::string& corpus = StixCorpus();
  if (!CanonicalizeJson(corpus).ok()) {
    state.SkipWithError("corpus does not canonicalize");
    return;
  }
  for (auto _ : state) {
    auto r = CanonicalizeJson(corpus);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(corpus.size()));
  state.counters["input_MB"] = static_cast<double>(corpus.size()) / 1e6;
}
BENCHMARK(BM_CanonicalizeStixBundle)->Unit(benchmark::kMillisecond);

// Canonical input (already sorted, no whitespace): the verify-a-signature path.
void BM_CanonicalizeCanonicalInput(benchmark::State& state) {
  auto canonical = CanonicalizeJson(StixCorpus());
  if (!canonical.ok()) {
    state.SkipWithError("corpus does not canonicalize");
    return;
  }
  for (auto _ : state) {
    auto r = CanonicalizeJson(*canonical);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(canonical->size()));
}
BENCHMARK(BM_CanonicalizeCanonicalInput)->Unit(benchmark::kMillisecond);

std::vector<double> RandomDoubles(bool integers) {
  std::mt19937_64 rng(42);
  std::vector<double> v;
  while (v.size() < 4096) {
    const double x =
        integers ? static_cast<double>(rng() % 1'000'000'000) : std::bit_cast<double>(rng());
    if (std::isfinite(x)) v.push_back(x);
  }
  return v;
}

void BM_FormatEcmaScriptNumber(benchmark::State& state) {
  const std::vector<double> values = RandomDoubles(state.range(0) != 0);
  size_t i = 0;
  for (auto _ : state) {
    std::string s = FormatEcmaScriptNumber(values[i++ & 4095]);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_FormatEcmaScriptNumber)->ArgName("integers")->Arg(0)->Arg(1);

void BM_Base64Encode(benchmark::State& state) {
  const Bytes data(static_cast<size_t>(state.range(0)), 0xA5);
  for (auto _ : state) {
    std::string s = Base64Encode(data);
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Base64Encode)->Arg(32)->Arg(1 << 20);

void BM_Base64Decode(benchmark::State& state) {
  const std::string text = Base64Encode(Bytes(static_cast<size_t>(state.range(0)), 0xA5));
  for (auto _ : state) {
    auto r = Base64Decode(text);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Base64Decode)->Arg(32)->Arg(1 << 20);

void BM_HexDecode(benchmark::State& state) {
  const std::string text = HexEncode(Bytes(32, 0x5A));
  for (auto _ : state) {
    auto r = HexDecode(text);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HexDecode);

void BM_UuidV5(benchmark::State& state) {
  const Uuid ns = StixScoNamespace();
  for (auto _ : state) {
    Uuid u = Uuid::V5(ns, R"({"value":"198.51.100.3"})");
    benchmark::DoNotOptimize(u);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_UuidV5);

void BM_UuidV4(benchmark::State& state) {
  for (auto _ : state) {
    Uuid u = Uuid::V4();
    benchmark::DoNotOptimize(u);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_UuidV4);

void BM_TimestampParseStix(benchmark::State& state) {
  for (auto _ : state) {
    auto t = Timestamp::ParseStix("2016-01-20T12:31:12.123Z");
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_TimestampParseStix);

void BM_TimestampFormat(benchmark::State& state) {
  const Timestamp t = Timestamp::FromUnixMillis(1453293072123);
  for (auto _ : state) {
    std::string s = t.Format();
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_TimestampFormat);

}  // namespace
}  // namespace detente::base

BENCHMARK_MAIN();
