// Tests for crypto/sha256.cc: NIST FIPS 180-2 example vectors, incremental hashing, the
// one-shot and multi-part paths and their use from several threads.
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/crypto.h"

namespace detente::crypto {
namespace {

std::string Hex(const Digest& d) { return base::HexEncode(d); }

struct Vector {
  std::string name;
  std::string message;
  std::string digest_hex;
};

std::vector<Vector> NistVectors() {
  return {
      {"Empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"Abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"Message448Bits", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"Message896Bits",
       "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlm"
       "nopqrsmnopqrstnopqrstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
      {"OneMillionA", std::string(1'000'000, 'a'),
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
}

class Sha256NistTest : public ::testing::TestWithParam<Vector> {};

TEST_P(Sha256NistTest, OneShotMatchesKnownAnswer) {
  EXPECT_EQ(Hex(Sha256(GetParam().message)), GetParam().digest_hex);
}

TEST_P(Sha256NistTest, IncrementalInOddChunksMatchesKnownAnswer) {
  Sha256Hasher h;
  std::string_view m = GetParam().message;
  size_t chunk = 1;
  while (!m.empty()) {
    size_t n = std::min(chunk, m.size());
    h.Update(m.substr(0, n));
    m.remove_prefix(n);
    chunk = chunk * 3 + 1;  // 1, 4, 13, 40, ...: crosses block boundaries unevenly
  }
  EXPECT_EQ(Hex(h.Finish()), GetParam().digest_hex);
}

TEST_P(Sha256NistTest, ConcatOfSplitPartsMatchesKnownAnswer) {
  std::string_view m = GetParam().message;
  size_t half = m.size() / 2;
  EXPECT_EQ(Hex(Sha256Concat({base::AsBytes(m.substr(0, half)), base::AsBytes(""),
                              base::AsBytes(m.substr(half))})),
            GetParam().digest_hex);
}

INSTANTIATE_TEST_SUITE_P(Fips180, Sha256NistTest, ::testing::ValuesIn(NistVectors()),
                         [](const auto& p) { return p.param.name; });

TEST(Sha256HasherTest, FinishResetsForReuse) {
  Sha256Hasher h;
  h.Update("garbage that must not leak into the next digest");
  (void)h.Finish();
  h.Update("abc");
  EXPECT_EQ(Hex(h.Finish()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256HasherTest, FinishWithoutUpdateIsEmptyDigest) {
  Sha256Hasher h;
  EXPECT_EQ(Hex(h.Finish()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Test, InterleavedHashersAndOneShotDoNotInterfere) {
  Sha256Hasher a, b;
  a.Update("ab");
  b.Update("abcdbcdecdefdefgefghfghighijhijk");
  (void)Sha256("unrelated one-shot on this thread");
  a.Update("c");
  b.Update("ijkljklmklmnlmnomnopnopq");
  EXPECT_EQ(Hex(a.Finish()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(b.Finish()), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, ConcurrentOneShotHashingFromManyThreadsAgrees) {
  // 65-byte inputs: the shape of RFC 9162 node hashes.
  std::vector<std::string> inputs;
  for (int i = 0; i < 64; ++i)
    inputs.push_back(std::string(65, static_cast<char>('A' + i % 26)) + std::to_string(i));
  std::vector<Digest> expected;
  for (const auto& in : inputs) expected.push_back(Sha256(in));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        for (size_t i = 0; i < inputs.size(); ++i) {
          if (Sha256(inputs[i]) != expected[i]) ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_THAT(mismatches, ::testing::Each(0));
}

}  // namespace
}  // namespace detente::crypto
