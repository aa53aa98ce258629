// bench/match_bench.cc: throughput of the bulk matcher (docs/performance/match.md).
//
// Data (fixed seed): 200,000 Zeek JSON events (conn 50%, dns 20%, http 15%, ssl 10%, files 5%)
// and indicators: N equality patterns (IPv4 30%, IPv6 10%, domains 25%, URLs 15%, SHA-256
// 20%) for N = 1,000 / 100,000 / 1,000,000, plus 1,000 LIKE/MATCHES/ISSUBSET patterns. About
// 1% of events carry a value some indicator names.
//
//   BM_SimdjsonDomFloor    simdjson DOM parse of each line: the floor
//   BM_SimdjsonOnDemand    simdjson On-Demand walk of every field of each line
//   BM_ReadEvents          EventReader only (parse + map to SCO properties)
//   BM_Match/N             StreamMatcher end to end (frame, read, match, format sightings)
// Counters: events/s (items_per_second), MB/s (bytes_per_second), bytes_per_indicator.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "match/match.h"

namespace detente::match {
namespace {

// DETENTE_MATCH_BENCH_EVENTS overrides the count (for reduced runs under valgrind's callgrind,
// which counts instructions independently of the machine's load).
int EventCount() {
  const char* env = std::getenv("DETENTE_MATCH_BENCH_EVENTS");
  int n = env != nullptr ? std::atoi(env) : 0;
  return n > 0 ? n : 200000;
}
constexpr uint32_t kSeed = 20261122;

std::string Ip4(std::mt19937_64& r) {
  uint32_t x = static_cast<uint32_t>(r());
  return std::to_string(x >> 24) + "." + std::to_string((x >> 16) & 255) + "." +
         std::to_string((x >> 8) & 255) + "." + std::to_string(x & 255);
}
std::string Ip6(std::mt19937_64& r) {
  char buf[64];
  uint64_t x = r();
  std::snprintf(buf, sizeof(buf), "2001:db8:%x:%x::%x", static_cast<unsigned>(x & 0xffff),
                static_cast<unsigned>((x >> 16) & 0xffff), static_cast<unsigned>((x >> 32) & 0xffff));
  return buf;
}
std::string Domain(std::mt19937_64& r) {
  static const char* kTld[] = {"com", "net", "org", "example", "io"};
  std::string s;
  int len = 5 + static_cast<int>(r() % 10);
  for (int i = 0; i < len; ++i) s.push_back(static_cast<char>('a' + r() % 26));
  return s + "." + kTld[r() % 5];
}
std::string Hex(std::mt19937_64& r, int n) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(kHex[r() % 16]);
  return s;
}
std::string Path(std::mt19937_64& r) {
  static const char* kWords[] = {"index", "login", "api", "v1", "static", "img", "download", "a"};
  std::string s;
  int n = 1 + static_cast<int>(r() % 3);
  for (int i = 0; i < n; ++i) s += "/" + std::string(kWords[r() % 8]);
  if (r() % 3 == 0) s += ".php?id=" + std::to_string(r() % 1000);
  return s;
}

struct Data {
  std::string events;     // NDJSON
  size_t lines = 0;
  // Values the indicators draw from: a share of them appears in events.
  std::vector<std::string> ips, ip6s, domains, urls, hashes;
};

const Data& GetData() {
  static const Data* data = [] {
    auto* d = new Data();
    std::mt19937_64 r(kSeed);
    for (int i = 0; i < 2000; ++i) {
      d->ips.push_back(Ip4(r));
      d->ip6s.push_back(Ip6(r));
      d->domains.push_back(Domain(r));
      d->hashes.push_back(Hex(r, 64));
    }
    for (int i = 0; i < 2000; ++i) d->urls.push_back("http://" + d->domains[i] + Path(r));
    auto pick = [&](const std::vector<std::string>& known, std::string fresh) {
      // 1% of values come from the indicator pool.
      return r() % 100 == 0 ? known[r() % known.size()] : fresh;
    };
    double ts = 1700000000.0;
    const int events = EventCount();
    for (int i = 0; i < events; ++i) {
      ts += 0.001;
      char tsbuf[32];
      std::snprintf(tsbuf, sizeof(tsbuf), "%.6f", ts);
      bool v6 = r() % 10 == 0;
      std::string orig = v6 ? Ip6(r) : "10." + std::to_string(r() % 256) + "." +
                                           std::to_string(r() % 256) + "." +
                                           std::to_string(r() % 256);
      std::string resp = v6 ? pick(d->ip6s, Ip6(r)) : pick(d->ips, Ip4(r));
      std::string uid = "C" + Hex(r, 17);
      std::string common = std::string("\"ts\":") + tsbuf + ",\"uid\":\"" + uid +
                           "\",\"id.orig_h\":\"" + orig + "\",\"id.orig_p\":" +
                           std::to_string(1024 + r() % 60000) + ",\"id.resp_h\":\"" + resp +
                           "\",\"id.resp_p\":";
      int kind = static_cast<int>(r() % 20);
      std::string line;
      if (kind < 10) {
        line = "{\"_path\":\"conn\"," + common + std::to_string(r() % 2 ? 443 : 80) +
               ",\"proto\":\"tcp\",\"service\":\"ssl\",\"duration\":" +
               std::to_string(r() % 1000) + ".5,\"orig_bytes\":" + std::to_string(r() % 100000) +
               ",\"resp_bytes\":" + std::to_string(r() % 1000000) +
               ",\"conn_state\":\"SF\",\"missed_bytes\":0,\"history\":\"ShADadFf\",\"orig_pkts\":" +
               std::to_string(r() % 100) + ",\"orig_ip_bytes\":" + std::to_string(r() % 10000) +
               ",\"resp_pkts\":" + std::to_string(r() % 100) + ",\"resp_ip_bytes\":" +
               std::to_string(r() % 100000) + "}";
      } else if (kind < 14) {
        line = "{\"_path\":\"dns\"," + common + "53,\"proto\":\"udp\",\"trans_id\":" +
               std::to_string(r() % 65536) + ",\"rtt\":0.01,\"query\":\"" +
               pick(d->domains, Domain(r)) +
               "\",\"qclass\":1,\"qclass_name\":\"C_INTERNET\",\"qtype\":1,\"qtype_name\":\"A\","
               "\"rcode\":0,\"rcode_name\":\"NOERROR\",\"AA\":false,\"TC\":false,\"RD\":true,"
               "\"RA\":true,\"Z\":0,\"answers\":[\"" + Ip4(r) + "\"],\"TTLs\":[60.0],\"rejected\":false}";
      } else if (kind < 17) {
        std::string host = pick(d->domains, Domain(r));
        line = "{\"_path\":\"http\"," + common + "80,\"trans_depth\":1,\"method\":\"GET\",\"host\":\"" +
               host + "\",\"uri\":\"" + Path(r) +
               "\",\"version\":\"1.1\",\"user_agent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\","
               "\"request_body_len\":0,\"response_body_len\":" + std::to_string(r() % 100000) +
               ",\"status_code\":200,\"status_msg\":\"OK\",\"tags\":[],\"resp_fuids\":[\"F" +
               Hex(r, 17) + "\"],\"resp_mime_types\":[\"text/html\"]}";
      } else if (kind < 19) {
        line = "{\"_path\":\"ssl\"," + common +
               "443,\"version\":\"TLSv13\",\"cipher\":\"TLS_AES_128_GCM_SHA256\",\"curve\":"
               "\"x25519\",\"server_name\":\"" + pick(d->domains, Domain(r)) +
               "\",\"resumed\":false,\"established\":true,\"ssl_history\":\"CsiI\"}";
      } else {
        line = "{\"_path\":\"files\",\"ts\":" + std::string(tsbuf) + ",\"fuid\":\"F" + Hex(r, 17) +
               "\",\"tx_hosts\":[\"" + resp + "\"],\"rx_hosts\":[\"" + orig +
               "\"],\"conn_uids\":[\"" + uid +
               "\"],\"source\":\"HTTP\",\"depth\":0,\"analyzers\":[\"SHA256\",\"MD5\"],"
               "\"mime_type\":\"application/octet-stream\",\"duration\":0.0,\"is_orig\":false,"
               "\"seen_bytes\":1024,\"total_bytes\":1024,\"md5\":\"" + Hex(r, 32) +
               "\",\"sha256\":\"" + pick(d->hashes, Hex(r, 64)) + "\"}";
      }
      d->events += line;
      d->events.push_back('\n');
      ++d->lines;
    }
    return d;
  }();
  return *data;
}

std::vector<std::pair<std::string, std::string>> Indicators(size_t equality) {
  const Data& d = GetData();
  std::mt19937_64 r(kSeed + equality);
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(equality + 1000);
  char id[64];
  auto next_id = [&] {
    std::snprintf(id, sizeof(id), "indicator--%08x-%04x-4%03x-8%03x-%012llx",
                  static_cast<unsigned>(out.size()), static_cast<unsigned>(r() & 0xffff),
                  static_cast<unsigned>(r() & 0xfff), static_cast<unsigned>(r() & 0xfff),
                  static_cast<unsigned long long>(r() & 0xffffffffffffull));
    return std::string(id);
  };
  for (size_t i = 0; i < equality; ++i) {
    int k = static_cast<int>(r() % 20);
    bool known = i < 8000;  // the first values come from the pools events draw from
    std::string p;
    if (k < 6) {
      p = "[ipv4-addr:value = '" + (known ? d.ips[i % d.ips.size()] : Ip4(r)) + "']";
    } else if (k < 8) {
      p = "[ipv6-addr:value = '" + (known ? d.ip6s[i % d.ip6s.size()] : Ip6(r)) + "']";
    } else if (k < 13) {
      p = "[domain-name:value = '" + (known ? d.domains[i % d.domains.size()] : Domain(r)) + "']";
    } else if (k < 16) {
      p = "[url:value = '" + (known ? d.urls[i % d.urls.size()] : "http://" + Domain(r) + Path(r)) +
          "']";
    } else {
      p = "[file:hashes.'SHA-256' = '" + (known ? d.hashes[i % d.hashes.size()] : Hex(r, 64)) +
          "']";
    }
    out.emplace_back(next_id(), p);
  }
  for (int i = 0; i < 1000; ++i) {
    std::string p;
    switch (i % 5) {
      case 0: p = "[domain-name:value LIKE '%." + Domain(r).substr(0, 6) + "%']"; break;
      case 1: p = "[url:value LIKE 'http://%/" + Hex(r, 6) + "%']"; break;
      case 2: p = "[domain-name:value MATCHES '^(mail|smtp)[0-9]+\\\\." + Domain(r).substr(0, 5) + "']"; break;
      case 3: p = "[url:value MATCHES '/wp-" + Hex(r, 5) + "[a-z]*\\\\.php']"; break;
      default: {
        std::string ip = Ip4(r);
        p = "[ipv4-addr:value ISSUBSET '" + ip + "/" + std::to_string(16 + r() % 13) + "']";
      }
    }
    out.emplace_back(next_id(), p);
  }
  return out;
}

size_t RssBytes() {
  std::ifstream in("/proc/self/statm");
  size_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * 4096;
}

struct Loaded {
  std::unique_ptr<Matcher> matcher;
  size_t rss_delta = 0;
  double compile_seconds = 0;
};

Matcher* GetMatcher(size_t equality, size_t* rss_delta, double* compile_seconds) {
  static std::map<size_t, Loaded>* cache = new std::map<size_t, Loaded>();
  auto it = cache->find(equality);
  if (it == cache->end()) {
    auto indicators = Indicators(equality);
    ::malloc_trim(0);
    size_t before = RssBytes();
    LoadStats stats;
    std::vector<IndicatorError> errors;
    auto t0 = std::chrono::steady_clock::now();
    auto m = Matcher::FromPatterns(indicators, &stats, &errors);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!m.ok() || !errors.empty()) {
      std::fprintf(stderr, "bench: compile failed: %s %s\n", m.status().ToString().c_str(),
                   errors.empty() ? "" : errors[0].message.c_str());
      std::abort();
    }
    Loaded l;
    l.matcher = std::move(m).value();
    size_t after = RssBytes();  // the generated indicator text is still held, as before
    l.rss_delta = after > before ? after - before : 0;
    l.compile_seconds = secs;
    it = cache->emplace(equality, std::move(l)).first;
  }
  *rss_delta = it->second.rss_delta;
  *compile_seconds = it->second.compile_seconds;
  return it->second.matcher.get();
}

