// taxii/filter.cc: TAXII query parameters. See filter.h.
#include "taxii/filter.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "base/status.h"

namespace detente::taxii {
namespace {

base::Status Bad(std::string_view param, std::string_view what) {
  return base::InvalidArgumentError("query parameter " + std::string(param) + ": " +
                                    std::string(what));
}

base::Result<std::vector<std::string>> SplitList(std::string_view param, std::string_view v) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = v.find(',', start);
    std::string_view item =
        v.substr(start, comma == std::string_view::npos ? v.npos : comma - start);
    if (item.empty()) return Bad(param, "empty list element");
    if (out.size() >= kMaxMatchValues) {
      return Bad(param, "more than " + std::to_string(kMaxMatchValues) + " values");
    }
    out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  std::vector<std::string> sorted = out;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return Bad(param, "duplicate value");
  }
  return out;
}

void AppendCanonical(std::string* out, std::string_view name, std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  out->append(name);
  out->push_back('=');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(values[i]);
  }
  out->push_back('\n');
}

}  // namespace

int64_t ToMicros(const base::Timestamp& t) {
  return t.unix_seconds() * 1'000'000 + t.nanos() / 1000;
}

std::string FormatMicros(int64_t us) {
  int64_t secs = us / 1'000'000;
  int64_t rem = us % 1'000'000;
  if (rem < 0) {
    rem += 1'000'000;
    secs -= 1;
  }
  return base::Timestamp::FromUnixSeconds(secs, static_cast<int32_t>(rem * 1000), 6)
      .FormatWithPrecision(6);
}

std::string VersionKey(const base::Timestamp& t) { return t.FormatWithPrecision(9); }

base::Result<QueryParams> ParseQueryParams(
    std::span<const std::pair<std::string, std::string>> query, Endpoint endpoint) {
  QueryParams p;
  std::set<std::string, std::less<>> seen;
  std::vector<std::string> ids, types, spec_versions, version_items;
  bool have_version = false;
  for (const auto& [name, value] : query) {
    bool is_match = name.starts_with("match[") && name.ends_with("]");
    bool known = name == "added_after" || name == "limit" || name == "next" || is_match;
    if (!known) continue;  // other parameters are not ours (section 3.4 lets us ignore them)
    if (!seen.insert(name).second) return Bad(name, "given more than once");
    if (value.empty()) return Bad(name, "empty value");
    if (name == "added_after") {
      auto t = base::Timestamp::Parse(value);
      if (!t.ok()) return Bad(name, t.status().message());
      p.filter.added_after_us = ToMicros(*t);
      // Floor: "strictly after t" for sub-microsecond t is the same as after floor(t).
    } else if (name == "limit") {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || ptr != value.data() + value.size() || v < 1 || v > INT32_MAX) {
        return Bad(name, "not an integer from 1 to 2147483647: \"" + value.substr(0, 40) + "\"");
      }
      p.limit = static_cast<int>(v);
    } else if (name == "next") {
      p.next = value;
    } else {
      std::string_view field = std::string_view(name).substr(6, name.size() - 7);
      bool allowed = false;
      if (field == "id" || field == "type") allowed = endpoint == Endpoint::kObjects;
      if (field == "version") allowed = endpoint != Endpoint::kVersions;
      if (field == "spec_version") allowed = true;
      if (!allowed) continue;  // a field this endpoint does not define: ignored
      ASSIGN_OR_RETURN(std::vector<std::string> items, SplitList(name, value));
      if (field == "id") ids = std::move(items);
      if (field == "type") types = std::move(items);
      if (field == "spec_version") spec_versions = std::move(items);
      if (field == "version") {
        have_version = true;
        version_items = std::move(items);
      }
    }
  }
  for (const std::string& v : version_items) {
    if (v == "all") {
      if (version_items.size() > 1) {
        return Bad("match[version]", "\"all\" must not be combined with other values");
      }
      p.filter.version_all = true;
    } else if (v == "first") {
      p.filter.version_first = true;
    } else if (v == "last") {
      p.filter.version_last = true;
    } else {
      auto t = base::Timestamp::Parse(v);
      if (!t.ok()) return Bad("match[version]", t.status().message());
      std::string key = VersionKey(*t);
      if (std::find(p.filter.versions.begin(), p.filter.versions.end(), key) !=
          p.filter.versions.end()) {
        return Bad("match[version]", "the same version given twice");
      }
      p.filter.versions.push_back(std::move(key));
    }
  }
  p.version_given = have_version;
  if (!have_version) p.filter.version_last = true;
  p.filter.ids = ids;
  p.filter.types = types;
  p.filter.spec_versions = spec_versions;

  // The canonical form binds cursors: every filter that shapes the result set (not limit).
  std::string& c = p.canonical;
  c.append("endpoint=").append(std::to_string(static_cast<int>(endpoint))).push_back('\n');
  c.append("added_after=").append(std::to_string(p.filter.added_after_us)).push_back('\n');
  AppendCanonical(&c, "id", ids);
  AppendCanonical(&c, "type", types);
  AppendCanonical(&c, "spec_version", spec_versions);
  std::vector<std::string> vcanon = p.filter.versions;
  if (p.filter.version_all) vcanon.push_back("all");
  if (p.filter.version_first) vcanon.push_back("first");
  if (p.filter.version_last) vcanon.push_back("last");
  AppendCanonical(&c, "version", vcanon);
  return p;
}

}  // namespace detente::taxii
