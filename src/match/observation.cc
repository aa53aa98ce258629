// match/observation.cc: Observation, Arena, PathRegistry, time and JSON helpers.
// Tested by observation_test.cc and event_reader_test.cc.
#include "match/observation.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace detente::match {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, public domain
// algorithms described at howardhinnant.github.io/date_algorithms.html).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

constexpr size_t kArenaBlock = 16 * 1024;

}  // namespace

std::string FormatStixTime(const EventTime& t) {
  int64_t days = t.seconds >= 0 ? t.seconds / 86400 : (t.seconds - 86399) / 86400;
  int64_t sod = t.seconds - days * 86400;
  int64_t y;
  int m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02dT%02d:%02d:%02d",
                        static_cast<long long>(y), m, d, static_cast<int>(sod / 3600),
                        static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (t.digits > 0) {
    char frac[16];
    std::snprintf(frac, sizeof(frac), "%09d", t.nanos);
    out.push_back('.');
    out.append(frac, static_cast<size_t>(t.digits > 9 ? 9 : t.digits));
  }
  out.push_back('Z');
  return out;
}

EventTime ParseTimeText(std::string_view s) {
  EventTime t;
  int y, mo, d, h, mi, se;
  if (!Digits(s, 0, 4, &y) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &se)) {
    return t;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return t;
  size_t pos = 19;
  int32_t nanos = 0;
  int digits = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return t;
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }
  int64_t offset = 0;
  if (pos < s.size()) {
    char c = s[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      int oh, om;
      if (!Digits(s, pos + 1, 2, &oh)) return t;
      size_t mpos = pos + 3;
      if (mpos < s.size() && s[mpos] == ':') ++mpos;
      if (!Digits(s, mpos, 2, &om)) return t;
      offset = (oh * 3600 + om * 60) * (c == '+' ? 1 : -1);
      pos = mpos + 2;
    } else {
      return t;
    }
  }
  if (pos != s.size()) return t;
  if (se == 60) se = 59;
  t.seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
  t.nanos = nanos;
  t.digits = digits;
  t.valid = true;
  return t;
}

EventTime TimeFromEpochDouble(double seconds) {
  EventTime t;
  if (!std::isfinite(seconds) || seconds < -62135596800.0 || seconds > 253402300799.0) return t;
  // floor and llround without the libm calls (every Zeek event has a `ts`): the range check
  // above keeps the values far inside int64_t, x - trunc(x) is exact, and for x >= 0 rounding
  // half up is llround's half away from zero.
  int64_t secs = static_cast<int64_t>(seconds);
  if (static_cast<double>(secs) > seconds) secs -= 1;  // floor for negative non-integers
  const double scaled = (seconds - static_cast<double>(secs)) * 1e6;  // in [0, 1e6]
  int64_t micros = static_cast<int64_t>(scaled);
  if (scaled - static_cast<double>(micros) >= 0.5) micros += 1;
  if (micros >= 1000000) {
    secs += 1;
    micros -= 1000000;
  }
  t.valid = true;
  t.seconds = secs;
  t.nanos = static_cast<int32_t>(micros * 1000);
  t.digits = 6;
  return t;
}

void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\b': out->append("\\b"); break;
        case '\f': out->append("\\f"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        default:
          if (c < 0x20) {
            out->append("\\u00");
            out->push_back(kHex[c >> 4]);
            out->push_back(kHex[c & 15]);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Validate one UTF-8 sequence; copy it or emit U+FFFD.
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    bool ok = len != 0 && c <= 0xF4 && i + len <= s.size();
    uint32_t cp = len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
               (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))) {
      ok = false;
    }
    if (ok) {
      out->append(s.data() + i, len);
      i += len;
    } else {
      out->append("\xEF\xBF\xBD");
      ++i;
    }
  }
  out->push_back('"');
}

char* Arena::Allocate(size_t n) {
  while (block_ < blocks_.size()) {
    if (used_ + n <= sizes_[block_]) {
      char* p = blocks_[block_].get() + used_;
      used_ += n;
      return p;
    }
    ++block_;
    used_ = 0;
  }
  size_t size = n > kArenaBlock ? n : kArenaBlock;
  blocks_.push_back(std::make_unique<char[]>(size));
  sizes_.push_back(size);
  block_ = blocks_.size() - 1;
  used_ = n;
  return blocks_.back().get();
}

