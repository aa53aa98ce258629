// parser_test.cc: the lexer, parser and canonical printer: table-driven round trips, errors
// with exact line:column, limits (size, nesting depth) and the STIX 2.0 differences.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "pattern/pattern.h"
#include "testing/status_matchers.h"

namespace detente::pattern {
namespace {

using ::detente::base::StatusCode;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

struct PrintCase {
  const char* input;
  const char* canonical;
};

// {input, canonical print}: spacing normalised, '==' and '<>' spelt '=' and '!=', leading '+'
// dropped, strings re-escaped, hex lower-case, parentheses kept.
const PrintCase kPrintCases[] = {
    {"[file:name = 'foo.dll']", "[file:name = 'foo.dll']"},
    {"[file:name='foo.dll']", "[file:name = 'foo.dll']"},
    {"  [ file:size  >=  +1024 ]  ", "[file:size >= 1024]"},
    {"[x:a == 1]", "[x:a = 1]"},
    {"[x:a <> 1]", "[x:a != 1]"},
    {"[x:a NOT = 1]", "[x:a NOT = 1]"},
    {"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
     "[file:hashes.'SHA-256' = "
     "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']"},
    {"[file:hashes.MD5 = 'x']", "[file:hashes.MD5 = 'x']"},
    {"[x:'has.dot' = 2]", "[x:'has.dot' = 2]"},
    {"[x:'plain' = 2]", "[x:plain = 2]"},
    {"[x:'AND' = 2]", "[x:'AND' = 2]"},
    {"[obj-type:a.b[*][1].'c-d' NOT ISSUPERSET '1.2.3.4/16']",
     "[obj-type:a.b[*][1].'c-d' NOT ISSUPERSET '1.2.3.4/16']"},
    {"[x:a = 'it\\'s \\\\ here']", "[x:a = 'it\\'s \\\\ here']"},
    {"[x:a = h'FFd8']", "[x:a = h'ffd8']"},
    {"[x:a = b'dGhpcyBpcyBhIHRlc3Q=']", "[x:a = b'dGhpcyBpcyBhIHRlc3Q=']"},
    {"[x:a = t'2016-01-01T00:00:00.123Z']", "[x:a = t'2016-01-01T00:00:00.123Z']"},
    {"[x:a IN(1,2 ,3)]", "[x:a IN (1, 2, 3)]"},
    {"[x:a IN ()]", "[x:a IN ()]"},
    {"[x:a NOT IN ('a')]", "[x:a NOT IN ('a')]"},
    {"[x:a > -5.5 AND x:b < .5]", "[x:a > -5.5 AND x:b < .5]"},
    {"[x:a = true OR x:b = false]", "[x:a = true OR x:b = false]"},
    {"[x:a LIKE 'a%' AND x:b MATCHES '^a+$']", "[x:a LIKE 'a%' AND x:b MATCHES '^a+$']"},
    {"[EXISTS x:a]", "[EXISTS x:a]"},
    {"[NOT EXISTS x:a]", "[NOT EXISTS x:a]"},
    {"[(x:a = 1 OR x:b = 2) AND x:c = 3]", "[(x:a = 1 OR x:b = 2) AND x:c = 3]"},
    {"[((x:a = 1))]", "[((x:a = 1))]"},
    {"[a:b = 1] AND [c:d = 2] OR [e:f = 3] FOLLOWEDBY [g:h = 4]",
     "[a:b = 1] AND [c:d = 2] OR [e:f = 3] FOLLOWEDBY [g:h = 4]"},
    {"([a:b=1] OR [c:d=2]) WITHIN 300 SECONDS", "([a:b = 1] OR [c:d = 2]) WITHIN 300 SECONDS"},
    {"[a:b = 1] REPEATS 5 TIMES WITHIN .5 SECONDS", "[a:b = 1] REPEATS 5 TIMES WITHIN .5 SECONDS"},
    {"[a:b = 1] START t'2016-01-01T00:00:00Z' STOP t'2016-01-02T00:00:00Z'",
     "[a:b = 1] START t'2016-01-01T00:00:00Z' STOP t'2016-01-02T00:00:00Z'"},
    {"[a:b = 1] /* comment */ AND // line comment\n [c:d = 2]", "[a:b = 1] AND [c:d = 2]"},
    {"( [(x:a IN(1,2) AND x:b = 1) ])", "([(x:a IN (1, 2) AND x:b = 1)])"},
    {"[x:a\u00a0=\u3000'\u1e0d\u0307']", "[x:a = '\u1e0d\u0307']"},
    {"[x:a = 99999999999999999999999]", "[x:a = 99999999999999999999999]"},
    {"[x:a[-1] = 1]", "[x:a[-1] = 1]"},
};

TEST(ParserTest, PrintsCanonicalForm) {
  for (const PrintCase& c : kPrintCases) {
    auto p = Parse(c.input);
    ASSERT_TRUE(p.ok()) << c.input << ": " << p.status();
    EXPECT_EQ(Print(*p), c.canonical) << "input: " << c.input;
  }
}

TEST(ParserTest, CanonicalFormIsAFixedPoint) {
  for (const PrintCase& c : kPrintCases) {
    auto p = Parse(c.input);
    ASSERT_TRUE(p.ok()) << c.input;
    std::string once = Print(*p);
    auto again = Parse(once);
    ASSERT_TRUE(again.ok()) << once << ": " << again.status();
    EXPECT_EQ(Print(*again), once);
    EXPECT_EQ(again->tests().size(), p->tests().size());
    EXPECT_EQ(again->observations().size(), p->observations().size());
  }
}

TEST(ParserTest, ObservationOperatorsBindFollowedByLoosestThenOrThenAnd) {
  ASSERT_OK_AND_ASSIGN(Pattern p,
                       Parse("[a:a = 1] OR [b:b = 1] FOLLOWEDBY [c:c = 1] AND [d:d = 1]"));
  const ObservationNode& root = p.observations()[p.root()];
  ASSERT_EQ(root.kind, ObservationKind::kFollowedBy);
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(p.observations()[root.children[0]].kind, ObservationKind::kOr);
  EXPECT_EQ(p.observations()[root.children[1]].kind, ObservationKind::kAnd);
}

TEST(ParserTest, ChainsOfOneOperatorAreFlattened) {
  ASSERT_OK_AND_ASSIGN(Pattern p, Parse("[a:a = 1] AND [a:a = 2] AND [a:a = 3] AND [a:a = 4]"));
  const ObservationNode& root = p.observations()[p.root()];
  EXPECT_EQ(root.kind, ObservationKind::kAnd);
  EXPECT_EQ(root.children.size(), 4u);
}

TEST(ParserTest, QualifierBindsToTheImmediatelyPrecedingObservation) {
  ASSERT_OK_AND_ASSIGN(Pattern p, Parse("[a:a = 1] AND [b:b = 1] WITHIN 1 SECONDS"));
  const ObservationNode& root = p.observations()[p.root()];
  ASSERT_EQ(root.kind, ObservationKind::kAnd);
  EXPECT_TRUE(p.observations()[root.children[0]].qualifiers.empty());
  ASSERT_EQ(p.observations()[root.children[1]].qualifiers.size(), 1u);
  EXPECT_EQ(p.observations()[root.children[1]].qualifiers[0].kind, QualifierKind::kWithin);
}

TEST(ParserTest, ComparisonAndBindsTighterThanOr) {
  ASSERT_OK_AND_ASSIGN(Pattern p, Parse("[x:a = 1 OR x:b = 2 AND x:c = 3]"));
  const ComparisonNode& root = p.comparisons()[p.observations()[p.root()].comparison];
  ASSERT_EQ(root.kind, ComparisonKind::kOr);
  EXPECT_EQ(p.comparisons()[root.children[1]].kind, ComparisonKind::kAnd);
}

TEST(ParserTest, ExposesPathStepsAndLiterals) {
  ASSERT_OK_AND_ASSIGN(
      Pattern p,
      Parse("[file:extensions.'ntfs-ext'.alternate_data_streams[*].x_refs[2].name NOT LIKE 'a_']"));
  ASSERT_EQ(p.tests().size(), 1u);
  const PropTest& t = p.tests()[0];
  EXPECT_EQ(t.path.object_type, "file");
  ASSERT_EQ(t.path.steps.size(), 7u);
  EXPECT_EQ(t.path.steps[1].key, "ntfs-ext");
  EXPECT_EQ(t.path.steps[3].kind, StepKind::kAnyIndex);
  EXPECT_EQ(t.path.steps[4].key, "x_refs");
  EXPECT_EQ(t.path.steps[5].kind, StepKind::kIndex);
  EXPECT_EQ(t.path.steps[5].index, 2);
  EXPECT_EQ(t.path.steps[6].key, "name");
  EXPECT_EQ(t.op, CompareOp::kLike);
  EXPECT_TRUE(t.negated);
  EXPECT_EQ(t.values[0].text, "a_");
  EXPECT_EQ(t.location.line, 1u);
  EXPECT_EQ(t.location.column, 2u);
}

struct ErrorCase {
  const char* input;
  const char* message;  // the whole message, "line:column: ..."
};

const ErrorCase kErrorCases[] = {
    {"file:size = 1280", "1:1: input is missing square brackets: a pattern is '[' comparison ']'"},
    {"[file.size = 1280]", "1:6: expected ':' after the object type, found '.'"},
    {"[file:hashes.MD5 =? 'x']", "1:19: unexpected character '?'"},
    {"[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]",
     "1:20: expected a literal, found 'cead3f77f6cda6ec00f57d76c9a6879f'"},
    {"[file:name MATCHES /.*\\.dll/]", "1:20: expected a string literal after MATCHES, found '/'"},
    {"[network-traffic:dst_ref.value ISSUBSET ]",
     "1:41: expected a string literal after ISSUBSET, found ']'"},
    {"[a:b = 1] WITHIN 5 HOURS", "1:20: expected SECONDS, found 'HOURS'"},
    {"[a:b = 1] WITHIN -5 SECONDS",
     "1:18: expected a positive number of seconds after WITHIN, found '-5'"},
    {"[a:b = 1] within 2 seconds",
     "1:11: expected AND, OR, FOLLOWEDBY, WITHIN, REPEATS, START or end of pattern, found "
     "'within'"},
    {"[some-type:needs-quotes = 1]",
     "1:12: a property name with '-' must be quoted, e.g. 'ntfs-ext'"},
    {"[x:a = null]", "1:8: expected a literal, found 'null'"},
    {"[x:a = 'open", "1:8: unterminated string literal"},
    {"[x:a = 'bad \\n escape']",
     "1:13: invalid escape in string literal (only \\' and \\\\ are allowed)"},
    {"[x:a = t'2010-05-21T13:21:43z']",
     "1:8: invalid timestamp literal (expected t'YYYY-MM-DDTHH:MM:SS[.s+]Z')"},
    {"[x:a = b'====']", "1:8: binary literal must be padded base64"},
    {"[x:a = h'abc']", "1:8: hex literal needs an even number of hex digits"},
    {"[x:a > true]",
     "1:8: expected an orderable literal (booleans cannot be ordered), found 'true'"},
    {"[a:b = 1]\n  AND\n  [c:d = ]", "3:10: expected a literal, found ']'"},
    {"([a:b = 1]", "1:1: unclosed '('"},
    {"[a:b = 1])", "1:10: unbalanced ')'"},
    {"[a:b = 1", "1:9: expected AND, OR, ']' or ')', found end of pattern"},
    {"[a:b = 1] AND",
     "1:14: expected '[' or '(' to start an observation expression, found end of pattern"},
    {"[]", "1:2: expected an object type (e.g. file:name), found ']'"},
    {"", "1:1: expected '[' or '(' to start an observation expression, found end of pattern"},
    {"[a:b = 1] /* open comment", "1:11: unterminated comment"},
    {"[x:a = '\u1e0d\u0307'] ?", "1:14: unexpected character '?'"},
    {"[a:b = 1] START t'2016-01-01T00:00:00Z'", "1:40: expected STOP, found end of pattern"},
    {"[a:b = 1] START '2016-01-01T00:00:00Z' STOP '2016-01-02T00:00:00Z'",
     "1:17: expected a timestamp literal t'...', found ''2016-01-01T00:00:00Z''"},
};

TEST(ParserTest, ErrorsNameLineAndColumn) {
  for (const ErrorCase& c : kErrorCases) {
    EXPECT_THAT(Parse(c.input), StatusIs(StatusCode::kInvalidArgument, c.message))
        << "input: " << c.input;
  }
}

TEST(ParserTest, KeywordsAreUpperCaseOnly) {
  EXPECT_THAT(Parse("[a:b = 1] and [c:d = 1]"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("found 'and'")));
  EXPECT_THAT(Parse("[a:b = TRUE]"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected a literal")));
}

TEST(ParserTest, DeepNestingIsAnErrorNotAStackOverflow) {
  std::string deep(100000, '(');
  deep += "[a:b = 1]";
  deep += std::string(100000, ')');
  EXPECT_THAT(Parse(deep),
              StatusIs(StatusCode::kInvalidArgument, "1:257: nesting deeper than 256"));
  std::string deep_cmp =
      "[" + std::string(100000, '(') + "a:b = 1" + std::string(100000, ')') + "]";
  EXPECT_THAT(Parse(deep_cmp),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("nesting deeper than 256")));
}

TEST(ParserTest, NestingAtTheLimitParsesAndPrints) {
  std::string text = std::string(255, '(') + "[a:b = 1]" + std::string(255, ')');
  ASSERT_OK_AND_ASSIGN(Pattern p, Parse(text));
  EXPECT_EQ(Print(p), text);
}

TEST(ParserTest, LongOperatorChainsNeedNoRecursion) {
  std::string text = "[a:b = 1]";
  for (int i = 0; i < 20000; ++i)
    text += i % 2 ? " AND [a:b = 1]" : " FOLLOWEDBY [a:b = 1] REPEATS 2 TIMES";
  ASSERT_OK_AND_ASSIGN(Pattern p, Parse(text));
  EXPECT_EQ(Print(p), text);
}

TEST(ParserTest, StackedQualifiersCountTowardTheDepthLimit) {
  std::string text = "[a:b = 1]";
  for (int i = 0; i < 2000; ++i) text += " REPEATS 2 TIMES";
  EXPECT_THAT(Parse(text), StatusIs(StatusCode::kInvalidArgument,
                                    HasSubstr("1:1: pattern is nested too deeply")));
}

TEST(ParserTest, OversizedPatternIsRejected) {
  std::string text = "[a:b = '" + std::string(kMaxPatternBytes, 'x') + "']";
  EXPECT_THAT(Parse(text),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("the limit is 1048576")));
}

TEST(ParserTest, InvalidUtf8IsRejected) {
  EXPECT_THAT(Parse("[a:b = '\xff']"),
              StatusIs(StatusCode::kInvalidArgument, "pattern is not valid UTF-8"));
}

TEST(ParserTest, Stix20TakesPlainStringsInStartStop) {
  ParseOptions v20{.version = StixVersion::k20};
  ASSERT_OK_AND_ASSIGN(
      Pattern p, Parse("[a:b = 1] START '2016-01-01T00:00:00Z' STOP '2016-01-02T00:00:00Z'", v20));
  EXPECT_EQ(p.observations()[p.root()].qualifiers[0].start.kind, LiteralKind::kString);
  EXPECT_OK(
      Parse("[a:b = 1] START t'2016-01-01T00:00:00Z' STOP t'2016-01-02T00:00:00Z'", v20).status());
}

TEST(ParserTest, Stix20HasNoExists) {
  EXPECT_THAT(
      Parse("[EXISTS a:b]", {.version = StixVersion::k20}),
      StatusIs(StatusCode::kInvalidArgument, "1:2: EXISTS is not part of STIX 2.0 patterning"));
}

}  // namespace
}  // namespace detente::pattern
