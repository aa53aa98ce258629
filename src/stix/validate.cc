// stix/validate.cc: the Checker walk and the Validator. Tested by validate_test.cc and
// examples_test.cc.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>

#include "stix/checker.h"
#include "stix/ids.h"
#include "stix/stix.h"

namespace detente::stix {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

void Report::Clear() {
  id.clear();
  type.clear();
  errors.clear();
  warnings.clear();
}

namespace internal {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Quote(std::string_view s) {
  // Values quoted in messages are cut short: messages must stay small for hostile input.
  std::string out = "\"";
  out.append(s.substr(0, 100));
  if (s.size() > 100) out.append("...");
  out.push_back('"');
  return out;
}

// True when the identifier type `type` is allowed by the PropSpec::refs list `refs`.
bool RefAllowed(std::string_view type, std::string_view refs) {
  size_t pos = 0;
  while (pos <= refs.size()) {
    size_t comma = refs.find(',', pos);
    if (comma == std::string_view::npos) comma = refs.size();
    std::string_view item = refs.substr(pos, comma - pos);
    if (item.front() == '@') {
      if (TypeInClass(type, item)) return true;
    } else if (item == type) {
      return true;
    }
    pos = comma + 1;
  }
  return false;
}

std::string DescribeRefs(std::string_view refs) {
  std::string out;
  size_t pos = 0;
  while (pos <= refs.size()) {
    size_t comma = refs.find(',', pos);
    if (comma == std::string_view::npos) comma = refs.size();
    std::string_view item = refs.substr(pos, comma - pos);
    if (!out.empty()) out += comma == refs.size() ? " or " : ", ";
    if (item == "@sdo") {
      out += "an SDO";
    } else if (item == "@sco") {
      out += "an SCO";
    } else if (item == "@sdo-sco") {
      out += "an SDO or SCO";
    } else {
      out += item;
    }
    pos = comma + 1;
  }
  return out;
}

bool IsNumber(const element& v) {
  element_type t = v.type();
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kString:
    case Kind::kOpenVocab:
    case Kind::kEnum:
    case Kind::kSpecVersion:
    case Kind::kType:
      return "a string";
    case Kind::kTimestamp:
      return "a timestamp string";
    case Kind::kIdentifier:
      return "an identifier string";
    case Kind::kBinary:
      return "a base64 string";
    case Kind::kHex:
      return "a hex string";
    default:
      return "a string";
  }
}

// Expected hex length of the well-known hash algorithms (section 10.7), 0 if not checked.
size_t HashHexLength(std::string_view algorithm) {
  if (algorithm == "MD5") return 32;
  if (algorithm == "SHA-1") return 40;
  if (algorithm == "SHA-256" || algorithm == "SHA3-256") return 64;
  if (algorithm == "SHA-512" || algorithm == "SHA3-512") return 128;
  return 0;
}

}  // namespace

// --- Path and reporting. ---

std::string Checker::PathString() const {
  std::string out;
  for (size_t i = 0; i < depth_ && i < kMaxPath; ++i) {
    out.push_back('/');
    if (path_[i].is_index) {
      out.append(std::to_string(path_[i].index));
      continue;
    }
    for (char c : path_[i].key) {
      if (c == '~') {
        out.append("~0");
      } else if (c == '/') {
        out.append("~1");
      } else {
        out.push_back(c);
      }
    }
  }
  return out;
}

void Checker::Error(std::string_view child, std::string_view message) {
  size_t old = child.empty() ? depth_ : PushPath(child);
  report_->errors.push_back(Issue{PathString(), std::string(message)});
  PopPath(old);
}

void Checker::Warn(std::string_view child, std::string_view message) {
  size_t old = child.empty() ? depth_ : PushPath(child);
  report_->warnings.push_back(Issue{PathString(), std::string(message)});
  PopPath(old);
}

// --- Accessors. ---

bool Checker::Has(const object& o, std::string_view name) {
  element e;
  return o.at_key(name).get(e) == SUCCESS;
}

