// Tests for crypto/ed25519.cc: RFC 8032 section 7.1 test vectors, strict verification,
// key ids, constant-time compare and randomness.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "testing/status_matchers.h"

namespace detente::crypto {
namespace {

using base::StatusCode;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

base::Bytes FromHex(std::string_view hex) {
  auto b = base::HexDecode(hex);
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? *b : base::Bytes{};
}

struct Rfc8032Vector {
  std::string name;
  std::string seed;
  std::string public_key;
  std::string message;
  std::string signature;
};

// RFC 8032 section 7.1: TEST 1, TEST 2, TEST 3 and TEST SHA(abc) (the message is SHA-512("abc")).
std::vector<Rfc8032Vector> Rfc8032Vectors() {
  return {
      {"Test1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
       "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"Test2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
       "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
      {"Test3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
       "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
       "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
       "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
      {"TestShaAbc", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
       "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
       "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
       "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
  };
}

class Rfc8032Test : public ::testing::TestWithParam<Rfc8032Vector> {};

TEST_P(Rfc8032Test, SeedDerivesThePublicKey) {
  ASSERT_OK_AND_ASSIGN(SigningKey key, SigningKey::FromSeed(FromHex(GetParam().seed)));
  EXPECT_EQ(base::HexEncode(key.public_key().raw()), GetParam().public_key);
}

TEST_P(Rfc8032Test, SignatureMatchesVector) {
  ASSERT_OK_AND_ASSIGN(SigningKey key, SigningKey::FromSeed(FromHex(GetParam().seed)));
  base::Bytes msg = FromHex(GetParam().message);
  EXPECT_EQ(base::HexEncode(key.Sign(ByteView(msg))), GetParam().signature);
}

TEST_P(Rfc8032Test, VectorSignatureVerifies) {
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromBytes(FromHex(GetParam().public_key)));
  EXPECT_TRUE(pub.Verify(ByteView(FromHex(GetParam().message)), FromHex(GetParam().signature)));
}

TEST_P(Rfc8032Test, EveryFlippedSignatureBitIsRejected) {
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromBytes(FromHex(GetParam().public_key)));
  base::Bytes msg = FromHex(GetParam().message);
  base::Bytes sig = FromHex(GetParam().signature);
  int accepted = 0;
  for (size_t bit = 0; bit < sig.size() * 8; ++bit) {
    sig[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    if (pub.Verify(ByteView(msg), sig)) ++accepted;
    sig[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
  EXPECT_EQ(accepted, 0);
  EXPECT_TRUE(pub.Verify(ByteView(msg), sig));
}

TEST_P(Rfc8032Test, AlteredMessageIsRejected) {
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromBytes(FromHex(GetParam().public_key)));
  base::Bytes msg = FromHex(GetParam().message);
  msg.push_back(0);
  EXPECT_FALSE(pub.Verify(ByteView(msg), FromHex(GetParam().signature)));
}

INSTANTIATE_TEST_SUITE_P(Rfc8032, Rfc8032Test, ::testing::ValuesIn(Rfc8032Vectors()),
                         [](const auto& p) { return p.param.name; });

class Ed25519Test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = SigningKey::FromSeed(FromHex(Rfc8032Vectors()[0].seed));
    ASSERT_TRUE(k.ok());
    key_.emplace(*k);
  }
  std::optional<SigningKey> key_;
};

TEST_F(Ed25519Test, SignatureByAnotherKeyIsRejected) {
  SigningKey other = SigningKey::Generate();
  EXPECT_FALSE(key_->public_key().Verify("hello", other.Sign("hello")));
}

TEST_F(Ed25519Test, SignatureOfWrongLengthIsRejected) {
  Signature sig = key_->Sign("hello");
  EXPECT_FALSE(key_->public_key().Verify("hello", ByteView(sig).first(63)));
  base::Bytes longer(sig.begin(), sig.end());
  longer.push_back(0);
  EXPECT_FALSE(key_->public_key().Verify("hello", longer));
  EXPECT_FALSE(key_->public_key().Verify("hello", ByteView()));
}

// Strictness: S + L (the group order) verifies under the textbook equation but is a
// non-canonical encoding; libsodium rejects it (signature malleability).
TEST_F(Ed25519Test, NonCanonicalScalarIsRejected) {
  Signature sig = key_->Sign("hello");
  // L = 2^252 + 27742317777372353535851937790883648493, little-endian.
  static constexpr uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                     0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    unsigned sum = sig[32 + i] + kL[i] + carry;
    sig[32 + i] = static_cast<uint8_t>(sum);
    carry = sum >> 8;
  }
  ASSERT_EQ(carry, 0u);  // S < L, so S + L < 2^253 fits in 32 bytes
  EXPECT_FALSE(key_->public_key().Verify("hello", sig));
}

TEST_F(Ed25519Test, SmallOrderPublicKeyIsRejected) {
  // The identity point (y = 1) has order 1; any "signature" under it must be refused.
  std::array<uint8_t, 32> identity{};
  identity[0] = 1;
  PublicKey weak(identity);
  Signature sig{};
  sig[0] = 1;  // R = identity, S = 0: satisfies the equation for every message
  EXPECT_FALSE(weak.Verify("anything", sig));
}

TEST_F(Ed25519Test, GeneratedKeysAreDistinctAndSignVerifiably) {
  SigningKey a = SigningKey::Generate();
  SigningKey b = SigningKey::Generate();
  EXPECT_NE(a.public_key(), b.public_key());
  EXPECT_NE(a.seed(), b.seed());
  Signature sig = a.Sign("message");
  EXPECT_TRUE(a.public_key().Verify("message", sig));
  ASSERT_OK_AND_ASSIGN(SigningKey again, SigningKey::FromSeed(a.seed()));
  EXPECT_EQ(again.public_key(), a.public_key());
}

TEST_F(Ed25519Test, CopiedKeySignsIdentically) {
  SigningKey copy = *key_;
  EXPECT_EQ(copy.Sign("x"), key_->Sign("x"));
}

TEST(Ed25519KeyTest, SeedOfWrongLengthIsInvalidArgument) {
  EXPECT_THAT(SigningKey::FromSeed(base::Bytes(31)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("32 bytes, got 31")));
  EXPECT_THAT(SigningKey::FromSeed(base::Bytes(33)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("got 33")));
}

TEST(Ed25519KeyTest, PublicKeyOfWrongLengthIsInvalidArgument) {
  EXPECT_THAT(PublicKey::FromBytes(base::Bytes(0)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("32 bytes, got 0")));
}

TEST(Ed25519KeyTest, Base64RoundTrip) {
  SigningKey k = SigningKey::Generate();
  std::string b64 = k.public_key().ToBase64();
  EXPECT_EQ(b64.size(), 44u);
  ASSERT_OK_AND_ASSIGN(PublicKey back, PublicKey::FromBase64(b64));
  EXPECT_EQ(back, k.public_key());
}

TEST(Ed25519KeyTest, Base64OfWrongLengthOrAlphabetIsInvalidArgument) {
  EXPECT_THAT(PublicKey::FromBase64("AAAA"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("32 bytes, got 3")));
  EXPECT_THAT(PublicKey::FromBase64("not base64!"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("Ed25519 public key")));
}

TEST(KeyIdTest, IsHexSha256OfRawPublicKey) {
  ASSERT_OK_AND_ASSIGN(PublicKey pub,
                       PublicKey::FromBytes(FromHex(Rfc8032Vectors()[0].public_key)));
  // sha256sum of the 32 raw bytes of RFC 8032 TEST 1's public key.
  EXPECT_EQ(pub.KeyId(), "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9");
}

TEST(ConstantTimeEqualsTest, ComparesContentAndLength) {
  base::Bytes a = {1, 2, 3}, b = {1, 2, 3}, c = {1, 2, 4}, d = {1, 2};
  EXPECT_TRUE(ConstantTimeEquals(a, b));
  EXPECT_FALSE(ConstantTimeEquals(a, c));
  EXPECT_FALSE(ConstantTimeEquals(a, d));
  EXPECT_TRUE(ConstantTimeEquals(ByteView(), ByteView()));
}

TEST(RandomBytesTest, FillsBuffersDifferently) {
  std::array<uint8_t, 32> a{}, b{};
  RandomBytes(a);
  RandomBytes(b);
  EXPECT_NE(a, b);
  EXPECT_NE(a, (std::array<uint8_t, 32>{}));
  RandomBytes(std::span<uint8_t>());  // empty is a no-op
}

}  // namespace
}  // namespace detente::crypto
