// Tests for the compiled matcher (match/engine.h through match/match.h): which patterns are
// answered by the indexes, which are finished by the reference evaluator, and loading.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "match/match.h"
#include "match/test_util.h"
#include "testing/status_matchers.h"

namespace detente::match {
namespace {

using ::detente::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kConn[] =
    R"({"_path":"conn","ts":1700000000.5,"id.orig_h":"10.0.0.5","id.orig_p":49152,)"
    R"("id.resp_h":"198.51.100.7","id.resp_p":443,"proto":"tcp"})";
constexpr char kHttp[] =
    R"({"_path":"http","ts":1700000003.0,"id.orig_h":"10.0.0.5","id.orig_p":50000,)"
    R"("id.resp_h":"203.0.113.9","id.resp_p":80,"method":"GET","host":"evil.example.com",)"
    R"("uri":"/payload.exe?x=1"})";
constexpr char kDns[] =
    R"({"_path":"dns","ts":1700000002.0,"id.orig_h":"10.0.0.5","id.orig_p":53001,)"
    R"("id.resp_h":"10.0.0.1","id.resp_p":53,"query":"evil.example.com","answers":["203.0.113.9"]})";

class EngineTest : public ::testing::Test {
 protected:
  void Compile(std::vector<std::string> patterns) {
    std::vector<std::pair<std::string, std::string>> in;
    for (size_t i = 0; i < patterns.size(); ++i) {
      char id[64];
      std::snprintf(id, sizeof(id), "indicator--00000000-0000-4000-8000-%012zu", i);
      in.emplace_back(id, patterns[i]);
    }
    auto m = Matcher::FromPatterns(in, &load_, &errors_);
    ASSERT_TRUE(m.ok()) << m.status();
    matcher_ = std::move(m).value();
    reader_ = std::make_unique<EventReader>(matcher_->paths());
  }

  // The numbers (pattern positions) of the indicators matching one Zeek line.
  std::vector<uint32_t> MatchLine(const std::string& line) {
    buffer_.assign(line.begin(), line.end());
    buffer_.resize(line.size() + 64, '\0');
    base::Status s = reader_->ReadFlat(std::string_view(buffer_.data(), line.size()),
                                       EventFormat::kAuto, &obs_);
    EXPECT_TRUE(s.ok()) << s;
    std::vector<uint32_t> out;
    matcher_->Match(obs_, &out);
    return out;
  }

