// validator_test.cc: Validate(), the checks beyond the grammar.
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

base::Status Check(const std::string& text, StixVersion v = StixVersion::k21) {
  auto p = Parse(text, {.version = v});
  if (!p.ok()) return p.status();
  return Validate(*p);
}

TEST(ValidatorTest, AcceptsHashesOfTheRightLength) {
  EXPECT_OK(Check("[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a69faa']"));
  EXPECT_OK(Check("[file:hashes.'SHA-1' = '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed']"));
  EXPECT_OK(
      Check("[file:hashes.'SHA-256' = "
            "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']"));
  EXPECT_OK(Check("[file:hashes.'SHA-512' = '" + std::string(128, 'a') + "']"));
  EXPECT_OK(Check("[file:hashes.'SHA3-256' = '" + std::string(64, 'B') + "']"));
  EXPECT_OK(
      Check("[file:hashes.SSDEEP = "
            "'96:s4Ud1Lj96tHHlZDrwciQmA+4uy1I0G4HYuL8N3TzS8QsO/"
            "wqWXLcMSx:sF1LjEtHHlZDrJzrhuyZvHYm8tKp/RWO']"));
  EXPECT_OK(Check("[file:hashes.TLSH = 'T1" + std::string(70, 'A') + "']"));
  EXPECT_OK(Check("[file:hashes.'x-custom' = 'anything']"));
  EXPECT_OK(Check("[file:hashes[*] = 'anything']"));
}

TEST(ValidatorTest, RejectsHashValuesOfTheWrongShape) {
  EXPECT_THAT(Check("[file:hashes.'SHA-256' = 'f00']"),
              StatusIs(StatusCode::kInvalidArgument,
                       "1:2: file:hashes.'SHA-256' must be 64 hex digits, got 'f00'"));
  EXPECT_THAT(Check("[file:hashes.MD5 = 'zzzz3f77f6cda6ec00f57d76c9a69faa']"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("must be 32 hex digits")));
  EXPECT_THAT(Check("[file:name = 'a' AND file:hashes.'SHA-1' IN ('aa', 'bb')]"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("1:22: file:hashes.'SHA-1'")));
  EXPECT_THAT(Check("[file:hashes.SSDEEP = 'not ssdeep']"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("SSDEEP")));
  EXPECT_THAT(Check("[file:hashes.TLSH = 'T1abc']"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("TLSH")));
  EXPECT_THAT(Check("[file:hashes.'SHA-256' = h'00ff']"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("must be 32 bytes")));
}

TEST(ValidatorTest, RejectsNonPositiveQualifiers) {
  EXPECT_THAT(Check("[a:b = 1] WITHIN 0 SECONDS"),
              StatusIs(StatusCode::kInvalidArgument, "1:11: WITHIN must be > 0 seconds"));
  EXPECT_THAT(Check("[a:b = 1] WITHIN 0.0 SECONDS"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("WITHIN must be > 0")));
  EXPECT_THAT(Check("[a:b = 1] REPEATS 0 TIMES"),
              StatusIs(StatusCode::kInvalidArgument, "1:11: REPEATS must be at least 1"));
  EXPECT_OK(Check("[a:b = 1] WITHIN .0001 SECONDS"));
}

TEST(ValidatorTest, RequiresStartBeforeStop) {
  EXPECT_THAT(Check("[a:b = 1] START t'2016-01-02T00:00:00Z' STOP t'2016-01-01T00:00:00Z'"),
              StatusIs(StatusCode::kInvalidArgument, "1:11: START must be earlier than STOP"));
  EXPECT_THAT(Check("[a:b = 1] START t'2016-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00.000Z'"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("START must be earlier")));
  EXPECT_THAT(
      Check("[a:b = 1] START '2016-01-01t00:00:00Z' STOP '2016-01-02T00:00:00Z'", StixVersion::k20),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("is not a timestamp")));
}

TEST(ValidatorTest, RejectsRepeatedQualifierTypeOnOneBracketIn21Only) {
  const char* text = "[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS";
  EXPECT_THAT(Check(text), StatusIs(StatusCode::kInvalidArgument,
                                    HasSubstr("1:28: duplicate qualifier type WITHIN")));
  EXPECT_OK(Check(text, StixVersion::k20));
  EXPECT_OK(Check("([a:b = 1]) WITHIN 5 SECONDS WITHIN 6 SECONDS"));
  EXPECT_OK(Check("([a:b = 1] REPEATS 2 TIMES) REPEATS 2 TIMES"));
  EXPECT_OK(Check("[a:b = 1] REPEATS 2 TIMES WITHIN 6 SECONDS"));
}

TEST(ValidatorTest, RejectsRegexesRe2CannotRun) {
  EXPECT_THAT(Check("[a:b MATCHES '(a)\\\\1']"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("is not supported")));
  EXPECT_THAT(Check("[a:b MATCHES '(?<=a)b']"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("is not supported")));
  EXPECT_OK(Check("[a:b MATCHES '^.+\\\\@example\\\\.com$']"));
  EXPECT_OK(Check("[a:b MATCHES '(?P<name>x)\\\\d+\\\\Z']"));
}

TEST(ValidatorTest, RequiresIpLiteralsForSetOperators) {
  EXPECT_OK(Check("[ipv4-addr:value ISSUBSET '198.51.100.0/24']"));
  EXPECT_OK(Check("[ipv6-addr:value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']"));
  EXPECT_OK(Check("[ipv6-addr:value ISSUPERSET '::ffff:1.2.3.4']"));
  EXPECT_THAT(Check("[ipv4-addr:value ISSUBSET '198.51.100.0/33']"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("is not an IPv4 or IPv6")));
  EXPECT_THAT(Check("[ipv4-addr:value ISSUBSET 'example.com']"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("is not an IPv4 or IPv6")));
}

TEST(ValidatorTest, RequiresHomogeneousInSets) {
  EXPECT_OK(Check("[a:b IN (1, 2.5, -3)]"));
  EXPECT_THAT(Check("[a:b IN (1, true)]"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("IN set mixes types")));
}

TEST(ValidatorTest, RejectsNegativeListIndexes) {
  EXPECT_THAT(Check("[a:b[-1] = 1]"),
              StatusIs(StatusCode::kInvalidArgument, "1:2: list index -1 is negative"));
}

TEST(ValidatorTest, AcceptsCalendarImpossibleTimestampsLikeTheGrammar) {
  // The 2.1 grammar checks field ranges only; the OASIS validator accepts Feb 30.
  EXPECT_OK(Check("[x:created = t'2024-02-30T12:00:00Z']"));
}

}  // namespace
}  // namespace detente::pattern
