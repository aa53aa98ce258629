// Differential test: the bulk matcher against the pattern module's reference evaluator
// (pattern::Match), on indicators and Zeek events generated from a fixed seed. Every
// (indicator, event) pair must agree. Multi-observation patterns are excluded (the matcher
// evaluates those over a window of events, which a per-event comparison cannot mirror).
// The evaluator runs with MatchOptions::cidr_equality, the bulk matcher's semantics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <random>
#include <string>
#include <vector>

#include "match/match.h"
#include "pattern/pattern.h"

namespace detente::match {
namespace {

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}

  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng_)];
  }
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Coin(int percent) { return Int(1, 100) <= percent; }

  const std::vector<std::string> ips = {"10.0.0.1",  "10.0.0.2",    "10.0.1.7",   "198.51.100.4",
                                        "198.51.100.200", "203.0.113.9", "2001:db8::1", "2001:db8::ff"};
  const std::vector<std::string> cidrs = {"10.0.0.0/8", "10.0.0.0/24", "198.51.100.0/25",
                                          "0.0.0.0/0",  "203.0.113.9/32", "2001:db8::/64",
                                          "2001:db8::1/128", "198.51.100.200/24"};
  const std::vector<std::string> domains = {"a.example", "b.example", "evil.example.com",
                                            "login.bad.example", "cdn.example.net"};
  const std::vector<std::string> uris = {"/", "/payload.exe", "/index.php?id=1", "/a/b.zip"};
  const std::vector<int> ports = {22, 53, 80, 443, 8080};
  const std::vector<std::string> md5s = {"44d88612fea8a8f36de82e1278abb02f",
                                         "d41d8cd98f00b204e9800998ecf8427e",
                                         "0cc175b9c0f1b6a831c399e269772661"};

  std::string Event() {
    std::string common = "\"ts\":" + std::to_string(1700000000 + Int(0, 100)) +
                         ".25,\"id.orig_h\":\"" + Pick(ips) + "\",\"id.orig_p\":" +
                         std::to_string(Int(1024, 65535)) + ",\"id.resp_h\":\"" + Pick(ips) +
                         "\",\"id.resp_p\":" + std::to_string(Pick(ports));
    switch (Int(0, 3)) {
      case 0:
        return "{\"_path\":\"conn\"," + common + ",\"proto\":\"" + (Coin(50) ? "tcp" : "udp") +
               "\",\"orig_bytes\":" + std::to_string(Int(0, 5000)) + "}";
      case 1:
        return "{\"_path\":\"dns\"," + common + ",\"query\":\"" + Pick(domains) +
               "\",\"answers\":[\"" + Pick(ips) + "\"]}";
      case 2:
        return "{\"_path\":\"http\"," + common + ",\"method\":\"GET\",\"host\":\"" + Pick(domains) +
               "\",\"uri\":\"" + Pick(uris) + "\"}";
      default:
        return "{\"_path\":\"files\",\"ts\":1700000050.0,\"fuid\":\"F1\",\"tx_hosts\":[\"" +
               Pick(ips) + "\"],\"md5\":\"" + Pick(md5s) + "\",\"total_bytes\":" +
               std::to_string(Int(0, 3)) + "}";
    }
  }

  std::string Comparison() {
    switch (Int(0, 16)) {
      case 0: return "ipv4-addr:value = '" + Pick(ips) + "'";
      case 1: return "ipv4-addr:value ISSUBSET '" + Pick(cidrs) + "'";
      case 2: return "ipv6-addr:value ISSUBSET '" + Pick(cidrs) + "'";
      case 3: return "domain-name:value = '" + Pick(domains) + "'";
      case 4: return "domain-name:value IN ('" + Pick(domains) + "', '" + Pick(domains) + "')";
      case 5: return "domain-name:value LIKE '%" + Pick(domains).substr(2) + "'";
      case 6: return "url:value MATCHES '" + std::string(Coin(50) ? "payload" : "^http://evil") + "'";
      case 7: return "network-traffic:dst_port = " + std::to_string(Pick(ports));
      case 8: return "network-traffic:dst_port " + std::string(Coin(50) ? ">" : "<=") + " " +
                     std::to_string(Pick(ports));
      case 9: return "network-traffic:src_ref.value = '" + Pick(ips) + "'";
      case 10: return "file:hashes.MD5 = '" + Pick(md5s) + "'";
      // CIDR equality (MatchOptions::cidr_equality).
      case 12: return "ipv4-addr:value = '" + Pick(cidrs) + "'";
      case 13: return "ipv6-addr:value = '" + Pick(cidrs) + "'";
      case 14: return "network-traffic:dst_ref.value = '" + Pick(cidrs) + "'";
      case 15: return "ipv4-addr:value IN ('" + Pick(cidrs) + "', '" + Pick(ips) + "')";
      case 16: return "domain-name:resolves_to_refs[*].value = '" + Pick(cidrs) + "'";
      default: return "network-traffic:protocols[*] = '" + std::string(Coin(50) ? "tcp" : "udp") + "'";
    }
  }

  std::string Pattern() {
    std::string inner = Comparison();
    int extra = Coin(40) ? Int(1, 2) : 0;
    for (int i = 0; i < extra; ++i) {
      std::string c = Comparison();
      // Keep AND within one object type (a cross-type AND is legal but never true).
      inner += (Coin(50) ? " OR " : " OR ") + c;
    }
    if (Coin(15)) inner = Negated();
    std::string p = "[" + inner + "]";
    if (Coin(15)) p += " OR [" + Comparison() + "]";
    if (Coin(10)) {
      p = "(" + p + ") START t'2023-11-14T22:13:" + (Coin(50) ? "00" : "40") +
          "Z' STOP t'2023-11-14T22:15:00Z'";
    }
    return p;
  }

  std::string Negated() {
    switch (Int(0, 3)) {
      case 0: return "domain-name:value NOT = '" + Pick(domains) + "'";
      case 1: return "network-traffic:dst_port NOT IN (53, 80)";
      case 2: return Coin(50) ? "ipv4-addr:value NOT ISSUBSET '" + Pick(cidrs) + "'"
                              : "network-traffic:src_ref.value != '" + Pick(cidrs) + "'";
      default: return "url:value NOT LIKE '%payload%'";
    }
  }

  std::string SameTypeAnd() {
    // AND within one object: two comparisons on network-traffic or domain-name.
    if (Coin(50)) {
      return "[network-traffic:dst_port = " + std::to_string(Pick(ports)) +
             " AND network-traffic:src_ref.value = '" + Pick(ips) + "']";
    }
    return "[domain-name:value LIKE '%example%' AND domain-name:value != '" + Pick(domains) + "']";
  }

 private:
  std::mt19937 rng_;
};

