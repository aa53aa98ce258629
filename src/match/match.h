// match/match.h: the public header of the match module: bulk matching of many STIX indicators
// against event streams, with STIX 2.1 sightings out.
//
//   Matcher::Load        indicators (a STIX bundle, a JSON array or NDJSON) -> compiled indexes
//   StreamMatcher        bytes of events (Zeek JSON logs, Suricata EVE, STIX observed-data) in,
//                        one sighting per (indicator, event) match out, as NDJSON lines
//
// How patterns are decomposed into exact hash sets, CIDR tries and vectorscan/RE2 automata,
// and which are finished by the pattern module's reference evaluator: match/engine.h. How each
// event format maps to STIX SCO properties: docs/match-fields.md. Speed: docs/performance/match.md.
//
// Semantics: each event is one observation (number_observed 1 for Zeek/Suricata); a pattern
// matches an event as pattern::Match would, with MatchOptions::cidr_equality on ('=' against a
// CIDR-form literal on an address value means containment; docs/match-fields.md), on an
// observed-data holding that event's SCOs.
// Patterns that need several observations (observation AND/FOLLOWEDBY, REPEATS) are evaluated
// over a window of their last kWindow candidate events.
//
// Thread-safety: a Matcher and a StreamMatcher are used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "match/event_reader.h"
#include "match/observation.h"

namespace detente::match {

class Engine;

struct LoadStats {
  uint64_t objects = 0;                // JSON objects read from the indicators input
  uint64_t indicators = 0;             // objects of type "indicator"
  uint64_t loaded = 0;                 // compiled into the matcher
  uint64_t skipped_not_indicator = 0;  // other object types
  uint64_t skipped_pattern_type = 0;   // pattern_type other than "stix"
  uint64_t skipped_revoked = 0;        // "revoked": true
  uint64_t superseded = 0;             // an older version of an id that appears again
  uint64_t invalid = 0;                // no id, no pattern, or a pattern that does not compile
};

struct IndicatorError {
  std::string id;       // may be empty when the object had none
  std::string message;  // e.g. "1:13: expected a literal after '=', found ']'"
};

class Matcher {
 public:
  // Reads indicators from `text`: a STIX bundle, a JSON array of objects, one object, or NDJSON
  // (one object or bundle per line). Only indicators with pattern_type "stix" (or none, as in
  // STIX 2.0) are compiled; of several versions of one id the latest `modified` wins. Invalid
  // indicators are skipped, counted in *stats and described in *errors (never fatal).
  // Errors: kInvalidArgument when the text is not JSON of those shapes ("line 3: invalid JSON:
  // ..."); kInternal if an index cannot be built.
  static base::Result<std::unique_ptr<Matcher>> Load(std::string_view text, LoadStats* stats,
                                                     std::vector<IndicatorError>* errors);

  // Compiles (id, pattern) pairs; invalid ones are skipped and reported as with Load.
  static base::Result<std::unique_ptr<Matcher>> FromPatterns(
      const std::vector<std::pair<std::string, std::string>>& indicators, LoadStats* stats,
      std::vector<IndicatorError>* errors);

  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Number of compiled indicators.
  size_t size() const;
  // Bytes held by the indexes (hash table, value arena, tries, ids).
  size_t MemoryBytes() const;
  // The interned property paths, for constructing an EventReader.
  const PathRegistry& paths() const;
  // False when every indicator is answered by the indexes alone: events then need only the
  // properties on paths(), and an EventReader may be built with indexed_paths_only.
  bool NeedsAllProperties() const;
  std::string IndicatorId(uint32_t indicator) const;
  // Appends the indicators matching `obs` (each once, ascending) to *out.
  void Match(const Observation& obs, std::vector<uint32_t>* out);
  // A hint before Match(obs): starts loading the index memory its lookups will need (see
  // Engine::Prefetch), so that the cache misses overlap with other work. Matching is the same
  // with or without it.
  void Prefetch(const Observation& obs);
  // One JSON object describing the compiled indexes ("exact", "candidate", "equality_keys"...).
  std::string DescribeJson() const;
  uint64_t candidates_evaluated() const;
  uint64_t evaluator_errors() const;

