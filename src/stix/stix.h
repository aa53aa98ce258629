// stix/stix.h: the public header of the stix module (depends on base and crypto).
//
// STIX 2.1 objects: validation of single objects against the specification's property tables
// and MUST/SHOULD rules (errors vs warnings, each with a JSON Pointer path), streaming readers
// that split bundles, arrays and NDJSON into objects in bounded memory, deterministic SCO ids
// (UUIDv5 over the RFC 8785 form of the ID Contributing Properties) and the TLP 1.0 / 2.0
// marking definitions.
//
// What is checked, and the limits, are described in docs/stix-validation.md.
//
// Thread-safety: Validator and ObjectReader are not thread-safe (each keeps a reusable parser
// and buffers); use one per thread. The free functions are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"

namespace detente::stix {

// Hard limits on hostile input.
inline constexpr size_t kDefaultMaxObjectBytes = 16 * 1024 * 1024;  // one object (or line)
inline constexpr size_t kDefaultMaxDepth = 64;                      // JSON nesting depth

// One finding: where (a JSON Pointer into the object, "" for the object itself) and what.
struct Issue {
  std::string path;
  std::string message;
  friend bool operator==(const Issue&, const Issue&) = default;
};

// The outcome of validating one object. `errors` are violations of MUST rules (the object is
// invalid), `warnings` are SHOULD rules and open-vocabulary deviations.
struct Report {
  std::string id;    // the object's "id" when it is a string, else empty
  std::string type;  // the object's "type" when it is a string, else empty
  std::vector<Issue> errors;
  std::vector<Issue> warnings;

  bool valid() const { return errors.empty(); }
  // Clears the contents but keeps the capacity (a Report is meant to be reused).
  void Clear();
};

struct ValidatorOptions {
  size_t max_object_bytes = kDefaultMaxObjectBytes;
  size_t max_depth = kDefaultMaxDepth;
  // Warn when an SCO's id is not the deterministic UUIDv5 id (costs a canonicalisation and a
  // SHA-1 per SCO).
  bool check_sco_ids = false;
  // Checks the text of an indicator's "pattern" when its "pattern_type" is "stix": returns an
  // empty string when the pattern is valid, else what is wrong (reported at /pattern).
  // `version` is the indicator's "pattern_version" ("" when absent). The pattern module sits
  // above stix, so a caller that has it (the CLI) injects it here; empty: patterns are not
  // checked beyond being strings.
  std::function<std::string(std::string_view pattern, std::string_view version)> check_pattern;
};

// Validates STIX 2.1 objects one at a time. Reuses one simdjson parser and its buffers, so a
// steady stream of objects is validated without per-object allocations (unless issues are
// reported).
class Validator {
 public:
  explicit Validator(ValidatorOptions options = {});
  ~Validator();
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  // Validates `json`, which must be the text of exactly one JSON object that is one STIX object
  // (not a bundle: split bundles with ObjectReader). Never fails: malformed JSON, a value that
  // is not an object, oversized or too deeply nested input are reported as errors in *report
  // (path ""). *report is cleared first.
  void Validate(std::string_view json, Report* report);

  // Validates the envelope of a bundle: `json` is the bundle object *without* (or with) its
  // "objects" member; type must be "bundle" and id "bundle--<uuid>". Objects are not checked.
  // `object_count` is the number of elements the reader saw in "objects" (-1: no "objects"
  // member was split off; an "objects" member left in `json` is then checked here).
  void ValidateBundleEnvelope(std::string_view json, int64_t object_count, Report* report);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience: validates one object with a temporary Validator.
Report ValidateObject(std::string_view json, const ValidatorOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Streaming input.

// A source of bytes, read in chunks (a file descriptor, a string in tests).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `max` bytes into `buf`; returns the number read, 0 at end of input.
  // Errors: kUnavailable on an I/O error.
  virtual base::Result<size_t> Read(char* buf, size_t max) = 0;
};

// Reads from a file descriptor it does not own.
class FdByteSource final : public ByteSource {
 public:
  explicit FdByteSource(int fd) : fd_(fd) {}
  base::Result<size_t> Read(char* buf, size_t max) override;

