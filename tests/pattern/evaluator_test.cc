// evaluator_test.cc: Match() semantics (docs/patterns.md), the value helpers (NFC, IP
// networks, timestamps), and a comparison of the observation-level search against a slow,
// obviously correct enumeration of bindings on random small inputs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "pattern/pattern.h"
#include "pattern/unicode.h"
#include "pattern/values.h"
#include "testing/status_matchers.h"

namespace detente::pattern {
namespace {

namespace json = boost::json;
using ::detente::base::StatusCode;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

// Builds 2.1 bundles: one observed-data per Observe() call, holding the given SCOs.
class Bundle {
 public:
  // `scos` are objects without ids (ids are assigned "<type>--<n>" unless present).
  Bundle& Observe(std::vector<json::object> scos, int second, int number_observed = 1,
                  int last_second = -1) {
    json::array refs;
    for (json::object& sco : scos) {
      if (!sco.contains("id")) {
        sco["id"] = std::string(sco["type"].as_string()) + "--" + std::to_string(next_id_++);
      }
      refs.push_back(sco["id"]);
      objects_.push_back(sco);
    }
    json::object od;
    od["type"] = "observed-data";
    od["id"] = "observed-data--" + std::to_string(next_id_++);
    od["first_observed"] = Time(second);
    od["last_observed"] = Time(last_second < 0 ? second : last_second);
    od["number_observed"] = number_observed;
    od["object_refs"] = refs;
    objects_.push_back(od);
    return *this;
  }
  static std::string Time(int second) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "2020-01-01T%02d:%02d:%02dZ", second / 3600, (second / 60) % 60,
                  second % 60);
    return buf;
  }
  json::value Json() const {
    json::object b;
    b["type"] = "bundle";
    b["id"] = "bundle--1";
    b["objects"] = objects_;
    return json::array{b};
  }

 private:
  json::array objects_;
  int next_id_ = 1;
};

json::object Sco(const char* json_text) { return json::parse(json_text).as_object(); }

base::Result<bool> MatchText(const std::string& pattern, const Bundle& bundle,
                             StixVersion v = StixVersion::k21) {
  auto p = Parse(pattern, {.version = v});
  if (!p.ok()) return p.status();
  auto obs = Observations::FromJson(bundle.Json(), v);
  if (!obs.ok()) return obs.status();
  return Match(*p, *obs);
}

class MatchTest : public ::testing::Test {
 protected:
  Bundle people_;
  void SetUp() override {
    people_.Observe({Sco(R"({"type":"person","name":"alice","age":10})")}, 0)
        .Observe({Sco(R"({"type":"person","name":"bob","age":15})")}, 1);
  }
};

TEST_F(MatchTest, ComparisonAndMustHoldOnOneSco) {
  EXPECT_THAT(MatchText("[person:name = 'alice' AND person:age > 12]", people_),
              testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[person:name = 'bob' AND person:age > 12]", people_),
              testing::IsOkAndHolds(true));
}

TEST_F(MatchTest, ObservationAndNeedsDistinctObservations) {
  EXPECT_THAT(MatchText("[person:name = 'alice'] AND [person:age = 10]", people_),
              testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[person:name = 'alice'] AND [person:age = 15]", people_),
              testing::IsOkAndHolds(true));
}

TEST_F(MatchTest, NumberObservedCountsAsSeparateObservations) {
  Bundle b;
  b.Observe({Sco(R"({"type":"person","name":"alice","age":10})")}, 0, 2);
  EXPECT_THAT(MatchText("[person:name = 'alice'] AND [person:age = 10]", b),
              testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[person:name = 'alice'] REPEATS 2 TIMES", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[person:name = 'alice'] REPEATS 3 TIMES", b),
              testing::IsOkAndHolds(false));
}

