// Tests for base/encoding.h: hex and base64, including every non-canonical form we reject.
#include "base/encoding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testing/status_matchers.h"

namespace detente::base {
namespace {

using ::detente::testing::IsOkAndHolds;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(HexTest, EncodesLowerCase) {
  EXPECT_EQ(HexEncode(AsBytes("\x01\xab\xff")), "01abff");
  EXPECT_EQ(HexEncode({}), "");
}

TEST(HexTest, DecodesEitherCase) {
  EXPECT_THAT(HexDecode("01abFF"), IsOkAndHolds(B("\x01\xab\xff")));
  EXPECT_THAT(HexDecode(""), IsOkAndHolds(Bytes{}));
}

TEST(HexTest, RoundTripsEveryByte) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<size_t>(i)] = static_cast<uint8_t>(i);
  EXPECT_THAT(HexDecode(HexEncode(all)), IsOkAndHolds(all));
}

struct BadInput {
  std::string input;
  std::string error;
};

TEST(HexTest, RejectsMalformedInputNamingThePosition) {
  const BadInput cases[] = {
      {"abc", "odd length 3"},
      {"0g", "bad digit 'g' at 1"},
      {"zz", "bad digit 'z' at 0"},
      {"00 1", "bad digit byte 0x20 at 2"},
      {"0 ", "bad digit byte 0x20 at 1"},
      {"0x00", "bad digit 'x' at 1"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(HexDecode(c.input), StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.input;
  }
}

// RFC 4648 section 10 test vectors.
struct Vector {
  std::string plain;
  std::string padded;
  std::string unpadded;
};
const Vector kRfc4648[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

TEST(Base64Test, EncodesRfc4648VectorsPaddedAndUnpadded) {
  for (const auto& v : kRfc4648) {
    EXPECT_EQ(Base64Encode(AsBytes(v.plain)), v.padded);
    EXPECT_EQ(Base64Encode(AsBytes(v.plain), Base64Alphabet::kStandard, Base64Padding::kNone),
              v.unpadded);
  }
}

TEST(Base64Test, DecodesRfc4648VectorsUnderEachPaddingMode) {
  for (const auto& v : kRfc4648) {
    EXPECT_THAT(Base64Decode(v.padded), IsOkAndHolds(B(v.plain)));
    EXPECT_THAT(Base64Decode(v.unpadded, Base64Alphabet::kStandard, Base64Padding::kNone),
                IsOkAndHolds(B(v.plain)));
    EXPECT_THAT(Base64Decode(v.padded, Base64Alphabet::kStandard, Base64Padding::kOptional),
                IsOkAndHolds(B(v.plain)));
    EXPECT_THAT(Base64Decode(v.unpadded, Base64Alphabet::kStandard, Base64Padding::kOptional),
                IsOkAndHolds(B(v.plain)));
  }
}

TEST(Base64Test, UrlSafeAlphabetUsesDashAndUnderscore) {
  const Bytes data = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64Encode(data), "+/+/");
  EXPECT_EQ(Base64Encode(data, Base64Alphabet::kUrlSafe), "-_-_");
  EXPECT_THAT(Base64Decode("-_-_", Base64Alphabet::kUrlSafe), IsOkAndHolds(data));
  EXPECT_EQ(Base64Encode(Bytes{0xff}, Base64Alphabet::kUrlSafe, Base64Padding::kNone), "_w");
  EXPECT_THAT(Base64Decode("_w", Base64Alphabet::kUrlSafe, Base64Padding::kNone),
              IsOkAndHolds(Bytes{0xff}));
}

TEST(Base64Test, AlphabetsDoNotMix) {
  EXPECT_THAT(Base64Decode("-_-_"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid character '-' at 0")));
  EXPECT_THAT(
      Base64Decode("+/+/", Base64Alphabet::kUrlSafe),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("base64url: invalid character '+' at 0")));
}

TEST(Base64Test, RoundTripsAllLengthsAndAlphabets) {
  Bytes data;
  for (int n = 0; n < 70; ++n) {
    for (auto alphabet : {Base64Alphabet::kStandard, Base64Alphabet::kUrlSafe}) {
      for (auto padding : {Base64Padding::kRequired, Base64Padding::kNone}) {
        EXPECT_THAT(Base64Decode(Base64Encode(data, alphabet, padding), alphabet, padding),
                    IsOkAndHolds(data));
      }
    }
    data.push_back(static_cast<uint8_t>(n * 37 + 11));
  }
}

struct BadBase64 {
  std::string input;
  Base64Padding padding;
  std::string error;
};

TEST(Base64Test, RejectsNonCanonicalAndMalformedInput) {
  const BadBase64 cases[] = {
      // Non-zero trailing bits: "Zh==" and "Zm9=" decode to the same bytes as "Zg==", "Zm8=".
      {"Zh==", Base64Padding::kRequired, "non-canonical encoding: non-zero trailing bits at 1"},
      {"Zm9=", Base64Padding::kRequired, "non-canonical encoding: non-zero trailing bits at 2"},
      {"Zh", Base64Padding::kNone, "non-canonical"},
      {"Zg=", Base64Padding::kRequired, "bad padding: length 3 is not a multiple of 4"},
      {"Zg", Base64Padding::kRequired, "missing padding"},
      {"Zm8", Base64Padding::kRequired, "missing padding"},
      {"Zg==", Base64Padding::kNone, "unexpected padding '=' at 2"},
      {"Zm9v=", Base64Padding::kOptional, "bad padding"},
      {"Zm9v====", Base64Padding::kRequired, "invalid character '=' at 4"},
      {"Zg===", Base64Padding::kOptional, "invalid character '=' at 2"},
      {"Z===", Base64Padding::kRequired, "invalid character '=' at 1"},
      {"Zm8==", Base64Padding::kOptional, "bad padding"},
      {"Zm9vY", Base64Padding::kNone, "truncated input: length 5 leaves a lone character"},
      {"Zm9vY===", Base64Padding::kRequired, "invalid character '=' at 5"},
      {"Zg==Zg==", Base64Padding::kRequired, "invalid character '=' at 2"},
      {"Zm 9v", Base64Padding::kOptional, "invalid character byte 0x20 at 2"},
      {"Zm9v\n", Base64Padding::kOptional, "invalid character byte 0x0a at 4"},
      {"Zm9*", Base64Padding::kRequired, "invalid character '*' at 3"},
      {"====", Base64Padding::kRequired, "invalid character '=' at 0"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(Base64Decode(c.input, Base64Alphabet::kStandard, c.padding),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.input;
  }
}

}  // namespace
}  // namespace detente::base
