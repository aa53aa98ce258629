// pattern/validator.cc: Validate(), the checks beyond the grammar. Tested by
// validator_test.cc and the file-driven cases in pattern_cases_test.cc.
#include <cctype>
#include <string>

#include "pattern/lexer.h"
#include "pattern/pattern.h"
#include "pattern/printer.h"
#include "pattern/values.h"

namespace detente::pattern {
namespace {

base::Status At(const SourceLocation& loc, const std::string& message) {
  return base::InvalidArgumentError(std::to_string(loc.line) + ":" + std::to_string(loc.column) +
                                    ": " + message);
}

std::string Upper(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '_') c = '-';
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

bool AllHex(std::string_view s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsBase64ish(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '+';
}

// SSDEEP: blocksize:hash:hash (hashes in the base64 alphabet), optionally ",filename".
bool IsSsdeep(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0 || i >= s.size() || s[i] != ':') return false;
  for (int part = 0; part < 2; ++part) {
    size_t start = ++i;
    while (i < s.size() && IsBase64ish(s[i])) ++i;
    if (i == start) return false;
    if (part == 0 && (i >= s.size() || s[i] != ':')) return false;
  }
  return i == s.size() || s[i] == ',';
}

// TLSH: 70 hex digits (or 72 for the 3-byte checksum variant), optionally prefixed "T1".
bool IsTlsh(std::string_view s) {
  if (s.size() >= 2 && (s[0] == 'T' || s[0] == 't') && s[1] == '1') s.remove_prefix(2);
  return (s.size() == 70 || s.size() == 72) && AllHex(s);
}

struct HashRule {
  const char* name;  // upper-case, '-' separated
  int hex_digits;    // 0: special format
};
constexpr HashRule kHashRules[] = {
    {"MD5", 32},       {"MD6", 0},      {"SHA-1", 40},    {"SHA1", 40},     {"SHA-224", 56},
    {"SHA224", 56},    {"SHA-256", 64}, {"SHA256", 64},   {"SHA-384", 96},  {"SHA384", 96},
    {"SHA-512", 128},  {"SHA512", 128}, {"SHA3-224", 56}, {"SHA3-256", 64}, {"SHA3-384", 96},
    {"SHA3-512", 128}, {"SSDEEP", -1},  {"TLSH", -2},
};

// Checks `value` as the hash `algorithm`. Unknown algorithms (custom hashes) pass.
bool CheckHash(const std::string& algorithm, const Literal& value, std::string* why) {
  std::string name = Upper(algorithm);
  for (const HashRule& rule : kHashRules) {
    if (name != rule.name) continue;
    if (rule.hex_digits == 0) return true;
    if (value.kind == LiteralKind::kHex) {
      if (rule.hex_digits > 0 && static_cast<int>(value.text.size()) * 2 != rule.hex_digits) {
        *why = "must be " + std::to_string(rule.hex_digits / 2) + " bytes";
        return false;
      }
      return true;
    }
    if (value.kind != LiteralKind::kString) {
      *why = "must be a string";
      return false;
    }
    if (rule.hex_digits == -1) {
      if (!IsSsdeep(value.text)) *why = "must be an SSDEEP hash (blocksize:hash:hash)";
      return why->empty();
    }
    if (rule.hex_digits == -2) {
      if (!IsTlsh(value.text)) *why = "must be a TLSH hash (T1 and 70 hex digits)";
      return why->empty();
    }
    if (static_cast<int>(value.text.size()) != rule.hex_digits || !AllHex(value.text)) {
      *why = "must be " + std::to_string(rule.hex_digits) + " hex digits";
      return false;
    }
    return true;
  }
  return true;
}

int LiteralClass(LiteralKind k) {
  // Ints and floats are one class for IN homogeneity (the spec: "homogeneous data type").
  return k == LiteralKind::kFloat ? static_cast<int>(LiteralKind::kInt) : static_cast<int>(k);
}

base::Status ValidateTest(const PropTest& test) {
  const ObjectPath& path = test.path;
  for (const PathStep& step : path.steps) {
    if (step.kind == StepKind::kIndex && step.index < 0) {
      return At(test.location, "list index " + std::to_string(step.index) + " is negative");
    }
  }
  switch (test.op) {
    case CompareOp::kEqual:
    case CompareOp::kNotEqual:
    case CompareOp::kIn: {
      size_t n = path.steps.size();
      if (n >= 2 && path.steps[n - 2].kind == StepKind::kKey && path.steps[n - 2].key == "hashes" &&
          path.steps[n - 1].kind == StepKind::kKey) {
        for (const Literal& v : test.values) {
          std::string why;
          if (!CheckHash(path.steps[n - 1].key, v, &why)) {
            std::string m;
            AppendObjectPath(&m, path);
            m += " " + why + ", got ";
            AppendLiteral(&m, v);
            return At(test.location, m);
          }
        }
      }
      if (test.op == CompareOp::kIn) {
        for (const Literal& v : test.values) {
          if (LiteralClass(v.kind) != LiteralClass(test.values[0].kind)) {
            return At(test.location, "IN set mixes types; its values must all be of one type");
          }
        }
      }
      break;
    }
    case CompareOp::kMatches: {
      auto re = CompileRegex(test.values[0].text, false);
      if (!re.ok()) return At(test.location, re.status().message());
      break;
    }
    case CompareOp::kIsSubset:
    case CompareOp::kIsSuperset: {
      IpNetwork net;
      if (!ParseIpNetwork(test.values[0].text, &net)) {
        return At(test.location,
                  "'" + test.values[0].text + "' is not an IPv4 or IPv6 address or CIDR block");
      }
      break;
    }
    default:
      break;
  }
  return base::OkStatus();
}

base::Status ValidateQualifiers(const ObservationNode& node, StixVersion version) {
  bool seen[3] = {false, false, false};
  for (const Qualifier& q : node.qualifiers) {
    int k = static_cast<int>(q.kind);
    if (version == StixVersion::k21 && node.kind == ObservationKind::kObservation && seen[k]) {
      static const char* kNames[] = {"WITHIN", "REPEATS", "START/STOP"};
      return At(q.location, std::string("duplicate qualifier type ") + kNames[k] +
                                " on one observation expression (parenthesise to stack them)");
    }
    seen[k] = true;
    switch (q.kind) {
      case QualifierKind::kWithin:
        if (SecondsToNanos(q.number) <= 0) return At(q.location, "WITHIN must be > 0 seconds");
        break;
      case QualifierKind::kRepeats:
        if (q.count < 1) return At(q.location, "REPEATS must be at least 1");
        break;
      case QualifierKind::kStartStop: {
        TimeValue start, stop;
        bool start_ok = ParseTimeValue(q.start.text, &start);
        bool stop_ok = ParseTimeValue(q.stop.text, &stop);
        if (q.start.kind == LiteralKind::kString && !start_ok) {
          return At(q.location, "START '" + q.start.text + "' is not a timestamp");
        }
        if (q.stop.kind == LiteralKind::kString && !stop_ok) {
          return At(q.location, "STOP '" + q.stop.text + "' is not a timestamp");
        }
        if (start_ok && stop_ok && TimeValue::Compare(start, stop) >= 0) {
          return At(q.location, "START must be earlier than STOP");
        }
        break;
      }
    }
  }
  return base::OkStatus();
}

}  // namespace

base::Status Validate(const Pattern& pattern) {
  for (const PropTest& test : pattern.tests()) RETURN_IF_ERROR(ValidateTest(test));
  for (const ObservationNode& node : pattern.observations()) {
    RETURN_IF_ERROR(ValidateQualifiers(node, pattern.version()));
  }
  return base::OkStatus();
}

}  // namespace detente::pattern