 private:
  explicit Matcher(std::unique_ptr<Engine> engine);
  std::unique_ptr<Engine> engine_;
};

struct SightingOptions {
  // The created/modified timestamp of each sighting; default: the system clock (milliseconds).
  std::function<std::string()> now;
  // Seed of the sighting ids (a UUIDv4-shaped XXH3-128 of seed, indicator and event number);
  // default: random per StreamMatcher. Fix it for reproducible output.
  std::optional<uint64_t> seed;
};

// Appends one sighting (a JSON object and '\n') to *out. `observed_data_id` may be empty.
void AppendSighting(std::string* out, std::string_view sighting_id, std::string_view now,
                    std::string_view indicator_id, const EventTime& first, const EventTime& last,
                    std::string_view observed_data_id);

struct StreamStats {
  uint64_t bytes = 0;
  uint64_t events = 0;        // documents / lines read (excluding blank lines)
  uint64_t event_errors = 0;  // events that could not be read (reported to the error sink)
  uint64_t observations = 0;  // observations matched (one per Zeek/EVE line, one per observed-data)
  uint64_t sightings = 0;
};

class StreamMatcher {
 public:
  using Sink = std::function<void(std::string_view ndjson)>;       // sightings, '\n'-terminated
  using ErrorSink = std::function<void(std::string_view message)>;  // "line 7: invalid JSON: ..."

  // `matcher` must outlive this object. kAuto picks the format from the first document.
  StreamMatcher(Matcher* matcher, EventFormat format, SightingOptions options, Sink out,
                ErrorSink errors);
  ~StreamMatcher();

  // Consumes more input; every complete event in it is matched before returning. An event that
  // cannot be read is reported to the error sink, counted, and skipped.
  base::Status Feed(std::string_view bytes);
  // End of input: matches a last event that has no trailing newline; reports an incomplete one.
  base::Status Finish();

  const StreamStats& stats() const { return stats_; }
  const ReaderStats& reader_stats() const;
  EventFormat format() const { return format_; }
  // The --stats object: stream, reader, load and matcher counters together.
  std::string StatsJson(const LoadStats& load) const;

 private:
  void ProcessLine(std::string_view line, uint64_t line_no);
  void ProcessStixDocument(std::string_view doc, uint64_t line_no);
  void Emit(const Observation& obs);
  void ProcessBuffer(bool at_end);
  // Matches the complete NDJSON lines of `bytes` that can be parsed in place; returns the number
  // of bytes consumed (0 unless the format is known and no partial line is pending).
  size_t ProcessInPlace(std::string_view bytes);

  Matcher* matcher_;
  EventFormat format_;
  SightingOptions options_;
  Sink out_;
  ErrorSink errors_;
  std::unique_ptr<EventReader> reader_;
  // NDJSON events are pipelined by one: line N is read into obs_[turn_] and its index lines
  // prefetched, then line N-1 (obs_[turn_ ^ 1], when `pending_`) is matched, so the prefetches
  // have a whole event's work to land. EventReader keeps two events' strings valid for this.
  // FlushPending() matches the pending event; it runs before the bytes it views move or go.
  void FlushPending();
  Observation obs_[2];
  int turn_ = 0;
  bool pending_ = false;
  std::vector<uint32_t> matched_;
  std::string out_buf_;
  StreamStats stats_;
  uint64_t seed_ = 0;

  // Input buffer: data_[0, size_) holds unconsumed bytes, followed by >= 64 bytes of padding.
  std::vector<char> data_;
  size_t size_ = 0;
  uint64_t line_no_ = 0;  // lines fully consumed so far
  bool discarding_ = false;
  // STIX document scanner state (resumable across Feed calls).
  size_t scan_pos_ = 0;
  int depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
  bool started_ = false;
  uint64_t doc_line_ = 0;
};

}  // namespace detente::match
