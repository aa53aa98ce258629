// match/engine.cc: pattern decomposition into index terms, and the per-event matching loop.
// Tested by engine_test.cc and the differential test (differential_test.cc).
#include "match/engine.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstring>
#include <optional>

#include "pattern/pattern.h"

namespace detente::match {

namespace pt = detente::pattern;

// ---- IdStore ----------------------------------------------------------------------------------

namespace {
constexpr std::string_view kIndicatorPrefix = "indicator--";

bool ParseLowerUuid(std::string_view s, std::array<uint8_t, 16>* out) {
  if (s.size() != 36) return false;
  size_t b = 0;
  for (size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
      ++i;
      continue;
    }
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = hex(s[i]), lo = hex(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[b++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return true;
}

// Whether every byte of `v` is below 0x80: eight bytes at a time (no early exit: the values
// are short, and a branch per byte costs more than reading the rest).
bool IsAscii(std::string_view v) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= v.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, v.data() + i, 8);
    acc |= w;
  }
  for (; i < v.size(); ++i) acc |= static_cast<unsigned char>(v[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

}  // namespace

uint32_t IdStore::Add(std::string_view id) {
  std::array<uint8_t, 16> u{};
  uint32_t index = static_cast<uint32_t>(uuids_.size());
  if (id.starts_with(kIndicatorPrefix) && ParseLowerUuid(id.substr(kIndicatorPrefix.size()), &u)) {
    uuids_.push_back(u);
  } else {
    uuids_.push_back(u);
    other_.emplace(index, std::string(id));
  }
  return index;
}

std::string IdStore::Get(uint32_t index) const {
  if (!other_.empty()) {
    auto it = other_.find(index);
    if (it != other_.end()) return it->second;
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out(kIndicatorPrefix);
  const auto& u = uuids_[index];
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[u[i] >> 4]);
    out.push_back(kHex[u[i] & 15]);
  }
  return out;
}

size_t IdStore::MemoryBytes() const {
  size_t n = uuids_.capacity() * 16;
  for (const auto& [k, v] : other_) n += 48 + v.capacity();
  return n;
}

// ---- Decomposition ----------------------------------------------------------------------------

namespace {

enum class TermKind { kNone, kEq, kCidr, kRegexLike, kRegexMatches };

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool IsRefName(std::string_view key) { return key.ends_with("_ref") || key.ends_with("_refs"); }

// The canonical full path ("type:a.'b-c'[*]") when the matcher's observations can carry it:
// keys and [*] only, at most one dereference, not ending on a reference or a _hex/_bin
// property (those compare decoded bytes). Empty otherwise.
std::string IndexablePath(const pt::ObjectPath& path) {
  std::string out = path.object_type + ":";
  int refs = 0;
  for (size_t i = 0; i < path.steps.size(); ++i) {
    const pt::PathStep& st = path.steps[i];
    bool last = i + 1 == path.steps.size();
    switch (st.kind) {
      case pt::StepKind::kKey:
        if (IsRefName(st.key)) {
          if (last) return {};
          ++refs;
        }
        if (last && (st.key.ends_with("_hex") || st.key.ends_with("_bin"))) return {};
        if (i > 0) out.push_back('.');
        if (IsIdentifier(st.key)) {
          out += st.key;
        } else {
          if (st.key.find('\'') != std::string::npos) return {};
          out.push_back('\'');
          out.append(st.key);
          out.push_back('\'');
        }
        break;
      case pt::StepKind::kAnyIndex:
        out += "[*]";
        break;
      case pt::StepKind::kIndex:
        return {};
    }
  }
  if (refs > 1 || path.steps.empty()) return {};
  return out;
}

// Whether a '=' / IN test on `path` has CIDR-equality semantics for CIDR-form literals
// (pattern::MatchOptions::cidr_equality): the path ends in `value` and either starts at an
// ipv4-addr / ipv6-addr object or goes through one reference (whose target's type is then
// checked per event).
bool CidrEqualityPath(const pt::ObjectPath& path) {
  if (path.steps.empty() || path.steps.back().kind != pt::StepKind::kKey ||
      path.steps.back().key != "value") {
    return false;
  }
  if (path.steps.size() == 1) {
    return path.object_type == "ipv4-addr" || path.object_type == "ipv6-addr";
  }
  for (const auto& st : path.steps) {
    if (st.kind == pt::StepKind::kKey && IsRefName(st.key)) return true;
  }
  return false;
}

// The literal's block when it is in CIDR form (an address, '/', a prefix length).
enum class CidrForm { kNo, kYes, kUnparsable };
CidrForm CidrLiteral(const pt::Literal& lit, IpPrefix* prefix) {
  if (lit.kind != pt::LiteralKind::kString || lit.text.find('/') == std::string::npos) {
    return CidrForm::kNo;
  }
  return ParseIpPrefix(lit.text, prefix) ? CidrForm::kYes : CidrForm::kUnparsable;
}

bool IsIpAddressType(std::string_view type) { return type == "ipv4-addr" || type == "ipv6-addr"; }

bool LiteralValue(const pt::Literal& lit, Value* v) {
  switch (lit.kind) {
    case pt::LiteralKind::kString: *v = Value::String(lit.text); return true;
    case pt::LiteralKind::kInt:
      if (lit.int_overflow) return false;
      *v = Value::Int(lit.int_value);
      return true;
    case pt::LiteralKind::kFloat: *v = Value::Float(lit.float_value); return true;
    case pt::LiteralKind::kBool: *v = Value::Bool(lit.int_value != 0); return true;
    default: return false;  // binary, hex, timestamp: compared by the reference evaluator
  }
}

TermKind Classify(const pt::PropTest& t, std::string* path) {
  if (t.negated) return TermKind::kNone;
  *path = IndexablePath(t.path);
  if (path->empty()) return TermKind::kNone;
  Value v;
  if ((t.op == pt::CompareOp::kEqual || t.op == pt::CompareOp::kIn) && CidrEqualityPath(t.path)) {
    // A literal that looks like a CIDR but that the trie cannot parse is left to the evaluator.
    for (const auto& lit : t.values) {
      IpPrefix prefix;
      if (CidrLiteral(lit, &prefix) == CidrForm::kUnparsable) return TermKind::kNone;
    }
  }
  switch (t.op) {
    case pt::CompareOp::kEqual:
      return t.values.size() == 1 && LiteralValue(t.values[0], &v) ? TermKind::kEq
                                                                     : TermKind::kNone;
    case pt::CompareOp::kIn:
      for (const auto& lit : t.values) {
        if (!LiteralValue(lit, &v)) return TermKind::kNone;
      }
      return TermKind::kEq;
    case pt::CompareOp::kLike:
      return t.values.size() == 1 && t.values[0].kind == pt::LiteralKind::kString
                 ? TermKind::kRegexLike
                 : TermKind::kNone;
    case pt::CompareOp::kMatches:
      return t.values.size() == 1 && t.values[0].kind == pt::LiteralKind::kString
                 ? TermKind::kRegexMatches
                 : TermKind::kNone;
    case pt::CompareOp::kIsSubset: {
      IpPrefix p;
      return t.values.size() == 1 && t.values[0].kind == pt::LiteralKind::kString &&
                     ParseIpPrefix(t.values[0].text, &p)
                 ? TermKind::kCidr
                 : TermKind::kNone;
    }
    default:
      return TermKind::kNone;
  }
}

int TermCost(const pt::PropTest& t, TermKind k) {
  switch (k) {
    case TermKind::kEq: return static_cast<int>(t.values.size());
    case TermKind::kCidr: return 2;
    default: return 8;
  }
}

// A set of tests at least one of which every match hits; bottom = no such set.
struct NSet {
  bool bottom = true;
  std::vector<uint32_t> tests;
  int cost = 0;
};

NSet Min(NSet a, NSet b) {
  if (a.bottom) return b;
  if (b.bottom) return a;
  return a.cost <= b.cost ? a : b;
}

NSet Union(NSet a, const NSet& b) {
  if (a.bottom || b.bottom) return NSet{};
  a.tests.insert(a.tests.end(), b.tests.begin(), b.tests.end());
  a.cost += b.cost;
  return a;
}

struct Analysis {
  const pt::Pattern& p;
  std::vector<TermKind> kinds;
  std::vector<std::string> paths;

