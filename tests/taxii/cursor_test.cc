// Tests of taxii/cursor.h: HMAC-SHA256 (RFC 4231 vectors) and the `next` tokens.
#include "taxii/cursor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace detente::taxii {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

std::string HexHmac(std::string_view key, std::string_view msg) {
  crypto::Digest d = HmacSha256(base::AsBytes(key), base::AsBytes(msg));
  return base::HexEncode(d);
}

TEST(HmacTest, Rfc4231TestCase1) {
  EXPECT_EQ(HexHmac(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacTest, Rfc4231TestCase2) {
  EXPECT_EQ(HexHmac("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacTest, Rfc4231TestCase6KeyLongerThanBlock) {
  EXPECT_EQ(
      HexHmac(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

class CursorTest : public ::testing::Test {
 protected:
  CursorCodec codec_{std::string(32, 'k')};
  std::string binding_ = CursorCodec::Binding("coll", "", "alice", "type=indicator\n");
};

TEST_F(CursorTest, RoundTripsThePosition) {
  std::string t = codec_.Encode(1700000000123456, binding_);
  EXPECT_EQ(t.size(), 55u);
  EXPECT_THAT(codec_.Decode(t, binding_), ::detente::testing::IsOkAndHolds(1700000000123456));
}

TEST_F(CursorTest, FlippedByteIsABadSignature) {
  std::string t = codec_.Encode(42, binding_);
  t[5] = t[5] == 'A' ? 'B' : 'A';
  EXPECT_THAT(codec_.Decode(t, binding_),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("next:")));
}

TEST_F(CursorTest, TokenFromAnotherKeyIsRefused) {
  CursorCodec other(std::string(32, 'x'));
  EXPECT_THAT(codec_.Decode(other.Encode(42, binding_), binding_),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("bad signature")));
}

TEST_F(CursorTest, ChangedFiltersAreRefused) {
  std::string t = codec_.Encode(42, binding_);
  std::string other = CursorCodec::Binding("coll", "", "alice", "type=malware\n");
  EXPECT_THAT(codec_.Decode(t, other),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("different query")));
}

TEST_F(CursorTest, AnotherUserIsRefused) {
  std::string t = codec_.Encode(42, binding_);
  std::string other = CursorCodec::Binding("coll", "", "mallory", "type=indicator\n");
  EXPECT_THAT(codec_.Decode(t, other),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("different query")));
}

TEST_F(CursorTest, GarbageIsMalformed) {
  const std::string long_token(200, 'A');
  for (std::string_view bad :
       {std::string_view(""), std::string_view("abc"), std::string_view("!!!!"),
        std::string_view("AAAA===="), std::string_view(long_token)}) {
    EXPECT_THAT(codec_.Decode(bad, binding_),
                StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("malformed")))
        << bad;
  }
}

}  // namespace
}  // namespace detente::taxii
