// Tests of taxii/filter.h: the TAXII query parameters, and ParseQueryString.
#include "taxii/filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace detente::taxii {
namespace {

using ::detente::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Query = std::vector<std::pair<std::string, std::string>>;

Result<QueryParams> Parse(const Query& q, Endpoint e = Endpoint::kObjects) {
  return ParseQueryParams(q, e);
}

TEST(FilterTest, NoParametersMeansLatestVersionOfEverything) {
  ASSERT_OK_AND_ASSIGN(QueryParams p, Parse({}));
  EXPECT_TRUE(p.filter.version_last);
  EXPECT_FALSE(p.filter.version_all);
  EXPECT_FALSE(p.version_given);
  EXPECT_EQ(p.limit, 0);
  EXPECT_EQ(p.filter.added_after_us, INT64_MIN);
}

TEST(FilterTest, CommaListsAreSplit) {
  ASSERT_OK_AND_ASSIGN(QueryParams p,
                       Parse({{"match[type]", "indicator,malware"}, {"match[id]", "a--1,b--2"}}));
  EXPECT_THAT(p.filter.types, ElementsAre("indicator", "malware"));
  EXPECT_THAT(p.filter.ids, ElementsAre("a--1", "b--2"));
}

TEST(FilterTest, VersionKeywordsAndTimestampsCombine) {
  ASSERT_OK_AND_ASSIGN(QueryParams p,
                       Parse({{"match[version]", "first,2018-03-02T01:01:01.123Z,last"}}));
  EXPECT_TRUE(p.filter.version_first);
  EXPECT_TRUE(p.filter.version_last);
  EXPECT_THAT(p.filter.versions, ElementsAre("2018-03-02T01:01:01.123000000Z"));
}

TEST(FilterTest, MalformedParametersAreRefusedFromTable) {
  const std::pair<Query, const char*> cases[] = {
      {{{"added_after", "bogus"}}, "added_after"},
      {{{"match[version]", "bogus"}}, "match[version]"},
      {{{"match[version]", "all,first"}}, "must not be combined"},
      {{{"match[version]", "first,first"}}, "duplicate"},
      {{{"limit", "abc"}}, "limit"},
      {{{"limit", "0"}}, "limit"},
      {{{"limit", "-5"}}, "limit"},
      {{{"limit", "10x"}}, "limit"},
      {{{"limit", "99999999999"}}, "limit"},
      {{{"match[type]", "indicator,"}}, "empty list element"},
      {{{"match[type]", ""}}, "empty value"},
      {{{"added_after", "2024-01-01T00:00:00Z"}, {"added_after", "2024-01-01T00:00:00Z"}},
       "more than once"},
      {{{"match[type]", "a"}, {"match[type]", "b"}}, "more than once"},
  };
  for (const auto& [q, msg] : cases) {
    EXPECT_THAT(Parse(q), StatusIs(base::StatusCode::kInvalidArgument, HasSubstr(msg)))
        << q.front().first << "=" << q.front().second;
  }
}

TEST(FilterTest, TooManyMatchValuesAreRefused) {
  std::string v;
  for (int i = 0; i <= 100; ++i) v.append("t").append(std::to_string(i)).append(",");
  v.pop_back();
  EXPECT_THAT(Parse({{"match[type]", v}}),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("more than 100")));
}

TEST(FilterTest, UnknownMatchFieldsAreIgnored) {
  ASSERT_OK_AND_ASSIGN(QueryParams p, Parse({{"match[color]", "red"}, {"foo", "bar"}}));
  EXPECT_TRUE(p.filter.types.empty());
}

TEST(FilterTest, ObjectEndpointIgnoresIdAndType) {
  ASSERT_OK_AND_ASSIGN(QueryParams p, Parse({{"match[type]", "malware"}}, Endpoint::kObject));
  EXPECT_TRUE(p.filter.types.empty());
}

TEST(FilterTest, CanonicalFormIgnoresOrderAndLimit) {
  ASSERT_OK_AND_ASSIGN(QueryParams a, Parse({{"match[type]", "a,b"}, {"limit", "5"}}));
  ASSERT_OK_AND_ASSIGN(QueryParams b, Parse({{"match[type]", "b,a"}, {"limit", "7"}}));
  ASSERT_OK_AND_ASSIGN(QueryParams c, Parse({{"match[type]", "a"}}));
  EXPECT_EQ(a.canonical, b.canonical);
  EXPECT_NE(a.canonical, c.canonical);
}

TEST(FilterTest, TimestampsFormatWithMicroseconds) {
  EXPECT_EQ(FormatMicros(1'700'000'000'123'456), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(FormatMicros(0), "1970-01-01T00:00:00.000000Z");
}

TEST(QueryStringTest, DecodesPercentAndPlus) {
  ASSERT_OK_AND_ASSIGN(auto q, ParseQueryString("match%5Btype%5D=indicator%2Cmalware&a=b+c&x"));
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].first, "match[type]");
  EXPECT_EQ(q[0].second, "indicator,malware");
  EXPECT_EQ(q[1].second, "b c");
  EXPECT_EQ(q[2].first, "x");
  EXPECT_EQ(q[2].second, "");
}

TEST(QueryStringTest, BadEscapeNamesTheOffset) {
  EXPECT_THAT(ParseQueryString("a=1&b=%zz"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("offset 6")));
}

}  // namespace
}  // namespace detente::taxii
