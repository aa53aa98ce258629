// pattern/pattern.h: the public header of the pattern module: the STIX patterning language
// (STIX 2.1 section 9, and 2.0 behind ParseOptions::version).
//
//   Parse()    text -> Pattern (lexer and an explicit-stack operator-precedence parser; no
//              recursion on the input's nesting; errors carry line:column)
//   Validate() the checks beyond the grammar (hash values by algorithm, qualifier ranges,
//              repeated qualifiers, regular expressions, IP literals, timestamps)
//   Print()    the canonical text (normalised spacing): Parse(Print(p)) has the same tree as p
//   Match()    the reference evaluator over observed-data (see docs/patterns.md for the exact
//              semantics, which follow the OASIS reference matcher where the spec is silent)
//
// Limits: a pattern is at most ParseOptions::max_bytes (default 1 MiB) of UTF-8 and nests at
// most ParseOptions::max_depth (default 256) brackets and parentheses deep; the tree depth
// (operators plus stacked qualifiers) is at most 4 * max_depth + 64, so the evaluator may
// recurse on it.
//
// Thread-safety: Pattern and Observations are immutable values after construction; any
// number of threads may call Print/Validate/Match on the same objects concurrently.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "pattern/ast.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace detente::pattern {

inline constexpr size_t kMaxPatternBytes = size_t{1} << 20;
inline constexpr int kMaxNestingDepth = 256;

struct ParseOptions {
  StixVersion version = StixVersion::k21;
  size_t max_bytes = kMaxPatternBytes;
  int max_depth = kMaxNestingDepth;
};

// A parsed pattern: owns its syntax tree (see ast.h). Copyable and movable.
class Pattern {
 public:
  StixVersion version() const { return version_; }
  // The root observation node (an index into observations()).
  uint32_t root() const { return root_; }
  const std::vector<ObservationNode>& observations() const { return observations_; }
  const std::vector<ComparisonNode>& comparisons() const { return comparisons_; }
  const std::vector<PropTest>& tests() const { return tests_; }

 private:
  friend class Parser;

  StixVersion version_ = StixVersion::k21;
  uint32_t root_ = 0;
  std::vector<ObservationNode> observations_;
  std::vector<ComparisonNode> comparisons_;
  std::vector<PropTest> tests_;
};

// Parses `text` by the STIX patterning grammar of options.version.
// Errors: kInvalidArgument with "L:C: what was expected and what was found" (1-based line and
// column, the column in code points), e.g. "1:14: expected a literal, found ']'";
// kInvalidArgument when text exceeds options.max_bytes, is not UTF-8, nests deeper than
// options.max_depth, or its tree is deeper than 4 * max_depth + 64 (stacked qualifiers).
base::Result<Pattern> Parse(std::string_view text, const ParseOptions& options = {});

// The semantic checks a validator adds to the grammar. OK, or kInvalidArgument naming the
// first problem and where ("1:2: file:hashes.'SHA-256' must be 64 hex digits, got 'f00'").
// Checks: hash values of known algorithms (MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512,
// SHA3-*, SSDEEP, TLSH) in =, != and IN; REPEATS and WITHIN > 0; START < STOP, and 2.0
// START/STOP strings are timestamps; MATCHES regexes compile (RE2); ISSUBSET/ISSUPERSET take
// an IPv4/IPv6 address or CIDR; IN sets are of one type; list indexes are >= 0; in 2.1 no
// qualifier type repeats directly on one [...]. Calendar-impossible timestamp literals
// (Feb 30) pass, as in the grammar and the OASIS validator; Match() rejects them.
// Thread-safe (reads only).
base::Status Validate(const Pattern& pattern);

// Parse() then Validate().
base::Result<Pattern> ParseAndValidate(std::string_view text, const ParseOptions& options = {});

// The canonical text of `pattern`: single spaces around operators and keywords, none inside
// brackets, strings re-escaped, explicit parentheses kept. Parse(Print(p)) yields p's tree.
std::string Print(const Pattern& pattern);

