// Tests of taxii/negotiation.h: Accept and Content-Type parsing, from tables.
#include "taxii/negotiation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace detente::taxii {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

struct AcceptCase {
  const char* accept;
  bool accepted;
};

TEST(NegotiationTest, AcceptHeadersFromTable) {
  const AcceptCase cases[] = {
      {"application/taxii+json;version=2.1", true},
      {"application/taxii+json", true},  // no version: the latest we support
      {"Application/TAXII+JSON; Version=2.1", true},
      {"application/taxii+json; version=\"2.1\"", true},
      {"application/json, application/taxii+json;version=2.1", true},
      {"application/taxii+json;version=2.1;q=0.9", true},
      {"application/taxii+json;q=0.5, text/html", true},
      {"*/*", true},
      {"application/*", true},
      {"", true},
      {"application/json", false},
      {"application/taxii+json;version=2.0", false},
      {"application/taxii+json;version=2.1;q=0", false},
      {"text/html, application/xml", false},
      {"application/taxii+json;version=2.1;q=0, */*", false},  // the specific range wins
      {"application/taxii+json;q=2", false},                   // bad q: unparseable
      {"garbage", false},
      {"application/", false},
  };
  for (const AcceptCase& c : cases) {
    EXPECT_EQ(AcceptsTaxii(c.accept), c.accepted) << c.accept;
  }
}

TEST(NegotiationTest, ContentTypesFromTable) {
  EXPECT_TRUE(IsTaxiiContentType("application/taxii+json;version=2.1"));
  EXPECT_TRUE(IsTaxiiContentType("application/taxii+json"));
  EXPECT_TRUE(IsTaxiiContentType("application/taxii+json; charset=utf-8; version=2.1"));
  EXPECT_FALSE(IsTaxiiContentType("application/json"));
  EXPECT_FALSE(IsTaxiiContentType("application/taxii+json;version=2.0"));
  EXPECT_FALSE(IsTaxiiContentType("application/taxii+json, application/json"));
  EXPECT_FALSE(IsTaxiiContentType(""));
}

TEST(NegotiationTest, MalformedMediaTypeNamesTheOffset) {
  EXPECT_THAT(ParseMediaType("application/taxii+json;version"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("expected '='")));
  EXPECT_THAT(ParseMediaType("application/x;v=\"open"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("unterminated")));
}

TEST(NegotiationTest, OverlongAcceptIsRefused) {
  std::string big(5000, 'a');
  EXPECT_THAT(ParseAccept(big),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("longer than 4096")));
  EXPECT_FALSE(AcceptsTaxii(big));
}

TEST(NegotiationTest, TooManyRangesAreRefused) {
  std::string many;
  for (int i = 0; i < 70; ++i) many += "a/b,";
  EXPECT_THAT(ParseAccept(many),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("more than 64")));
}

}  // namespace
}  // namespace detente::taxii
