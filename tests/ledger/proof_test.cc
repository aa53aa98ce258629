// Tests ledger/proof.h against a small, obviously correct recursive reference of RFC 9162
// 2.1.1-2.1.4 (MTH, PATH, SUBPROOF), for every index/size pair up to 200, and checks that
// tampered proofs are rejected: bit flips, index and size off by one, truncated, extended
// and swapped elements, wrong roots.
#include "ledger/proof.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace detente::ledger {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;
using Leaves = std::span<const Hash>;

constexpr uint64_t kMaxSize = 200;

// The reference: RFC 9162 2.1.1 MTH, 2.1.3.1 PATH, 2.1.4.1 SUBPROOF, literally.
Hash RefMth(Leaves d) {
  if (d.empty()) return EmptyRoot();
  if (d.size() == 1) return d[0];
  size_t k = 1;
  while (k * 2 < d.size()) k *= 2;
  return HashChildren(RefMth(d.subspan(0, k)), RefMth(d.subspan(k)));
}

std::vector<Hash> RefPath(size_t m, Leaves d) {
  if (d.size() == 1) return {};
  size_t k = 1;
  while (k * 2 < d.size()) k *= 2;
  std::vector<Hash> out;
  if (m < k) {
    out = RefPath(m, d.subspan(0, k));
    out.push_back(RefMth(d.subspan(k)));
  } else {
    out = RefPath(m - k, d.subspan(k));
    out.push_back(RefMth(d.subspan(0, k)));
  }
  return out;
}

std::vector<Hash> RefSubproof(size_t m, Leaves d, bool b) {
  if (m == d.size()) {
    if (b) return {};
    return {RefMth(d)};
  }
  size_t k = 1;
  while (k * 2 < d.size()) k *= 2;
  std::vector<Hash> out;
  if (m <= k) {
    out = RefSubproof(m, d.subspan(0, k), b);
    out.push_back(RefMth(d.subspan(k)));
  } else {
    out = RefSubproof(m - k, d.subspan(k), false);
    out.push_back(RefMth(d.subspan(0, k)));
  }
  return out;
}

class ProofTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    leaves_ = new std::vector<Hash>();
    tree_ = new MemoryTree();
    roots_ = new std::vector<Hash>();
    for (uint64_t i = 0; i < kMaxSize + 1; ++i) {
      leaves_->push_back(HashLeaf("leaf " + std::to_string(i)));
      tree_->Append(leaves_->back());
    }
    for (uint64_t n = 0; n <= kMaxSize + 1; ++n) {
      roots_->push_back(RefMth(Leaves(*leaves_).subspan(0, n)));
    }
  }
  static void TearDownTestSuite() {
    delete leaves_;
    delete tree_;
    delete roots_;
  }
  static Leaves Prefix(uint64_t n) { return Leaves(*leaves_).subspan(0, n); }

  static std::vector<Hash>* leaves_;
  static MemoryTree* tree_;
  static std::vector<Hash>* roots_;
};
std::vector<Hash>* ProofTest::leaves_ = nullptr;
MemoryTree* ProofTest::tree_ = nullptr;
std::vector<Hash>* ProofTest::roots_ = nullptr;

// Every way we tamper with a proof: each bit-flipped element, truncated, extended, each
// adjacent swap of distinct elements.
std::vector<std::vector<Hash>> Tampered(const std::vector<Hash>& proof) {
  std::vector<std::vector<Hash>> out;
  for (size_t i = 0; i < proof.size(); ++i) {
    auto p = proof;
    p[i][i % kHashSize] ^= static_cast<uint8_t>(1u << (i % 8));
    out.push_back(p);
  }
  if (!proof.empty()) out.emplace_back(proof.begin(), proof.end() - 1);
  auto ext = proof;
  ext.push_back(HashLeaf(std::string_view("extra")));
  out.push_back(ext);
  if (!proof.empty()) {
    auto dup = proof;
    dup.push_back(proof.back());
    out.push_back(dup);
  }
  for (size_t i = 0; i + 1 < proof.size(); ++i) {
    if (proof[i] == proof[i + 1]) continue;
    auto p = proof;
    std::swap(p[i], p[i + 1]);
    out.push_back(p);
  }
  return out;
}