  LoadStats load_;
  std::vector<IndicatorError> errors_;
  std::unique_ptr<Matcher> matcher_;
  std::unique_ptr<EventReader> reader_;
  std::vector<char> buffer_;
  Observation obs_;
};

// CIDR equality (pattern::MatchOptions::cidr_equality): '=' / IN with a CIDR-form literal on an
// address path means containment, answered by the CIDR-equality trie without the evaluator.
// Prefetch(obs) keeps its probes for Match(obs); a refilled Observation (Clear() and new
// content, even with as many properties) must not reuse them.
TEST_F(EngineTest, PrefetchedProbesOfARefilledObservationAreNotReused) {
  Compile({"[domain-name:value = 'evil.example.com']", "[ipv4-addr:value = '198.51.100.7']"});
  EXPECT_THAT(MatchLine(kDns), ElementsAre(0));
  matcher_->Prefetch(obs_);
  std::vector<uint32_t> out;
  matcher_->Match(obs_, &out);
  EXPECT_THAT(out, ElementsAre(0));  // the prefetched probes, same answer
  matcher_->Prefetch(obs_);
  EXPECT_THAT(MatchLine(kConn), ElementsAre(1));  // refilled after the Prefetch
  matcher_->Prefetch(obs_);
  EXPECT_THAT(MatchLine(kDns), ElementsAre(0));
}

TEST_F(EngineTest, EqualityWithCidrLiteralMeansContainment) {
  Compile({"[ipv4-addr:value = '198.51.100.0/24']",            // 0: contains resp_h
           "[ipv4-addr:value = '198.51.100.7/32']",            // 1: /32
           "[ipv4-addr:value = '0.0.0.0/0']",                  // 2: /0
           "[ipv4-addr:value = '198.51.100.200/24']",          // 3: host bits set
           "[ipv4-addr:value = '198.51.101.0/24']",            // 4: outside
           "[ipv6-addr:value = '::/0']",                       // 5: no IPv6 in the event
           "[network-traffic:dst_ref.value = '198.51.0.0/16']",  // 6: through a reference
           "[network-traffic:src_ref.value = '198.51.0.0/16']",  // 7: src is 10.0.0.5
           "[ipv4-addr:value IN ('203.0.113.0/24', '10.0.0.0/8')]",  // 8
           "[ipv4-addr:value = '198.51.100.0']",               // 9: not CIDR form: string
           "[domain-name:value = '198.51.100.0/24']"});        // 10: not an address path
  EXPECT_THAT(MatchLine(kConn), ElementsAre(0, 1, 2, 3, 6, 8));
  EXPECT_EQ(matcher_->candidates_evaluated(), 0u);
}

TEST_F(EngineTest, IPv6EqualityWithCidrLiteralMeansContainment) {
  Compile({"[ipv6-addr:value = '2001:db8::/32']", "[ipv6-addr:value = '2001:db8::5/128']",
           "[ipv6-addr:value = '2001:db9::/32']", "[ipv4-addr:value = '0.0.0.0/0']",
           "[network-traffic:dst_ref.value = '2001:db8:0:1::/64']"});
  EXPECT_THAT(MatchLine(R"({"_path":"conn","ts":1700000000.5,"id.orig_h":"2001:db8::5",)"
                        R"("id.orig_p":1,"id.resp_h":"2001:db8:0:1::9","id.resp_p":443})"),
              ElementsAre(0, 1, 4));
}

TEST_F(EngineTest, NotEqualWithCidrLiteralIsFinishedByTheEvaluatorWithTheSameSemantics) {
  Compile({"[ipv4-addr:value != '0.0.0.0/0']", "[network-traffic:dst_ref.value != '10.0.0.0/8']",
           "[network-traffic:dst_ref.value != '198.51.100.0/24']"});
  EXPECT_THAT(MatchLine(kConn), ElementsAre(1));
}

TEST_F(EngineTest, EqualityIndicatorIsAnsweredByTheIndexAlone) {
  Compile({"[ipv4-addr:value = '198.51.100.7']", "[ipv4-addr:value = '198.51.100.8']"});
  EXPECT_THAT(MatchLine(kConn), ElementsAre(0u));
  EXPECT_EQ(matcher_->candidates_evaluated(), 0u);
  EXPECT_THAT(matcher_->DescribeJson(), HasSubstr("\"exact\":2"));
}

TEST_F(EngineTest, DereferencedPathAndPortMatch) {
  Compile({"[network-traffic:src_ref.value = '10.0.0.5']", "[network-traffic:dst_port = 443]",
           "[network-traffic:dst_port = '443']"});
  EXPECT_THAT(MatchLine(kConn), ElementsAre(0u, 1u));
}

TEST_F(EngineTest, OrOfComparisonsAndInSetsAreExact) {
  Compile({"[domain-name:value = 'a.example' OR domain-name:value = 'evil.example.com']",
           "[domain-name:value IN ('x.example', 'evil.example.com')]",
           "[domain-name:value = 'a.example'] OR [url:value = 'http://evil.example.com/payload.exe?x=1']"});
  EXPECT_THAT(MatchLine(kHttp), ElementsAre(0u, 1u, 2u));
  EXPECT_EQ(matcher_->candidates_evaluated(), 0u);
}

TEST_F(EngineTest, IssubsetMatchesAddressesInTheBlock) {
  Compile({"[ipv4-addr:value ISSUBSET '198.51.100.0/24']", "[ipv4-addr:value ISSUBSET '10.9.0.0/16']",
           "[network-traffic:dst_ref.value ISSUBSET '198.51.0.0/16']"});
  EXPECT_THAT(MatchLine(kConn), ElementsAre(0u, 2u));
}

TEST_F(EngineTest, LikeAndMatchesOnUrlAndDomain) {
  Compile({"[url:value LIKE 'http://evil.example.com/%.exe%']", "[domain-name:value MATCHES '^evil\\\\.']",
           "[domain-name:value MATCHES '^good\\\\.']"});
  EXPECT_THAT(MatchLine(kHttp), ElementsAre(0u, 1u));
}

TEST_F(EngineTest, AndWithinOneObjectIsConfirmedByTheReferenceEvaluator) {
  Compile({"[network-traffic:dst_port = 443 AND network-traffic:dst_ref.value = '198.51.100.7']",
           "[network-traffic:dst_port = 443 AND network-traffic:dst_ref.value = '198.51.100.99']"});
  EXPECT_THAT(MatchLine(kConn), ElementsAre(0u));
  EXPECT_GE(matcher_->candidates_evaluated(), 1u);
  EXPECT_EQ(matcher_->evaluator_errors(), 0u);
}

TEST_F(EngineTest, PatternWithoutIndexableTermIsCheckedWhenItsObjectTypeIsPresent) {
  Compile({"[network-traffic:dst_port > 400]", "[network-traffic:dst_port > 500]",
           "[file:size > 1]"});
  EXPECT_THAT(MatchLine(kConn), ElementsAre(0u));
  EXPECT_THAT(matcher_->DescribeJson(), HasSubstr("\"by_object_type\":3"));
}

TEST_F(EngineTest, NegationIsLeftToTheEvaluator) {
  Compile({"[domain-name:value != 'evil.example.com']", "[domain-name:value NOT = 'x.example']"});
  EXPECT_THAT(MatchLine(kDns), ElementsAre(1u));
}

TEST_F(EngineTest, StartStopQualifierUsesTheEventTime) {
  Compile({"[domain-name:value = 'evil.example.com'] START t'2023-11-14T00:00:00Z' STOP "
           "t'2023-11-15T00:00:00Z'",
           "[domain-name:value = 'evil.example.com'] START t'2024-01-01T00:00:00Z' STOP "
           "t'2024-01-02T00:00:00Z'"});
  EXPECT_THAT(MatchLine(kDns), ElementsAre(0u));
}

TEST_F(EngineTest, FollowedByAcrossEventsMatchesOnTheLaterEvent) {
  Compile({"[domain-name:value = 'evil.example.com'] FOLLOWEDBY "
           "[url:value = 'http://evil.example.com/payload.exe?x=1']"});
  EXPECT_THAT(MatchLine(kDns), IsEmpty());
  EXPECT_THAT(MatchLine(kHttp), ElementsAre(0u));
}

TEST_F(EngineTest, InvalidPatternIsReportedAndSkipped) {
  Compile({"[domain-name:value = ", "[domain-name:value = 'evil.example.com']",
           "[domain-name:value MATCHES '(a)\\\\1']"});
  EXPECT_EQ(load_.loaded, 1u);
  EXPECT_EQ(load_.invalid, 2u);
  ASSERT_EQ(errors_.size(), 2u);
  EXPECT_EQ(errors_[0].id, "indicator--00000000-0000-4000-8000-000000000000");
  EXPECT_THAT(MatchLine(kDns), ElementsAre(0u));
  EXPECT_EQ(matcher_->IndicatorId(0), "indicator--00000000-0000-4000-8000-000000000001");
}

TEST_F(EngineTest, EmptyInSetNeverMatches) {
  Compile({"[domain-name:value IN ()]"});
  EXPECT_THAT(MatchLine(kDns), IsEmpty());
}

TEST_F(EngineTest, MemoryPerEqualityIndicatorStaysUnder150Bytes) {
  std::vector<std::string> patterns;
  for (int i = 0; i < 20000; ++i) {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "[file:hashes.'SHA-256' = '%064x']", i * 7919 + 1);
    patterns.push_back(buf);
  }
  Compile(patterns);
  EXPECT_EQ(load_.loaded, 20000u);
  EXPECT_LT(matcher_->MemoryBytes() / matcher_->size(), 150u);
}

TEST(MatcherLoadTest, BundleSkipsOtherTypesAndOtherPatternLanguages) {
  LoadStats stats;
  std::vector<IndicatorError> errors;
  auto m = Matcher::Load(testing::ReadTestdata("indicators_bundle.json"), &stats, &errors);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(stats.objects, 9u);
  EXPECT_EQ(stats.indicators, 8u);
  EXPECT_EQ(stats.skipped_not_indicator, 1u);
  EXPECT_EQ(stats.skipped_pattern_type, 1u);
  EXPECT_EQ(stats.invalid, 1u);
  EXPECT_EQ(stats.loaded, 6u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].id, "indicator--00000000-0000-4000-8000-000000000007");
}

