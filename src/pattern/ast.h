// pattern/ast.h: the syntax tree of a STIX pattern, as Parse() builds it (see pattern.h).
// Part of the module's public API through pattern.h: the bulk matcher walks it.
//
// Nodes live in flat vectors owned by Pattern and refer to each other by index, so a tree of
// any depth is destroyed without recursion and copied cheaply. Chains of the same operator
// are flattened (`[a] AND [b] AND [c]` is one kAnd node with three children), and explicit
// parentheses are kept as kGroup nodes so that printing reproduces the structure exactly.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace detente::pattern {

enum class StixVersion { k20, k21 };

// Where a token starts in the pattern text: byte offset, and 1-based line and column (the
// column counts Unicode code points).
struct SourceLocation {
  uint32_t offset = 0;
  uint32_t line = 1;
  uint32_t column = 1;
};

enum class LiteralKind { kInt, kFloat, kString, kBool, kBinary, kHex, kTimestamp };

// A constant from the pattern.
struct Literal {
  LiteralKind kind = LiteralKind::kString;
  // kInt: the value (when it fits; `text` always holds the digits). kBool: 0 or 1.
  int64_t int_value = 0;
  // kInt (when int_overflow) and kFloat: the value as a double.
  double float_value = 0;
  bool int_overflow = false;
  // kString: the unescaped UTF-8 text. kBinary/kHex: the decoded bytes. kTimestamp: the text
  // between the quotes (e.g. "2016-01-01T00:00:00Z"). kInt/kFloat: the literal without a
  // leading '+'.
  std::string text;
};

enum class StepKind {
  kKey,       // .name or .'quoted name'
  kIndex,     // [n]
  kAnyIndex,  // [*]
};

struct PathStep {
  StepKind kind = StepKind::kKey;
  std::string key;    // kKey
  int64_t index = 0;  // kIndex (may be negative: the grammar admits [-1])
};

// `object_type:first.rest[...]`. steps[0] is the first property (always a kKey).
struct ObjectPath {
  std::string object_type;
  std::vector<PathStep> steps;
};

enum class CompareOp {
  kEqual,         // = (also written ==)
  kNotEqual,      // != (also written <>)
  kLess,          // <
  kLessEqual,     // <=
  kGreater,       // >
  kGreaterEqual,  // >=
  kIn,            // IN (...)
  kLike,          // LIKE
  kMatches,       // MATCHES
  kIsSubset,      // ISSUBSET
  kIsSuperset,    // ISSUPERSET
  kExists,        // EXISTS path (STIX 2.1 only)
};

// One comparison: `path [NOT] op value(s)` or `[NOT] EXISTS path`.
struct PropTest {
  ObjectPath path;
  CompareOp op = CompareOp::kEqual;
  bool negated = false;         // NOT
  std::vector<Literal> values;  // 1 value; kIn: the set (maybe empty); kExists: none
  SourceLocation location;      // of the object path
};

enum class ComparisonKind { kAnd, kOr, kGroup, kTest };

// A node of the comparison expression inside `[...]`.
struct ComparisonNode {
  ComparisonKind kind = ComparisonKind::kTest;
  std::vector<uint32_t> children;  // kAnd/kOr: >= 2 nodes; kGroup: 1 node (parenthesised)
  uint32_t test = 0;               // kTest: index into Pattern::tests()
};

enum class QualifierKind { kWithin, kRepeats, kStartStop };

struct Qualifier {
  QualifierKind kind = QualifierKind::kWithin;
  // kWithin: the number of seconds as written (int or float, no sign); kRepeats: the count.
  std::string number;
  double seconds = 0;  // kWithin
  int64_t count = 0;   // kRepeats (saturates at INT64_MAX)
  // kStartStop: the two timestamps. In 2.1 both are kTimestamp literals; in 2.0 they may be
  // kString literals, which are parsed as timestamps when matching.
  Literal start, stop;
  SourceLocation location;
};

enum class ObservationKind { kFollowedBy, kOr, kAnd, kGroup, kObservation };

// A node of the observation level.
struct ObservationNode {
  ObservationKind kind = ObservationKind::kObservation;
  std::vector<uint32_t> children;     // operators: >= 2 nodes; kGroup: 1 node
  uint32_t comparison = 0;            // kObservation: root index into Pattern::comparisons()
  std::vector<Qualifier> qualifiers;  // kObservation and kGroup, in source order
  SourceLocation location;            // of '[' or '('
};

}  // namespace detente::pattern