  explicit Analysis(const pt::Pattern& pattern) : p(pattern) {
    kinds.resize(p.tests().size());
    paths.resize(p.tests().size());
    for (size_t i = 0; i < p.tests().size(); ++i) kinds[i] = Classify(p.tests()[i], &paths[i]);
  }

  // The pattern tree is bounded by the parser's nesting limit (pattern.h), so recursion here is
  // bounded too.
  NSet Cmp(uint32_t n) const {
    const pt::ComparisonNode& node = p.comparisons()[n];
    switch (node.kind) {
      case pt::ComparisonKind::kTest: {
        TermKind k = kinds[node.test];
        if (k == TermKind::kNone) return NSet{};
        NSet s;
        s.bottom = false;
        s.tests.push_back(node.test);
        s.cost = TermCost(p.tests()[node.test], k);
        return s;
      }
      case pt::ComparisonKind::kGroup:
        return Cmp(node.children[0]);
      case pt::ComparisonKind::kAnd: {
        NSet best;
        for (uint32_t c : node.children) best = Min(best, Cmp(c));
        return best;
      }
      case pt::ComparisonKind::kOr: {
        NSet u;
        u.bottom = false;
        for (uint32_t c : node.children) u = Union(u, Cmp(c));
        return u;
      }
    }
    return NSet{};
  }

