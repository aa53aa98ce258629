// fuzz/ledger_proof_fuzzer.cc: RFC 9162 proof verification on hostile proofs.
//
// Input: u16 size (tree of 1..512 leaves), u16 a, u16 b, u8 mode, then 32-byte hashes.
// The fuzzed proof is checked against the true tree: if the verifier accepts it for the true
// leaf and root, it must be exactly the true proof (anything else would be a forgery or a
// verifier bug); the true proof must always verify. Arbitrary 64-bit sizes exercise the
// bit-walking code paths for crashes and overflow.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ledger/proof.h"

namespace {

using detente::ledger::Hash;

const detente::ledger::MemoryTree& Tree() {
  static const detente::ledger::MemoryTree* tree = [] {
    auto* t = new detente::ledger::MemoryTree();
    for (int i = 0; i < 512; ++i) t->Append(detente::ledger::HashLeaf(std::to_string(i)));
    return t;
  }();
  return *tree;
}

uint64_t Read(const uint8_t*& p, size_t& n, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes && n > 0; ++i, --n) v = (v << 8) | *p++;
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detente::ledger;
  auto& tree = const_cast<MemoryTree&>(Tree());
  const uint8_t* p = data;
  size_t n = size;
  uint64_t tree_size = 1 + Read(p, n, 2) % 512;
  uint64_t a = Read(p, n, 2);
  uint64_t b = Read(p, n, 2);
  uint8_t mode = static_cast<uint8_t>(Read(p, n, 1));
  std::vector<Hash> proof;
  while (n >= kHashSize && proof.size() <= kMaxProofHashes) {
    Hash h;
    std::memcpy(h.data(), p, kHashSize);
    proof.push_back(h);
    p += kHashSize;
    n -= kHashSize;
  }
  switch (mode % 4) {
    case 0: {  // inclusion in the true tree
      uint64_t index = a % tree_size;
      Hash leaf = *tree.ReadNodes(std::vector<NodeId>{{0, index}}).value().data();
      Hash root = tree.RootAt(tree_size).value();
      auto truth = tree.InclusionProof(index, tree_size).value();
      if (!VerifyInclusion(index, tree_size, leaf, truth, root).ok()) std::abort();
      if (VerifyInclusion(index, tree_size, leaf, proof, root).ok() && proof != truth) std::abort();
      break;
    }
    case 1: {  // consistency in the true tree
      uint64_t size1 = a % (tree_size + 1);
      Hash r1 = tree.RootAt(size1).value();
      Hash r2 = tree.RootAt(tree_size).value();
      auto truth = tree.ConsistencyProof(size1, tree_size).value();
      if (!VerifyConsistency(size1, tree_size, truth, r1, r2).ok()) std::abort();
      if (VerifyConsistency(size1, tree_size, proof, r1, r2).ok() && proof != truth) std::abort();
      break;
    }
    case 2: {  // arbitrary 64-bit sizes: must not crash
      uint64_t big1 = (a << 48) ^ (b << 16) ^ tree_size;
      uint64_t big2 = big1 + b * 977 + 1;
      Hash x = proof.empty() ? Hash{} : proof[0];
      (void)VerifyInclusion(big1, big2, x, proof, x);
      (void)VerifyConsistency(big1, big2, proof, x, x);
      (void)RootsFromConsistencyPath(big1, big2, proof);
      (void)InclusionProofRanges(big1 % big2, big2);
      (void)ConsistencyProofRanges(big1, big2);
      break;
    }
    default: {  // generation agrees with verification for fuzzed pairs
      uint64_t s1 = a % (tree_size + 1);
      uint64_t idx = b % tree_size;
      auto inc = tree.InclusionProof(idx, tree_size).value();
      if (inc.size() != InclusionProofLength(idx, tree_size)) std::abort();
      auto cons = tree.ConsistencyProof(s1, tree_size).value();
      if (!VerifyConsistency(s1, tree_size, cons, tree.RootAt(s1).value(),
                             tree.RootAt(tree_size).value()).ok()) {
        std::abort();
      }
      break;
    }
  }
  return 0;
}
