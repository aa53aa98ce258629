// ledger/merkle.cc: RFC 9162 hashing and the compact range. Tested by tests/ledger/merkle_test.cc.
//
// OpenSSL 3 marks SHA256_Init/Update/Final deprecated; they are still the fastest way to hash
// 33- and 65-byte inputs (no provider dispatch), and the ledger hashes tens of millions of them
// in `log verify`. OPENSSL_SUPPRESS_DEPRECATED keeps the declarations warning-free here only.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "ledger/merkle.h"

#include <openssl/sha.h>

#include <bit>

#include "base/check.h"

namespace detente::ledger {

Hash Sha256(ByteView data) {
  Hash out;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out.data(), &ctx);
  return out;
}

const Hash& EmptyRoot() {
  static const Hash kEmpty = Sha256(ByteView());
  return kEmpty;
}

Hash HashLeaf(ByteView data) {
  Hash out;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, &kLeafPrefix, 1);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out.data(), &ctx);
  return out;
}

Hash HashChildren(const Hash& left, const Hash& right) {
  uint8_t buf[1 + 2 * kHashSize];
  buf[0] = kNodePrefix;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 1 + kHashSize);
  // SHA256_Init/Update/Final, not the one-shot SHA256(): in OpenSSL 3 the latter fetches the
  // algorithm on every call (2.7x slower, ledger-notes.md).
  Hash out;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, buf, sizeof(buf));
  SHA256_Final(out.data(), &ctx);
  return out;
}

Hash HashChildrenRaw(ByteView left, ByteView right) {
  Hash out;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, &kNodePrefix, 1);
  SHA256_Update(&ctx, left.data(), left.size());
  SHA256_Update(&ctx, right.data(), right.size());
  SHA256_Final(out.data(), &ctx);
  return out;
}

Result<Hash> HashFromBytes(ByteView bytes, std::string_view what) {
  if (bytes.size() != kHashSize) {
    return base::InvalidArgumentError(std::string(what) + ": hash must be 32 bytes, got " +
                                      std::to_string(bytes.size()));
  }
  Hash h;
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

Result<Hash> HashFromHex(std::string_view hex, std::string_view what) {
  if (hex.size() != 2 * kHashSize) {
    return base::InvalidArgumentError(std::string(what) +
                                      ": hash must be 64 hex characters (32 bytes), got " +
                                      std::to_string(hex.size()) + " characters");
  }
  auto bytes = base::HexDecode(hex);
  if (!bytes.ok()) return bytes.status().WithContext(what);
  return HashFromBytes(*bytes, what);
}

std::string HashToHex(const Hash& h) { return base::HexEncode(h); }

uint64_t SplitPoint(uint64_t n) {
  DETENTE_DCHECK(n >= 2);
  return uint64_t{1} << (BitLength(n - 1) - 1);
}

std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end) {
  DETENTE_DCHECK(begin < end);
  std::vector<NodeId> nodes;
  uint64_t size = end - begin;
  uint64_t pos = begin;
  for (int level = BitLength(size) - 1; level >= 0; --level) {
    if ((size >> level) & 1) {
      nodes.push_back(NodeId{level, pos >> level});
      pos += uint64_t{1} << level;
    }
  }
  return nodes;
}

Hash FoldRange(std::span<const Hash> hashes) {
  DETENTE_CHECK(!hashes.empty());
  Hash r = hashes.back();
  for (size_t i = hashes.size() - 1; i-- > 0;) r = HashChildren(hashes[i], r);
  return r;
}

Result<CompactRange> CompactRange::FromHashes(uint64_t size, std::vector<Hash> hashes) {
  if (hashes.size() != static_cast<size_t>(std::popcount(size))) {
    return base::InvalidArgumentError("compact range of size " + std::to_string(size) +
                                      " needs " + std::to_string(std::popcount(size)) +
                                      " hashes, got " + std::to_string(hashes.size()));
  }
  CompactRange r;
  r.size_ = size;
  r.hashes_ = std::move(hashes);
  return r;
}

void CompactRange::Append(const Hash& leaf_hash) {
  Hash h = leaf_hash;
  // Each trailing one bit of size_ is a perfect subtree that merges with the new one.
  for (uint64_t s = size_; s & 1; s >>= 1) {
    h = HashChildren(hashes_.back(), h);
    hashes_.pop_back();
  }
  hashes_.push_back(h);
  ++size_;
}

Hash CompactRange::Root() const {
  if (size_ == 0) return EmptyRoot();
  return FoldRange(hashes_);
}

Hash RootOfLeafHashes(std::span<const Hash> leaf_hashes) {
  CompactRange r;
  for (const Hash& h : leaf_hashes) r.Append(h);
  return r.Root();
}

}  // namespace detente::ledger