// Observations to match against: STIX 2.1 bundles (observed-data listing top-level SCOs in
// object_refs) or STIX 2.0 observed-data (SCOs in an `objects` dictionary). Owns the JSON.
class Observations {
 public:
  // `json` is one of: a list of bundles; one bundle; a list of STIX objects (2.1); a list of
  // observed-data (2.0; any object with first_observed, last_observed, number_observed and
  // `objects`). Errors: kInvalidArgument naming the offending observation and property, e.g.
  // "observation 2: number_observed must be an integer >= 1".
  static base::Result<Observations> FromJson(boost::json::value json, StixVersion version);

  Observations(Observations&&) noexcept;
  Observations& operator=(Observations&&) noexcept;
  ~Observations();

  // The number of observed-data objects found.
  size_t size() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit Observations(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct MatchOptions {
  // Work budget: the evaluator gives up with kResourceExhausted after this many steps
  // (joins of candidate bindings). Matching is exponential in the worst case (e.g. REPEATS
  // over many observations under AND); the budget keeps hostile inputs bounded.
  uint64_t max_steps = 20'000'000;
  // CIDR equality (off by default, as in the OASIS reference matcher, where '=' is plain string
  // equality): when on, '=', '!=' and IN comparing the `value` property of an ipv4-addr or
  // ipv6-addr object (also reached through a *_ref / *_refs path, e.g.
  // network-traffic:dst_ref.value) with a string literal in CIDR form ("58.246.0.0/15",
  // "2001:db8::/32": an address, '/' and a prefix length) test whether the observed address or
  // block lies within the literal's block (host bits ignored, as ISSUBSET does). Other literals
  // and other properties compare as before; an observed value that is not an address or block
  // is not within any block. See docs/patterns.md.
  bool cidr_equality = false;
};

// Whether `pattern` matches `observations`.
// Errors: kInvalidArgument for what the reference matcher reports as a MatcherException:
// a JSON value that must be a timestamp and is not, a non-homogeneous IN set, WITHIN or
// REPEATS not > 0, an invalid timestamp literal (e.g. Feb 30), an unparsable 2.0 START/STOP
// string, a regex RE2 cannot compile, malformed _hex/_bin values; kResourceExhausted when
// options.max_steps is exceeded or one object path selects more than 100,000 values from one
// SCO (reference chains can revisit objects).
base::Result<bool> Match(const Pattern& pattern, const Observations& observations,
                         const MatchOptions& options = {});

// ---- Text and regex helpers shared with the match module -------------------------------------
// The bulk matcher confirms LIKE/MATCHES with exactly the evaluator's semantics through these.

// The NFC form (Unicode Standard Annex #15) of `utf8`, as LIKE and MATCHES compare it (STIX 2.1
// section 9.6.1). Invalid UTF-8 bytes are replaced by U+FFFD. Thread-safe.
std::string ToNfc(std::string_view utf8);

// Compiles a STIX MATCHES regex (PCRE syntax as far as RE2 supports it) with DOTALL, for
// UTF-8 text or, when `latin1`, for bytes (every code point of `regex` must be < 256).
// `\Z` is mapped to RE2's `\z`. The caller owns the result (include <re2/re2.h> to use it).
// Errors: kInvalidArgument with RE2's message (e.g. for backreferences or lookaround, which
// RE2 rejects to keep matching linear-time).
base::Result<std::unique_ptr<re2::RE2>> CompileRegex(std::string_view regex, bool latin1);

// Compiles a LIKE pattern ('%' any run, '_' one code point, everything else literal) into an
// anchored RE2 for UTF-8 text (the pattern should already be in NFC). Errors: kInvalidArgument
// when RE2 rejects the translation (e.g. it exceeds RE2's memory budget).
base::Result<std::unique_ptr<re2::RE2>> CompileLike(std::string_view like);

}  // namespace detente::pattern
