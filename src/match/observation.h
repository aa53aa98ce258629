// match/observation.h: the flat, cheap view of one event that the matcher works on.
//
// An Observation is what one event (a Zeek log line, a Suricata EVE record, a STIX observed-data)
// says it saw, as STIX Cyber-observable objects (SCOs): a list of objects, each with a type, and a
// flat list of properties. A property belongs to one object and has a path *inside* that object
// in the canonical pattern form ("value", "hashes.'SHA-256'", "protocols[*]",
// "extensions.'http-request-ext'.request_method"), an interned full-path id for index lookups,
// and a scalar value. Dereferenced properties ("src_ref.value" on a network-traffic object) are
// added as `derived` properties so that a lookup of "network-traffic:src_ref.value" is one probe.
// The mapping from each event format to these paths is documented in docs/match-fields.md.
//
// Strings are views: into the simdjson parser's string buffer (EventReader::ReadFlat: valid
// until the reader has read two more events; ReadStix: until the next document) or into the
// Observation's own arena (valid until Clear()).
//
// Thread-safety: none; an Observation belongs to one reader/matcher pair at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace detente::match {

// The id of an interned full path ("ipv4-addr:value"); kNoPath when no indicator uses it.
inline constexpr uint32_t kNoPath = 0xFFFFFFFFu;

enum class ValueKind : uint8_t { kString, kInt, kFloat, kBool, kNull };

struct Value {
  ValueKind kind = ValueKind::kString;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string_view s;

  static Value String(std::string_view v) { Value x; x.s = v; return x; }
  static Value Int(int64_t v) { Value x; x.kind = ValueKind::kInt; x.i = v; return x; }
  static Value Float(double v) { Value x; x.kind = ValueKind::kFloat; x.f = v; return x; }
  static Value Bool(bool v) { Value x; x.kind = ValueKind::kBool; x.b = v; return x; }
  static Value Null() { Value x; x.kind = ValueKind::kNull; return x; }
};

struct Property {
  uint32_t object = 0;       // index into Observation::objects()
  uint32_t path = kNoPath;   // interned full path id (type:name), or kNoPath
  std::string_view name;     // path inside the object, canonical pattern form
  Value value;
  int32_t ref = -1;          // for *_ref / *_refs[*]: index of the referenced object
  bool derived = false;      // a dereferenced copy ("src_ref.value"), not a real property
  int32_t from = -1;         // derived: the (referenced) object the value was copied from
  // For an IPv4 address text "a.b.<rest>" (a, b decimal <= 255, no '/' anywhere) that a reader
  // has scanned: a << 8 | b, so the CIDR pre-check need not read the text again; else -1.
  int32_t v4_net16 = -1;
};

struct ObjectView {
  std::string_view type;  // "ipv4-addr"
  std::string_view id;    // the SCO id when the event had one (STIX input), else empty
};

// An instant with the number of fractional digits it was written with.
struct EventTime {
  bool valid = false;
  int64_t seconds = 0;
  int32_t nanos = 0;
  int32_t digits = 0;  // 0..9
};

// Formats `t` as a STIX timestamp "YYYY-MM-DDTHH:MM:SS[.f+]Z" with t.digits fractional digits.
// REQUIRES: t.valid.
std::string FormatStixTime(const EventTime& t);
// Parses RFC 3339 ("2023-11-14T22:13:20.123456Z", "+0000" and "+00:00" offsets accepted, as
// Suricata writes them; a missing offset is taken as UTC). Returns an invalid EventTime on error.
EventTime ParseTimeText(std::string_view text);
// Seconds since the epoch as a double (Zeek's default `ts`); microsecond precision.
EventTime TimeFromEpochDouble(double seconds);

// Appends `s` as a JSON string literal with quotes. Invalid UTF-8 bytes become U+FFFD.
void AppendJsonString(std::string* out, std::string_view s);

