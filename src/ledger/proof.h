// ledger/proof.h: RFC 9162 section 2.1.3 inclusion proofs and 2.1.4 consistency proofs:
// generation (from any source of perfect-subtree hashes) and verification.
//
// Sizes must come from signed checkpoints: an inclusion proof can also verify against the same
// root at size +-1, so a caller that takes `size` from the prover is fooled.
//
// Consistency from size 0 (our rule, docs/formats/ledger.md): the empty tree is a prefix of
// every tree, so size1 == 0 is consistent with any size2 >= 0 provided the proof is empty and
// root1 is MTH({}) = SHA-256(""). Generation returns an empty proof for size1 == 0.
// size1 == size2 requires an empty proof and root1 == root2. size1 > size2 is rejected.
//
// Thread-safety: free functions are thread-safe. MemoryTree is not.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "ledger/merkle.h"

namespace detente::ledger {

// No tree of at most 2^64 - 1 leaves has a longer proof; anything longer is rejected unread.
inline constexpr size_t kMaxProofHashes = 128;

// RFC 9162 2.1.3.2. Errors: kInvalidArgument (index >= size, proof too long or too short),
// kFailedPrecondition ("inclusion proof does not match the root").
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);
// The root that `proof` leads to from `leaf_hash`; errors as above except the root check.
Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                    std::span<const Hash> proof);

// RFC 9162 2.1.4.2 with the size-0 rule above. Errors: kInvalidArgument (size1 > size2, wrong
// proof length, non-empty proof where an empty one is required), kFailedPrecondition ("root1
// does not match" / "root2 does not match").
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2);

// The two roots a consistency "full path" leads to. The full path is the RFC proof with, when
// size1 is a power of two, MTH(D[0:size1]) prepended (the RFC verifier prepends root1 itself).
// Used for equivocation evidence: a full path whose second root equals a signed root2 fixes
// the first size1 leaves' root, so a different signed root1 proves a fork.
// REQUIRES nothing; errors: kInvalidArgument (0 < size1 < size2 not met, wrong path length).
Result<std::pair<Hash, Hash>> RootsFromConsistencyPath(uint64_t size1, uint64_t size2,
                                                       std::span<const Hash> full_path);

// Generation. A proof element is the MTH of an aligned leaf range; these give the ranges.
using LeafRange = std::pair<uint64_t, uint64_t>;  // [first, second)
// REQUIRES: index < size (else kInvalidArgument).
Result<std::vector<LeafRange>> InclusionProofRanges(uint64_t index, uint64_t size);
// REQUIRES: size1 <= size2 (else kInvalidArgument). Empty for size1 == 0 or size1 == size2.
Result<std::vector<LeafRange>> ConsistencyProofRanges(uint64_t size1, uint64_t size2);
// Expected proof lengths (no hashing).
size_t InclusionProofLength(uint64_t index, uint64_t size);

// A source of perfect-subtree hashes (tiles, memory).
class NodeReader {
 public:
  virtual ~NodeReader() = default;
  // The hashes of `nodes`, in order. Errors: kNotFound / kDataLoss from storage.
  virtual Result<std::vector<Hash>> ReadNodes(std::span<const NodeId> nodes) = 0;
};

// The hashes of `ranges` read through `reader` (one ReadNodes call).
Result<std::vector<Hash>> HashRanges(std::span<const LeafRange> ranges, NodeReader& reader);

// An in-memory tree of leaf hashes with every perfect subtree kept; for tests, fuzzers and
// small logs. Memory: about 64 bytes per leaf.
class MemoryTree final : public NodeReader {
 public:
  void Append(const Hash& leaf_hash);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  // MTH of the first `size` leaves. REQUIRES: size <= this->size() (else kInvalidArgument).
  Result<Hash> RootAt(uint64_t size);
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size);
  Result<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2);
  Result<std::vector<Hash>> ReadNodes(std::span<const NodeId> nodes) override;

 private:
  std::vector<std::vector<Hash>> levels_;  // levels_[l][i]: node (l, i)
};

}  // namespace detente::ledger