TEST_F(ProofTest, RootsMatchReferenceForEverySize) {
  for (uint64_t n = 0; n <= kMaxSize; ++n) {
    EXPECT_THAT(tree_->RootAt(n), ::detente::testing::IsOkAndHolds((*roots_)[n])) << n;
    EXPECT_EQ(RootOfLeafHashes(Prefix(n)), (*roots_)[n]) << n;
  }
}

TEST_F(ProofTest, InclusionProofsMatchReferenceAndVerifyForAllPairs) {
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    for (uint64_t m = 0; m < n; ++m) {
      ASSERT_OK_AND_ASSIGN(auto proof, tree_->InclusionProof(m, n));
      ASSERT_EQ(proof, RefPath(m, Prefix(n))) << m << "/" << n;
      ASSERT_EQ(proof.size(), InclusionProofLength(m, n));
      ASSERT_OK(VerifyInclusion(m, n, (*leaves_)[m], proof, (*roots_)[n]));
    }
  }
}

TEST_F(ProofTest, TamperedInclusionProofsAreRejected) {
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    for (uint64_t m = 0; m < n; ++m) {
      ASSERT_OK_AND_ASSIGN(auto proof, tree_->InclusionProof(m, n));
      const Hash& root = (*roots_)[n];
      for (const auto& bad : Tampered(proof)) {
        ASSERT_FALSE(VerifyInclusion(m, n, (*leaves_)[m], bad, root).ok()) << m << "/" << n;
      }
      // Index off by one, with that index's own leaf, or with this leaf.
      for (uint64_t other : {m - 1, m + 1}) {
        if (other >= n) continue;  // also skips m - 1 wrapping below 0
        ASSERT_FALSE(VerifyInclusion(other, n, (*leaves_)[other], proof, root).ok())
            << m << "/" << n << " as index " << other;
        ASSERT_FALSE(VerifyInclusion(other, n, (*leaves_)[m], proof, root).ok())
            << m << "/" << n << " as index " << other;
      }
      // Size off by one, against the root signed for that size.
      for (uint64_t other : {n - 1, n + 1}) {
        if (other <= m || other > kMaxSize) continue;
        ASSERT_FALSE(VerifyInclusion(m, other, (*leaves_)[m], proof, (*roots_)[other]).ok())
            << m << "/" << n << " as size " << other;
      }
      // Wrong leaf, wrong root.
      ASSERT_FALSE(VerifyInclusion(m, n, (*leaves_)[n], proof, root).ok());
      ASSERT_FALSE(VerifyInclusion(m, n, (*leaves_)[m], proof, (*roots_)[n - 1]).ok());
    }
  }
}

// Why sizes must come from signed checkpoints: the proof for (0, 3) also verifies at size 4
// against the size-3 root, since both trees give leaf 0 a path of the same shape.
TEST_F(ProofTest, SizeTakenFromTheProverCanMislead) {
  ASSERT_OK_AND_ASSIGN(auto proof, tree_->InclusionProof(0, 3));
  EXPECT_OK(VerifyInclusion(0, 4, (*leaves_)[0], proof, (*roots_)[3]));
  EXPECT_FALSE(VerifyInclusion(0, 4, (*leaves_)[0], proof, (*roots_)[4]).ok());
}

TEST_F(ProofTest, ConsistencyProofsMatchReferenceAndVerifyForAllPairs) {
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    for (uint64_t m = 1; m <= n; ++m) {
      ASSERT_OK_AND_ASSIGN(auto proof, tree_->ConsistencyProof(m, n));
      ASSERT_EQ(proof, RefSubproof(m, Prefix(n), true)) << m << "->" << n;
      ASSERT_OK(VerifyConsistency(m, n, proof, (*roots_)[m], (*roots_)[n])) << m << "->" << n;
    }
  }
}