TEST_F(MatchTest, RepeatsSumsNumberObservedAcrossObservations) {
  Bundle b;
  b.Observe({Sco(R"({"type":"p","v":1})")}, 0, 2).Observe({Sco(R"({"type":"p","v":1})")}, 5, 3);
  EXPECT_THAT(MatchText("[p:v = 1] REPEATS 5 TIMES", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[p:v = 1] REPEATS 6 TIMES", b), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[p:v = 1] REPEATS 2 TIMES REPEATS 2 TIMES", b),
              testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[p:v = 1] REPEATS 5 TIMES WITHIN 4 SECONDS", b),
              testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[p:v = 1] REPEATS 5 TIMES WITHIN 5 SECONDS", b),
              testing::IsOkAndHolds(true));
}

TEST_F(MatchTest, FollowedByAllowsEqualTimesButNotReversedOrder) {
  EXPECT_THAT(MatchText("[person:name = 'alice'] FOLLOWEDBY [person:name = 'bob']", people_),
              testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[person:name = 'bob'] FOLLOWEDBY [person:name = 'alice']", people_),
              testing::IsOkAndHolds(false));
  Bundle same;
  same.Observe({Sco(R"({"type":"p","v":1})")}, 7).Observe({Sco(R"({"type":"p","v":2})")}, 7);
  EXPECT_THAT(MatchText("[p:v = 2] FOLLOWEDBY [p:v = 1]", same), testing::IsOkAndHolds(true));
}

TEST_F(MatchTest, WithinChoosesOnePointPerIntervalInclusive) {
  Bundle b;
  b.Observe({Sco(R"({"type":"p","v":1})")}, 0, 1, 3)
      .Observe({Sco(R"({"type":"p","v":2})")}, 5, 1, 6);
  EXPECT_THAT(MatchText("([p:v = 1] AND [p:v = 2]) WITHIN 2 SECONDS", b),
              testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("([p:v = 1] AND [p:v = 2]) WITHIN 1.9 SECONDS", b),
              testing::IsOkAndHolds(false));
}

TEST_F(MatchTest, StartIsInclusiveAndStopExclusive) {
  Bundle b;
  b.Observe({Sco(R"({"type":"p","v":1})")}, 57);
  auto at = [](int start, int stop) {
    return "[p:v = 1] START t'" + Bundle::Time(start) + "' STOP t'" + Bundle::Time(stop) + "'";
  };
  EXPECT_THAT(MatchText(at(57, 58), b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText(at(50, 57), b), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText(at(58, 59), b), testing::IsOkAndHolds(false));
}

TEST_F(MatchTest, ReferencesResolveWithinTheObservationAndChain) {
  Bundle b;
  b.Observe({Sco(R"({"type":"person","id":"person--a","name":"alice","knows_refs":["person--b"]})"),
             Sco(R"({"type":"person","id":"person--b","name":"bob","knows_ref":"person--a"})")},
            0);
  EXPECT_THAT(MatchText("[person:knows_refs[*].name = 'bob']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[person:knows_ref.knows_refs[*].knows_ref.name = 'alice']", b),
              testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[person:knows_refs[0].name = 'bob']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[person:knows_refs.name = 'bob']", b), testing::IsOkAndHolds(false));
}

TEST_F(MatchTest, OnlyReferencedScosMatchIn21) {
  json::object od = Sco(R"({"type":"observed-data","id":"observed-data--1",
      "first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z",
      "number_observed":1,"object_refs":["file--1"]})");
  json::value bundle = json::array{
      json::object{{"type", "bundle"},
                   {"objects", json::array{od, Sco(R"({"type":"file","id":"file--1","name":"a"})"),
                                           Sco(R"({"type":"file","id":"file--2","name":"b"})")}}}};
  ASSERT_OK_AND_ASSIGN(Observations obs, Observations::FromJson(bundle, StixVersion::k21));
  ASSERT_OK_AND_ASSIGN(Pattern a, Parse("[file:name = 'a']"));
  ASSERT_OK_AND_ASSIGN(Pattern b, Parse("[file:name = 'b']"));
  ASSERT_OK_AND_ASSIGN(Pattern od_pattern, Parse("[observed-data:number_observed = 1]"));
  EXPECT_THAT(Match(a, obs), testing::IsOkAndHolds(true));
  EXPECT_THAT(Match(b, obs), testing::IsOkAndHolds(false));
  EXPECT_THAT(Match(od_pattern, obs), testing::IsOkAndHolds(false));
}

TEST_F(MatchTest, TypeMismatchIsFalseExceptNotEqual) {
  Bundle b;
  b.Observe({Sco(R"({"type":"t","i":5,"s":"x","b":true,"n":null})")}, 0);
  EXPECT_THAT(MatchText("[t:i = 'x']", b), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[t:i != 'x']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[t:i < 'x']", b), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[t:b = 1]", b), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[t:i = 5.0]", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[t:n != 'x']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[t:n = 'x']", b), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[t:missing != 'x']", b), testing::IsOkAndHolds(false));
}