// A bump allocator for strings an event reader composes (a URL from host + uri). Memory is kept
// across Reset() so a steady stream allocates nothing.
class Arena {
 public:
  std::string_view Copy(std::string_view s);
  std::string_view Concat(std::string_view a, std::string_view b, std::string_view c = {});
  void Reset();

 private:
  char* Allocate(size_t n);
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<size_t> sizes_;
  size_t block_ = 0;
  size_t used_ = 0;
};

// Interns full paths ("type:path") to dense ids. Built by the matcher from the indicators; the
// readers look their paths up once (Find) and cache the ids.
class PathRegistry {
 public:
  uint32_t Intern(std::string_view full_path);
  uint32_t Find(std::string_view full_path) const;  // kNoPath when absent
  size_t size() const { return names_.size(); }
  const std::string& name(uint32_t id) const { return names_[id]; }

 private:
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> names_;
};

class Observation {
 public:
  void Clear();

  // Adds an object of `type` (a view that must outlive the Observation's use, usually a literal
  // or parser-owned) and returns its index.
  // (flatten: g++ otherwise leaves vector::emplace_back out of line in these hot adders.)
  [[gnu::flatten]] uint32_t AddObject(std::string_view type, std::string_view id = {}) {
    objects_.push_back(ObjectView{type, id});
    return static_cast<uint32_t>(objects_.size() - 1);
  }
  void Add(uint32_t object, uint32_t path, std::string_view name, const Value& value) {
    Property& p = properties_.emplace_back();
    p.object = object;
    p.path = path;
    p.name = name;
    p.value = value;
  }
  [[gnu::flatten]] void AddString(uint32_t object, uint32_t path, std::string_view name,
                                  std::string_view s) {
    Property& p = properties_.emplace_back();
    p.object = object;
    p.path = path;
    p.name = name;
    p.value.s = s;  // kind is kString by default
  }
  // AddString for an IPv4 address text with its first two octets already read (see
  // Property::v4_net16; -1 when unknown).
  [[gnu::flatten]] void AddIpv4String(uint32_t object, uint32_t path, std::string_view name,
                                      std::string_view s, int32_t net16) {
    Property& p = properties_.emplace_back();
    p.object = object;
    p.path = path;
    p.name = name;
    p.value.s = s;
    p.v4_net16 = net16;
  }
  // Adds a dereferenced copy on `object` of a property of object `from` ("src_ref.value").
  void AddDerived(uint32_t object, uint32_t path, std::string_view name, const Value& value,
                  uint32_t from) {
    Property& p = properties_.emplace_back();
    p.object = object;
    p.path = path;
    p.name = name;
    p.value = value;
    p.derived = true;
    p.from = static_cast<int32_t>(from);
  }
  void AddRef(uint32_t object, uint32_t path, std::string_view name, uint32_t target) {
    Property& p = properties_.emplace_back();
    p.object = object;
    p.path = path;
    p.name = name;
    p.ref = static_cast<int32_t>(target);
  }

  const std::vector<ObjectView>& objects() const { return objects_; }
  // Unique to this filling of this Observation: a process-wide counter drawn at construction
  // and at each Clear(), so a refilled (or another, same-address) Observation never repeats it.
  uint64_t epoch() const { return epoch_; }
  const std::vector<Property>& properties() const { return properties_; }

  EventTime first_observed;
  EventTime last_observed;
  int64_t number_observed = 1;
  std::string_view observed_data_id;  // STIX input only
  std::string_view source_text;       // the event's JSON text (for error messages)
  Arena arena;

 private:
  std::vector<ObjectView> objects_;
  std::vector<Property> properties_;
  static uint64_t NextEpoch();
  uint64_t epoch_ = NextEpoch();
};

// Serialises `obs` as a STIX 2.1 bundle with one observed-data and its SCOs (ids are
// "<type>--00000000-0000-4000-8000-<12-digit object index>" when the event had none). Derived
// properties are omitted; property paths are expanded back into nested JSON. Used to hand
// candidates to the pattern module's reference evaluator.
std::string ObservationToStixJson(const Observation& obs);

}  // namespace detente::match