TEST(DifferentialTest, BulkMatcherAgreesWithReferenceEvaluator) {
  Gen gen(20261122);
  std::vector<std::pair<std::string, std::string>> indicators;
  for (int i = 0; i < 400; ++i) {
    char id[64];
    std::snprintf(id, sizeof(id), "indicator--00000000-0000-4000-8000-%012d", i);
    indicators.emplace_back(id, i % 5 == 4 ? gen.SameTypeAnd() : gen.Pattern());
  }
  LoadStats stats;
  std::vector<IndicatorError> errors;
  auto matcher = Matcher::FromPatterns(indicators, &stats, &errors);
  ASSERT_TRUE(matcher.ok()) << matcher.status();
  for (const auto& e : errors) ADD_FAILURE() << e.id << ": " << e.message;
  ASSERT_EQ((*matcher)->size(), indicators.size());

  std::vector<pattern::Pattern> patterns;
  for (const auto& [id, text] : indicators) {
    auto p = pattern::Parse(text);
    ASSERT_TRUE(p.ok()) << text;
    patterns.push_back(std::move(p).value());
  }

  EventReader reader((*matcher)->paths());
  Observation obs;
  std::vector<char> buf;
  int total_matches = 0;
  for (int e = 0; e < 300; ++e) {
    std::string line = gen.Event();
    buf.assign(line.begin(), line.end());
    buf.resize(line.size() + 64, '\0');
    ASSERT_TRUE(reader.ReadFlat(std::string_view(buf.data(), line.size()), EventFormat::kZeek, &obs)
                    .ok());
    std::vector<uint32_t> got;
    (*matcher)->Match(obs, &got);

    auto json = boost::json::parse(ObservationToStixJson(obs));
    auto observations = pattern::Observations::FromJson(json, pattern::StixVersion::k21);
    ASSERT_TRUE(observations.ok()) << observations.status();
    std::vector<uint32_t> want;
    pattern::MatchOptions options;
    options.cidr_equality = true;
    for (uint32_t i = 0; i < patterns.size(); ++i) {
      auto r = pattern::Match(patterns[i], *observations, options);
      ASSERT_TRUE(r.ok()) << indicators[i].second << ": " << r.status();
      if (*r) want.push_back(i);
    }
    total_matches += static_cast<int>(want.size());
    if (got != want) {
      std::string diff;
      for (uint32_t i = 0; i < patterns.size(); ++i) {
        bool g = std::find(got.begin(), got.end(), i) != got.end();
        bool w = std::find(want.begin(), want.end(), i) != want.end();
        if (g != w) diff += (g ? "  extra: " : "  missing: ") + indicators[i].second + "\n";
      }
      ADD_FAILURE() << "event " << line << "\n" << diff;
    }
  }
  // The generator is meant to produce a healthy share of matches, not an all-false run.
  EXPECT_GT(total_matches, 300);
}

