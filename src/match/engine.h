// match/engine.h: the compiled indicator set and the per-event matching loop (internal; the
// public face is match.h).
//
// Compilation (EngineBuilder::Add): each pattern is parsed by the pattern module and decomposed:
//  * "exact" indicators, whose pattern is one observation (or an OR of observations) without
//    qualifiers whose comparison expression is an OR of indexable tests (=, IN, LIKE, MATCHES,
//    ISSUBSET on a plain property path with a string/number/bool literal): a hit in an index is
//    a match, with no further work;
//  * "candidate" indicators (AND inside [...], observation operators, qualifiers, negations,
//    ordering operators...): indexed on a set of terms at least one of which every match must
//    hit (the necessary terms), or, when there is none, on the object types the pattern names;
//    each candidate is finished by pattern::Match, the reference evaluator, on the event.
//    Patterns that need several observations (observation-level AND / FOLLOWEDBY, REPEATS)
//    are evaluated over a small window of their recent candidate events (kWindow).
//
// CIDR equality: the engine always has pattern::MatchOptions::cidr_equality semantics. A string
// literal in CIDR form ("58.246.0.0/15") under '=' or IN on a `value` path of ipv4-addr /
// ipv6-addr, or on a one-reference path ending in `_ref.value` / `_refs[*].value`, goes into a
// per-path "CIDR equality" trie (consulted only when the object holding the observed value is
// an ipv4-addr or ipv6-addr) and also into the exact index (string equality, which is what '='
// means for any other object type). The evaluator is called with the same option.
//
// Thread-safety: a built Engine is used by one thread at a time (Match mutates scratch space).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "match/cidr_trie.h"
#include "match/index.h"
#include "match/observation.h"
#include "match/regex_index.h"

namespace detente::pattern {
class Pattern;
}

namespace detente::match {

// Recent candidate events kept per multi-observation indicator.
inline constexpr size_t kWindow = 16;

struct EngineStats {
  uint64_t exact = 0;           // indicators answered by the indexes alone
  uint64_t candidate = 0;       // indicators finished by the reference evaluator
  uint64_t by_type = 0;         // candidates with no indexable term (checked per object type)
  uint64_t never = 0;           // patterns that can never match one event (e.g. IN ())
  uint64_t equality_keys = 0;
  uint64_t cidr_blocks = 0;
  uint64_t regexes = 0;
};

struct MatchCounters {
  uint64_t candidates_evaluated = 0;
  uint64_t evaluator_errors = 0;
};

// Compact storage of indicator ids: "indicator--<lower-case uuid>" as 16 bytes.
class IdStore {
 public:
  uint32_t Add(std::string_view id);
  std::string Get(uint32_t index) const;
  size_t size() const { return uuids_.size(); }
  size_t MemoryBytes() const;
  void Compact() { uuids_.shrink_to_fit(); }

 private:
  std::vector<std::array<uint8_t, 16>> uuids_;
  std::unordered_map<uint32_t, std::string> other_;  // ids not of that form
};

class Engine {
 public:
  ~Engine();

  const PathRegistry& paths() const { return paths_; }
  size_t size() const { return ids_.size(); }
  std::string IndicatorId(uint32_t indicator) const { return ids_.Get(indicator); }
  const EngineStats& stats() const { return stats_; }
  const MatchCounters& counters() const { return counters_; }
  // Bytes held by the indexes and id storage (not counting the complex patterns' trees).
  size_t MemoryBytes() const;
  size_t ComplexMemoryEstimate() const;
  // Whether some indicator is finished by the reference evaluator, which needs every property
  // of an event (not only those on indexed paths).
  bool NeedsAllProperties() const { return !complex_.empty(); }

  // Appends to *out the indicators that match `obs` (each at most once, ascending).
  void Match(const Observation& obs, std::vector<uint32_t>* out);

  // A hint: starts loading the index memory Match(obs) will read for `obs`'s exact-value
  // lookups, so that a caller can overlap those cache misses with other work (reading the next
  // event) before calling Match(obs).
  // Keeps the probes it computes for the next Match(obs) (up to two observations ahead).
  void Prefetch(const Observation& obs);

 private:
  friend class EngineBuilder;
  Engine();

  enum PathFlag : uint8_t { kEq = 1, kCidr = 2, kRegex = 4, kCidrEq = 8 };
  enum IndicatorFlag : uint8_t { kExact = 1, kMulti = 2, kComplex = 4 };

  struct Complex;
  bool Verify(uint32_t indicator, const Observation& obs);

  PathRegistry paths_;
  std::vector<uint8_t> path_flags_;
  EqualityIndex eq_;
  std::vector<std::unique_ptr<CidrTrie>> tries_;     // ISSUBSET blocks, by path id
  std::vector<std::unique_ptr<CidrTrie>> eq_tries_;  // CIDR-equality blocks, by path id
  RegexIndex regex_;
  IdStore ids_;
  std::vector<uint8_t> flags_;
  std::unordered_map<uint32_t, std::unique_ptr<Complex>> complex_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_type_;
  EngineStats stats_;
  MatchCounters counters_;

  // Per-event scratch.
  struct Probe {
    uint64_t hash;
    uint32_t path;
    KeyBytes key;
  };
  void MakeProbes(const Observation& obs, std::vector<Probe>* probes) const;
  std::vector<Probe> probes_;
  struct Prepared {
    const Observation* obs = nullptr;  // nullptr: free
    uint64_t epoch = 0;
    size_t properties = 0;
    std::vector<Probe> probes;
  };
  Prepared prepared_[2];
  int prepared_next_ = 0;
  std::vector<uint32_t> hits_;
  std::string nfc_;
  const Observation* cached_obs_ = nullptr;
  std::string cached_json_;
};

class EngineBuilder {
 public:
  EngineBuilder();
  ~EngineBuilder();

  // Parses and validates `pattern_text` (STIX 2.1 patterning) and adds indicator `id`.
  // Errors: kInvalidArgument with the pattern module's message ("1:13: expected ...") or
  // "invalid regular expression ..."; the indicator is then not added.
  base::Status Add(std::string_view id, std::string_view pattern_text);

  // Finishes the indexes. Errors: kInternal when vectorscan fails.
  base::Result<std::unique_ptr<Engine>> Build();

 private:
  base::Status AddParsed(std::string_view id, const pattern::Pattern& p);
  std::unique_ptr<Engine> engine_;
};

}  // namespace detente::match