TEST_F(MatchTest, EmptyInSetNeverMatches) {
  EXPECT_THAT(MatchText("[person:name IN ()]", people_), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[person:name NOT IN ()]", people_), testing::IsOkAndHolds(true));
}

TEST_F(MatchTest, LikeIsAnchoredCaseSensitiveOnCodePoints) {
  Bundle b;
  b.Observe({Sco(R"({"type":"t","s":"h\u00e9llo\nworld"})")}, 0);
  EXPECT_THAT(MatchText("[t:s LIKE 'h_llo%']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[t:s LIKE 'H_llo%']", b), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[t:s LIKE 'llo%']", b), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[t:s LIKE '%world']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[t:s LIKE 'h.llo%']", b), testing::IsOkAndHolds(false));
}

TEST_F(MatchTest, MatchesSearchesWithDotAll) {
  Bundle b;
  b.Observe({Sco(R"({"type":"t","s":"hello\nworld"})")}, 0);
  EXPECT_THAT(MatchText("[t:s MATCHES 'l+']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[t:s MATCHES 'o.w']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[t:s MATCHES '^world']", b), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[t:s MATCHES '']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[t:s MATCHES '(a)\\\\1']", b),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("is not supported")));
}

TEST_F(MatchTest, LikeAndMatchesCompareNfcButEqualityDoesNot) {
  Bundle b;
  b.Observe({Sco(R"({"type":"t","nfd":"d\u0323\u0307"})")}, 0);
  EXPECT_THAT(MatchText("[t:nfd LIKE '\u1e0d\u0307']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[t:nfd MATCHES '^\u1e0d\u0307$']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[t:nfd = '\u1e0d\u0307']", b), testing::IsOkAndHolds(false));
}

TEST_F(MatchTest, IsSubsetHandlesIpv4AndIpv6Networks) {
  Bundle b;
  b.Observe({Sco(R"({"type":"ipv4-addr","value":"198.51.100.7"})"),
             Sco(R"({"type":"ipv6-addr","value":"2001:db8::1/128"})")},
            0);
  EXPECT_THAT(MatchText("[ipv4-addr:value ISSUBSET '198.51.100.0/24']", b),
              testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[ipv4-addr:value ISSUBSET '198.51.101.0/24']", b),
              testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[ipv6-addr:value ISSUBSET '2001:db8::/32']", b),
              testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[ipv6-addr:value ISSUBSET '198.51.100.0/24']", b),
              testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[ipv4-addr:value ISSUPERSET '198.51.100.7']", b),
              testing::IsOkAndHolds(true));
}

// MatchOptions::cidr_equality: rows of {pattern, with the option, without it (OASIS semantics)}.
struct CidrEqualityCase {
  const char* pattern;
  bool with_option;
  bool without_option;
};

class CidrEqualityTest : public ::testing::TestWithParam<CidrEqualityCase> {};

TEST_P(CidrEqualityTest, ComparesAddressesToCidrLiteralsByContainment) {
  Bundle b;
  b.Observe({Sco(R"({"type":"ipv4-addr","id":"ipv4-addr--1","value":"198.51.100.7"})"),
             Sco(R"({"type":"ipv4-addr","id":"ipv4-addr--2","value":"10.1.0.0/16"})"),
             Sco(R"({"type":"ipv6-addr","id":"ipv6-addr--1","value":"2001:db8::1"})"),
             Sco(R"({"type":"network-traffic","src_ref":"ipv6-addr--1",)"
                 R"("dst_ref":"ipv4-addr--1","protocols":["tcp"]})"),
             Sco(R"({"type":"domain-name","id":"domain-name--1","value":"10.0.0.0/8",)"
                 R"("resolves_to_refs":["ipv4-addr--1"]})"),
             Sco(R"({"type":"x-thing","host_ref":"domain-name--1"})")},
            0);
  const CidrEqualityCase& c = GetParam();
  ASSERT_OK_AND_ASSIGN(Pattern p, ParseAndValidate(c.pattern));
  ASSERT_OK_AND_ASSIGN(Observations obs, Observations::FromJson(b.Json(), StixVersion::k21));
  MatchOptions on;
  on.cidr_equality = true;
  EXPECT_THAT(Match(p, obs, on), testing::IsOkAndHolds(c.with_option)) << c.pattern;
  EXPECT_THAT(Match(p, obs), testing::IsOkAndHolds(c.without_option)) << c.pattern;
}

INSTANTIATE_TEST_SUITE_P(
    Table, CidrEqualityTest,
    ::testing::Values(
        CidrEqualityCase{"[ipv4-addr:value = '198.51.100.0/24']", true, false},
        CidrEqualityCase{"[ipv4-addr:value = '198.51.100.7/32']", true, false},
        CidrEqualityCase{"[ipv4-addr:value = '198.51.100.8/32']", false, false},
        CidrEqualityCase{"[ipv4-addr:value = '0.0.0.0/0']", true, false},
        // Host bits in the literal are ignored, as ISSUBSET does.
        CidrEqualityCase{"[ipv4-addr:value = '198.51.100.200/24']", true, false},
        CidrEqualityCase{"[ipv4-addr:value = '198.51.101.0/24']", false, false},
        // An observed block must lie within the literal's block.
        CidrEqualityCase{"[ipv4-addr:value = '10.0.0.0/8']", true, false},
        CidrEqualityCase{"[ipv4-addr:value = '10.1.0.0/24']", false, false},
        CidrEqualityCase{"[ipv4-addr:value = '10.1.0.0/16']", true, true},
        CidrEqualityCase{"[ipv6-addr:value = '2001:db8::/32']", true, false},
        CidrEqualityCase{"[ipv6-addr:value = '2001:db8::1/128']", true, false},
        CidrEqualityCase{"[ipv6-addr:value = '::/0']", true, false},
        CidrEqualityCase{"[ipv6-addr:value = '2001:db9::/32']", false, false},
        // Blocks contain addresses of their own family only.
        CidrEqualityCase{"[ipv6-addr:value = '0.0.0.0/0']", false, false},
        CidrEqualityCase{"[ipv4-addr:value = '::/0']", false, false},
        // Literals not in CIDR form keep string equality.
        CidrEqualityCase{"[ipv4-addr:value = '198.51.100.7']", true, true},
        CidrEqualityCase{"[ipv4-addr:value = '198.51.100.0']", false, false},
        CidrEqualityCase{"[ipv4-addr:value = '198.51.100.0/33']", false, false},
        CidrEqualityCase{"[ipv4-addr:value = 'not an address/8']", false, false},
        // '!=' and NOT: the negation of containment (true if some address is outside).
        CidrEqualityCase{"[ipv4-addr:value != '0.0.0.0/0']", false, true},
        CidrEqualityCase{"[ipv4-addr:value != '198.51.100.0/24']", true, true},
        CidrEqualityCase{"[ipv6-addr:value != '2001:db8::/32']", false, true},
        CidrEqualityCase{"[ipv4-addr:value NOT = '0.0.0.0/0']", false, true},
        // IN: CIDR-form members contain, the others compare as strings.
        CidrEqualityCase{"[ipv4-addr:value IN ('203.0.113.0/24', '198.51.100.0/24')]", true,
                         false},
        CidrEqualityCase{"[ipv4-addr:value IN ('203.0.113.0/24', '198.51.100.7')]", true, true},
        CidrEqualityCase{"[ipv4-addr:value IN ('203.0.113.0/24', '198.51.100.8')]", false, false},
        // Through references: the referenced object's type decides.
        CidrEqualityCase{"[network-traffic:dst_ref.value = '198.51.100.0/24']", true, false},
        CidrEqualityCase{"[network-traffic:src_ref.value = '2001:db8::/48']", true, false},
        CidrEqualityCase{"[domain-name:resolves_to_refs[*].value = '198.51.0.0/16']", true, false},
        CidrEqualityCase{"[x-thing:host_ref.value = '10.0.0.0/8']", true, true},
        CidrEqualityCase{"[x-thing:host_ref.value = '10.0.0.0/7']", false, false},
        // Other object types and properties are unchanged.
        CidrEqualityCase{"[domain-name:value = '10.0.0.0/7']", false, false},
        CidrEqualityCase{"[domain-name:value = '10.0.0.0/8']", true, true}));

TEST_F(MatchTest, BinaryPropertiesAreDecodedBeforeComparison) {
  Bundle b;
  b.Observe({Sco(R"({"type":"artifact","payload_bin":"YWxpY2U=","magic_hex":"ffd8"})")}, 0);
  EXPECT_THAT(MatchText("[artifact:payload_bin = 'alice']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[artifact:payload_bin = h'616c696365']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[artifact:magic_hex = h'FFD8']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[artifact:magic_hex MATCHES '^\\\\xff']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[artifact:payload_bin > 'alicd']", b), testing::IsOkAndHolds(true));
}

TEST_F(MatchTest, TimestampLiteralForcesJsonStringsToParse) {
  Bundle b;
  b.Observe({Sco(R"({"type":"e","ts":"2010-05-21T13:21:43.1Z","bad":"yesterday"})")}, 0);
  EXPECT_THAT(MatchText("[e:ts = t'2010-05-21T13:21:43.100Z']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[e:ts > t'2010-05-21T13:21:43.0999999999Z']", b),
              testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[e:bad = t'2010-05-21T13:21:43Z']", b),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid timestamp in JSON")));
  EXPECT_THAT(MatchText("[e:ts = t'2010-02-30T13:21:43Z']", b),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid timestamp literal")));
}