std::optional<std::string_view> Checker::GetString(const object& o, std::string_view name) {
  std::string_view s;
  if (o.at_key(name).get(s) == SUCCESS) return s;
  return std::nullopt;
}

std::optional<bool> Checker::GetBool(const object& o, std::string_view name) {
  bool b;
  if (o.at_key(name).get(b) == SUCCESS) return b;
  return std::nullopt;
}

std::optional<double> Checker::GetNumber(const object& o, std::string_view name) {
  element e;
  if (o.at_key(name).get(e) != SUCCESS || !IsNumber(e)) return std::nullopt;
  double d;
  if (e.get(d) == SUCCESS) return d;
  return std::nullopt;
}

std::optional<StixTime> Checker::GetTime(const object& o, std::string_view name) {
  auto s = GetString(o, name);
  StixTime t;
  if (!s || ParseStixTimestamp(*s, &t) != nullptr) return std::nullopt;
  return t;
}

// --- The walk. ---

void Checker::CheckTopLevel(const element& root) {
  object obj;
  if (root.get(obj) != SUCCESS) {
    Error("", "a STIX object must be a JSON object");
    return;
  }
  root_ = obj;
  element type_elem;
  std::string_view type;
  if (obj.at_key("type").get(type_elem) != SUCCESS) {
    Error("type", "required property is missing");
  } else if (type_elem.get(type) != SUCCESS) {
    Error("type", "must be a string");
  }
  report_->type.assign(type);
  if (auto id = GetString(obj, "id")) report_->id.assign(id->substr(0, 300));
  if (type.empty()) return;  // nothing else can be checked without a type
  root_type_ = type;
  if (type == "bundle") {
    Error("type", "a bundle is not a STIX object and cannot be nested");
    return;
  }
  root_spec_ = FindObjectSpec(type);
  PreScanExtensions(obj);
  Category category;
  if (root_spec_ != nullptr) {
    category = root_spec_->category;
  } else {
    if (const char* e = CheckTypeName(type)) {
      Error("type", e);
    } else if (!StartsWith(type, "x-") && !declares_new_type_) {
      Warn("type",
           "custom object types should start with \"x-\" (or be defined by an "
           "extension-definition with a new-sdo, new-sco or new-sro extension)");
    }
    category = custom_category_;
  }
  root_category_ = category;
  owner_spec_ = root_spec_;
  owner_category_ = category;
  CheckProperties(root_spec_, CommonProperties(category), obj, category);
  if (type == "indicator" && options_ != nullptr && options_->check_pattern) {
    auto pattern = GetString(obj, "pattern");
    auto pattern_type = GetString(obj, "pattern_type");
    if (pattern && pattern_type && *pattern_type == "stix") {
      std::string problem =
          options_->check_pattern(*pattern, GetString(obj, "pattern_version").value_or(""));
      if (!problem.empty()) Error("pattern", "invalid STIX pattern: " + problem);
    }
  }
}

void Checker::PreScanExtensions(const object& obj) {
  bool has_created = Has(obj, "created") || Has(obj, "modified");
  custom_category_ = has_created ? Category::kSdo : Category::kSco;
  object exts;
  if (obj.at_key("extensions").get(exts) != SUCCESS) return;
  for (auto [key, value] : exts) {
    object ext;
    if (value.get(ext) != SUCCESS) continue;
    auto type = GetString(ext, "extension_type");
    if (!type) continue;
    if (*type == "toplevel-property-extension") has_toplevel_extension_ = true;
    if (*type == "new-sdo") {
      declares_new_type_ = true;
      custom_category_ = Category::kSdo;
    } else if (*type == "new-sro") {
      declares_new_type_ = true;
      custom_category_ = Category::kSro;
    } else if (*type == "new-sco") {
      declares_new_type_ = true;
      custom_category_ = Category::kSco;
    }
  }
}