TEST(MatcherLoadTest, NdjsonAndArrayForms) {
  std::string one =
      R"({"type":"indicator","id":"indicator--00000000-0000-4000-8000-000000000001","pattern":"[domain-name:value = 'a.example']","pattern_type":"stix","modified":"2023-01-01T00:00:00.000Z"})";
  std::string two =
      R"({"type":"indicator","id":"indicator--00000000-0000-4000-8000-000000000002","pattern":"[domain-name:value = 'b.example']","pattern_type":"stix"})";
  for (const std::string& text : {one + "\n" + two + "\n", "[" + one + "," + two + "]"}) {
    LoadStats stats;
    std::vector<IndicatorError> errors;
    auto m = Matcher::Load(text, &stats, &errors);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(stats.loaded, 2u);
  }
}

TEST(MatcherLoadTest, LatestModifiedVersionWins) {
  std::string v1 =
      R"({"type":"indicator","id":"indicator--00000000-0000-4000-8000-000000000001","pattern":"[domain-name:value = 'old.example']","pattern_type":"stix","modified":"2023-01-01T00:00:00.000Z"})";
  std::string v2 =
      R"({"type":"indicator","id":"indicator--00000000-0000-4000-8000-000000000001","pattern":"[domain-name:value = 'new.example']","pattern_type":"stix","modified":"2023-02-01T00:00:00.000Z"})";
  LoadStats stats;
  std::vector<IndicatorError> errors;
  auto m = Matcher::Load(v2 + "\n" + v1 + "\n", &stats, &errors);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(stats.loaded, 1u);
  EXPECT_EQ(stats.superseded, 1u);
  Observation obs;
  uint32_t d = obs.AddObject("domain-name");
  obs.Add(d, (*m)->paths().Find("domain-name:value"), "value", Value::String("new.example"));
  std::vector<uint32_t> out;
  (*m)->Match(obs, &out);
  EXPECT_THAT(out, ElementsAre(0u));
}