TEST_F(MatchTest, ExistsTestsForAProperty) {
  EXPECT_THAT(MatchText("[EXISTS person:age]", people_), testing::IsOkAndHolds(true));
  EXPECT_THAT(MatchText("[EXISTS person:height]", people_), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[NOT EXISTS person:height]", people_), testing::IsOkAndHolds(true));
}

TEST_F(MatchTest, Stix20ReadsTheObjectsDictionary) {
  json::value v = json::parse(R"([{"type":"observed-data","first_observed":"2020-01-01T00:00:00Z",
      "last_observed":"2020-01-01T00:00:00Z","number_observed":1,
      "objects":{"0":{"type":"file","name":"a","parent_ref":"1"},"1":{"type":"directory","path":"/x"}}}])");
  ASSERT_OK_AND_ASSIGN(Observations obs, Observations::FromJson(v, StixVersion::k20));
  ASSERT_OK_AND_ASSIGN(Pattern p,
                       Parse("[file:parent_ref.path = '/x']", {.version = StixVersion::k20}));
  EXPECT_THAT(Match(p, obs), testing::IsOkAndHolds(true));
}

TEST_F(MatchTest, MalformedObservationsAreRejected) {
  json::value v = json::parse(R"([{"type":"observed-data","first_observed":"2020-01-01T00:00:00Z",
      "last_observed":"2020-01-01T00:00:00Z","number_observed":0,"objects":{}}])");
  EXPECT_THAT(Observations::FromJson(v, StixVersion::k20),
              StatusIs(StatusCode::kInvalidArgument,
                       "observation 0: number_observed must be an integer >= 1"));
  json::value w = json::parse(R"([{"type":"observed-data","first_observed":"2020-01-01",
      "last_observed":"2020-01-01T00:00:00Z","number_observed":1,"objects":{}}])");
  EXPECT_THAT(Observations::FromJson(w, StixVersion::k20),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("first_observed")));
}

