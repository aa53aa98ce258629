// match/event_reader.h: turns event JSON (Zeek logs, Suricata EVE, STIX 2.1 observed-data) into
// Observations. The field mapping is documented in docs/match-fields.md.
//
// Zeek and Suricata events are one JSON object per line. Each is parsed by the simdjson DOM
// parser (its runtime-dispatched SIMD stages; depth limited to kMaxDepth) and its tape walked
// once: known keys (a small hash table over the fixed key set) are stashed in slots, the others
// skipped, and the SCOs are emitted after the pass (so the Zeek log type can be inferred from
// the fields when `_path` is absent). A line the DOM parser refuses (too deep, or malformed
// anywhere) is read again with simdjson On-Demand, which skips unknown values unparsed and
// names the error when there is one; both paths map an event alike. STIX documents (a bundle, an observed-data, or an SCO on its own line) are
// read with the simdjson DOM, because resolving object_refs needs random access.
//
// Limits (hostile input): nesting depth kMaxDepth, a document of at most kMaxDocumentBytes,
// at most kMaxObjects SCOs and kMaxProperties properties per observation, kMaxStixCache SCOs
// remembered across NDJSON lines. Errors are kInvalidArgument naming what was wrong.
//
// Thread-safety: none; use one EventReader per thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "match/observation.h"

namespace detente::match {

enum class EventFormat { kAuto, kStix, kZeek, kSuricata };

// "auto", "stix", "zeek", "suricata" (also "eve"). Errors: kInvalidArgument.
base::Result<EventFormat> ParseEventFormat(std::string_view name);
std::string_view EventFormatName(EventFormat format);

// Guesses the format of a stream from its first document: "type" of "bundle"/"observed-data" or
// an SCO -> kStix, an "event_type" member -> kSuricata, otherwise kZeek.
EventFormat SniffFormat(std::string_view first_document);

inline constexpr size_t kMaxDepth = 64;
inline constexpr size_t kMaxDocumentBytes = 64u << 20;
inline constexpr size_t kMaxObjects = 10000;
inline constexpr size_t kMaxProperties = 100000;
inline constexpr size_t kMaxStixCache = 100000;

struct ReaderStats {
  uint64_t zeek_events = 0;
  uint64_t suricata_events = 0;
  uint64_t stix_observations = 0;
  uint64_t unrecognised_events = 0;  // valid JSON without anything we map
};

class EventReader {
 public:
  // `paths` must outlive the reader; path ids are looked up once, here. With
  // `indexed_paths_only`, Zeek and Suricata events yield only the properties whose path is in
  // `paths` (objects and references are kept, except the network-traffic object when no
  // network-traffic path is in `paths`: it would hold nothing), and field values that feed no
  // such path are not interpreted: for a matcher whose indicators are all answered by its
  // indexes (Matcher::NeedsAllProperties() false). STIX input is unaffected.
  explicit EventReader(const PathRegistry& paths, bool indexed_paths_only = false);
  ~EventReader();
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  // Reads one Zeek or Suricata event (a JSON object; kAuto picks by the fields) into *obs.
  // The strings *obs views stay valid until the second ReadFlat call after this one (two
  // parsers are used by turns), so a caller may match one event while reading the next.
  // `line` must be followed in memory by at least simdjson's padding (64 bytes) of readable
  // memory (the caller's buffer guarantees it); the bytes there are not interpreted.
  // Errors: kInvalidArgument ("invalid JSON: ...", "event is not a JSON object",
  // "event larger than ...").
  base::Status ReadFlat(std::string_view line, EventFormat format, Observation* obs);

  // Reads one STIX document and calls `fn` for each observation in it (each observed-data of a
  // bundle; a lone SCO is remembered for later object_refs and yields none). Errors from `fn`
  // stop the walk and are returned. Errors: kInvalidArgument naming the problem.
  base::Status ReadStix(std::string_view document,
                        const std::function<base::Status(Observation&)>& fn);

  const ReaderStats& stats() const { return stats_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ReaderStats stats_;
};

}  // namespace detente::match
