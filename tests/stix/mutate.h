// stix/mutate.h: applies simple edits to a JSON text, for the table-driven validation tests.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace detente::stix::testing {

struct Edit {
  enum Op { kSet, kRemove } op;
  std::string pointer;  // RFC 6901, e.g. "/external_references/0/url"
  std::string value;    // JSON text for kSet
};

inline Edit Set(std::string pointer, std::string value) {
  return Edit{Edit::kSet, std::move(pointer), std::move(value)};
}
inline Edit Remove(std::string pointer) { return Edit{Edit::kRemove, std::move(pointer), ""}; }

inline std::vector<std::string> SplitPointer(std::string_view pointer) {
  std::vector<std::string> parts;
  size_t pos = 1;
  while (pos <= pointer.size()) {
    size_t slash = pointer.find('/', pos);
    if (slash == std::string_view::npos) slash = pointer.size();
    std::string part(pointer.substr(pos, slash - pos));
    std::string out;
    for (size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '~' && i + 1 < part.size()) {
        out.push_back(part[i + 1] == '1' ? '/' : '~');
        ++i;
      } else {
        out.push_back(part[i]);
      }
    }
    parts.push_back(out);
    pos = slash + 1;
  }
  return parts;
}

// Returns `json` with `edits` applied (Boost.JSON keeps member order).
inline std::string Apply(std::string_view json, const std::vector<Edit>& edits) {
  boost::json::value root = boost::json::parse(json);
  for (const Edit& e : edits) {
    std::vector<std::string> parts = SplitPointer(e.pointer);
    boost::json::value* cur = &root;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      if (cur->is_object()) {
        cur = &cur->as_object()[parts[i]];
      } else {
        cur = &cur->as_array().at(std::stoul(parts[i]));
      }
    }
    const std::string& last = parts.back();
    if (e.op == Edit::kSet) {
      boost::json::value v = boost::json::parse(e.value);
      if (cur->is_object()) {
        cur->as_object()[last] = v;
      } else if (last == "-") {
        cur->as_array().push_back(v);
      } else {
        cur->as_array().at(std::stoul(last)) = v;
      }
    } else if (cur->is_object()) {
      cur->as_object().erase(last);
    } else {
      auto& arr = cur->as_array();
      arr.erase(arr.begin() + static_cast<std::ptrdiff_t>(std::stoul(last)));
    }
  }
  return boost::json::serialize(root);
}

}  // namespace detente::stix::testing