TEST_F(MatchTest, ExplosiveSearchStopsAtTheBudget) {
  Bundle b;
  for (int i = 0; i < 30; ++i) b.Observe({Sco(R"({"type":"p","v":1})")}, i);
  ASSERT_OK_AND_ASSIGN(Pattern p, Parse("([p:v = 1] REPEATS 15 TIMES) WITHIN 1 SECONDS"));
  ASSERT_OK_AND_ASSIGN(Observations obs, Observations::FromJson(b.Json(), StixVersion::k21));
  EXPECT_THAT(Match(p, obs, {.max_steps = 100000}),
              StatusIs(StatusCode::kResourceExhausted, HasSubstr("step budget")));
}

TEST_F(MatchTest, LongChainsEvaluateWithoutDeepRecursion) {
  std::string and_chain = "[person:name = 'alice']";
  std::string fb_chain = and_chain;
  for (int i = 0; i < 20000; ++i) {
    and_chain += " AND [person:name = 'alice']";
    fb_chain += " FOLLOWEDBY [person:age > 0]";
  }
  EXPECT_THAT(MatchText(and_chain, people_), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText(fb_chain, people_), testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[person:name = 'alice'] FOLLOWEDBY [person:age > 0] FOLLOWEDBY "
                        "[person:age > 12]",
                        people_),
              testing::IsOkAndHolds(false));
  EXPECT_THAT(MatchText("[person:name = 'alice'] FOLLOWEDBY [person:age > 12]", people_),
              testing::IsOkAndHolds(true));
}

