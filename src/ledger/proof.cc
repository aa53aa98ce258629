// ledger/proof.cc: RFC 9162 2.1.3-2.1.4 proofs. Tested by tests/ledger/proof_test.cc against
// vectors.json and a recursive reference. Generation is iterative (the RFC recursion unrolled;
// its depth is at most 64 anyway), verification follows the RFC's bit-walking algorithms.
#include "ledger/proof.h"

#include <algorithm>
#include <string>

namespace detente::ledger {
namespace {

bool IsPowerOfTwo(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

Status CheckProofLength(size_t n) {
  if (n > kMaxProofHashes) {
    return base::InvalidArgumentError("proof has " + std::to_string(n) +
                                      " hashes; at most " + std::to_string(kMaxProofHashes) +
                                      " are possible");
  }
  return base::OkStatus();
}

}  // namespace

Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                    std::span<const Hash> proof) {
  if (index >= size) {
    return base::InvalidArgumentError("index " + std::to_string(index) +
                                      " is not below tree size " + std::to_string(size));
  }
  RETURN_IF_ERROR(CheckProofLength(proof.size()));
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return base::InvalidArgumentError("inclusion proof too long: " +
                                        std::to_string(proof.size()) + " hashes, expected " +
                                        std::to_string(InclusionProofLength(index, size)));
    }
    if ((fn & 1) || fn == sn) {
      r = HashChildren(p, r);
      if (!(fn & 1)) {
        while (!((fn & 1) || fn == 0)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return base::InvalidArgumentError("inclusion proof too short: " +
                                      std::to_string(proof.size()) + " hashes, expected " +
                                      std::to_string(InclusionProofLength(index, size)));
  }
  return r;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  ASSIGN_OR_RETURN(Hash r, RootFromInclusionProof(index, size, leaf_hash, proof));
  if (r != root) return base::FailedPreconditionError("inclusion proof does not match the root");
  return base::OkStatus();
}

Result<std::pair<Hash, Hash>> RootsFromConsistencyPath(uint64_t size1, uint64_t size2,
                                                       std::span<const Hash> path) {
  if (size1 == 0 || size1 >= size2) {
    return base::InvalidArgumentError("a consistency path needs 0 < size1 < size2, got size1 " +
                                      std::to_string(size1) + ", size2 " + std::to_string(size2));
  }
  RETURN_IF_ERROR(CheckProofLength(path.size()));
  if (path.empty()) return base::InvalidArgumentError("consistency proof is empty");
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return base::InvalidArgumentError("consistency proof too long");
    if ((fn & 1) || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if (!(fn & 1)) {
        while (!((fn & 1) || fn == 0)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return base::InvalidArgumentError("consistency proof too short");
  return std::make_pair(fr, sr);
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2) {
  if (size1 > size2) {
    return base::InvalidArgumentError("size1 " + std::to_string(size1) + " exceeds size2 " +
                                      std::to_string(size2));
  }
  RETURN_IF_ERROR(CheckProofLength(proof.size()));
  if (size1 == 0) {
    if (!proof.empty()) {
      return base::InvalidArgumentError("consistency proof from size 0 must be empty");
    }
    if (root1 != EmptyRoot()) {
      return base::FailedPreconditionError("root1 is not the empty-tree hash for size 0");
    }
    return base::OkStatus();
  }
  if (size1 == size2) {
    if (!proof.empty()) {
      return base::InvalidArgumentError("consistency proof between equal sizes must be empty");
    }
    if (root1 != root2) return base::FailedPreconditionError("equal sizes but different roots");
    return base::OkStatus();
  }
  if (proof.empty()) return base::InvalidArgumentError("consistency proof is empty");
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (IsPowerOfTwo(size1)) path.push_back(root1);
  path.insert(path.end(), proof.begin(), proof.end());
  ASSIGN_OR_RETURN(auto roots, RootsFromConsistencyPath(size1, size2, path));
  if (roots.first != root1) {
    return base::FailedPreconditionError("consistency proof does not match root1");
  }
  if (roots.second != root2) {
    return base::FailedPreconditionError("consistency proof does not match root2");
  }
  return base::OkStatus();
}

Result<std::vector<LeafRange>> InclusionProofRanges(uint64_t index, uint64_t size) {
  if (index >= size) {
    return base::InvalidArgumentError("index " + std::to_string(index) +
                                      " is not below tree size " + std::to_string(size));
  }
  std::vector<LeafRange> tail;
  uint64_t lo = 0;
  uint64_t hi = size;
  while (hi - lo > 1) {
    uint64_t k = SplitPoint(hi - lo);
    if (index - lo < k) {
      tail.emplace_back(lo + k, hi);
      hi = lo + k;
    } else {
      tail.emplace_back(lo, lo + k);
      lo += k;
    }
  }
  std::reverse(tail.begin(), tail.end());
  return tail;
}

size_t InclusionProofLength(uint64_t index, uint64_t size) {
  if (index >= size) return 0;
  int inner = BitLength(index ^ (size - 1));
  int outer = inner >= 64 ? 0 : __builtin_popcountll(index >> inner);
  return static_cast<size_t>(inner + outer);
}

Result<std::vector<LeafRange>> ConsistencyProofRanges(uint64_t size1, uint64_t size2) {
  if (size1 > size2) {
    return base::InvalidArgumentError("size1 " + std::to_string(size1) + " exceeds size2 " +
                                      std::to_string(size2));
  }
  std::vector<LeafRange> out;
  if (size1 == 0 || size1 == size2) return out;
  // SUBPROOF(m, D[lo:hi], b), unrolled: `tail` collects what each level appends after its
  // recursive call, so it is emitted in reverse.
  std::vector<LeafRange> tail;
  uint64_t m = size1;
  uint64_t lo = 0;
  uint64_t hi = size2;
  bool b = true;
  while (true) {
    uint64_t n = hi - lo;
    if (m == n) {
      if (!b) out.emplace_back(lo, hi);
      break;
    }
    uint64_t k = SplitPoint(n);
    if (m <= k) {
      tail.emplace_back(lo + k, hi);
      hi = lo + k;
    } else {
      tail.emplace_back(lo, lo + k);
      m -= k;
      lo += k;
      b = false;
    }
  }
  out.insert(out.end(), tail.rbegin(), tail.rend());
  return out;
}

Result<std::vector<Hash>> HashRanges(std::span<const LeafRange> ranges, NodeReader& reader) {
  std::vector<NodeId> nodes;
  std::vector<size_t> counts;
  for (const auto& [first, last] : ranges) {
    auto r = RangeNodes(first, last);
    counts.push_back(r.size());
    nodes.insert(nodes.end(), r.begin(), r.end());
  }
  ASSIGN_OR_RETURN(std::vector<Hash> hashes, reader.ReadNodes(nodes));
  if (hashes.size() != nodes.size()) {
    return base::InternalError("node reader returned " + std::to_string(hashes.size()) +
                               " hashes for " + std::to_string(nodes.size()) + " nodes");
  }
  std::vector<Hash> out;
  out.reserve(ranges.size());
  size_t pos = 0;
  for (size_t c : counts) {
    out.push_back(FoldRange(std::span<const Hash>(hashes).subspan(pos, c)));
    pos += c;
  }
  return out;
}

void MemoryTree::Append(const Hash& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  for (size_t l = 0; levels_[l].size() % 2 == 0; ++l) {
    if (l + 1 == levels_.size()) levels_.emplace_back();
    const auto& row = levels_[l];
    levels_[l + 1].push_back(HashChildren(row[row.size() - 2], row[row.size() - 1]));
  }
}

Result<std::vector<Hash>> MemoryTree::ReadNodes(std::span<const NodeId> nodes) {
  std::vector<Hash> out;
  out.reserve(nodes.size());
  for (const NodeId& id : nodes) {
    if (static_cast<size_t>(id.level) >= levels_.size() ||
        id.index >= levels_[static_cast<size_t>(id.level)].size()) {
      return base::NotFoundError("no node at level " + std::to_string(id.level) + " index " +
                                 std::to_string(id.index));
    }
    out.push_back(levels_[static_cast<size_t>(id.level)][id.index]);
  }
  return out;
}

Result<Hash> MemoryTree::RootAt(uint64_t at) {
  if (at > size()) {
    return base::InvalidArgumentError("size " + std::to_string(at) + " exceeds tree size " +
                                      std::to_string(size()));
  }
  if (at == 0) return EmptyRoot();
  ASSIGN_OR_RETURN(std::vector<Hash> hashes, ReadNodes(RangeNodes(0, at)));
  return FoldRange(hashes);
}

Result<std::vector<Hash>> MemoryTree::InclusionProof(uint64_t index, uint64_t at) {
  if (at > size()) {
    return base::InvalidArgumentError("size " + std::to_string(at) + " exceeds tree size " +
                                      std::to_string(size()));
  }
  ASSIGN_OR_RETURN(auto ranges, InclusionProofRanges(index, at));
  return HashRanges(ranges, *this);
}

Result<std::vector<Hash>> MemoryTree::ConsistencyProof(uint64_t size1, uint64_t size2) {
  if (size2 > size()) {
    return base::InvalidArgumentError("size " + std::to_string(size2) + " exceeds tree size " +
                                      std::to_string(size()));
  }
  ASSIGN_OR_RETURN(auto ranges, ConsistencyProofRanges(size1, size2));
  return HashRanges(ranges, *this);
}

}  // namespace detente::ledger