  // With `all`, observation-level AND/FOLLOWEDBY take the union of their operands' sets
  // instead of the cheapest: a multi-observation pattern's window needs every event that can
  // satisfy any one of its observations.
  NSet Obs(uint32_t n, bool all) const {
    const pt::ObservationNode& node = p.observations()[n];
    switch (node.kind) {
      case pt::ObservationKind::kObservation: return Cmp(node.comparison);
      case pt::ObservationKind::kGroup: return Obs(node.children[0], all);
      case pt::ObservationKind::kAnd:
      case pt::ObservationKind::kFollowedBy: {
        if (all) {
          NSet u;
          u.bottom = false;
          for (uint32_t c : node.children) u = Union(u, Obs(c, all));
          return u;
        }
        NSet best;
        for (uint32_t c : node.children) best = Min(best, Obs(c, all));
        return best;
      }
      case pt::ObservationKind::kOr: {
        NSet u;
        u.bottom = false;
        for (uint32_t c : node.children) u = Union(u, Obs(c, all));
        return u;
      }
    }
    return NSet{};
  }

  bool ExactCmp(uint32_t n) const {
    const pt::ComparisonNode& node = p.comparisons()[n];
    switch (node.kind) {
      case pt::ComparisonKind::kTest: return kinds[node.test] != TermKind::kNone;
      case pt::ComparisonKind::kGroup: return ExactCmp(node.children[0]);
      case pt::ComparisonKind::kOr:
        for (uint32_t c : node.children) {
          if (!ExactCmp(c)) return false;
        }
        return true;
      case pt::ComparisonKind::kAnd: return false;
    }
    return false;
  }

  bool ExactObs(uint32_t n) const {
    const pt::ObservationNode& node = p.observations()[n];
    if (!node.qualifiers.empty()) return false;
    switch (node.kind) {
      case pt::ObservationKind::kObservation: return ExactCmp(node.comparison);
      case pt::ObservationKind::kGroup: return ExactObs(node.children[0]);
      case pt::ObservationKind::kOr:
        for (uint32_t c : node.children) {
          if (!ExactObs(c)) return false;
        }
        return true;
      default: return false;
    }
  }