TEST_F(MatchTest, ReferenceFanOutIsBounded) {
  // 60 people who all know each other: five hops select 60^5 values from each root.
  std::vector<json::object> people;
  json::array all;
  for (int i = 0; i < 60; ++i) all.push_back(json::string("person--" + std::to_string(i)));
  for (int i = 0; i < 60; ++i) {
    people.push_back(json::object{{"type", "person"},
                                  {"id", "person--" + std::to_string(i)},
                                  {"name", "p"},
                                  {"knows_refs", all}});
  }
  Bundle b;
  b.Observe(people, 0);
  EXPECT_THAT(MatchText("[person:knows_refs[*].name = 'p']", b), testing::IsOkAndHolds(true));
  EXPECT_THAT(
      MatchText("[person:knows_refs[*].knows_refs[*].knows_refs[*].knows_refs[*]."
                "knows_refs[*].name = 'x']",
                b),
      StatusIs(StatusCode::kResourceExhausted, "object path selects more than 100000 values"));
}

// ---- helpers ----

TEST(UnicodeTest, NfcComposesAndReorders) {
  EXPECT_EQ(ToNfc("d\u0323\u0307"), "\u1e0d\u0307");
  EXPECT_EQ(ToNfc("d\u0307\u0323"), "\u1e0d\u0307");
  EXPECT_EQ(ToNfc("\u1e0b\u0323"), "\u1e0d\u0307");
  EXPECT_EQ(ToNfc("e\u0301"), "\u00e9");
  EXPECT_EQ(ToNfc("\u1100\u1161\u11a8"), "\uac01");
  EXPECT_EQ(ToNfc("\u212b"), "\u00c5");  // singleton decomposition
  EXPECT_EQ(ToNfc("plain ascii"), "plain ascii");
}

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

TEST(UnicodeTest, NfcMatchesUnicodeReferenceVectors) {
  std::ifstream in(std::string(DETENTE_TESTDATA) + "/pattern/nfc_vectors.txt");
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos);
    std::string input = FromHex(line.substr(0, tab));
    EXPECT_EQ(ToNfc(input), FromHex(line.substr(tab + 1))) << "input hex " << line.substr(0, tab);
    ++checked;
  }
  EXPECT_EQ(checked, 600);
}