std::string_view Arena::Copy(std::string_view s) { return Concat(s, {}, {}); }

std::string_view Arena::Concat(std::string_view a, std::string_view b, std::string_view c) {
  size_t n = a.size() + b.size() + c.size();
  if (n == 0) return {};
  char* p = Allocate(n);
  if (!a.empty()) std::memcpy(p, a.data(), a.size());
  if (!b.empty()) std::memcpy(p + a.size(), b.data(), b.size());
  if (!c.empty()) std::memcpy(p + a.size() + b.size(), c.data(), c.size());
  return std::string_view(p, n);
}

void Arena::Reset() {
  block_ = 0;
  used_ = 0;
}

uint32_t PathRegistry::Intern(std::string_view full_path) {
  auto it = ids_.find(std::string(full_path));
  if (it != ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(full_path);
  ids_.emplace(names_.back(), id);
  return id;
}

uint32_t PathRegistry::Find(std::string_view full_path) const {
  auto it = ids_.find(std::string(full_path));
  return it == ids_.end() ? kNoPath : it->second;
}

uint64_t Observation::NextEpoch() {
  // Per thread: a range of 2^40 values drawn once from a shared counter, then a plain increment
  // (an atomic add per event is measurable in the matching loop).
  static std::atomic<uint64_t> ranges{0};
  thread_local uint64_t next = 0;
  thread_local uint64_t end = 0;
  if (next == end) {
    next = ranges.fetch_add(1, std::memory_order_relaxed) << 40;
    end = next + (uint64_t{1} << 40);
    ++next;  // never 0
  }
  return next++;
}

void Observation::Clear() {
  epoch_ = NextEpoch();
  objects_.clear();
  properties_.clear();
  first_observed = EventTime();
  last_observed = EventTime();
  number_observed = 1;
  observed_data_id = {};
  source_text = {};
  arena.Reset();
}

// ---- ObservationToStixJson ----------------------------------------------------------------

namespace {

// One step of a canonical property path: a name and whether it is followed by "[*]"/"[n]".
struct Step {
  std::string name;
  bool list = false;
};

std::vector<Step> SplitPath(std::string_view path) {
  std::vector<Step> steps;
  size_t i = 0;
  while (i < path.size()) {
    Step st;
    if (path[i] == '\'') {
      size_t j = path.find('\'', i + 1);
      if (j == std::string_view::npos) j = path.size();
      st.name = std::string(path.substr(i + 1, j - i - 1));
      i = j + 1;
    } else {
      size_t j = i;
      while (j < path.size() && path[j] != '.' && path[j] != '[') ++j;
      st.name = std::string(path.substr(i, j - i));
      i = j;
    }
    while (i < path.size() && path[i] == '[') {
      st.list = true;
      size_t j = path.find(']', i);
      i = j == std::string_view::npos ? path.size() : j + 1;
    }
    if (i < path.size() && path[i] == '.') ++i;
    steps.push_back(std::move(st));
  }
  return steps;
}

// A JSON value under construction: an object (ordered members), a list, or a scalar text.
struct JNode {
  std::string scalar;  // serialised JSON when a leaf
  bool is_list = false;
  std::vector<std::pair<std::string, std::unique_ptr<JNode>>> members;
  std::vector<std::unique_ptr<JNode>> items;
  std::unordered_map<std::string, size_t> index;  // member name -> position (keeps it linear)

  JNode* Member(const std::string& name) {
    auto [it, added] = index.emplace(name, members.size());
    if (!added) return members[it->second].second.get();
    members.emplace_back(name, std::make_unique<JNode>());
    return members.back().second.get();
  }
};

void Serialize(const JNode& n, std::string* out) {
  // Iterative over an explicit stack: property paths are shallow but we never recurse on input.
  struct Frame {
    const JNode* node;
    size_t next;
  };
  std::vector<Frame> stack{{&n, 0}};
  while (!stack.empty()) {
    Frame& f = stack.back();
    const JNode* node = f.node;
    bool is_obj = !node->members.empty();
    bool is_list = node->is_list;
    if (!is_obj && !is_list) {
      out->append(node->scalar.empty() ? "null" : node->scalar);
      stack.pop_back();
      continue;
    }
    size_t count = is_list ? node->items.size() : node->members.size();
    if (f.next == 0) out->push_back(is_list ? '[' : '{');
    if (f.next == count) {
      out->push_back(is_list ? ']' : '}');
      stack.pop_back();
      continue;
    }
    if (f.next > 0) out->push_back(',');
    const JNode* child;
    if (is_list) {
      child = node->items[f.next].get();
    } else {
      AppendJsonString(out, node->members[f.next].first);
      out->push_back(':');
      child = node->members[f.next].second.get();
    }
    ++f.next;
    stack.push_back({child, 0});
  }
}

std::string ScalarJson(const Value& v) {
  std::string s;
  switch (v.kind) {
    case ValueKind::kString: AppendJsonString(&s, v.s); break;
    case ValueKind::kInt: s = std::to_string(v.i); break;
    case ValueKind::kFloat: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.17g", v.f);
      s = buf;
      break;
    }
    case ValueKind::kBool: s = v.b ? "true" : "false"; break;
    case ValueKind::kNull: s = "null"; break;
  }
  return s;
}

}  // namespace

