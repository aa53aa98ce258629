// fuzz/match_events_fuzzer.cc: feeds arbitrary bytes to the event readers through
// StreamMatcher (line and document framing, format detection, Zeek/Suricata On-Demand reading,
// STIX DOM reading, flattening, matching, sighting formatting). The first byte picks the format
// and the chunk size, so chunk boundaries are fuzzed too; the low bit of the last byte picks a
// matcher that needs the reference evaluator (full observations) or one answered by its indexes
// alone (readers parse only the indexed paths). Corpus: fuzz/corpus/match_events/.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "match/match.h"

namespace {

detente::match::Matcher* GetMatcher() {
  static detente::match::Matcher* matcher = [] {
    detente::match::LoadStats stats;
    std::vector<detente::match::IndicatorError> errors;
    auto m = detente::match::Matcher::FromPatterns(
        {{"indicator--00000000-0000-4000-8000-000000000001", "[domain-name:value = 'a.example']"},
         {"indicator--00000000-0000-4000-8000-000000000002",
          "[ipv4-addr:value ISSUBSET '10.0.0.0/8']"},
         {"indicator--00000000-0000-4000-8000-000000000003", "[url:value LIKE '%/x%']"},
         {"indicator--00000000-0000-4000-8000-000000000004",
          "[network-traffic:dst_port > 1000 AND network-traffic:src_ref.value = '10.0.0.1']"},
         {"indicator--00000000-0000-4000-8000-000000000005",
          "[file:name = 'a'] FOLLOWEDBY [file:name = 'b']"}},
        &stats, &errors);
    return std::move(m).value().release();
  }();
  return matcher;
}

detente::match::Matcher* GetIndexOnlyMatcher() {
  static detente::match::Matcher* matcher = [] {
    detente::match::LoadStats stats;
    std::vector<detente::match::IndicatorError> errors;
    auto m = detente::match::Matcher::FromPatterns(
        {{"indicator--00000000-0000-4000-8000-000000000001", "[domain-name:value = 'a.example']"},
         {"indicator--00000000-0000-4000-8000-000000000002",
          "[network-traffic:dst_ref.value = '10.0.0.0/8']"},
         {"indicator--00000000-0000-4000-8000-000000000003",
          "[ipv6-addr:value IN ('2001:db8::/32', '::1')]"},
         {"indicator--00000000-0000-4000-8000-000000000004", "[network-traffic:dst_port = 443]"}},
        &stats, &errors);
    return std::move(m).value().release();
  }();
  return matcher;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using detente::match::EventFormat;
  static const EventFormat kFormats[] = {EventFormat::kAuto, EventFormat::kZeek,
                                         EventFormat::kSuricata, EventFormat::kStix};
  EventFormat format = kFormats[data[0] & 3];
  size_t chunk = 1 + (data[0] >> 2) * 7;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  detente::match::SightingOptions options;
  options.seed = 1;
  options.now = [] { return std::string("2026-01-01T00:00:00.000Z"); };
  size_t out = 0;
  detente::match::StreamMatcher stream(
      (data[size - 1] & 1) ? GetIndexOnlyMatcher() : GetMatcher(), format, options, [&](std::string_view s) { out += s.size(); },
      [](std::string_view) {});
  for (size_t i = 0; i < input.size(); i += chunk) {
    (void)stream.Feed(input.substr(i, chunk)).ok();
  }
  (void)stream.Finish().ok();
  return 0;
}