TEST(ValuesTest, ParsesIpNetworks) {
  IpNetwork n;
  ASSERT_TRUE(ParseIpNetwork("11.22.41.123/20", &n));
  EXPECT_EQ(n.prefix, 20);
  IpNetwork host;
  ASSERT_TRUE(ParseIpNetwork("11.22.33.44", &host));
  EXPECT_TRUE(NetworkContains(n, host));
  ASSERT_TRUE(ParseIpNetwork("::1", &n));
  EXPECT_EQ(n.bytes[15], 1);
  EXPECT_FALSE(ParseIpNetwork("1.2.3", &n));
  EXPECT_FALSE(ParseIpNetwork("1.2.3.256", &n));
  EXPECT_FALSE(ParseIpNetwork("010.0.0.1", &n));  // leading zeros are ambiguous (octal?)
  EXPECT_FALSE(ParseIpNetwork("::ffff:1.02.3.4", &n));
  EXPECT_FALSE(ParseIpNetwork("1::2::3", &n));
  EXPECT_FALSE(ParseIpNetwork("::/129", &n));
}

TEST(ValuesTest, TimeValuesCompareExactlyAtAnyPrecision) {
  TimeValue a, b;
  ASSERT_TRUE(ParseTimeValue("2010-05-21T13:21:43.123456789123Z", &a));
  ASSERT_TRUE(ParseTimeValue("2010-05-21T13:21:43.123456789124Z", &b));
  EXPECT_LT(TimeValue::Compare(a, b), 0);
  EXPECT_FALSE(ParseTimeValue("2010-02-29T00:00:00Z", &a));
  EXPECT_TRUE(ParseTimeValue("2012-02-29T00:00:00Z", &a));
  EXPECT_FALSE(ParseTimeValue("2010-05-21t13:21:43Z", &a));
}

// ---- the observation-level search against brute force ----

// Random patterns over leaves [p:v = k] (k in 0..2) and observations holding one p object.
class RandomPatterns {
 public:
  explicit RandomPatterns(uint32_t seed) : rng_(seed) {}
  std::string Pattern(int depth) {
    int pick = depth <= 0 ? 0 : static_cast<int>(rng_() % 6);
    std::string s;
    switch (pick) {
      case 0:
      case 1:
        s = "[p:v = " + std::to_string(rng_() % 3) + "]";
        break;
      case 2:
        s = "(" + Pattern(depth - 1) + " AND " + Pattern(depth - 1) + ")";
        break;
      case 3:
        s = "(" + Pattern(depth - 1) + " OR " + Pattern(depth - 1) + ")";
        break;
      case 4:
        s = "(" + Pattern(depth - 1) + " FOLLOWEDBY " + Pattern(depth - 1) + ")";
        break;
      default:
        s = "(" + Pattern(depth - 1) + ")";
        break;
    }
    int q = static_cast<int>(rng_() % 5);
    if (q == 0) s += " REPEATS " + std::to_string(2 + rng_() % 2) + " TIMES";
    if (q == 1) s += " WITHIN " + std::to_string(rng_() % 4 + 1) + " SECONDS";
    if (q == 2) {
      s += " START t'" + Bundle::Time(static_cast<int>(rng_() % 5)) + "' STOP t'" +
           Bundle::Time(static_cast<int>(5 + rng_() % 5)) + "'";
    }
    return s;
  }
  uint32_t Next() { return rng_(); }

 private:
  std::mt19937 rng_;
};

struct Obs {
  int v, first, last, n;
};

// A binding: the multiset of observations used, as counts.
using Counts = std::vector<int>;

