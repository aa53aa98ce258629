// Tests for base/uuid.h: parsing, formatting, v4 layout and v5 known answers.
#include "base/uuid.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "testing/status_matchers.h"

namespace detente::base {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

Uuid MustParse(std::string_view s) {
  auto r = Uuid::Parse(s);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Uuid();
}

TEST(UuidTest, ParsesAndFormatsLowerCase) {
  Uuid u = MustParse("00ABEDB4-aa42-466c-9C01-fed23315a9b7");
  EXPECT_EQ(u.ToString(), "00abedb4-aa42-466c-9c01-fed23315a9b7");
  EXPECT_EQ(u, StixScoNamespace());
  EXPECT_EQ(u.version(), 4);
  EXPECT_TRUE(u.is_rfc_variant());
}

TEST(UuidTest, NilIsAllZeros) {
  EXPECT_EQ(Uuid().ToString(), "00000000-0000-0000-0000-000000000000");
}

TEST(UuidTest, RejectsMalformedTextNamingThePosition) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "expected 36 characters, got 0"},
      {"00abedb4aa42466c9c01fed23315a9b7", "expected 36 characters, got 32"},
      {"{00abedb4-aa42-466c-9c01-fed23315a9b7}", "expected 36 characters, got 38"},
      {"00abedb4-aa42-466c-9c01-fed23315a9bg", "bad hex digit at 35"},
      {"00abedb4_aa42-466c-9c01-fed23315a9b7", "expected '-' at 8"},
      {"00abedb4-aa42-466c-9c01+fed23315a9b7", "expected '-' at 23"},
      {"x0abedb4-aa42-466c-9c01-fed23315a9b7", "bad hex digit at 0"},
      {"00abedb4-aa4-2466c-9c01-fed23315a9b7", "bad hex digit at 12"},
  };
  for (const auto& [text, error] : cases) {
    EXPECT_THAT(Uuid::Parse(text), StatusIs(StatusCode::kInvalidArgument, HasSubstr(error)))
        << text;
  }
}

TEST(UuidTest, V4HasVersionAndVariantBitsAndDiffers) {
  std::set<Uuid> seen;
  for (int i = 0; i < 100; ++i) {
    Uuid u = Uuid::V4();
    EXPECT_EQ(u.version(), 4);
    EXPECT_TRUE(u.is_rfc_variant());
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 100u);
}

struct V5Case {
  std::string name_space;
  std::string name;
  std::string expected;
};

// Python's uuid.uuid5 values (the first is in the Python documentation) and the deterministic
// SCO ids printed in STIX 2.1 (section 2.9 rules; names are RFC 8785 JSON of the ID
// contributing properties).
TEST(UuidTest, V5MatchesKnownAnswers) {
  const std::string kDns = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
  const std::string kUrl = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";
  const std::string kStix = "00abedb4-aa42-466c-9c01-fed23315a9b7";
  const V5Case cases[] = {
      {kDns, "python.org", "886313e1-3b8a-5372-9b90-0c9aee199e5d"},
      {kDns, "", "4ebd0208-8328-5d69-8c44-ec50939c0967"},
      {kUrl, "https://example.com/", "dd2c1780-811a-5296-81c5-178a0ef488bc"},
      {kStix, R"({"value":"198.51.100.3"})", "28bb3599-77cd-5a82-a950-b5bc3caf07c4"},
      {kStix, R"({"value":"example.com"})", "bedb4899-d24b-5401-bc86-8f6b4cc18ec7"},
      {kStix, R"({"number":15139})", "3aa27478-50b5-5ab8-9da9-cdc12b657fff"},
      {kStix, R"({"value":"john@example.com"})", "7165e2a9-671f-585d-b1e1-ca59c671d934"},
      {kStix, R"({"value":"2001:0db8::/96"})", "084d3b4c-7785-568a-a569-0c61c95754ab"},
      {kStix, R"({"value":"d2:fb:49:24:37:18"})", "757b1725-9903-54f5-a855-1240691d7659"},
      {kStix, R"({"name":"__CLEANSWEEP__"})", "f93fe911-e545-5239-b9b0-597840d0c871"},
      {kStix, R"({"value":"https://example.com/research/index.html"})",
       "47c3cf9a-5027-5bf0-997a-017c7edc7c55"},
      {kStix, "{\"value\":\"\xC3\xA9\"}", "c61316d6-f461-5584-a0b1-ed7ccc0f6d9c"},
  };
  for (const auto& c : cases) {
    Uuid u = Uuid::V5(MustParse(c.name_space), c.name);
    EXPECT_EQ(u.ToString(), c.expected) << c.name;
    EXPECT_EQ(u.version(), 5);
    EXPECT_TRUE(u.is_rfc_variant());
  }
}

TEST(UuidTest, OrderingFollowsBytes) {
  EXPECT_LT(MustParse("00000000-0000-0000-0000-000000000001"),
            MustParse("00000000-0000-0000-0000-000000000100"));
}

}  // namespace
}  // namespace detente::base
