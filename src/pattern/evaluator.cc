// pattern/evaluator.cc: Match(), the reference evaluator. Tested by evaluator_test.cc and the
// file-driven OASIS cases in pattern_cases_test.cc.
//
// Two phases, as in the OASIS reference matcher:
//  1. Comparison level (eager): every property test is evaluated on every SCO of its type in
//     every observation; AND/OR inside [...] combine per SCO (AND needs the same SCO). Each
//     [...] yields the observations in which some SCO satisfies it.
//  2. Observation level (lazy): a tree of generators of "bindings" (multisets of observations,
//     counted against number_observed, so an observation seen n times can serve n times).
//     AND/FOLLOWEDBY join disjoint bindings, OR passes either side, REPEATS k picks k disjoint
//     bindings, WITHIN and START/STOP filter by the bindings' time summary. The pattern
//     matches when the root yields one binding. A step budget bounds the (worst-case
//     exponential) search.
// The generator tree mirrors the syntax tree, whose depth Parse() bounds, so building and
// pulling it recurses at most that deep.
#include "pattern/evaluator.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/encoding.h"
#include "pattern/unicode.h"

namespace detente::pattern {

namespace json = boost::json;

const json::value* Observation::Find(std::string_view id) const {
  auto it = std::lower_bound(objects.begin(), objects.end(), id,
                             [](const auto& e, std::string_view k) { return e.first < k; });
  if (it != objects.end() && it->first == id) return it->second;
  return nullptr;
}

Observations::Observations(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Observations::Observations(Observations&&) noexcept = default;
Observations& Observations::operator=(Observations&&) noexcept = default;
Observations::~Observations() = default;
size_t Observations::size() const { return impl_->observations.size(); }

namespace {

std::string Where(size_t index) { return "observation " + std::to_string(index) + ": "; }

base::Status ReadObservationHeader(const json::object& od, size_t index, Observation* out) {
  for (const char* key : {"first_observed", "last_observed"}) {
    auto it = od.find(key);
    TimeValue t;
    if (it == od.end() || !it->value().is_string() ||
        !ParseTimeValue(std::string_view(it->value().get_string()), &t)) {
      return base::InvalidArgumentError(Where(index) + key + " must be a STIX timestamp");
    }
    (key[0] == 'f' ? out->first : out->last) = ToNanos(t);
  }
  if (out->first > out->last) {
    return base::InvalidArgumentError(Where(index) + "first_observed is after last_observed");
  }
  auto it = od.find("number_observed");
  int64_t n = 0;
  if (it != od.end() && it->value().is_int64()) n = it->value().get_int64();
  if (it != od.end() && it->value().is_uint64()) {
    n = it->value().get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
            ? std::numeric_limits<int64_t>::max()
            : static_cast<int64_t>(it->value().get_uint64());
  }
  if (n < 1) {
    return base::InvalidArgumentError(Where(index) + "number_observed must be an integer >= 1");
  }
  out->number_observed = static_cast<uint64_t>(n);
  return base::OkStatus();
}

void SortObjects(Observation* obs) {
  auto& v = obs->objects;
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  v.erase(std::unique(v.begin(), v.end(),
                      [](const auto& a, const auto& b) { return a.first == b.first; }),
          v.end());
}

// Adds the observed-data `od` (2.0 style: an `objects` dictionary).
base::Status AddObservation20(const json::object& od, std::vector<Observation>* out) {
  Observation obs;
  size_t index = out->size();
  RETURN_IF_ERROR(ReadObservationHeader(od, index, &obs));
  auto it = od.find("objects");
  if (it == od.end() || !it->value().is_object()) {
    return base::InvalidArgumentError(Where(index) + "objects must be a dictionary");
  }
  for (const auto& kv : it->value().get_object()) {
    obs.objects.emplace_back(std::string_view(kv.key()), &kv.value());
  }
  SortObjects(&obs);
  out->push_back(std::move(obs));
  return base::OkStatus();
}

}  // namespace

base::Result<Observations> Observations::FromJson(json::value input, StixVersion version) {
  auto impl = std::make_unique<Impl>();
  impl->version = version;
  impl->json = std::move(input);
  const json::value& root = impl->json;

  // Groups of objects: each bundle is one group; loose objects form one more group.
  std::vector<std::vector<const json::value*>> groups;
  std::vector<const json::value*> loose;
  auto add_bundle = [&](const json::object& bundle) -> base::Status {
    auto it = bundle.find("objects");
    if (it == bundle.end() || !it->value().is_array()) {
      return base::InvalidArgumentError("bundle without an objects list");
    }
    std::vector<const json::value*> g;
    for (const json::value& v : it->value().get_array()) g.push_back(&v);
    groups.push_back(std::move(g));
    return base::OkStatus();
  };
  auto is_type = [](const json::value& v, std::string_view type) {
    if (!v.is_object()) return false;
    auto it = v.get_object().find("type");
    return it != v.get_object().end() && it->value().is_string() &&
           std::string_view(it->value().get_string()) == type;
  };
  if (root.is_object()) {
    if (is_type(root, "bundle")) {
      RETURN_IF_ERROR(add_bundle(root.get_object()));
    } else {
      loose.push_back(&root);
    }
  } else if (root.is_array()) {
    for (const json::value& v : root.get_array()) {
      if (!v.is_object()) return base::InvalidArgumentError("observations must be JSON objects");
      if (is_type(v, "bundle")) {
        RETURN_IF_ERROR(add_bundle(v.get_object()));
      } else {
        loose.push_back(&v);
      }
    }
  } else {
    return base::InvalidArgumentError("observations must be a JSON list or a bundle");
  }
  if (!loose.empty()) groups.push_back(std::move(loose));

  auto& out = impl->observations;
  for (const auto& group : groups) {
    if (version == StixVersion::k20) {
      for (const json::value* v : group) {
        if (!v->is_object()) continue;
        const json::object& o = v->get_object();
        if (o.find("objects") == o.end() && !is_type(*v, "observed-data")) continue;
        RETURN_IF_ERROR(AddObservation20(o, &out));
      }
      continue;
    }
    // 2.1: index the group's objects by id, then resolve each observed-data's object_refs.
    std::vector<std::pair<std::string_view, const json::value*>> by_id;
    for (const json::value* v : group) {
      if (!v->is_object()) continue;
      auto it = v->get_object().find("id");
      if (it != v->get_object().end() && it->value().is_string()) {
        by_id.emplace_back(std::string_view(it->value().get_string()), v);
      }
    }
    std::stable_sort(by_id.begin(), by_id.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const json::value* v : group) {
      if (!is_type(*v, "observed-data")) continue;
      const json::object& od = v->get_object();
      auto refs = od.find("object_refs");
      if (refs == od.end()) {
        RETURN_IF_ERROR(AddObservation20(od, &out));  // deprecated 2.1 `objects` form
        continue;
      }
      Observation obs;
      size_t index = out.size();
      RETURN_IF_ERROR(ReadObservationHeader(od, index, &obs));
      if (!refs->value().is_array()) {
        return base::InvalidArgumentError(Where(index) + "object_refs must be a list");
      }
      for (const json::value& ref : refs->value().get_array()) {
        if (!ref.is_string()) {
          return base::InvalidArgumentError(Where(index) + "object_refs must hold strings");
        }
        std::string_view id(ref.get_string());
        auto it = std::lower_bound(by_id.begin(), by_id.end(), id,
                                   [](const auto& e, std::string_view k) { return e.first < k; });
        if (it != by_id.end() && it->first == id) obs.objects.emplace_back(id, it->second);
      }
      SortObjects(&obs);
      out.push_back(std::move(obs));
    }
  }
  return Observations(std::move(impl));
}

namespace {

// ---------------------------------------------------------------------------------------------
// Phase 1: values and property tests.

// A value selected by an object path.
struct Val {
  enum Kind { kJson, kBytes, kRefList } kind = kJson;
  const json::value* json = nullptr;
  // For a value selected by a plain key: the JSON object holding it (MatchOptions::cidr_equality
  // needs the type of that object).
  const json::value* owner = nullptr;
  std::string bytes;
  std::vector<const json::value*> list;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The evaluation context of one Match() call.
struct Context {
  const Pattern& pattern;
  const Observations::Impl& data;
  uint64_t max_steps;
  bool cidr_equality = false;
  uint64_t steps = 0;
  base::Status status;

  bool Spend(uint64_t n = 1) {
    steps += n;
    if (steps > max_steps && status.ok()) {
      status = base::ResourceExhaustedError(
          "pattern evaluation exceeded the step budget of " + std::to_string(max_steps) +
          " (the pattern needs too many combinations of observations)");
    }
    return status.ok();
  }
};

// At most this many values may be selected by one object path from one root SCO.
constexpr size_t kMaxPathValues = 100'000;

// Prepared forms of a test's literals.
struct PreparedTest {
  std::vector<std::optional<TimeValue>> times;  // per value, for kTimestamp literals
  bool set_of_timestamps = false;
  std::unique_ptr<RE2> regex;        // MATCHES (UTF-8) or LIKE
  std::unique_ptr<RE2> regex_bytes;  // MATCHES over binary, when the regex is Latin-1
  bool like_binary_ok = false;       // LIKE: every code point of the pattern < 256
  IpNetwork net;                     // ISSUBSET / ISSUPERSET
  // MatchOptions::cidr_equality: per value of =, != or IN on a `value` property, the block of
  // a CIDR-form string literal; `cidr_any` when there is at least one.
  std::vector<std::optional<IpNetwork>> cidrs;
  bool cidr_any = false;
};

base::Status SelectValues(const Observation& obs, const ObjectPath& path, const json::value* root,
                          std::vector<Val>* out) {
  std::vector<Val> cur(1);
  cur[0].json = root;
  std::vector<Val> next;
  for (const PathStep& step : path.steps) {
    next.clear();
    for (Val& v : cur) {
      if (step.kind == StepKind::kKey) {
        if (v.kind != Val::kJson || !v.json->is_object()) continue;
        const json::object& o = v.json->get_object();
        auto it = o.find(step.key);
        if (it == o.end()) continue;
        const json::value& x = it->value();
        if (EndsWith(step.key, "_hex") || EndsWith(step.key, "_bin")) {
          if (!x.is_string()) {
            return base::InvalidArgumentError("property '" + step.key + "' is not a string");
          }
          bool hex = EndsWith(step.key, "_hex");
          auto bytes = hex ? base::HexDecode(std::string_view(x.get_string()))
                           : base::Base64Decode(std::string_view(x.get_string()),
                                                base::Base64Alphabet::kStandard,
                                                base::Base64Padding::kOptional);
          if (!bytes.ok()) {
            return base::InvalidArgumentError("property '" + step.key + "' is not valid " +
                                              (hex ? "hex" : "base64") + ": " +
                                              bytes.status().message());
          }
          Val b;
          b.kind = Val::kBytes;
          b.bytes.assign(reinterpret_cast<const char*>(bytes->data()), bytes->size());
          next.push_back(std::move(b));
        } else if (EndsWith(step.key, "_ref")) {
          if (!x.is_string()) {
            return base::InvalidArgumentError("reference property '" + step.key +
                                              "' is not a string");
          }
          const json::value* target = obs.Find(std::string_view(x.get_string()));
          if (target != nullptr) {
            Val r;
            r.json = target;
            next.push_back(std::move(r));
          }
        } else if (EndsWith(step.key, "_refs")) {
          if (!x.is_array()) {
            return base::InvalidArgumentError("reference list property '" + step.key +
                                              "' is not a list");
          }
          Val r;
          r.kind = Val::kRefList;
          for (const json::value& e : x.get_array()) {
            if (!e.is_string()) {
              return base::InvalidArgumentError("a value of reference list property '" + step.key +
                                                "' is not a string");
            }
            const json::value* target = obs.Find(std::string_view(e.get_string()));
            if (target != nullptr) r.list.push_back(target);
          }
          if (!r.list.empty()) next.push_back(std::move(r));
        } else {
          Val r;
          r.json = &x;
          r.owner = v.json;
          next.push_back(std::move(r));
        }
      } else if (step.kind == StepKind::kIndex) {
        if (step.index < 0) continue;
        size_t i = static_cast<size_t>(step.index);
        if (v.kind == Val::kJson && v.json->is_array() && i < v.json->get_array().size()) {
          Val r;
          r.json = &v.json->get_array()[i];
          next.push_back(std::move(r));
        } else if (v.kind == Val::kRefList && i < v.list.size()) {
          Val r;
          r.json = v.list[i];
          next.push_back(std::move(r));
        }
      } else {  // [*]
        if (v.kind == Val::kJson && v.json->is_array()) {
          for (const json::value& e : v.json->get_array()) {
            Val r;
            r.json = &e;
            next.push_back(std::move(r));
          }
        } else if (v.kind == Val::kRefList) {
          for (const json::value* e : v.list) {
            Val r;
            r.json = e;
            next.push_back(std::move(r));
          }
        }
      }
    }
    // `_refs` lets a path revisit objects, so the number of values can grow geometrically
    // with the path length: bound it.
    if (next.size() > kMaxPathValues) {
      return base::ResourceExhaustedError("object path selects more than " +
                                          std::to_string(kMaxPathValues) + " values");
    }
    cur.swap(next);
    if (cur.empty()) break;
  }
  *out = std::move(cur);
  return base::OkStatus();
}

bool IsNumber(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }
long double NumberOf(const json::value& v) {
  if (v.is_int64()) return static_cast<long double>(v.get_int64());
  if (v.is_uint64()) return static_cast<long double>(v.get_uint64());
  return static_cast<long double>(v.get_double());
}
long double NumberOf(const Literal& l) {
  if (l.kind == LiteralKind::kInt && !l.int_overflow) return static_cast<long double>(l.int_value);
  return static_cast<long double>(l.float_value);
}
bool IsNumeric(const Literal& l) {
  return l.kind == LiteralKind::kInt || l.kind == LiteralKind::kFloat;
}
bool IsBinary(const Literal& l) {
  return l.kind == LiteralKind::kBinary || l.kind == LiteralKind::kHex;
}
int Sign(int c) { return c < 0 ? -1 : c > 0 ? 1 : 0; }

// The operand as the evaluator sees it after the "timestamp hackage": a JSON string compared
// with a timestamp literal is parsed as a timestamp (an error when it is not one).
struct Operand {
  const Val* val;
  std::optional<TimeValue> time;
};

base::Status ToOperand(const Val& v, bool want_time, Operand* out) {
  out->val = &v;
  out->time.reset();
  if (want_time && v.kind == Val::kJson && v.json->is_string()) {
    TimeValue t;
    std::string_view s(v.json->get_string());
    if (!ParseTimeValue(s, &t)) {
      return base::InvalidArgumentError("invalid timestamp in JSON: '" + std::string(s) + "'");
    }
    out->time = std::move(t);
  }
  return base::OkStatus();
}

// Compares a value with a literal: the three-way result, or nullopt when the types cannot be
// compared (bytes vs a string with code points >= 256 included).
std::optional<int> Compare(const Operand& a, const Literal& lit,
                           const std::optional<TimeValue>& lt) {
  const Val& v = *a.val;
  if (lit.kind == LiteralKind::kTimestamp) {
    if (!a.time || !lt) return std::nullopt;
    return TimeValue::Compare(*a.time, *lt);
  }
  if (v.kind == Val::kBytes) {
    if (IsBinary(lit)) return Sign(v.bytes.compare(lit.text));
    if (lit.kind == LiteralKind::kString) {
      std::string b;
      if (!Utf8ToLatin1(lit.text, &b)) return std::nullopt;
      return Sign(v.bytes.compare(b));
    }
    return std::nullopt;
  }
  if (v.kind != Val::kJson) return std::nullopt;
  const json::value& j = *v.json;
  if (IsNumber(j) && IsNumeric(lit)) {
    long double x = NumberOf(j), y = NumberOf(lit);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (j.is_string()) {
    std::string_view s(j.get_string());
    if (lit.kind == LiteralKind::kString) return Sign(s.compare(lit.text));
    if (IsBinary(lit)) {
      std::string b;
      if (!Utf8ToLatin1(s, &b)) return std::nullopt;
      return Sign(b.compare(lit.text));
    }
    return std::nullopt;
  }
  return std::nullopt;
}

// Equality for = and !=: like Compare, plus booleans.
bool Equal(const Operand& a, const Literal& lit, const std::optional<TimeValue>& lt) {
  if (lit.kind == LiteralKind::kBool) {
    return a.val->kind == Val::kJson && a.val->json->is_bool() &&
           a.val->json->get_bool() == (lit.int_value != 0);
  }
  std::optional<int> c = Compare(a, lit, lt);
  return c && *c == 0;
}

// Membership for IN: same-type equality only (a string never equals bytes here, unlike =).
bool InSet(const Operand& a, const PropTest& test, const PreparedTest& prep) {
  const Val& v = *a.val;
  for (size_t i = 0; i < test.values.size(); ++i) {
    const Literal& lit = test.values[i];
    if (lit.kind == LiteralKind::kTimestamp) {
      if (a.time && prep.times[i] && *a.time == *prep.times[i]) return true;
      continue;
    }
    if (v.kind == Val::kBytes) {
      if (IsBinary(lit) && v.bytes == lit.text) return true;
      continue;
    }
    if (v.kind != Val::kJson) continue;
    const json::value& j = *v.json;
    if (lit.kind == LiteralKind::kBool) {
      if (j.is_bool() && j.get_bool() == (lit.int_value != 0)) return true;
    } else if (IsNumeric(lit)) {
      if (IsNumber(j) && NumberOf(j) == NumberOf(lit)) return true;
    } else if (lit.kind == LiteralKind::kString) {
      if (j.is_string() && std::string_view(j.get_string()) == lit.text) return true;
    }
  }
  return false;
}

// Whether `owner` is an ipv4-addr or ipv6-addr object (the objects whose `value` compares by
// block under MatchOptions::cidr_equality).
bool IsIpAddressObject(const json::value* owner) {
  if (owner == nullptr || !owner->is_object()) return false;
  auto it = owner->get_object().find("type");
  if (it == owner->get_object().end() || !it->value().is_string()) return false;
  std::string_view t(it->value().get_string());
  return t == "ipv4-addr" || t == "ipv6-addr";
}

// MatchOptions::cidr_equality: whether the JSON value `v` (an address or block) lies within
// `block`. A value that is not an address or block lies within none.
bool WithinBlock(const json::value& v, const IpNetwork& block) {
  if (!v.is_string()) return false;
  IpNetwork net;
  return ParseIpNetwork(std::string_view(v.get_string()), &net) && NetworkContains(block, net);
}

base::Status TestValue(const PropTest& test, const PreparedTest& prep, const Val& v, bool* result) {
  bool r = false;
  if (prep.cidr_any && v.kind == Val::kJson && IsIpAddressObject(v.owner)) {
    // CIDR equality (pattern.h): '=' / '!=' / IN against CIDR-form literals mean containment;
    // the other literals of an IN set (all strings, Prepare checked) compare as strings.
    if (test.op == CompareOp::kIn) {
      for (size_t i = 0; i < test.values.size() && !r; ++i) {
        if (prep.cidrs[i]) {
          r = WithinBlock(*v.json, *prep.cidrs[i]);
        } else {
          r = v.json->is_string() && std::string_view(v.json->get_string()) == test.values[i].text;
        }
      }
    } else {
      r = WithinBlock(*v.json, *prep.cidrs[0]);
      if (test.op == CompareOp::kNotEqual) r = !r;
    }
    *result = test.negated ? !r : r;
    return base::OkStatus();
  }
  switch (test.op) {
    case CompareOp::kEqual:
    case CompareOp::kNotEqual: {
      Operand a;
      RETURN_IF_ERROR(ToOperand(v, test.values[0].kind == LiteralKind::kTimestamp, &a));
      r = Equal(a, test.values[0], prep.times[0]);
      if (test.op == CompareOp::kNotEqual) r = !r;
      break;
    }
    case CompareOp::kLess:
    case CompareOp::kLessEqual:
    case CompareOp::kGreater:
    case CompareOp::kGreaterEqual: {
      Operand a;
      RETURN_IF_ERROR(ToOperand(v, test.values[0].kind == LiteralKind::kTimestamp, &a));
      std::optional<int> c = Compare(a, test.values[0], prep.times[0]);
      bool comparable_types = c.has_value();
      if (!comparable_types) {
        // Bytes against a string with code points >= 256 count as "false" (then NOT applies);
        // other type mismatches are false regardless of NOT (as in the reference matcher).
        bool bytes_vs_string =
            (v.kind == Val::kBytes && test.values[0].kind == LiteralKind::kString) ||
            (v.kind == Val::kJson && v.json->is_string() && IsBinary(test.values[0]));
        if (!bytes_vs_string) {
          *result = false;
          return base::OkStatus();
        }
        r = false;
      } else {
        switch (test.op) {
          case CompareOp::kLess:
            r = *c < 0;
            break;
          case CompareOp::kLessEqual:
            r = *c <= 0;
            break;
          case CompareOp::kGreater:
            r = *c > 0;
            break;
          default:
            r = *c >= 0;
            break;
        }
      }
      break;
    }
    case CompareOp::kIn: {
      Operand a;
      RETURN_IF_ERROR(ToOperand(v, prep.set_of_timestamps, &a));
      r = InSet(a, test, prep);
      break;
    }
    case CompareOp::kLike: {
      if (v.kind == Val::kJson && v.json->is_string()) {
        r = RE2::FullMatch(ToNfc(std::string_view(v.json->get_string())), *prep.regex);
      } else if (v.kind == Val::kBytes && prep.like_binary_ok && IsValidUtf8String(v.bytes)) {
        r = RE2::FullMatch(ToNfc(v.bytes), *prep.regex);
      }
      break;
    }
    case CompareOp::kMatches: {
      if (v.kind == Val::kJson && v.json->is_string()) {
        r = RE2::PartialMatch(ToNfc(std::string_view(v.json->get_string())), *prep.regex);
      } else if (v.kind == Val::kBytes && prep.regex_bytes) {
        r = RE2::PartialMatch(v.bytes, *prep.regex_bytes);
      }
      break;
    }
    case CompareOp::kIsSubset:
    case CompareOp::kIsSuperset: {
      if (v.kind == Val::kJson && v.json->is_string()) {
        IpNetwork net;
        std::string_view s(v.json->get_string());
        if (!ParseIpNetwork(s, &net)) {
          return base::InvalidArgumentError("invalid IP address or CIDR in JSON: '" +
                                            std::string(s) + "'");
        }
        r = test.op == CompareOp::kIsSubset ? NetworkContains(prep.net, net)
                                            : NetworkContains(net, prep.net);
      }
      break;
    }
    case CompareOp::kExists:
      r = true;
      break;
  }
  *result = test.negated ? !r : r;
  return base::OkStatus();
}

// Whether `text` is a CIDR-form literal for MatchOptions::cidr_equality: an IPv4 or IPv6 address,
// '/', and a prefix length (a bare address keeps string equality).
bool ParseCidrLiteral(std::string_view text, IpNetwork* net) {
  return text.find('/') != std::string_view::npos && ParseIpNetwork(text, net);
}

base::Status Prepare(const PropTest& test, bool cidr_equality, PreparedTest* prep) {
  prep->times.resize(test.values.size());
  bool value_path = !test.path.steps.empty() && test.path.steps.back().kind == StepKind::kKey &&
                    test.path.steps.back().key == "value";
  if (cidr_equality && value_path &&
      (test.op == CompareOp::kEqual || test.op == CompareOp::kNotEqual ||
       test.op == CompareOp::kIn)) {
    prep->cidrs.resize(test.values.size());
    for (size_t i = 0; i < test.values.size(); ++i) {
      IpNetwork net;
      if (test.values[i].kind == LiteralKind::kString &&
          ParseCidrLiteral(test.values[i].text, &net)) {
        prep->cidrs[i] = net;
        prep->cidr_any = true;
      }
    }
  }
  for (size_t i = 0; i < test.values.size(); ++i) {
    const Literal& lit = test.values[i];
    if (lit.kind == LiteralKind::kTimestamp) {
      TimeValue t;
      if (!ParseTimeValue(lit.text, &t)) {
        return base::InvalidArgumentError("invalid timestamp literal t'" + lit.text +
                                          "' (not a real date and time)");
      }
      prep->times[i] = std::move(t);
    }
  }
  switch (test.op) {
    case CompareOp::kIn:
      for (const Literal& lit : test.values) {
        bool same =
            lit.kind == test.values[0].kind || (IsNumeric(lit) && IsNumeric(test.values[0]));
        if (!same) return base::InvalidArgumentError("IN set is not homogeneous");
      }
      prep->set_of_timestamps =
          !test.values.empty() && test.values[0].kind == LiteralKind::kTimestamp;
      break;
    case CompareOp::kLike: {
      std::string like = ToNfc(test.values[0].text);
      std::string latin;
      prep->like_binary_ok = Utf8ToLatin1(like, &latin);
      ASSIGN_OR_RETURN(prep->regex, CompileLike(like));
      break;
    }
    case CompareOp::kMatches: {
      std::string regex = ToNfc(test.values[0].text);
      ASSIGN_OR_RETURN(prep->regex, CompileRegex(regex, false));
      std::string latin;
      if (Utf8ToLatin1(regex, &latin)) {
        auto bytes = CompileRegex(regex, true);
        if (bytes.ok()) prep->regex_bytes = std::move(bytes).value();
      }
      break;
    }
    case CompareOp::kIsSubset:
    case CompareOp::kIsSuperset:
      if (!ParseIpNetwork(test.values[0].text, &prep->net)) {
        return base::InvalidArgumentError("'" + test.values[0].text +
                                          "' is not an IP address or CIDR block");
      }
      break;
    default:
      break;
  }
  return base::OkStatus();
}

// Evaluates the comparison tree `node` for root `r` given per-test results.
bool EvalComparison(const Pattern& p, uint32_t node, const std::vector<std::vector<char>>& pass,
                    size_t r) {
  const ComparisonNode& n = p.comparisons()[node];
  switch (n.kind) {
    case ComparisonKind::kTest:
      return pass[n.test][r] != 0;
    case ComparisonKind::kGroup:
      return EvalComparison(p, n.children[0], pass, r);
    case ComparisonKind::kAnd:
      for (uint32_t c : n.children) {
        if (!EvalComparison(p, c, pass, r)) return false;
      }
      return true;
    case ComparisonKind::kOr:
      for (uint32_t c : n.children) {
        if (EvalComparison(p, c, pass, r)) return true;
      }
      return false;
  }
  return false;
}

std::string_view TypeOf(const json::value& v) {
  if (!v.is_object()) return {};
  auto it = v.get_object().find("type");
  if (it == v.get_object().end() || !it->value().is_string()) return {};
  return std::string_view(it->value().get_string());
}

// For every kObservation node: the observations in which some root satisfies it.
base::Status EvaluateComparisons(Context* ctx, std::vector<std::vector<uint32_t>>* matches) {
  const Pattern& p = ctx->pattern;
  std::vector<PreparedTest> prepared(p.tests().size());
  for (size_t t = 0; t < p.tests().size(); ++t)
    RETURN_IF_ERROR(Prepare(p.tests()[t], ctx->cidr_equality, &prepared[t]));
  matches->assign(p.observations().size(), {});
  std::vector<std::vector<char>> pass(p.tests().size());
  std::vector<Val> values;
  for (size_t oi = 0; oi < ctx->data.observations.size(); ++oi) {
    const Observation& obs = ctx->data.observations[oi];
    size_t roots = obs.objects.size();
    for (size_t t = 0; t < p.tests().size(); ++t) {
      const PropTest& test = p.tests()[t];
      pass[t].assign(roots, 0);
      for (size_t r = 0; r < roots; ++r) {
        const json::value* root = obs.objects[r].second;
        if (TypeOf(*root) != test.path.object_type) continue;
        RETURN_IF_ERROR(SelectValues(obs, test.path, root, &values));
        if (test.op == CompareOp::kExists) {
          pass[t][r] = (!values.empty()) != test.negated;
          continue;
        }
        for (const Val& v : values) {
          bool ok = false;
          RETURN_IF_ERROR(TestValue(test, prepared[t], v, &ok));
          if (ok) {
            pass[t][r] = 1;
            break;
          }
        }
      }
    }
    for (size_t n = 0; n < p.observations().size(); ++n) {
      const ObservationNode& node = p.observations()[n];
      if (node.kind != ObservationKind::kObservation) continue;
      for (size_t r = 0; r < roots; ++r) {
        if (EvalComparison(p, node.comparison, pass, r)) {
          (*matches)[n].push_back(static_cast<uint32_t>(oi));
          break;
        }
      }
    }
  }
  return base::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Phase 2: bindings.

struct Binding {
  std::vector<std::pair<uint32_t, uint64_t>> items;  // (observation, times used), sorted
  Nanos128 max_first = 0;
  Nanos128 min_last = 0;
};

// a + b when every observation stays within its number_observed.
bool Merge(const Context& ctx, const Binding& a, const Binding& b, Binding* out) {
  out->items.clear();
  size_t i = 0, j = 0;
  const auto& obs = ctx.data.observations;
  while (i < a.items.size() || j < b.items.size()) {
    if (j == b.items.size() || (i < a.items.size() && a.items[i].first < b.items[j].first)) {
      out->items.push_back(a.items[i++]);
    } else if (i == a.items.size() || b.items[j].first < a.items[i].first) {
      out->items.push_back(b.items[j++]);
    } else {
      uint64_t n = a.items[i].second + b.items[j].second;
      if (n < a.items[i].second || n > obs[a.items[i].first].number_observed) return false;
      out->items.emplace_back(a.items[i].first, n);
      ++i, ++j;
    }
  }
  out->max_first = std::max(a.max_first, b.max_first);
  out->min_last = std::min(a.min_last, b.min_last);
  return true;
}

class Gen {
 public:
  virtual ~Gen() = default;
  // The next binding, or false when exhausted (or when ctx->status is set).
  virtual bool Next(Binding* out) = 0;
};

class LeafGen : public Gen {
 public:
  LeafGen(const Context* ctx, const std::vector<uint32_t>* obs) : ctx_(ctx), obs_(obs) {}
  bool Next(Binding* out) override {
    if (i_ >= obs_->size()) return false;
    uint32_t o = (*obs_)[i_++];
    const Observation& ob = ctx_->data.observations[o];
    out->items.assign(1, {o, 1});
    out->max_first = ob.first;
    out->min_last = ob.last;
    return true;
  }

 private:
  const Context* ctx_;
  const std::vector<uint32_t>* obs_;
  size_t i_ = 0;
};

class OrGen : public Gen {
 public:
  explicit OrGen(std::vector<std::unique_ptr<Gen>> children) : children_(std::move(children)) {
    live_.assign(children_.size(), true);
  }
  bool Next(Binding* out) override {
    size_t tried = 0;
    while (tried < children_.size()) {
      size_t k = next_++ % children_.size();
      if (live_[k] && children_[k]->Next(out)) return true;
      live_[k] = false;
      ++tried;
    }
    return false;
  }

 private:
  std::vector<std::unique_ptr<Gen>> children_;
  std::vector<bool> live_;
  size_t next_ = 0;
};

// AND (followed_by = false) or FOLLOWEDBY of two generators, pulled alternately so that an
// exponential side does not starve the other.
class JoinGen : public Gen {
 public:
  JoinGen(Context* ctx, std::unique_ptr<Gen> lhs, std::unique_ptr<Gen> rhs, bool followed_by)
      : ctx_(ctx), lhs_(std::move(lhs)), rhs_(std::move(rhs)), followed_by_(followed_by) {}

  bool Next(Binding* out) override {
    while (pending_.empty()) {
      if (!ctx_->status.ok()) return false;
      if ((lhs_done_ && lhs_cache_.empty()) || (rhs_done_ && rhs_cache_.empty())) return false;
      if (lhs_done_ && rhs_done_) return false;
      Binding b;
      if (!rhs_done_) {
        if (rhs_->Next(&b)) {
          for (const Binding& l : lhs_cache_) Emit(l, b);
          rhs_cache_.push_back(std::move(b));
        } else {
          rhs_done_ = true;
        }
      }
      if (!lhs_done_) {
        if (lhs_->Next(&b)) {
          for (const Binding& r : rhs_cache_) Emit(b, r);
          lhs_cache_.push_back(std::move(b));
        } else {
          lhs_done_ = true;
        }
      }
    }
    *out = std::move(pending_.front());
    pending_.pop_front();
    return true;
  }

 private:
  void Emit(const Binding& l, const Binding& r) {
    if (!ctx_->Spend()) return;
    if (followed_by_ && l.max_first > r.min_last) return;
    Binding m;
    if (Merge(*ctx_, l, r, &m)) pending_.push_back(std::move(m));
  }

  Context* ctx_;
  std::unique_ptr<Gen> lhs_, rhs_;
  bool followed_by_;
  bool lhs_done_ = false, rhs_done_ = false;
  std::vector<Binding> lhs_cache_, rhs_cache_;
  std::deque<Binding> pending_;
};

class FilterGen : public Gen {
 public:
  // WITHIN: max_first - min_last <= within. START/STOP: max_first < stop and min_last >= start.
  FilterGen(Context* ctx, std::unique_ptr<Gen> child, const Qualifier& q, Nanos128 within,
            Nanos128 start, Nanos128 stop)
      : ctx_(ctx),
        child_(std::move(child)),
        kind_(q.kind),
        within_(within),
        start_(start),
        stop_(stop) {}
  bool Next(Binding* out) override {
    if (kind_ == QualifierKind::kStartStop && start_ >= stop_) return false;
    while (child_->Next(out)) {
      if (!ctx_->Spend()) return false;
      if (kind_ == QualifierKind::kWithin) {
        if (out->max_first - out->min_last <= within_) return true;
      } else if (out->max_first < stop_ && out->min_last >= start_) {
        return true;
      }
    }
    return false;
  }

 private:
  Context* ctx_;
  std::unique_ptr<Gen> child_;
  QualifierKind kind_;
  Nanos128 within_, start_, stop_;
};

// REPEATS k: k child bindings (a child may be chosen several times while its observations
// have number_observed left), enumerated depth-first over (child, multiplicity) choices.
class RepeatGen : public Gen {
 public:
  RepeatGen(Context* ctx, std::unique_ptr<Gen> child, uint64_t k)
      : ctx_(ctx), child_(std::move(child)), k_(k) {}

  bool Next(Binding* out) override {
    if (!loaded_) {
      loaded_ = true;
      Binding child;
      while (child_->Next(&child)) {
        if (!ctx_->Spend()) return false;
        items_.push_back(child);
      }
      std::sort(items_.begin(), items_.end(),
                [](const Binding& a, const Binding& b) { return a.items < b.items; });
      items_.erase(
          std::unique(items_.begin(), items_.end(),
                      [](const Binding& a, const Binding& b) { return a.items == b.items; }),
          items_.end());
      used_.clear();
      if (items_.empty()) return false;
      Push(0);
    }
    return Advance(out);
  }

 private:
  struct Frame {
    size_t index;                  // child binding chosen at this level
    uint64_t times;                // how many times
    Nanos128 max_first, min_last;  // summary including this level
  };

  uint64_t Capacity(size_t index) const {
    uint64_t cap = std::numeric_limits<uint64_t>::max();
    for (const auto& [o, n] : items_[index].items) {
      uint64_t used = Used(o);
      uint64_t left = ctx_->data.observations[o].number_observed - used;
      cap = std::min(cap, left / n);
    }
    return cap;
  }
  uint64_t Used(uint32_t o) const {
    auto it = used_.find(o);
    return it == used_.end() ? 0 : it->second;
  }
  void Apply(size_t index, uint64_t times, bool add) {
    for (const auto& [o, n] : items_[index].items) {
      if (add) {
        used_[o] += n * times;
      } else {
        used_[o] -= n * times;
      }
    }
  }
  // Tries to place a frame starting at child `from`; true when one was placed.
  bool Push(size_t from) {
    for (size_t i = from; i < items_.size(); ++i) {
      if (!ctx_->Spend()) return false;
      uint64_t cap = std::min(Capacity(i), k_ - total_);
      if (cap == 0) continue;
      Frame f{i, cap, items_[i].max_first, items_[i].min_last};
      if (!stack_.empty()) {
        f.max_first = std::max(f.max_first, stack_.back().max_first);
        f.min_last = std::min(f.min_last, stack_.back().min_last);
      }
      Apply(i, cap, true);
      total_ += cap;
      stack_.push_back(f);
      return true;
    }
    return false;
  }

  // Backtracks the top frame to its next choice; false when the stack empties.
  bool Backtrack() {
    while (!stack_.empty()) {
      Frame f = stack_.back();
      stack_.pop_back();
      Apply(f.index, f.times, false);
      total_ -= f.times;
      if (f.times > 1) {
        // The same child fewer times, then later children fill the rest.
        uint64_t t = f.times - 1;
        Frame g{f.index, t, items_[f.index].max_first, items_[f.index].min_last};
        if (!stack_.empty()) {
          g.max_first = std::max(g.max_first, stack_.back().max_first);
          g.min_last = std::min(g.min_last, stack_.back().min_last);
        }
        Apply(f.index, t, true);
        total_ += t;
        stack_.push_back(g);
        return true;
      }
      if (Push(f.index + 1)) return true;
      if (!ctx_->status.ok()) return false;
    }
    return false;
  }

  bool Advance(Binding* out) {
    while (!stack_.empty() && ctx_->status.ok()) {
      if (total_ == k_ && !emitted_top_) {
        emitted_top_ = true;
        Emit(out);
        return true;
      }
      if (total_ < k_ && !emitted_top_) {
        if (Push(stack_.back().index + 1)) continue;
        if (!ctx_->status.ok()) return false;
      }
      emitted_top_ = false;
      if (!Backtrack()) return false;
    }
    return false;
  }

  void Emit(Binding* out) {
    out->items.clear();
    for (const auto& [o, n] : used_) {
      if (n > 0) out->items.emplace_back(o, n);
    }
    out->max_first = stack_.back().max_first;
    out->min_last = stack_.back().min_last;
  }

  Context* ctx_;
  std::unique_ptr<Gen> child_;
  uint64_t k_;
  bool loaded_ = false;
  bool emitted_top_ = false;
  std::vector<Binding> items_;
  std::vector<Frame> stack_;
  std::map<uint32_t, uint64_t> used_;
  uint64_t total_ = 0;
};

base::Result<std::unique_ptr<Gen>> Build(Context* ctx, uint32_t node_index,
                                         const std::vector<std::vector<uint32_t>>& matches);

base::Result<std::unique_ptr<Gen>> ApplyQualifiers(Context* ctx, const ObservationNode& node,
                                                   std::unique_ptr<Gen> gen) {
  for (const Qualifier& q : node.qualifiers) {
    switch (q.kind) {
      case QualifierKind::kRepeats:
        if (q.count < 1) return base::InvalidArgumentError("REPEATS must be at least 1");
        if (q.count > 1) {
          gen = std::make_unique<RepeatGen>(ctx, std::move(gen), static_cast<uint64_t>(q.count));
        }
        break;
      case QualifierKind::kWithin: {
        Nanos128 d = SecondsToNanos(q.number);
        if (d <= 0) return base::InvalidArgumentError("WITHIN must be > 0 seconds");
        gen = std::make_unique<FilterGen>(ctx, std::move(gen), q, d, 0, 0);
        break;
      }
      case QualifierKind::kStartStop: {
        TimeValue start, stop;
        if (!ParseTimeValue(q.start.text, &start)) {
          return base::InvalidArgumentError("START '" + q.start.text + "' is not a timestamp");
        }
        if (!ParseTimeValue(q.stop.text, &stop)) {
          return base::InvalidArgumentError("STOP '" + q.stop.text + "' is not a timestamp");
        }
        gen = std::make_unique<FilterGen>(ctx, std::move(gen), q, 0, ToNanos(start), ToNanos(stop));
        break;
      }
    }
  }
  return gen;
}

base::Result<std::unique_ptr<Gen>> Build(Context* ctx, uint32_t node_index,
                                         const std::vector<std::vector<uint32_t>>& matches) {
  const ObservationNode& node = ctx->pattern.observations()[node_index];
  std::unique_ptr<Gen> gen;
  switch (node.kind) {
    case ObservationKind::kObservation:
      gen = std::make_unique<LeafGen>(ctx, &matches[node_index]);
      break;
    case ObservationKind::kGroup: {
      ASSIGN_OR_RETURN(gen, Build(ctx, node.children[0], matches));
      break;
    }
    case ObservationKind::kOr: {
      std::vector<std::unique_ptr<Gen>> children;
      for (uint32_t c : node.children) {
        ASSIGN_OR_RETURN(auto g, Build(ctx, c, matches));
        children.push_back(std::move(g));
      }
      gen = std::make_unique<OrGen>(std::move(children));
      break;
    }
    case ObservationKind::kAnd:
    case ObservationKind::kFollowedBy: {
      // Joined as a balanced tree (order kept): both operators only constrain every pair of
      // operands i < j, so any bracketing is equivalent, and a balanced one keeps a chain of
      // n operands log2(n) generators deep.
      std::vector<std::unique_ptr<Gen>> level;
      for (uint32_t c : node.children) {
        ASSIGN_OR_RETURN(auto g, Build(ctx, c, matches));
        level.push_back(std::move(g));
      }
      bool followed_by = node.kind == ObservationKind::kFollowedBy;
      while (level.size() > 1) {
        std::vector<std::unique_ptr<Gen>> next;
        for (size_t i = 0; i < level.size(); i += 2) {
          if (i + 1 < level.size()) {
            next.push_back(std::make_unique<JoinGen>(ctx, std::move(level[i]),
                                                     std::move(level[i + 1]), followed_by));
          } else {
            next.push_back(std::move(level[i]));
          }
        }
        level = std::move(next);
      }
      gen = std::move(level[0]);
      break;
    }
  }
  return ApplyQualifiers(ctx, node, std::move(gen));
}

}  // namespace

base::Result<bool> Match(const Pattern& pattern, const Observations& observations,
                         const MatchOptions& options) {
  Context ctx{pattern, observations.impl(), options.max_steps, options.cidr_equality};
  std::vector<std::vector<uint32_t>> matches;
  RETURN_IF_ERROR(EvaluateComparisons(&ctx, &matches));
  ASSIGN_OR_RETURN(std::unique_ptr<Gen> root, Build(&ctx, pattern.root(), matches));
  Binding b;
  bool found = root->Next(&b);
  if (!ctx.status.ok()) return ctx.status;
  return found;
}

}  // namespace detente::pattern