struct Brute {
  const std::vector<Obs>& obs;
  bool Fits(const Counts& c) const {
    for (size_t i = 0; i < c.size(); ++i) {
      if (c[i] > obs[i].n) return false;
    }
    return true;
  }
  int MaxFirst(const Counts& c) const {
    int m = -1;
    for (size_t i = 0; i < c.size(); ++i)
      if (c[i]) m = std::max(m, obs[i].first);
    return m;
  }
  int MinLast(const Counts& c) const {
    int m = 1 << 30;
    for (size_t i = 0; i < c.size(); ++i)
      if (c[i]) m = std::min(m, obs[i].last);
    return m;
  }
  Counts Sum(const Counts& a, const Counts& b) const {
    Counts c(a.size());
    for (size_t i = 0; i < a.size(); ++i) c[i] = a[i] + b[i];
    return c;
  }
  // All bindings of the observation node `n` (eager, exhaustive).
  std::set<Counts> Eval(const class Pattern& p, uint32_t n) const {
    const ObservationNode& node = p.observations()[n];
    std::set<Counts> out;
    switch (node.kind) {
      case ObservationKind::kObservation: {
        const PropTest& t = p.tests()[p.comparisons()[node.comparison].test];
        for (size_t i = 0; i < obs.size(); ++i) {
          if (obs[i].v == t.values[0].int_value) {
            Counts c(obs.size(), 0);
            c[i] = 1;
            out.insert(c);
          }
        }
        break;
      }
      case ObservationKind::kGroup:
        out = Eval(p, node.children[0]);
        break;
      case ObservationKind::kOr:
        for (uint32_t c : node.children) {
          auto s = Eval(p, c);
          out.insert(s.begin(), s.end());
        }
        break;
      case ObservationKind::kAnd:
      case ObservationKind::kFollowedBy: {
        out = Eval(p, node.children[0]);
        for (size_t k = 1; k < node.children.size(); ++k) {
          auto rhs = Eval(p, node.children[k]);
          std::set<Counts> joined;
          for (const Counts& l : out) {
            for (const Counts& r : rhs) {
              Counts s = Sum(l, r);
              if (!Fits(s)) continue;
              if (node.kind == ObservationKind::kFollowedBy && MaxFirst(l) > MinLast(r)) continue;
              joined.insert(s);
            }
          }
          out = std::move(joined);
        }
        break;
      }
    }
    for (const Qualifier& q : node.qualifiers) {
      std::set<Counts> next;
      if (q.kind == QualifierKind::kRepeats) {
        // All sums of q.count members (with repetition) that fit.
        std::set<Counts> partial = {Counts(obs.size(), 0)};
        for (int64_t r = 0; r < q.count; ++r) {
          std::set<Counts> grown;
          for (const Counts& a : partial) {
            for (const Counts& b : out) {
              Counts s = Sum(a, b);
              if (Fits(s)) grown.insert(s);
            }
          }
          partial = std::move(grown);
        }
        next = std::move(partial);
      } else if (q.kind == QualifierKind::kWithin) {
        for (const Counts& c : out) {
          if (MaxFirst(c) - MinLast(c) <= static_cast<int>(q.seconds)) next.insert(c);
        }
      } else {
        int start = std::stoi(q.start.text.substr(17, 2));
        int stop = std::stoi(q.stop.text.substr(17, 2));
        for (const Counts& c : out) {
          if (MaxFirst(c) < stop && MinLast(c) >= start) next.insert(c);
        }
      }
      out = std::move(next);
    }
    return out;
  }
};

TEST(MatchSearchTest, AgreesWithBruteForceOnRandomSmallCases) {
  RandomPatterns gen(12345);
  int matched = 0;
  for (int round = 0; round < 1000; ++round) {
    std::vector<Obs> obs;
    Bundle b;
    int count = 1 + static_cast<int>(gen.Next() % 4);
    for (int i = 0; i < count; ++i) {
      Obs o{static_cast<int>(gen.Next() % 3), static_cast<int>(gen.Next() % 8), 0,
            1 + static_cast<int>(gen.Next() % 2)};
      o.last = o.first + static_cast<int>(gen.Next() % 3);
      obs.push_back(o);
      b.Observe({json::object{{"type", "p"}, {"v", o.v}}}, o.first, o.n, o.last);
    }
    std::string text = gen.Pattern(3);
    ASSERT_OK_AND_ASSIGN(class Pattern p, Parse(text));
    ASSERT_OK_AND_ASSIGN(Observations o, Observations::FromJson(b.Json(), StixVersion::k21));
    auto got = Match(p, o);
    ASSERT_TRUE(got.ok()) << text << ": " << got.status();
    bool want = !Brute{obs}.Eval(p, p.root()).empty();
    matched += want;
    ASSERT_EQ(*got, want) << text << " over " << json::serialize(b.Json());
  }
  EXPECT_GT(matched, 20);  // the generator exercises both outcomes
}

}  // namespace
}  // namespace detente::pattern