// Indicators that the indexes answer alone (no reference evaluator): the stream then reads only
// the indexed paths (no network-traffic object), pipelines events by one, probes the equality
// index through its filter and pre-checks IPv4 values against the CIDR trie's /16 bitmap. Its
// sightings, in order, must be the reference evaluator's matches on the full events, whatever
// the chunking of the input.
TEST(DifferentialTest, StreamOfExactIndicatorsAgreesWithReferenceEvaluator) {
  Gen gen(20261123);
  std::mt19937 rng(7);
  auto random_ip = [&] {
    return std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + "." +
           std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
  };
  std::vector<std::pair<std::string, std::string>> indicators;
  for (int i = 0; i < 600; ++i) {
    std::string p;
    switch (gen.Int(0, 9)) {
      case 0: p = "ipv4-addr:value = '" + gen.Pick(gen.ips) + "'"; break;
      case 1: p = "ipv4-addr:value = '" + random_ip() + "'"; break;  // absent: filter misses
      case 2: p = "ipv4-addr:value ISSUBSET '" + gen.Pick(gen.cidrs) + "'"; break;
      case 3:
        p = "ipv4-addr:value ISSUBSET '" + random_ip() + "/" + std::to_string(gen.Int(8, 30)) +
            "'";
        break;
      case 4: p = "ipv6-addr:value ISSUBSET '" + gen.Pick(gen.cidrs) + "'"; break;
      case 5: p = "domain-name:value IN ('" + gen.Pick(gen.domains) + "', 'x.example')"; break;
      case 6: p = "domain-name:value LIKE '%" + gen.Pick(gen.domains).substr(2) + "'"; break;
      case 7: p = "url:value MATCHES '" + std::string(gen.Coin(50) ? "payload" : "^http://evil") +
                  "'";
        break;
      case 8: p = "ipv4-addr:value = '" + gen.Pick(gen.cidrs) + "'"; break;  // CIDR equality
      default: p = "file:hashes.MD5 = '" + gen.Pick(gen.md5s) + "'";
    }
    char id[64];
    std::snprintf(id, sizeof(id), "indicator--00000000-0000-4000-8000-%012d", i);
    indicators.emplace_back(id, "[" + p + "]");
  }
  LoadStats stats;
  std::vector<IndicatorError> errors;
  auto matcher = Matcher::FromPatterns(indicators, &stats, &errors);
  ASSERT_TRUE(matcher.ok()) << matcher.status();
  ASSERT_TRUE(errors.empty()) << errors[0].message;
  ASSERT_FALSE((*matcher)->NeedsAllProperties());

  std::vector<pattern::Pattern> patterns;
  for (const auto& [id, text] : indicators) {
    auto p = pattern::Parse(text);
    ASSERT_TRUE(p.ok()) << text;
    patterns.push_back(std::move(p).value());
  }

  // Expected: for each event in order, the matching indicators in ascending order.
  PathRegistry no_paths;
  EventReader full_reader(no_paths);  // every property, as the reference evaluator needs
  Observation obs;
  std::vector<char> buf;
  std::string input;
  std::vector<std::string> want;
  for (int e = 0; e < 400; ++e) {
    std::string line = gen.Event();
    if (e % 3 == 0) {
      // Random addresses, so that most probes miss the filter and the /16 bitmap.
      size_t at = line.find("\"id.resp_h\":\"");
      if (at != std::string::npos) {
        size_t begin = at + 13;
        line.replace(begin, line.find('"', begin) - begin, random_ip());
      }
    }
    input += line + "\n";
    buf.assign(line.begin(), line.end());
    buf.resize(line.size() + 64, '\0');
    ASSERT_TRUE(
        full_reader.ReadFlat(std::string_view(buf.data(), line.size()), EventFormat::kZeek, &obs)
            .ok());
    auto observations = pattern::Observations::FromJson(
        boost::json::parse(ObservationToStixJson(obs)), pattern::StixVersion::k21);
    ASSERT_TRUE(observations.ok()) << observations.status();
    pattern::MatchOptions options;
    options.cidr_equality = true;
    for (uint32_t i = 0; i < patterns.size(); ++i) {
      auto r = pattern::Match(patterns[i], *observations, options);
      ASSERT_TRUE(r.ok()) << r.status();
      if (*r) want.push_back(indicators[i].first + " " + line.substr(0, 40));
    }
  }
  ASSERT_GT(want.size(), 100u);

  for (size_t chunk : {input.size(), size_t{4096}, size_t{7}}) {
    std::vector<std::string> got;
    std::vector<std::string> lines_of_event;
    std::string out;
    SightingOptions options;
    options.seed = 1;
    options.now = [] { return std::string("2026-01-01T00:00:00.000Z"); };
    StreamMatcher stream(
        matcher->get(), EventFormat::kZeek, options, [&](std::string_view s) { out += s; },
        [&](std::string_view m) { ADD_FAILURE() << m; });
    for (size_t at = 0; at < input.size(); at += chunk) {
      ASSERT_TRUE(stream.Feed(std::string_view(input).substr(at, chunk)).ok());
    }
    ASSERT_TRUE(stream.Finish().ok());
    // Sightings carry the event's time, not its text: map each back through its line number
    // order by replaying the expected list's event prefixes.
    std::vector<std::string> refs;
    size_t pos = 0;
    while (pos < out.size()) {
      size_t nl = out.find('\n', pos);
      auto v = boost::json::parse(out.substr(pos, nl - pos)).as_object();
      refs.push_back(std::string(v.at("sighting_of_ref").as_string()));
      pos = nl + 1;
    }
    std::vector<std::string> want_refs;
    for (const auto& w : want) want_refs.push_back(w.substr(0, w.find(' ')));
    EXPECT_EQ(refs, want_refs) << "chunk " << chunk;
    EXPECT_EQ(stream.stats().sightings, want.size());
  }
}

}  // namespace
}  // namespace detente::match