 private:
  int fd_;
};

// Reads from a string view that must outlive the source.
class StringByteSource final : public ByteSource {
 public:
  explicit StringByteSource(std::string_view data) : data_(data) {}
  base::Result<size_t> Read(char* buf, size_t max) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

struct ReaderOptions {
  size_t max_object_bytes = kDefaultMaxObjectBytes;
  size_t chunk_bytes = 1 << 20;
};

// One item produced by ObjectReader.
struct RawItem {
  enum class Kind {
    kObject,          // `json` is the text of one JSON object (to be validated)
    kBundleEnvelope,  // `json` is a bundle's members other than "objects" (to be validated)
    kError,           // not an object / unparseable / too large: `error` says what
  };
  Kind kind = Kind::kObject;
  std::string_view json;  // valid until the next call to Next()
  std::string error;      // for kError
  uint64_t index = 0;     // 0-based position among the items of the input
  uint64_t line = 0;      // 1-based line of the input where the item starts
  // kBundleEnvelope: the number of elements of the "objects" array that was split off (they
  // were produced as kObject items before this envelope), or -1 if there was none.
  int64_t bundle_objects = -1;
};

// Splits an input into STIX objects without loading it whole. The input may be a bundle, one
// object, a JSON array of objects, or NDJSON (one object, array or bundle per line); a bundle's
// "objects" array is streamed element by element. Memory is bounded by chunk_bytes plus
// max_object_bytes. Structural problems are reported as kError items and the reader resumes at
// the next line.
class ObjectReader {
 public:
  // `source` must outlive the reader.
  ObjectReader(ByteSource* source, ReaderOptions options = {});
  ~ObjectReader();
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  // Produces the next item into *item. Returns false at the end of the input.
  // Errors: kUnavailable when the source fails.
  base::Result<bool> Next(RawItem* item);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------
// Whole inputs: what `detente stix validate` and `detente stix id` print (one JSON line per
// item, format in docs/stix-validation.md).

struct StreamSummary {
  uint64_t items = 0;    // lines emitted
  uint64_t invalid = 0;  // lines with "valid": false (validate) or a null id (id)
};

// Receives each output line (without the trailing newline).
using LineSink = std::function<void(std::string_view line)>;

// Validates every object of `source` (see ObjectReader for the accepted forms) and emits one
// line per object: {"id":..,"valid":..,"errors":[{"path":..,"message":..}],"warnings":[..],
// "index":N,"line":L}. A bundle envelope is emitted only when it is invalid; unreadable items
// are emitted as invalid with id null and a message naming the line.
// Errors: kUnavailable when the source fails.
base::Result<StreamSummary> ValidateStream(ByteSource* source, const ValidatorOptions& options,
                                           const LineSink& sink);

// Emits {"id":"<deterministic id>"} for every SCO of `source`, in input order; other objects
// are skipped. An SCO without any ID Contributing Property (the spec requires a random UUIDv4
// then) and unreadable items are emitted as {"id":null,"error":"..."} and counted as invalid.
// Errors: kUnavailable when the source fails.
base::Result<StreamSummary> ComputeScoIds(ByteSource* source, const ReaderOptions& options,
                                          const LineSink& sink);

// Appends `text` to *out as a JSON string literal; invalid UTF-8 is replaced by U+FFFD.
void AppendJsonStringSafe(std::string* out, std::string_view text);

// ---------------------------------------------------------------------------------------------
// Deterministic SCO ids (section 2.9 / 3.4).

// True for the 18 SCO types of STIX 2.1.
bool IsScoType(std::string_view type);

// The name part of the UUIDv5 for the SCO `json`: the RFC 8785 canonical JSON object of its
// ID Contributing Properties (for hashes: one hash, preferring MD5, SHA-1, SHA-256, SHA-512,
// else the first in document order).
// Errors: kInvalidArgument if `json` is not an object of an SCO type; kNotFound if none of the
// contributing properties is present (the spec then requires a random UUIDv4).
base::Result<std::string> ScoIdContributingJson(std::string_view json);

// "<type>--<uuidv5>" for the SCO `json` (namespace 00abedb4-aa42-466c-9c01-fed23315a9b7).
// Errors: as ScoIdContributingJson.
base::Result<std::string> DeterministicScoId(std::string_view json);

// ---------------------------------------------------------------------------------------------
// TLP markings.

enum class TlpLevel { kClear, kGreen, kAmber, kAmberStrict, kRed };

struct TlpMarking {
  TlpLevel level;
  int tlp_version;        // 1 (STIX 2.1 section 7.2.1.4) or 2 (TLP 2.0 extension)
  std::string_view id;    // "marking-definition--..."
  std::string_view name;  // "TLP:GREEN"
};

// The id of the TLP 2.0 marking-definition extension.
inline constexpr std::string_view kTlp2ExtensionId =
    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

// The TLP level a marking-definition id stands for, or nullopt if it is not one of the nine
// fixed TLP marking definitions (TLP 1.0: white, green, amber, red; TLP 2.0: clear, green,
// amber, amber+strict, red). TLP 1.0 WHITE maps to kClear.
std::optional<TlpMarking> TlpForMarkingId(std::string_view marking_id);

// All nine fixed TLP marking definitions.
std::span<const TlpMarking> AllTlpMarkings();

// The TLP 2.0 marking-definition for `level`.
const TlpMarking& Tlp2Marking(TlpLevel level);

// "clear", "green", "amber", "amber+strict", "red".
std::string_view TlpLevelName(TlpLevel level);

// The JSON text of the fixed marking-definition object `marking`.
std::string TlpMarkingDefinitionJson(const TlpMarking& marking);

// The strictest TLP level among `marking_ids` (ids that are not TLP markings are ignored), or
// nullopt when none is a TLP marking. Order: clear < green < amber < amber+strict < red.
std::optional<TlpLevel> StrictestTlp(std::span<const std::string_view> marking_ids);

}  // namespace detente::stix