TEST_F(ProofTest, TamperedConsistencyProofsAreRejected) {
  for (uint64_t n = 2; n <= kMaxSize; ++n) {
    for (uint64_t m = 1; m < n; ++m) {
      ASSERT_OK_AND_ASSIGN(auto proof, tree_->ConsistencyProof(m, n));
      const Hash& r1 = (*roots_)[m];
      const Hash& r2 = (*roots_)[n];
      for (const auto& bad : Tampered(proof)) {
        ASSERT_FALSE(VerifyConsistency(m, n, bad, r1, r2).ok()) << m << "->" << n;
      }
      for (uint64_t other : {m - 1, m + 1}) {
        if (other == 0 || other >= n) continue;
        ASSERT_FALSE(VerifyConsistency(other, n, proof, (*roots_)[other], r2).ok())
            << m << "->" << n << " as size1 " << other;
      }
      for (uint64_t other : {n - 1, n + 1}) {
        if (other <= m || other > kMaxSize) continue;
        ASSERT_FALSE(VerifyConsistency(m, other, proof, r1, (*roots_)[other]).ok())
            << m << "->" << n << " as size2 " << other;
      }
      ASSERT_FALSE(VerifyConsistency(m, n, proof, r2, r2).ok());
      ASSERT_FALSE(VerifyConsistency(m, n, proof, r1, r1).ok());
    }
  }
}

TEST_F(ProofTest, ConsistencyFromSizeZeroNeedsEmptyProofAndEmptyRoot) {
  ASSERT_OK_AND_ASSIGN(auto proof, tree_->ConsistencyProof(0, 10));
  EXPECT_TRUE(proof.empty());
  EXPECT_OK(VerifyConsistency(0, 10, proof, EmptyRoot(), (*roots_)[10]));
  EXPECT_OK(VerifyConsistency(0, 0, proof, EmptyRoot(), EmptyRoot()));
  EXPECT_THAT(VerifyConsistency(0, 10, std::vector<Hash>{(*roots_)[10]}, EmptyRoot(),
                                (*roots_)[10]),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("from size 0 must be empty")));
  EXPECT_THAT(VerifyConsistency(0, 10, proof, (*roots_)[1], (*roots_)[10]),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("empty-tree hash")));
}

TEST_F(ProofTest, ConsistencyBetweenEqualSizesNeedsEqualRoots) {
  EXPECT_OK(VerifyConsistency(5, 5, {}, (*roots_)[5], (*roots_)[5]));
  EXPECT_THAT(VerifyConsistency(5, 5, {}, (*roots_)[5], (*roots_)[6]),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("different roots")));
  EXPECT_THAT(VerifyConsistency(5, 5, std::vector<Hash>{(*roots_)[5]}, (*roots_)[5],
                                (*roots_)[5]),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("must be empty")));
}

TEST_F(ProofTest, ConsistencyRejectsShrinkingTreesAndEmptyProofs) {
  EXPECT_THAT(VerifyConsistency(6, 5, {}, (*roots_)[6], (*roots_)[5]),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("exceeds size2")));
  EXPECT_THAT(VerifyConsistency(3, 5, {}, (*roots_)[3], (*roots_)[5]),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(tree_->ConsistencyProof(6, 5),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("exceeds size2")));
}

TEST_F(ProofTest, InclusionRejectsIndexAtOrBeyondSize) {
  EXPECT_THAT(VerifyInclusion(5, 5, (*leaves_)[5], {}, (*roots_)[5]),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("not below tree size 5")));
  EXPECT_THAT(tree_->InclusionProof(5, 5),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("not below tree size 5")));
}

TEST_F(ProofTest, OverlongProofsAreRejectedUnread) {
  std::vector<Hash> huge(kMaxProofHashes + 1);
  EXPECT_THAT(VerifyInclusion(0, 2, (*leaves_)[0], huge, (*roots_)[2]),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("at most 128")));
  EXPECT_THAT(VerifyConsistency(1, 2, huge, (*roots_)[1], (*roots_)[2]),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("at most 128")));
}

TEST(ProofLengthTest, LargeTreesHaveLogarithmicProofs) {
  EXPECT_EQ(InclusionProofLength(0, uint64_t{1} << 40), 40u);
  EXPECT_EQ(InclusionProofLength(0, UINT64_MAX), 64u);
  EXPECT_EQ(InclusionProofLength(UINT64_MAX - 1, UINT64_MAX), 63u);
  ASSERT_OK_AND_ASSIGN(auto ranges, ConsistencyProofRanges(uint64_t{1} << 62, UINT64_MAX));
  EXPECT_LE(ranges.size(), 128u);
}

}  // namespace
}  // namespace detente::ledger