TEST(MatcherLoadTest, GarbageIsInvalidArgumentWithLine) {
  LoadStats stats;
  std::vector<IndicatorError> errors;
  EXPECT_THAT(Matcher::Load("{\"type\":\"indicator\"}\nnot json\n", &stats, &errors),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("indicators line 2")));
}

// A value with a non-ASCII byte anywhere (first or second eight-byte word, or the tail) is
// normalised to NFC before LIKE/MATCHES; a decomposed "e\u0301" then matches a composed "é".
TEST_F(EngineTest, LikeMatchesADecomposedValueWhereverItsNonAsciiByteIs) {
  Compile({"[domain-name:value LIKE '%caf\u00e9%']"});
  for (const char* query : {R"(cafe\u0301.example)", R"(abcdcafe\u0301.example)",
                            R"(abcdefghijkcafe\u0301.example)", R"(x.cafe\u0301)"}) {
    const std::string line =
        std::string(R"({"_path":"dns","ts":1700000002.0,"query":")") + query + R"("})";
    EXPECT_THAT(MatchLine(line), ElementsAre(0u)) << query;
  }
  EXPECT_THAT(MatchLine(R"({"_path":"dns","ts":1700000002.0,"query":"cafe.example"})"), IsEmpty());
}

}  // namespace
}  // namespace detente::match