std::string ObservationToStixJson(const Observation& obs) {
  const auto& objects = obs.objects();
  std::vector<std::string> ids(objects.size());
  for (size_t i = 0; i < objects.size(); ++i) {
    if (!objects[i].id.empty()) {
      ids[i] = std::string(objects[i].id);
    } else {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "--00000000-0000-4000-8000-%012zu", i);
      ids[i] = std::string(objects[i].type) + buf;
    }
  }
  std::vector<std::unique_ptr<JNode>> roots(objects.size());
  for (auto& r : roots) r = std::make_unique<JNode>();
  for (const Property& p : obs.properties()) {
    if (p.derived || p.object >= objects.size()) continue;
    std::vector<Step> steps = SplitPath(p.name);
    if (steps.empty()) continue;
    JNode* node = roots[p.object].get();
    for (size_t k = 0; k < steps.size(); ++k) {
      JNode* m = node->Member(steps[k].name);
      bool last = k + 1 == steps.size();
      if (steps[k].list) {
        m->is_list = true;
        if (last) {
          m->items.push_back(std::make_unique<JNode>());
          node = m->items.back().get();
        } else {
          if (m->items.empty()) m->items.push_back(std::make_unique<JNode>());
          node = m->items.back().get();
        }
      } else {
        node = m;
      }
    }
    if (p.ref >= 0 && static_cast<size_t>(p.ref) < ids.size()) {
      node->scalar.clear();
      AppendJsonString(&node->scalar, ids[static_cast<size_t>(p.ref)]);
    } else {
      node->scalar = ScalarJson(p.value);
    }
  }
  std::string out = "{\"type\":\"bundle\",\"id\":\"bundle--00000000-0000-4000-8000-000000000000\",";
  out += "\"objects\":[";
  std::string od_id = obs.observed_data_id.empty()
                          ? std::string("observed-data--00000000-0000-4000-8000-000000000000")
                          : std::string(obs.observed_data_id);
  EventTime first = obs.first_observed.valid ? obs.first_observed : EventTime{true, 0, 0, 3};
  EventTime last = obs.last_observed.valid ? obs.last_observed : first;
  out += "{\"type\":\"observed-data\",\"spec_version\":\"2.1\",\"id\":";
  AppendJsonString(&out, od_id);
  out += ",\"created\":\"1970-01-01T00:00:00.000Z\",\"modified\":\"1970-01-01T00:00:00.000Z\"";
  out += ",\"first_observed\":\"" + FormatStixTime(first) + "\"";
  out += ",\"last_observed\":\"" + FormatStixTime(last) + "\"";
  out += ",\"number_observed\":" + std::to_string(obs.number_observed);
  out += ",\"object_refs\":[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(&out, ids[i]);
  }
  out += "]}";
  for (size_t i = 0; i < objects.size(); ++i) {
    out += ",{\"type\":";
    AppendJsonString(&out, objects[i].type);
    out += ",\"spec_version\":\"2.1\",\"id\":";
    AppendJsonString(&out, ids[i]);
    std::string body;
    Serialize(*roots[i], &body);
    // body is "{...}" or "null" (no properties).
    if (body.size() > 2 && body.front() == '{') {
      out.push_back(',');
      out.append(body, 1, body.size() - 2);
    }
    out.push_back('}');
  }
  out += "]}";
  return out;
}

}  // namespace detente::match
