// Tests for match/regex_index.h: LIKE/MATCHES through vectorscan with RE2 confirmation.
#include "match/regex_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace detente::match {
namespace {

using ::detente::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class RegexIndexTest : public ::testing::Test {
 protected:
  std::vector<uint32_t> Scan(uint32_t path, const std::string& value) {
    std::vector<uint32_t> out;
    index_.Scan(path, value, &out);
    return out;
  }
  RegexIndex index_;
};

TEST_F(RegexIndexTest, LikeIsAnchoredAndCaseSensitive) {
  ASSERT_OK(index_.Add(1, true, "http://evil.example.com/%.exe", 1));
  ASSERT_OK(index_.Build());
  EXPECT_THAT(Scan(1, "http://evil.example.com/a/b.exe"), ElementsAre(1u));
  EXPECT_THAT(Scan(1, "http://evil.example.com/a/b.exe?x"), IsEmpty());
  EXPECT_THAT(Scan(1, "xhttp://evil.example.com/b.exe"), IsEmpty());
  EXPECT_THAT(Scan(1, "HTTP://evil.example.com/b.exe"), IsEmpty());
}

TEST_F(RegexIndexTest, LikeUnderscoreIsOneCharacterIncludingMultibyte) {
  ASSERT_OK(index_.Add(1, true, "caf_", 1));
  ASSERT_OK(index_.Build());
  EXPECT_THAT(Scan(1, "cafe"), ElementsAre(1u));
  EXPECT_THAT(Scan(1, "caf\xC3\xA9"), ElementsAre(1u));
  EXPECT_THAT(Scan(1, "caf"), IsEmpty());
  EXPECT_THAT(Scan(1, "cafes"), IsEmpty());
}

TEST_F(RegexIndexTest, LikeTreatsRegexMetacharactersLiterally) {
  ASSERT_OK(index_.Add(1, true, "a.b(c)*", 1));
  ASSERT_OK(index_.Build());
  EXPECT_THAT(Scan(1, "a.b(c)*"), ElementsAre(1u));
  EXPECT_THAT(Scan(1, "axb(c)*"), IsEmpty());
}

TEST_F(RegexIndexTest, MatchesIsAnUnanchoredSearch) {
  ASSERT_OK(index_.Add(2, false, "l+", 1));
  ASSERT_OK(index_.Add(2, false, "^login\\.bad\\.", 2));
  ASSERT_OK(index_.Build());
  EXPECT_THAT(Scan(2, "hello"), ElementsAre(1u));
  EXPECT_THAT(Scan(2, "login.bad.example"), UnorderedElementsAre(1u, 2u));
  EXPECT_THAT(Scan(2, "xlogin.bad.example"), ElementsAre(1u));
  EXPECT_THAT(Scan(1, "hello"), IsEmpty());  // another path
}

TEST_F(RegexIndexTest, EmptyMatchingRegexMatchesEverything) {
  ASSERT_OK(index_.Add(1, false, "", 1));
  ASSERT_OK(index_.Add(1, false, "x*", 2));
  ASSERT_OK(index_.Build());
  EXPECT_THAT(Scan(1, "anything"), UnorderedElementsAre(1u, 2u));
  EXPECT_THAT(Scan(1, ""), UnorderedElementsAre(1u, 2u));
}

TEST_F(RegexIndexTest, SameExpressionForSeveralIndicatorsIsCompiledOnce) {
  ASSERT_OK(index_.Add(1, false, "bad", 1));
  ASSERT_OK(index_.Add(1, false, "bad", 2));
  ASSERT_OK(index_.Build());
  EXPECT_EQ(index_.expressions(), 1u);
  EXPECT_THAT(Scan(1, "so bad"), UnorderedElementsAre(1u, 2u));
}

TEST_F(RegexIndexTest, InvalidRegexIsInvalidArgument) {
  EXPECT_THAT(index_.Add(1, false, "(unclosed", 1),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("invalid regular expression")));
}

TEST_F(RegexIndexTest, BackreferenceIsRejectedForLinearTime) {
  EXPECT_THAT(index_.Add(1, false, "(a)\\1", 1),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("invalid regular expression")));
}

TEST_F(RegexIndexTest, ManyExpressionsOnOnePath) {
  for (uint32_t i = 0; i < 500; ++i) {
    ASSERT_OK(index_.Add(1, i % 2 == 0, i % 2 == 0 ? "%<tok" + std::to_string(i) + ">%"
                                                     : "<tok" + std::to_string(i) + ">$",
                         i));
  }
  ASSERT_OK(index_.Build());
  EXPECT_THAT(Scan(1, "xx <tok42> yy"), ElementsAre(42u));
  EXPECT_THAT(Scan(1, "ends with <tok43>"), ElementsAre(43u));
  EXPECT_THAT(Scan(1, "<tok43> not at the end"), IsEmpty());
  EXPECT_THAT(Scan(1, "nothing here"), IsEmpty());
}

}  // namespace
}  // namespace detente::match
