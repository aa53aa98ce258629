// stix/schema.h: the STIX 2.1 property tables the validator walks (internal to the stix module).
//
// Every object type, nested type and predefined extension of the specification is an
// ObjectSpec: a list of PropSpecs (name -> kind, required/list flags, vocabulary, allowed
// reference targets, integer range), plus the rules that span several properties (timestamp
// ordering pairs, "at least one of", and a per-type check function for the rest). The tables
// are transcribed from the property tables of the STIX 2.1 specification (sections 2-8) with
// Errata 01; section numbers are given next to each table in schema.cc.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <simdjson.h>

namespace detente::stix::internal {

class Checker;

enum class Kind : uint8_t {
  kString,
  kInteger,
  kFloat,
  kBoolean,
  kTimestamp,
  kIdentifier,       // "<type>--<uuid>", PropSpec::refs restricts the target type
  kOpenVocab,        // string; not in the vocabulary -> warning
  kEnum,             // string; not in the enumeration -> error
  kHashes,           // section 2.7
  kDictionary,       // section 2.3, any non-null values
  kDictStrings,      // dictionary of strings
  kDictStringLists,  // dictionary of lists of strings
  kDictIntOrString,  // dictionary of integers or strings
  kBinary,           // base64
  kHex,
  kExtensions,           // section 3.2 "extensions"
  kObject,               // a nested type: PropSpec::nested
  kObservableContainer,  // section 2.13 (deprecated observed-data "objects")
  kLanguageContents,     // section 7.1 "contents"
  kSpecVersion,          // "2.1"
  kType,                 // handled by the walker
  kAny,
};

// PropSpec::flags
inline constexpr uint8_t kRequired = 1;
inline constexpr uint8_t kList = 2;
inline constexpr uint8_t kNotApplicable = 4;  // listed as N/A for this type: warning if present
inline constexpr uint8_t kForbidden = 8;      // MUST NOT be present: error
inline constexpr uint8_t kMillis = 16;        // timestamp with at least millisecond precision
inline constexpr uint8_t kDeprecated = 64;    // present -> warning "deprecated"

inline constexpr int64_t kMaxStixInteger = (int64_t{1} << 53) - 1;

struct Vocab {
  std::string_view name;  // e.g. "malware-type-ov"
  std::span<const std::string_view> values;
};

struct ObjectSpec;

struct PropSpec {
  std::string_view name;
  Kind kind;
  uint8_t flags = 0;
  const Vocab* vocab = nullptr;
  // For kIdentifier: allowed target types, comma separated, or one of the classes "@sdo",
  // "@sco", "@sdo-sco" (SDOs and SCOs), "@marking"; empty = any type.
  std::string_view refs = {};
  const ObjectSpec* nested = nullptr;
  int64_t min = -kMaxStixInteger;
  int64_t max = kMaxStixInteger;
};

enum class Category : uint8_t {
  kSdo,
  kSro,
  kSco,
  kLanguageContent,
  kMarkingDefinition,
  kExtensionDefinition,
  kNested,  // a nested type or a predefined extension
};

// "a MUST be later than (or equal to) b".
struct OrderRule {
  std::string_view earlier;
  std::string_view later;
  bool strict;
};

struct ExtensionEntry {
  std::string_view name;  // e.g. "ntfs-ext"
  const ObjectSpec* spec;
};

using CheckFn = void (*)(Checker& checker, const simdjson::dom::object& object);

// ObjectSpec::flags
inline constexpr uint8_t kAtLeastOneProperty = 1;         // at least one type-specific property
inline constexpr uint8_t kAtLeastOneBesidesRequired = 2;  // ... other than the required ones

struct ObjectSpec {
  std::string_view name;
  Category category;
  std::span<const PropSpec> props;
  CheckFn check = nullptr;
  uint8_t flags = 0;
  std::span<const OrderRule> order = {};
  std::span<const ExtensionEntry> extensions = {};
  std::span<const std::string_view> id_contributing = {};
};

// The spec of a top-level STIX object type, or nullptr for an unknown (custom) type.
const ObjectSpec* FindObjectSpec(std::string_view type);

// The common properties (section 3.2) for objects of `category`.
std::span<const PropSpec> CommonProperties(Category category);

// Looks `name` up in `props`; nullptr if absent.
const PropSpec* FindProperty(std::span<const PropSpec> props, std::string_view name);

bool InVocab(const Vocab& vocab, std::string_view value);

// The hash-algorithm-ov vocabulary (section 10.7).
const Vocab& HashAlgorithmVocab();
// The extension-type-enum (section 10.5).
const Vocab& ExtensionTypeEnum();

// Property names reserved by section 3.8.
bool IsReservedPropertyName(std::string_view name);

// True when `type` (a known type name) belongs to `cls` ("@sdo", "@sco", "@sdo-sco").
bool TypeInClass(std::string_view type, std::string_view cls);

}  // namespace detente::stix::internal