void Checker::CheckDuplicateKeys(const object& o) {
  std::array<std::string_view, 64> small;
  size_t n = 0;
  for (auto [key, value] : o) {
    (void)value;
    if (n == small.size()) break;
    for (size_t i = 0; i < n; ++i) {
      if (small[i] == key) {
        Error(key, "duplicate key (object member names must be unique)");
        break;
      }
    }
    small[n++] = key;
  }
  if (n < small.size()) return;
  // Rare: more than 64 members; sort a copy.
  std::vector<std::string_view> keys;
  for (auto [key, value] : o) {
    (void)value;
    keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  for (size_t i = 1; i < keys.size(); ++i) {
    if (keys[i] == keys[i - 1] && (i < 2 || keys[i - 2] != keys[i])) {
      Error(keys[i], "duplicate key (object member names must be unique)");
    }
  }
}

void Checker::CheckProperties(const ObjectSpec* spec, std::span<const PropSpec> common,
                              const object& obj, Category category) {
  CheckDuplicateKeys(obj);
  std::span<const PropSpec> props = spec != nullptr ? spec->props : std::span<const PropSpec>{};
  DETENTE_DCHECK(props.size() <= 64 && common.size() <= 64);
  uint64_t seen_props = 0, seen_common = 0;
  size_t specific = 0, specific_optional = 0;
  std::string_view owner_name = spec != nullptr ? spec->name : root_type_;
  for (auto [key, value] : obj) {
    const PropSpec* p = FindProperty(props, key);
    bool is_common = false;
    if (p != nullptr) {
      seen_props |= uint64_t{1} << (p - props.data());
      ++specific;
      if ((p->flags & kRequired) == 0) ++specific_optional;
    } else if ((p = FindProperty(common, key)) != nullptr) {
      seen_common |= uint64_t{1} << (p - common.data());
      is_common = true;
    }
    size_t old = PushPath(key);
    if (p == nullptr) {
      CheckCustomProperty(key, value);
    } else if ((p->flags & kForbidden) != 0) {
      Error("", "property must not be present on " + std::string(owner_name) + " objects");
    } else {
      if ((p->flags & kNotApplicable) != 0) {
        Warn("", "property is not applicable to " + std::string(owner_name) + " objects");
      }
      if ((p->flags & kDeprecated) != 0) Warn("", "property is deprecated");
      if (is_common && p->kind == Kind::kIdentifier && key == "id" &&
          category != Category::kNested && !in_container_) {
        std::string_view id;
        if (value.get(id) != SUCCESS) {
          Error("", "must be an identifier string");
        } else {
          CheckSelfId(id, category);
        }
      } else {
        CheckValue(*p, value);
      }
    }
    PopPath(old);
  }
  // Required properties.
  for (size_t i = 0; i < props.size(); ++i) {
    if ((props[i].flags & kRequired) != 0 && (seen_props & (uint64_t{1} << i)) == 0) {
      Error(props[i].name, "required property is missing");
    }
  }
  for (size_t i = 0; i < common.size(); ++i) {
    if ((common[i].flags & kRequired) != 0 && (seen_common & (uint64_t{1} << i)) == 0) {
      if (in_container_ && common[i].name == "id") continue;
      Error(common[i].name, "required property is missing");
    }
  }
  if (spec != nullptr) {
    if ((spec->flags & kAtLeastOneProperty) != 0 && specific == 0 &&
        !(category == Category::kSco && Has(obj, "extensions"))) {
      Error("", std::string(spec->name) + " must have at least one of its own properties");
    }
    if ((spec->flags & kAtLeastOneBesidesRequired) != 0 && specific_optional == 0) {
      Error("",
            std::string(spec->name) + " must have at least one property besides the required ones");
    }
  }
  // Timestamp ordering: modified >= created (sections 3.2, 3.6.1), then the type's own pairs.
  auto check_order = [&](const OrderRule& rule) {
    auto a = GetTime(obj, rule.earlier);
    if (!a) return;
    auto b = GetTime(obj, rule.later);
    if (!b) return;
    int cmp = CompareTime(*a, *b);
    if (rule.strict ? cmp >= 0 : cmp > 0) {
      Error(rule.later, std::string("must be later than ") + (rule.strict ? "" : "or equal to ") +
                            std::string(rule.earlier));
    }
  };
  if (category == Category::kSdo || category == Category::kSro ||
      category == Category::kLanguageContent || category == Category::kExtensionDefinition) {
    check_order(OrderRule{"created", "modified", false});
  }
  if (spec != nullptr) {
    for (const OrderRule& rule : spec->order) check_order(rule);
    if (spec->check != nullptr) spec->check(*this, obj);
  }
}

void Checker::CheckNested(const ObjectSpec& spec, const object& obj, std::string_view child) {
  size_t old = PushPath(child);
  CheckProperties(&spec, {}, obj, Category::kNested);
  PopPath(old);
}

void Checker::CheckSelfId(std::string_view id, Category category) {
  std::string_view prefix;
  int version = 0;
  if (const char* e = CheckIdentifier(id, &prefix, &version)) {
    Error("", e);
    return;
  }
  if (prefix != root_type_) {
    Error("", "identifier prefix " + Quote(prefix) + " does not match type " + Quote(root_type_));
    return;
  }
  if (category == Category::kSco) {
    bool contributing = root_spec_ != nullptr && HasIdContributingProperty(*root_spec_, root_);
    if (version != 5 && contributing) {
      Warn("", "SCO ids should be deterministic UUIDv5 ids (section 2.9)");
    } else if (version == 5 && root_spec_ != nullptr && options_ != nullptr &&
               options_->check_sco_ids) {
      auto expected = ScoIdFromObject(*root_spec_, root_);
      if (expected.ok() && *expected != id) {
        Warn("", "id is not the deterministic id " + *expected +
                     " computed from the ID Contributing Properties");
      }
    }
  } else if (version != 4) {
    Warn("", "ids of SDOs, SROs and meta objects should use UUIDv4 (section 2.9)");
  }
}

void Checker::CheckCustomProperty(std::string_view name, const element& value) {
  if (IsReservedPropertyName(name)) {
    Error("", "property name " + Quote(name) + " is reserved (section 3.8)");
    return;
  }
  if (const char* e = CheckPropertyName(name)) {
    Error("", std::string(e) + " (custom property " + Quote(name) + ")");
  } else if (!StartsWith(name, "x_") && !has_toplevel_extension_ && root_spec_ != nullptr) {
    // (The properties of a custom object are its own: the "x_" prefix is optional there.)
    Warn("",
         "custom property names should start with \"x_\" (or be declared by a "
         "toplevel-property-extension)");
  }
  CheckCustomValue(value);
}

void Checker::CheckCustomValue(const element& value) {
  if (value.is_null()) Error("", "must not be null");
}

void Checker::CheckValue(const PropSpec& prop, const element& value) {
  if (value.is_null()) {
    Error("", "must not be null");
    return;
  }
  if ((prop.flags & kList) == 0) {
    CheckScalar(prop, value);
    return;
  }
  array arr;
  if (value.get(arr) != SUCCESS) {
    Error("", "must be a list");
    return;
  }
  if (arr.begin() == arr.end()) {
    Error("", "must not be an empty list");
    return;
  }
  size_t i = 0;
  for (element item : arr) {
    size_t old = PushIndex(i++);
    if (item.is_null()) {
      Error("", "must not be null");
    } else {
      CheckScalar(prop, item);
    }
    PopPath(old);
  }
}

void Checker::CheckScalar(const PropSpec& prop, const element& value) {
  switch (prop.kind) {
    case Kind::kInteger: {
      int64_t v = 0;
      switch (value.type()) {
        case element_type::INT64:
          v = value.get_int64().value_unsafe();
          break;
        case element_type::DOUBLE: {
          double d = value.get_double().value_unsafe();
          if (d != std::floor(d) || std::fabs(d) > static_cast<double>(kMaxStixInteger)) {
            Error("", "must be an integer");
            return;
          }
          v = static_cast<int64_t>(d);
          break;
        }
        case element_type::UINT64:
          Error("", "integer is outside the STIX range of +-(2^53-1)");
          return;
        default:
          Error("", "must be an integer");
          return;
      }
      if (v < prop.min || v > prop.max) {
        if (prop.min == 0 && prop.max == kMaxStixInteger) {
          Error("", "must not be negative");
        } else if (prop.min == -kMaxStixInteger && prop.max == kMaxStixInteger) {
          Error("", "integer is outside the STIX range of +-(2^53-1)");
        } else {
          Error("",
                "must be between " + std::to_string(prop.min) + " and " + std::to_string(prop.max));
        }
      }
      return;
    }
    case Kind::kFloat:
      if (!IsNumber(value)) Error("", "must be a number");
      return;
    case Kind::kBoolean:
      if (value.type() != element_type::BOOL) Error("", "must be true or false");
      return;
    case Kind::kHashes:
      CheckHashes(value);
      return;
    case Kind::kDictionary:
    case Kind::kDictStrings:
    case Kind::kDictStringLists:
    case Kind::kDictIntOrString:
      CheckDictionary(prop, value);
      return;
    case Kind::kExtensions:
      CheckExtensions(value);
      return;
    case Kind::kObservableContainer:
      CheckContainer(value);
      return;
    case Kind::kLanguageContents:
      CheckLanguageContents(value);
      return;
    case Kind::kObject: {
      object obj;
      if (value.get(obj) != SUCCESS) {
        Error("", "must be an object");
        return;
      }
      CheckProperties(prop.nested, {}, obj, Category::kNested);
      return;
    }
    case Kind::kAny:
      CheckCustomValue(value);
      return;
    default:
      break;
  }
  // The string kinds.
  std::string_view s;
  if (value.get(s) != SUCCESS) {
    Error("", std::string("must be ") + KindName(prop.kind));
    return;
  }
  switch (prop.kind) {
    case Kind::kString:
      if (prop.name == "lang") {
        if (const char* e = CheckLanguageTag(s)) Error("", e);
      }
      return;
    case Kind::kSpecVersion:
      if (s != "2.1") Error("", "must be \"2.1\"");
      return;
    case Kind::kTimestamp: {
      StixTime t;
      if (const char* e = ParseStixTimestamp(s, &t)) {
        Error("", e);
      } else if ((prop.flags & kMillis) != 0 && t.digits < 3) {
        Error("", "must have at least millisecond precision (3 fractional digits)");
      }
      return;
    }
    case Kind::kIdentifier: {
      if (in_container_) return;  // local references inside an observable container
      std::string_view type;
      int version;
      if (const char* e = CheckIdentifier(s, &type, &version)) {
        Error("", e);
      } else if (!prop.refs.empty() && !RefAllowed(type, prop.refs)) {
        Error("", "must reference " + DescribeRefs(prop.refs) + ", not " + Quote(type));
      }
      return;
    }
    case Kind::kOpenVocab:
      if (prop.vocab != nullptr && !InVocab(*prop.vocab, s)) {
        Warn("", Quote(s) + " is not in the " + std::string(prop.vocab->name) + " vocabulary");
      }
      return;
    case Kind::kEnum:
      if (prop.vocab != nullptr && !InVocab(*prop.vocab, s)) {
        Error("", Quote(s) + " is not a value of the " + std::string(prop.vocab->name) +
                      " enumeration");
      }
      return;
    case Kind::kBinary:
      if (const char* e = CheckBase64(s)) Error("", e);
      return;
    case Kind::kHex:
      if (const char* e = CheckHex(s)) Error("", e);
      return;
    default:
      return;
  }
}

void Checker::CheckHashes(const element& value) {
  object obj;
  if (value.get(obj) != SUCCESS) {
    Error("", "hashes must be an object");
    return;
  }
  if (obj.begin() == obj.end()) {
    Error("", "must not be an empty dictionary");
    return;
  }
  CheckDuplicateKeys(obj);
  for (auto [key, v] : obj) {
    size_t old = PushPath(key);
    std::string_view hash;
    if (const char* e = CheckDictionaryKey(key, /*hashes=*/true)) {
      Error("", e);
    } else if (v.get(hash) != SUCCESS) {
      Error("", "hash value must be a string");
    } else if (size_t len = HashHexLength(key); len != 0) {
      bool ok = hash.size() == len;
      for (char c : hash) {
        ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
      }
      if (!ok) {
        Error("", "is not a valid " + std::string(key) + " hash (expected " + std::to_string(len) +
                      " hex digits)");
      }
    } else if (!InVocab(HashAlgorithmVocab(), key)) {
      Warn("", "hash algorithm " + Quote(key) + " is not in the hash-algorithm-ov vocabulary");
    }
    PopPath(old);
  }
}

void Checker::CheckDictionary(const PropSpec& prop, const element& value) {
  object obj;
  if (value.get(obj) != SUCCESS) {
    Error("", "must be a dictionary (JSON object)");
    return;
  }
  if (obj.begin() == obj.end()) {
    Error("", "must not be an empty dictionary");
    return;
  }
  CheckDuplicateKeys(obj);
  for (auto [key, v] : obj) {
    size_t old = PushPath(key);
    if (const char* e = CheckDictionaryKey(key, /*hashes=*/false)) Error("", e);
    switch (prop.kind) {
      case Kind::kDictStrings:
        if (v.type() != element_type::STRING) Error("", "must be a string");
        break;
      case Kind::kDictIntOrString:
        if (v.type() != element_type::STRING && v.type() != element_type::INT64 &&
            v.type() != element_type::UINT64) {
          Error("", "must be an integer or a string");
        }
        break;
      case Kind::kDictStringLists: {
        array arr;
        if (v.get(arr) != SUCCESS || arr.begin() == arr.end()) {
          Error("", "must be a non-empty list of strings");
          break;
        }
        for (element item : arr) {
          if (item.type() != element_type::STRING) {
            Error("", "must be a non-empty list of strings");
            break;
          }
        }
        break;
      }
      default:
        CheckCustomValue(v);
        break;
    }
    PopPath(old);
  }
}

void Checker::CheckExtensions(const element& value) {
  object exts;
  if (value.get(exts) != SUCCESS) {
    Error("", "extensions must be a dictionary (JSON object)");
    return;
  }
  if (exts.begin() == exts.end()) {
    Error("", "must not be an empty dictionary");
    return;
  }
  CheckDuplicateKeys(exts);
  for (auto [key, v] : exts) {
    size_t old = PushPath(key);
    object ext;
    if (v.get(ext) != SUCCESS) {
      Error("", "an extension must be an object");
      PopPath(old);
      continue;
    }
    const ExtensionEntry* predefined = nullptr;
    if (owner_spec_ != nullptr) {
      for (const ExtensionEntry& entry : owner_spec_->extensions) {
        if (entry.name == key) predefined = &entry;
      }
    }
    if (StartsWith(key, "extension-definition--")) {
      std::string_view type;
      int version;
      if (CheckIdentifier(key, &type, &version) != nullptr || type != "extension-definition") {
        Error("", "extension key is not a valid extension-definition identifier");
      }
      element type_elem;
      std::string_view ext_type;
      if (ext.at_key("extension_type").get(type_elem) != SUCCESS) {
        Error("extension_type", "required property is missing");
      } else if (type_elem.get(ext_type) != SUCCESS) {
        Error("extension_type", "must be a string");
      } else if (!InVocab(ExtensionTypeEnum(), ext_type)) {
        Error("extension_type",
              Quote(ext_type) + " is not a value of the extension-type-enum enumeration");
      }
      size_t count = 0;
      for (auto [name, pv] : ext) {
        if (name == "extension_type") continue;
        ++count;
        size_t old2 = PushPath(name);
        if (const char* e = CheckPropertyName(name)) Error("", e);
        CheckCustomValue(pv);
        PopPath(old2);
      }
      if (count == 0 && ext_type == "property-extension") {
        Error("", "a property-extension must have one or more properties");
      }
    } else if (predefined != nullptr) {
      CheckProperties(predefined->spec, {}, ext, Category::kNested);
    } else if (owner_category_ == Category::kSco) {
      // Deprecated custom extension (section 11.3.1).
      bool chars_ok = key.size() >= 3 && key.size() <= 250;
      for (char c : key) {
        chars_ok = chars_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
      }
      if (!chars_ok) {
        Error("",
              "extension names must be 3-250 characters of a-z, 0-9 and '-', or an "
              "extension-definition id");
      } else if (!EndsWith(key, "-ext")) {
        Error("", "custom extension names must end with \"-ext\"");
      } else if (!StartsWith(key, "x-")) {
        Warn("", "custom extension names should start with \"x-\"");
      }
      if (ext.begin() == ext.end()) Error("", "an extension must have one or more properties");
      for (auto [name, pv] : ext) {
        size_t old2 = PushPath(name);
        if (const char* e = CheckPropertyName(name)) Error("", e);
        CheckCustomValue(pv);
        PopPath(old2);
      }
    } else {
      Warn("",
           "extension keys should be the id of an extension-definition (custom extensions "
           "are for SCOs only)");
    }
    PopPath(old);
  }
}

void Checker::CheckContainer(const element& value) {
  object container;
  if (value.get(container) != SUCCESS) {
    Error("", "must be a dictionary of cyber-observable objects");
    return;
  }
  if (container.begin() == container.end()) {
    Error("", "must contain at least one object");
    return;
  }
  CheckDuplicateKeys(container);
  const ObjectSpec* saved_spec = owner_spec_;
  Category saved_category = owner_category_;
  bool saved_container = in_container_;
  for (auto [key, v] : container) {
    size_t old = PushPath(key);
    object obj;
    std::string_view type;
    if (v.get(obj) != SUCCESS) {
      Error("", "must be an object");
    } else if (obj.at_key("type").get(type) != SUCCESS) {
      Error("type", "required property is missing or not a string");
    } else if (const ObjectSpec* spec = FindObjectSpec(type);
               spec != nullptr && spec->category == Category::kSco) {
      in_container_ = true;
      owner_spec_ = spec;
      owner_category_ = Category::kSco;
      CheckProperties(spec, CommonProperties(Category::kSco), obj, Category::kSco);
    } else if (spec != nullptr) {
      Error("type", "an observable container holds only cyber-observable objects");
    } else if (const char* e = CheckTypeName(type)) {
      Error("type", e);
    }
    owner_spec_ = saved_spec;
    owner_category_ = saved_category;
    in_container_ = saved_container;
    PopPath(old);
  }
}

void Checker::CheckLanguageContents(const element& value) {
  object contents;
  if (value.get(contents) != SUCCESS) {
    Error("", "must be a dictionary keyed by language code");
    return;
  }
  if (contents.begin() == contents.end()) {
    Error("", "must not be an empty dictionary");
    return;
  }
  CheckDuplicateKeys(contents);
  for (auto [lang, v] : contents) {
    size_t old = PushPath(lang);
    object props;
    if (const char* e = CheckLanguageTag(lang)) Error("", e);
    if (v.get(props) != SUCCESS || props.begin() == props.end()) {
      Error("", "must be a non-empty dictionary of translated properties");
    } else {
      for (auto [name, pv] : props) {
        size_t old2 = PushPath(name);
        element_type t = pv.type();
        if (t != element_type::STRING && t != element_type::ARRAY && t != element_type::OBJECT) {
          Error("", "a translation must be a string, a list or an object");
        }
        PopPath(old2);
      }
    }
    PopPath(old);
  }
}

void Checker::CheckBundleEnvelope(const element& root, int64_t object_count) {
  object obj;
  if (root.get(obj) != SUCCESS) {
    Error("", "a bundle must be a JSON object");
    return;
  }
  root_ = obj;
  root_type_ = "bundle";
  CheckDuplicateKeys(obj);
  auto type = GetString(obj, "type");
  if (!Has(obj, "type")) {
    Error("type", "required property is missing");
  } else if (type != "bundle") {
    Error("type", "must be \"bundle\"");
  }
  report_->type = "bundle";
  element id_elem;
  std::string_view id;
  if (obj.at_key("id").get(id_elem) != SUCCESS) {
    Error("id", "required property is missing");
  } else if (id_elem.get(id) != SUCCESS) {
    Error("id", "must be an identifier string");
  } else {
    report_->id.assign(id.substr(0, 300));
    std::string_view prefix;
    int version;
    if (const char* e = CheckIdentifier(id, &prefix, &version)) {
      Error("id", e);
    } else if (prefix != "bundle") {
      Error("id", "identifier prefix " + Quote(prefix) + " does not match type \"bundle\"");
    }
  }
  for (auto [key, v] : obj) {
    if (key == "type" || key == "id") continue;
    size_t old = PushPath(key);
    if (key == "objects") {
      array arr;
      if (object_count >= 0) {
        // The reader already split off an "objects" array: this is a second one, which would
        // otherwise carry objects past validation.
        Error("", "duplicate key (object member names must be unique)");
      } else if (v.get(arr) != SUCCESS) {
        Error("", "must be a list of STIX objects");
      } else if (arr.begin() == arr.end()) {
        Error("", "must not be an empty list");
      }
    } else if (key == "spec_version") {
      Warn("", "bundles have no spec_version in STIX 2.1 (it is a STIX 2.0 property)");
    } else {
      CheckCustomProperty(key, v);
    }
    PopPath(old);
  }
  if (object_count == 0) Error("objects", "must not be an empty list");
}

}  // namespace internal