  bool Multi() const {
    for (const auto& node : p.observations()) {
      if (node.kind == pt::ObservationKind::kAnd ||
          node.kind == pt::ObservationKind::kFollowedBy) {
        return true;
      }
      for (const auto& q : node.qualifiers) {
        if (q.kind == pt::QualifierKind::kRepeats && q.count > 1) return true;
      }
    }
    return false;
  }
};

}  // namespace

// ---- Engine -----------------------------------------------------------------------------------

struct Engine::Complex {
  explicit Complex(pt::Pattern pattern) : p(std::move(pattern)) {}
  pt::Pattern p;
  std::deque<std::string> window;  // multi-observation patterns: recent candidate events
};

Engine::Engine() = default;
Engine::~Engine() = default;

size_t Engine::MemoryBytes() const {
  size_t n = eq_.MemoryBytes() + ids_.MemoryBytes() + flags_.capacity() + path_flags_.capacity();
  for (const auto* tries : {&tries_, &eq_tries_}) {
    for (const auto& t : *tries) {
      if (t) n += t->MemoryBytes();
    }
  }
  return n;
}

size_t Engine::ComplexMemoryEstimate() const { return complex_.size() * 512; }

bool Engine::Verify(uint32_t indicator, const Observation& obs) {
  auto it = complex_.find(indicator);
  if (it == complex_.end()) return false;
  Complex& c = *it->second;
  ++counters_.candidates_evaluated;
  if (cached_obs_ != &obs) {
    cached_json_ = ObservationToStixJson(obs);
    cached_obs_ = &obs;
  }
  std::string doc;
  if (flags_[indicator] & kMulti) {
    c.window.push_back(cached_json_);
    if (c.window.size() > kWindow) c.window.pop_front();
    doc.push_back('[');
    for (size_t i = 0; i < c.window.size(); ++i) {
      if (i > 0) doc.push_back(',');
      doc.append(c.window[i]);
    }
    doc.push_back(']');
  } else {
    doc = cached_json_;
  }
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(doc, ec);
  if (ec) {
    ++counters_.evaluator_errors;
    return false;
  }
  auto observations = pt::Observations::FromJson(std::move(json), pt::StixVersion::k21);
  if (!observations.ok()) {
    ++counters_.evaluator_errors;
    return false;
  }
  pt::MatchOptions options;
  options.cidr_equality = true;
  auto r = pt::Match(c.p, *observations, options);
  if (!r.ok()) {
    ++counters_.evaluator_errors;
    return false;
  }
  if (*r && (flags_[indicator] & kMulti)) c.window.clear();
  return *r;
}

void Engine::Prefetch(const Observation& obs) {
  // The probes are kept for Match(obs): two slots, for a caller that reads one event ahead.
  Prepared& prep = prepared_[prepared_next_];
  prepared_next_ ^= 1;
  prep.obs = &obs;
  prep.epoch = obs.epoch();
  prep.properties = obs.properties().size();
  MakeProbes(obs, &prep.probes);
}

void Engine::MakeProbes(const Observation& obs, std::vector<Probe>* probes) const {
  probes->clear();
  const size_t npaths = path_flags_.size();
  for (const Property& p : obs.properties()) {
    if (p.path >= npaths || (path_flags_[p.path] & kEq) == 0 || p.ref >= 0) continue;
    // Built in place: a Probe assembled on the stack and copied stalls on store forwarding.
    Probe& probe = probes->emplace_back();
    if (MakeKey(p.value, &probe.key)) {
      probe.hash = EqualityIndex::Hash(p.path, probe.key);
      probe.path = p.path;
      eq_.Prefetch(probe.hash);
    } else {
      probes->pop_back();
    }
  }
}

void Engine::Match(const Observation& obs, std::vector<uint32_t>* out) {
  hits_.clear();
  cached_obs_ = nullptr;
  // The probes Prefetch(obs) made, if obs has not changed since (same Clear() epoch and size).
  const std::vector<Probe>* probes = nullptr;
  for (Prepared& prep : prepared_) {
    if (prep.obs == &obs && prep.epoch == obs.epoch() &&
        prep.properties == obs.properties().size()) {
      probes = &prep.probes;
      prep.obs = nullptr;  // used once
      break;
    }
  }
  if (probes == nullptr) {
    MakeProbes(obs, &probes_);
    probes = &probes_;
  }
  // The values the filter lets through (present ones, and a few false positives) read the slot
  // table, whose lines are seldom cached in a large index: start those loads now, so that they
  // overlap the CIDR and regex work below.
  for (const Probe& probe : *probes) {
    if (eq_.PassesFilter(probe.hash)) eq_.PrefetchSlot(probe.hash);
  }
  const size_t npaths = path_flags_.size();
  for (const Property& p : obs.properties()) {
    if (p.path >= npaths) continue;
    uint8_t f = path_flags_[p.path];
    if (f == 0 || p.ref >= 0) continue;
    if (p.value.kind != ValueKind::kString) continue;
    if (f & kCidrEq) {
      size_t holder = p.derived ? static_cast<size_t>(p.from) : p.object;
      if (holder < obs.objects().size() && IsIpAddressType(obs.objects()[holder].type)) {
        IpPrefix ip;
        if (ParseIpPrefix(p.value.s, &ip)) {
          eq_tries_[p.path]->ForEachContaining(ip, [&](uint32_t ind) { hits_.push_back(ind); });
        }
      }
    }
    if ((f & kCidr) &&
        (p.v4_net16 >= 0 ? tries_[p.path]->MayContainV4Net16(static_cast<uint32_t>(p.v4_net16))
                         : tries_[p.path]->MayContainV4Text(p.value.s))) {
      IpPrefix ip;
      if (ParseIpPrefix(p.value.s, &ip)) {
        tries_[p.path]->ForEachContaining(ip, [&](uint32_t ind) { hits_.push_back(ind); });
      }
    }
    if (f & kRegex) {
      std::string_view v = p.value.s;
      const bool ascii = IsAscii(v);
      if (!ascii) {
        nfc_ = pt::ToNfc(v);
        v = nfc_;
      }
      regex_.Scan(p.path, v, &hits_, /*valid_utf8=*/ascii);
    }
  }
  for (const Probe& probe : *probes) {
    eq_.Lookup(probe.hash, probe.path, probe.key, [&](uint32_t ind) { hits_.push_back(ind); });
  }
  if (!by_type_.empty()) {
    for (const ObjectView& o : obs.objects()) {
      auto it = by_type_.find(std::string(o.type));
      if (it != by_type_.end()) hits_.insert(hits_.end(), it->second.begin(), it->second.end());
    }
  }
  if (hits_.empty()) return;
  if (hits_.size() > 1) {
    std::sort(hits_.begin(), hits_.end());
    hits_.erase(std::unique(hits_.begin(), hits_.end()), hits_.end());
  }
  for (uint32_t ind : hits_) {
    if ((flags_[ind] & kExact) || Verify(ind, obs)) out->push_back(ind);
  }
}

// ---- EngineBuilder ----------------------------------------------------------------------------

// Engine's constructor is private to keep construction in the builder, so no make_unique.
EngineBuilder::EngineBuilder() : engine_(new Engine()) {}
EngineBuilder::~EngineBuilder() = default;

base::Status EngineBuilder::Add(std::string_view id, std::string_view pattern_text) {
  ASSIGN_OR_RETURN(pt::Pattern p, pt::ParseAndValidate(pattern_text));
  return AddParsed(id, p);
}

base::Status EngineBuilder::AddParsed(std::string_view id, const pt::Pattern& p) {
  Engine& e = *engine_;
  Analysis a(p);
  bool multi = a.Multi();
  NSet terms = a.Obs(p.root(), multi);
  bool exact = a.ExactObs(p.root());

  // Check every regex first so that a bad one leaves nothing half-added.
  if (!terms.bottom) {
    for (uint32_t t : terms.tests) {
      TermKind k = a.kinds[t];
      if (k == TermKind::kRegexLike || k == TermKind::kRegexMatches) {
        RegexIndex probe;
        RETURN_IF_ERROR(probe.Add(0, k == TermKind::kRegexLike, p.tests()[t].values[0].text, 0));
      }
    }
  }

  uint32_t ind = e.ids_.Add(id);
  uint8_t flags = 0;
  if (exact) flags |= Engine::kExact;
  if (!exact) {
    flags |= Engine::kComplex;
    if (multi) flags |= Engine::kMulti;
    e.complex_.emplace(ind, std::make_unique<Engine::Complex>(p));
    ++e.stats_.candidate;
  } else {
    ++e.stats_.exact;
  }
  e.flags_.push_back(flags);

  if (terms.bottom) {
    // No indexable necessary term: a candidate whenever an object of a named type is present.
    std::vector<std::string> types;
    for (const auto& t : p.tests()) types.push_back(t.path.object_type);
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
    for (const auto& t : types) e.by_type_[t].push_back(ind);
    ++e.stats_.by_type;
    return base::OkStatus();
  }
  if (terms.tests.empty()) ++e.stats_.never;
  auto flag_path = [&](const std::string& path, uint8_t flag) {
    uint32_t pid = e.paths_.Intern(path);
    if (e.path_flags_.size() <= pid) e.path_flags_.resize(pid + 1, 0);
    e.path_flags_[pid] |= flag;
    return pid;
  };
  for (uint32_t t : terms.tests) {
    const pt::PropTest& test = p.tests()[t];
    const std::string& path = a.paths[t];
    switch (a.kinds[t]) {
      case TermKind::kEq: {
        uint32_t pid = flag_path(path, Engine::kEq);
        bool cidr_path = CidrEqualityPath(test.path);
        for (const auto& lit : test.values) {
          Value v;
          if (LiteralValue(lit, &v)) RETURN_IF_ERROR(e.eq_.Add(pid, v, ind));
          IpPrefix prefix;
          if (cidr_path && CidrLiteral(lit, &prefix) == CidrForm::kYes) {
            flag_path(path, Engine::kCidrEq);
            if (e.eq_tries_.size() <= pid) e.eq_tries_.resize(pid + 1);
            if (!e.eq_tries_[pid]) e.eq_tries_[pid] = std::make_unique<CidrTrie>();
            e.eq_tries_[pid]->Insert(prefix, ind);
          }
        }
        break;
      }
      case TermKind::kCidr: {
        uint32_t pid = flag_path(path, Engine::kCidr);
        if (e.tries_.size() <= pid) e.tries_.resize(pid + 1);
        if (!e.tries_[pid]) e.tries_[pid] = std::make_unique<CidrTrie>();
        IpPrefix prefix;
        if (ParseIpPrefix(test.values[0].text, &prefix)) e.tries_[pid]->Insert(prefix, ind);
        break;
      }
      case TermKind::kRegexLike:
      case TermKind::kRegexMatches: {
        uint32_t pid = flag_path(path, Engine::kRegex);
        RETURN_IF_ERROR(e.regex_.Add(pid, a.kinds[t] == TermKind::kRegexLike,
                                     test.values[0].text, ind));
        break;
      }
      case TermKind::kNone:
        break;
    }
  }
  return base::OkStatus();
}

base::Result<std::unique_ptr<Engine>> EngineBuilder::Build() {
  Engine& e = *engine_;
  RETURN_IF_ERROR(e.regex_.Build());
  if (e.path_flags_.size() < e.paths_.size()) e.path_flags_.resize(e.paths_.size(), 0);
  if (e.tries_.size() < e.paths_.size()) e.tries_.resize(e.paths_.size());
  if (e.eq_tries_.size() < e.paths_.size()) e.eq_tries_.resize(e.paths_.size());
  e.eq_.Compact();
  e.ids_.Compact();
  e.flags_.shrink_to_fit();
  e.stats_.equality_keys = e.eq_.keys();
  for (auto* tries : {&e.tries_, &e.eq_tries_}) {
    for (const auto& t : *tries) {
      if (t) {
        t->Finalize();
        e.stats_.cidr_blocks += t->size();
      }
    }
  }
  e.stats_.regexes = e.regex_.expressions();
  auto out = std::move(engine_);
  engine_.reset(new Engine());
  return out;
}

}  // namespace detente::match
