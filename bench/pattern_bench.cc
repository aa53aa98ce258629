// bench/pattern_bench.cc: the pattern module's speed. Figures and the machine they were
// measured on are in docs/performance/pattern.md.
//   Parse*: patterns compiled per second (items/s) for simple and compound patterns.
//   Match*: time per (pattern, observation) evaluation against 2.1 bundles.
#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <string>

#include "pattern/pattern.h"

namespace p = detente::pattern;

namespace {

const char kSimple[] =
    "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']";
const char kIpv4[] = "[ipv4-addr:value = '198.51.100.1']";
const char kCompound[] =
    "([file:name = 'foo.dll' AND file:size > 1024] FOLLOWEDBY "
    "[network-traffic:dst_ref.value ISSUBSET '198.51.100.0/24' AND "
    "network-traffic:dst_port IN (80, 443, 8080)]) WITHIN 300 SECONDS";

void BM_ParseSimple(benchmark::State& state) {
  for (auto _ : state) {
    auto r = p::Parse(kSimple);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseSimple);

void BM_ParseSimpleIpv4(benchmark::State& state) {
  for (auto _ : state) {
    auto r = p::Parse(kIpv4);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseSimpleIpv4);

void BM_ParseAndValidateSimple(benchmark::State& state) {
  for (auto _ : state) {
    auto r = p::ParseAndValidate(kSimple);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndValidateSimple);

void BM_ParseCompound(benchmark::State& state) {
  for (auto _ : state) {
    auto r = p::Parse(kCompound);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseCompound);

void BM_PrintCompound(benchmark::State& state) {
  auto pattern = p::Parse(kCompound);
  for (auto _ : state) {
    std::string s = p::Print(*pattern);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PrintCompound);

// A 2.1 bundle of `n` observed-data, each with a file and an outbound connection.
boost::json::value Bundle(int n) {
  boost::json::array objects;
  for (int i = 0; i < n; ++i) {
    std::string s = std::to_string(i);
    objects.push_back(boost::json::parse(
        R"({"type":"file","id":"file--)" + s +
        R"(","name":"foo.dll","size":4096,"hashes":{"SHA-256":"aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"}})"));
    objects.push_back(boost::json::parse(R"({"type":"ipv4-addr","id":"ipv4-addr--)" + s +
                                         R"(","value":"198.51.100.)" + std::to_string(i % 250) +
                                         R"("})"));
    objects.push_back(boost::json::parse(R"({"type":"network-traffic","id":"network-traffic--)" +
                                         s + R"(","dst_ref":"ipv4-addr--)" + s +
                                         R"(","dst_port":443})"));
    char ts[32];
    std::snprintf(ts, sizeof ts, "2020-01-01T00:%02d:%02dZ", (i / 60) % 60, i % 60);
    objects.push_back(boost::json::parse(
        R"({"type":"observed-data","id":"observed-data--)" + s + R"(","first_observed":")" + ts +
        R"(","last_observed":")" + ts + R"(","number_observed":1,"object_refs":["file--)" + s +
        R"(","ipv4-addr--)" + s + R"(","network-traffic--)" + s + R"("]})"));
  }
  return boost::json::array{boost::json::object{{"type", "bundle"}, {"objects", objects}}};
}

void MatchBench(benchmark::State& state, const char* text, int observations) {
  auto pattern = p::Parse(text);
  auto obs = p::Observations::FromJson(Bundle(observations), p::StixVersion::k21);
  if (!pattern.ok() || !obs.ok()) {
    state.SkipWithError("setup failed");
    return;
  }
  for (auto _ : state) {
    auto r = p::Match(*pattern, *obs);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * observations);  // (pattern, observation) pairs
}

void BM_MatchSimpleOneObservation(benchmark::State& state) { MatchBench(state, kSimple, 1); }
BENCHMARK(BM_MatchSimpleOneObservation);

void BM_MatchSimple100Observations(benchmark::State& state) { MatchBench(state, kSimple, 100); }
BENCHMARK(BM_MatchSimple100Observations);

void BM_MatchCompound100Observations(benchmark::State& state) { MatchBench(state, kCompound, 100); }
BENCHMARK(BM_MatchCompound100Observations);

void BM_MatchLike100Observations(benchmark::State& state) {
  MatchBench(state, "[file:name LIKE '%.dll' AND file:name MATCHES '^fo+']", 100);
}
BENCHMARK(BM_MatchLike100Observations);

void BM_ObservationsFromJson100(benchmark::State& state) {
  boost::json::value json = Bundle(100);
  for (auto _ : state) {
    auto obs = p::Observations::FromJson(json, p::StixVersion::k21);
    benchmark::DoNotOptimize(obs);
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ObservationsFromJson100);

}  // namespace

BENCHMARK_MAIN();