// --- Validator. ---

struct Validator::Impl {
  explicit Impl(ValidatorOptions o) : options(o), parser(o.max_object_bytes) {
    // Allocation failure here is an out-of-memory condition: crash per the house rules.
    DETENTE_CHECK(parser.allocate(64 * 1024, options.max_depth) == SUCCESS);
  }

  // Parses `json` into the reused parser; on failure reports why and returns false.
  bool Parse(std::string_view json, Report* report, element* doc) {
    if (json.size() > options.max_object_bytes) {
      report->errors.push_back(Issue{"", "object is larger than the limit of " +
                                             std::to_string(options.max_object_bytes) + " bytes"});
      return false;
    }
    if (buffer.size() < json.size() + simdjson::SIMDJSON_PADDING) {
      buffer.resize(json.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(buffer.data(), json.data(), json.size());
    auto error = parser
                     .parse(reinterpret_cast<const uint8_t*>(buffer.data()), json.size(),
                            /*realloc_if_needed=*/false)
                     .get(*doc);
    if (error == simdjson::DEPTH_ERROR) {
      report->errors.push_back(Issue{"", "JSON nesting is deeper than the limit of " +
                                             std::to_string(options.max_depth) + " levels"});
      return false;
    }
    if (error != SUCCESS) {
      report->errors.push_back(
          Issue{"", std::string("not valid JSON: ") + simdjson::error_message(error)});
      return false;
    }
    return true;
  }

  ValidatorOptions options;
  simdjson::dom::parser parser;
  std::string buffer;
};

Validator::Validator(ValidatorOptions options) : impl_(std::make_unique<Impl>(options)) {}
Validator::~Validator() = default;

void Validator::Validate(std::string_view json, Report* report) {
  report->Clear();
  element doc;
  if (!impl_->Parse(json, report, &doc)) return;
  internal::Checker checker(report, &impl_->options);
  checker.CheckTopLevel(doc);
}

void Validator::ValidateBundleEnvelope(std::string_view json, int64_t object_count,
                                       Report* report) {
  report->Clear();
  report->type = "bundle";
  element doc;
  if (!impl_->Parse(json, report, &doc)) return;
  internal::Checker checker(report, &impl_->options);
  checker.CheckBundleEnvelope(doc, object_count);
}

Report ValidateObject(std::string_view json, const ValidatorOptions& options) {
  Validator validator(options);
  Report report;
  validator.Validate(json, &report);
  return report;
}

}  // namespace detente::stix