void BM_SimdjsonDomFloor(benchmark::State& state) {
  const Data& d = GetData();
  simdjson::dom::parser parser;
  simdjson::padded_string padded(d.events);
  const char* p = padded.data();
  size_t n = d.events.size();
  for (auto _ : state) {
    size_t pos = 0;
    while (pos < n) {
      const char* nl = static_cast<const char*>(std::memchr(p + pos, '\n', n - pos));
      size_t end = nl ? static_cast<size_t>(nl - p) : n;
      simdjson::dom::element el;
      auto e = parser.parse(p + pos, end - pos, false).get(el);
      benchmark::DoNotOptimize(e);
      pos = end + 1;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(d.lines));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_SimdjsonDomFloor)->Unit(benchmark::kMillisecond);

void BM_SimdjsonOnDemand(benchmark::State& state) {
  const Data& d = GetData();
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(d.events);
  const char* p = padded.data();
  size_t n = d.events.size();
  for (auto _ : state) {
    size_t pos = 0;
    size_t fields = 0;
    while (pos < n) {
      const char* nl = static_cast<const char*>(std::memchr(p + pos, '\n', n - pos));
      size_t end = nl ? static_cast<size_t>(nl - p) : n;
      simdjson::ondemand::document doc;
      if (!parser.iterate(p + pos, end - pos, end - pos + simdjson::SIMDJSON_PADDING).get(doc)) {
        simdjson::ondemand::object o;
        if (!doc.get_object().get(o)) {
          for (auto f : o) {
            simdjson::ondemand::field field;
            if (std::move(f).get(field)) break;
            fields += field.value().raw_json_token().size();
          }
        }
      }
      pos = end + 1;
    }
    benchmark::DoNotOptimize(fields);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(d.lines));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_SimdjsonOnDemand)->Unit(benchmark::kMillisecond);

// Arg 0: every property; arg 1: only the properties on the indexed paths (what StreamMatcher
// does when no indicator needs the reference evaluator).
void BM_ReadEvents(benchmark::State& state) {
  const Data& d = GetData();
  PathRegistry paths;
  for (const char* p : {"ipv4-addr:value", "ipv6-addr:value", "domain-name:value", "url:value",
                        "file:hashes.'SHA-256'"}) {
    paths.Intern(p);
  }
  EventReader reader(paths, /*indexed_paths_only=*/state.range(0) != 0);
  Observation obs;
  simdjson::padded_string padded(d.events);
  const char* p = padded.data();
  size_t n = d.events.size();
  for (auto _ : state) {
    size_t pos = 0;
    while (pos < n) {
      const char* nl = static_cast<const char*>(std::memchr(p + pos, '\n', n - pos));
      size_t end = nl ? static_cast<size_t>(nl - p) : n;
      auto s = reader.ReadFlat(std::string_view(p + pos, end - pos), EventFormat::kZeek, &obs);
      benchmark::DoNotOptimize(s);
      pos = end + 1;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(d.lines));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_ReadEvents)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_Match(benchmark::State& state) {
  const Data& d = GetData();
  size_t equality = static_cast<size_t>(state.range(0));
  size_t rss_delta = 0;
  double compile_seconds = 0;
  Matcher* matcher = GetMatcher(equality, &rss_delta, &compile_seconds);
  uint64_t sightings = 0;
  for (auto _ : state) {
    SightingOptions options;
    options.seed = 1;
    options.now = [] { return std::string("2026-01-01T00:00:00.000Z"); };
    size_t out_bytes = 0;
    StreamMatcher stream(matcher, EventFormat::kZeek, options,
                         [&](std::string_view s) { out_bytes += s.size(); },
                         [](std::string_view) {});
    auto s = stream.Feed(d.events);
    benchmark::DoNotOptimize(s);
    s = stream.Finish();
    sightings = stream.stats().sightings;
    benchmark::DoNotOptimize(out_bytes);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(d.lines));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(d.events.size()));
  state.counters["indicators"] = static_cast<double>(matcher->size());
  state.counters["compile_indicators_per_s"] =
      static_cast<double>(matcher->size()) / compile_seconds;
  state.counters["sightings_per_pass"] = static_cast<double>(sightings);
  state.counters["index_bytes_per_indicator"] =
      static_cast<double>(matcher->MemoryBytes()) / static_cast<double>(matcher->size());
  state.counters["rss_bytes_per_indicator"] =
      static_cast<double>(rss_delta) / static_cast<double>(matcher->size());
}
BENCHMARK(BM_Match)->Arg(1000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

// Compile rate (CPU time): Matcher::FromPatterns over N equality indicators, with (arg 1 = 1)
// or without (0) the 1,000 LIKE/MATCHES/CIDR patterns, whose vectorscan compilation is a fixed
// cost of its own.
void BM_Compile(benchmark::State& state) {
  auto indicators = Indicators(static_cast<size_t>(state.range(0)));
  if (state.range(1) == 0) indicators.resize(indicators.size() - 1000);  // the others come last
  for (auto _ : state) {
    LoadStats stats;
    std::vector<IndicatorError> errors;
    auto m = Matcher::FromPatterns(indicators, &stats, &errors);
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(indicators.size()));
}
BENCHMARK(BM_Compile)->Args({100000, 0})->Args({100000, 1})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace detente::match

BENCHMARK_MAIN();
