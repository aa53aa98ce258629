// bench/stix_bench.cc: STIX validation throughput on one core. The input is generated here
// with a fixed seed: ~100 MB of NDJSON, a mix of SDOs, SROs and SCOs that are all valid.
// Figures and the command line: docs/performance/stix.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "stix/stix.h"

namespace detente::stix {
namespace {

constexpr size_t kTargetBytes = 100 * 1000 * 1000;

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  std::string Uuid(int version) {
    static const char* kHex = "0123456789abcdef";
    std::string s(36, '0');
    for (int i = 0; i < 36; ++i) {
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        s[i] = '-';
      } else {
        s[i] = kHex[rng_() & 15];
      }
    }
    s[14] = static_cast<char>('0' + version);
    s[19] = kHex[8 + (rng_() & 3)];
    return s;
  }
  std::string Id(const std::string& type, int version = 4) { return type + "--" + Uuid(version); }
  std::string Word() {
    static const char* kWords[] = {"alpha", "bravo", "charlie", "delta",  "echo", "foxtrot",
                                   "golf",  "hotel", "india",   "juliet", "kilo", "lima"};
    return kWords[rng_() % 12];
  }
  std::string Time(bool millis) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "20%02d-%02d-%02dT%02d:%02d:%02d%sZ",
                  static_cast<int>(10 + rng_() % 10), static_cast<int>(1 + rng_() % 12),
                  static_cast<int>(1 + rng_() % 28), static_cast<int>(rng_() % 24),
                  static_cast<int>(rng_() % 60), static_cast<int>(rng_() % 60),
                  millis ? ".000" : "");
    return buf;
  }
  std::string Hex(int n) {
    static const char* kHex = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(kHex[rng_() & 15]);
    return s;
  }
  std::string Common(const std::string& type) {
    std::string t = Time(true);
    return "\"type\":\"" + type + "\",\"spec_version\":\"2.1\",\"id\":\"" + Id(type) +
           "\",\"created\":\"" + t + "\",\"modified\":\"" + t + "\"";
  }

  std::string Next() {
    switch (rng_() % 12) {
      case 0:
      case 1:
        return "{" + Common("indicator") + ",\"name\":\"" + Word() + " " + Word() +
               "\",\"description\":\"Indicator for " + Word() +
               " activity seen in the wild\",\"indicator_types\":[\"malicious-activity\"],"
               "\"pattern\":\"[ file:hashes.'SHA-256' = '" +
               Hex(64) + "' ]\",\"pattern_type\":\"stix\",\"valid_from\":\"" + Time(false) +
               "\",\"object_marking_refs\":[\"marking-definition--34098fce-860f-48ae-8e50-"
               "ebd3cc5e41da\"],\"kill_chain_phases\":[{\"kill_chain_name\":\"lockheed-martin-"
               "cyber-kill-chain\",\"phase_name\":\"delivery\"}]}";
      case 2:
        return "{" + Common("malware") + ",\"name\":\"" + Word() +
               "\",\"malware_types\":[\"ransomware\",\"dropper\"],\"is_family\":true,"
               "\"external_references\":[{\"source_name\":\"acme\",\"external_id\":\"M-" +
               Hex(6) + "\"}]}";
      case 3:
      case 4:
        return "{" + Common("relationship") +
               ",\"relationship_type\":\"indicates\","
               "\"source_ref\":\"" +
               Id("indicator") + "\",\"target_ref\":\"" + Id("malware") + "\"}";
      case 5:
        return "{" + Common("identity") + ",\"name\":\"" + Word() +
               " Corp\",\"identity_class\":\"organization\",\"sectors\":[\"financial-services\"]}";
      case 6:
        return "{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\",\"id\":\"" + Id("ipv4-addr", 5) +
               "\",\"value\":\"" + std::to_string(rng_() % 256) + "." +
               std::to_string(rng_() % 256) + "." + std::to_string(rng_() % 256) + "." +
               std::to_string(rng_() % 256) + "\"}";
      case 7:
        return "{\"type\":\"domain-name\",\"spec_version\":\"2.1\",\"id\":\"" +
               Id("domain-name", 5) + "\",\"value\":\"" + Word() + Hex(4) + ".example.com\"}";
      case 8:
        return "{\"type\":\"file\",\"spec_version\":\"2.1\",\"id\":\"" + Id("file", 5) +
               "\",\"hashes\":{\"MD5\":\"" + Hex(32) + "\",\"SHA-256\":\"" + Hex(64) +
               "\"},\"size\":" + std::to_string(rng_() % 100000) + ",\"name\":\"" + Word() +
               ".exe\"}";
      case 9:
        return "{\"type\":\"network-traffic\",\"spec_version\":\"2.1\",\"id\":\"" +
               Id("network-traffic", 5) + "\",\"src_ref\":\"" + Id("ipv4-addr", 5) +
               "\",\"dst_ref\":\"" + Id("ipv4-addr", 5) +
               "\",\"src_port\":" + std::to_string(rng_() % 65536) +
               ",\"dst_port\":443,\"protocols\":[\"ipv4\","
               "\"tcp\"]}";
      case 10:
        return "{" + Common("sighting") + ",\"count\":" + std::to_string(rng_() % 1000) +
               ",\"sighting_of_ref\":\"" + Id("indicator") + "\",\"where_sighted_refs\":[\"" +
               Id("identity") + "\"]}";
      default:
        return "{" + Common("report") + ",\"name\":\"" + Word() + " report\",\"published\":\"" +
               Time(false) + "\",\"report_types\":[\"threat-report\"],\"object_refs\":[\"" +
               Id("indicator") + "\",\"" + Id("malware") + "\",\"" + Id("relationship") + "\"]}";
    }
  }

 private:
  std::mt19937_64 rng_;
};

