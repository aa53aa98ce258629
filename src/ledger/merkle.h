// ledger/merkle.h: RFC 9162 section 2.1 Merkle tree hashing (SHA-256), tree-size arithmetic and
// a compact range (the right border of a growing tree) for O(log n) appends.
//
// Hashing: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right),
// MTH({}) = SHA-256(""). The prefixes keep a leaf from passing as a node.
// Internally uses OpenSSL's low-level SHA256_* (about 1.8x faster than EVP for 65-byte inputs;
// see docs/performance/ledger.md).
//
// Thread-safety: free functions are thread-safe; CompactRange is a value type.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"

namespace detente::ledger {

using base::Bytes;
using base::ByteView;
using base::Result;
using base::Status;

inline constexpr size_t kHashSize = 32;  // SHA-256
using Hash = std::array<uint8_t, kHashSize>;

inline constexpr uint8_t kLeafPrefix = 0x00;  // RFC 9162 2.1.1
inline constexpr uint8_t kNodePrefix = 0x01;

// SHA-256 of `data` (plain, no prefix).
Hash Sha256(ByteView data);
// SHA-256("").
const Hash& EmptyRoot();
Hash HashLeaf(ByteView data);
inline Hash HashLeaf(std::string_view data) { return HashLeaf(base::AsBytes(data)); }
Hash HashChildren(const Hash& left, const Hash& right);
// SHA-256(0x01 || left || right) for children of any length (the RFC's definition; used by
// test vectors that hash non-32-byte inputs). Prefer HashChildren.
Hash HashChildrenRaw(ByteView left, ByteView right);

// Checks that `bytes` is exactly one 32-byte hash. Errors: kInvalidArgument naming `what`.
Result<Hash> HashFromBytes(ByteView bytes, std::string_view what);
// Decodes a 64-character hex hash. Errors: kInvalidArgument naming `what`.
Result<Hash> HashFromHex(std::string_view hex, std::string_view what);
std::string HashToHex(const Hash& h);

// Tree-size arithmetic on uint64.
// Largest power of two strictly below n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n);
inline int BitLength(uint64_t x) { return x == 0 ? 0 : 64 - __builtin_clzll(x); }

// A perfect subtree: the 2^level leaves [index << level, (index + 1) << level).
struct NodeId {
  int level = 0;
  uint64_t index = 0;
  friend bool operator==(const NodeId&, const NodeId&) = default;
};

// The perfect subtrees that make up the leaf range [begin, end), left to right, for a range
// aligned as the RFC's recursion produces them (begin is a multiple of 2^ceil(log2(end-begin))),
// which includes every [0, n). Their hashes folded right to left (FoldRange) give MTH(D[begin:end]).
// REQUIRES: begin < end and the alignment above.
std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end);
// Folds the hashes of RangeNodes() right to left: node(h0, node(h1, ... node(h_{k-2}, h_{k-1}))).
// REQUIRES: !hashes.empty().
Hash FoldRange(std::span<const Hash> hashes);

// The compact range [0, size): one hash per set bit of size, highest level first. Appending a
// leaf hash costs amortised one node hash; the root costs popcount(size) - 1 hashes.
class CompactRange {
 public:
  CompactRange() = default;
  // REQUIRES: hashes.size() == popcount(size), in RangeNodes(0, size) order.
  static Result<CompactRange> FromHashes(uint64_t size, std::vector<Hash> hashes);

  uint64_t size() const { return size_; }
  const std::vector<Hash>& hashes() const { return hashes_; }
  void Append(const Hash& leaf_hash);
  // MTH of [0, size()); EmptyRoot() for size 0.
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;
};

// MTH of a list of leaf hashes, computed in O(n) with O(log n) memory.
Hash RootOfLeafHashes(std::span<const Hash> leaf_hashes);

}  // namespace detente::ledger
