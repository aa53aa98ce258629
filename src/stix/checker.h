// stix/checker.h: the validation walk over one parsed object (internal to the stix module).
//
// A Checker walks a simdjson DOM object against the ObjectSpec tables of schema.h, keeping the
// JSON Pointer of the value being checked, and appends errors (MUST) and warnings (SHOULD) to
// a Report. The walk recurses only along the fixed nesting of the tables (at most a handful of
// levels), never along the nesting of the input; generic values (custom properties,
// dictionaries) are checked with an explicit stack.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "stix/scalars.h"
#include "stix/schema.h"
#include "stix/stix.h"

namespace detente::stix::internal {

class Checker {
 public:
  // *report must outlive the Checker.
  // *report and *options must outlive the Checker.
  Checker(Report* report, const ValidatorOptions* options) : report_(report), options_(options) {}

  // Checks `root` as a top-level STIX object.
  void CheckTopLevel(const simdjson::dom::element& root);
  // Checks `root` as a bundle envelope (type, id, objects list shape).
  void CheckBundleEnvelope(const simdjson::dom::element& root, int64_t object_count);

  // --- For the per-type rules of schema.cc. ---

  // Reports at the current path, or at the current path + "/" + child when child is not empty.
  void Error(std::string_view child, std::string_view message);
  void Warn(std::string_view child, std::string_view message);

  // The object being validated (top level) and its type.
  const simdjson::dom::object& root() const { return root_; }
  std::string_view root_type() const { return root_type_; }
  bool in_container() const { return in_container_; }

  // Walks a nested object with `spec` under the path segment `child`.
  void CheckNested(const ObjectSpec& spec, const simdjson::dom::object& object,
                   std::string_view child);

  static bool Has(const simdjson::dom::object& o, std::string_view name);
  static std::optional<std::string_view> GetString(const simdjson::dom::object& o,
                                                   std::string_view name);
  static std::optional<bool> GetBool(const simdjson::dom::object& o, std::string_view name);
  static std::optional<double> GetNumber(const simdjson::dom::object& o, std::string_view name);
  // A present and well-formed timestamp property.
  static std::optional<StixTime> GetTime(const simdjson::dom::object& o, std::string_view name);

  // Path stack helpers. A pushed segment must stay valid until it is popped (member names
  // from the DOM, table names, literals). The JSON Pointer (escaped as RFC 6901 requires) is
  // built only when an issue is reported.
  size_t PushPath(std::string_view segment) {
    if (depth_ < kMaxPath) path_[depth_] = Segment{segment, 0, false};
    return depth_++;
  }
  size_t PushIndex(size_t index) {
    if (depth_ < kMaxPath) path_[depth_] = Segment{{}, index, true};
    return depth_++;
  }
  void PopPath(size_t old_depth) { depth_ = old_depth; }

 private:
  void CheckProperties(const ObjectSpec* spec, std::span<const PropSpec> common,
                       const simdjson::dom::object& object, Category category);
  void CheckValue(const PropSpec& prop, const simdjson::dom::element& value);
  void CheckScalar(const PropSpec& prop, const simdjson::dom::element& value);
  void CheckDictionary(const PropSpec& prop, const simdjson::dom::element& value);
  void CheckHashes(const simdjson::dom::element& value);
  void CheckExtensions(const simdjson::dom::element& value);
  void CheckContainer(const simdjson::dom::element& value);
  void CheckLanguageContents(const simdjson::dom::element& value);
  void CheckCustomValue(const simdjson::dom::element& value);
  void CheckSelfId(std::string_view id, Category category);
  void CheckCustomProperty(std::string_view name, const simdjson::dom::element& value);
  void CheckDuplicateKeys(const simdjson::dom::object& object);
  void PreScanExtensions(const simdjson::dom::object& object);

  struct Segment {
    std::string_view key;
    size_t index;
    bool is_index;
  };
  // The walk nests only along the tables, a dozen levels at most.
  static constexpr size_t kMaxPath = 32;
  std::string PathString() const;

  Report* report_;
  const ValidatorOptions* options_;
  std::array<Segment, kMaxPath> path_;
  size_t depth_ = 0;
  // The top-level object (or observed-data container member) whose properties are walked:
  // its "extensions" are checked against this spec and category.
  const ObjectSpec* owner_spec_ = nullptr;
  Category owner_category_ = Category::kSdo;
  Category custom_category_ = Category::kSco;
  simdjson::dom::object root_;
  std::string_view root_type_;
  const ObjectSpec* root_spec_ = nullptr;
  Category root_category_ = Category::kSdo;
  bool in_container_ = false;
  bool has_toplevel_extension_ = false;
  bool declares_new_type_ = false;
};

}  // namespace detente::stix::internal