const std::string& Ndjson() {
  static const std::string* data = [] {
    auto* s = new std::string;
    s->reserve(kTargetBytes + 4096);
    Generator gen(20261122);
    while (s->size() < kTargetBytes) {
      s->append(gen.Next());
      s->push_back('\n');
    }
    return s;
  }();
  return *data;
}

const std::vector<std::string_view>& Lines() {
  static const auto* lines = [] {
    auto* v = new std::vector<std::string_view>;
    std::string_view all = Ndjson();
    size_t pos = 0;
    while (pos < all.size()) {
      size_t nl = all.find('\n', pos);
      v->push_back(all.substr(pos, nl - pos));
      pos = nl + 1;
    }
    return v;
  }();
  return *lines;
}

// The whole `detente stix validate` pipeline minus the file I/O: reader + validator + the
// JSON output lines.
void BM_ValidateStreamNdjson(benchmark::State& state) {
  const std::string& data = Ndjson();
  uint64_t invalid = 0, lines = 0;
  for (auto _ : state) {
    StringByteSource source(data);
    size_t out_bytes = 0;
    auto summary = ValidateStream(&source, ValidatorOptions{},
                                  [&](std::string_view line) { out_bytes += line.size(); });
    invalid += summary->invalid;
    lines += summary->items;
    benchmark::DoNotOptimize(out_bytes);
  }
  if (invalid != 0) state.SkipWithError("generated objects were reported invalid");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
  state.counters["objects/s"] =
      benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ValidateStreamNdjson)->Unit(benchmark::kMillisecond)->UseRealTime();

// The validator alone on pre-split objects.
void BM_ValidateObjects(benchmark::State& state) {
  const auto& lines = Lines();
  Validator validator;
  Report report;
  uint64_t invalid = 0;
  for (auto _ : state) {
    for (std::string_view line : lines) {
      validator.Validate(line, &report);
      invalid += report.valid() ? 0 : 1;
    }
  }
  if (invalid != 0) state.SkipWithError("generated objects were reported invalid");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Ndjson().size()));
  state.counters["objects/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * lines.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ValidateObjects)->Unit(benchmark::kMillisecond)->UseRealTime();

// The streaming reader alone (splitting only).
void BM_ReadNdjson(benchmark::State& state) {
  const std::string& data = Ndjson();
  for (auto _ : state) {
    StringByteSource source(data);
    ObjectReader reader(&source);
    RawItem item;
    uint64_t n = 0;
    while (*reader.Next(&item)) ++n;
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_ReadNdjson)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_DeterministicScoId(benchmark::State& state) {
  const std::string file =
      R"({"type":"file","hashes":{"SHA-256":"fe90a7e910cb3a4739bed9180e807e93fa70c90f25a8915476f5e4bfbac681db","MD5":"c0b6f6e7c5c1b1b7c1c8f1b2d3e4a5b6"},"name":"foo.dll","size":25536})";
  for (auto _ : state) benchmark::DoNotOptimize(DeterministicScoId(file));
}
BENCHMARK(BM_DeterministicScoId);

}  // namespace
}  // namespace detente::stix

BENCHMARK_MAIN();
