// match/cidr_trie.h: IPv4/IPv6 prefixes and a binary trie of CIDR blocks -> indicator numbers.
//
// Used for `ISSUBSET '10.0.0.0/8'` and for '=' against a CIDR literal on an address path
// (docs/match-fields.md). Host bits in a CIDR are ignored ("11.22.41.123/20" is the /20), a bare
// address is a /32 or /128. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) also matches IPv4
// blocks, and an IPv4 address also matches IPv6 blocks under ::ffff:0:0/96, when the trie is
// built with map_ipv4 (off in the engine, whose semantics are the reference evaluator's: a
// block only contains addresses of its own family).
//
// Thread-safety: Insert is single-threaded; after that, lookups may run concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace detente::match {

struct IpPrefix {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4
  int length = 0;                   // prefix length in bits

  int max_length() const { return v6 ? 128 : 32; }
  int bit(int i) const { return (bytes[static_cast<size_t>(i / 8)] >> (7 - i % 8)) & 1; }
};

// Parses "a.b.c.d", "a.b.c.d/n", "2001:db8::1", "2001:db8::/32", "::ffff:1.2.3.4"; clears host
// bits. Returns false when `text` is not an address or CIDR (leading zeros in an IPv4 octet,
// a prefix length out of range, zone ids and anything else are rejected).
bool ParseIpPrefix(std::string_view text, IpPrefix* out);

class CidrTrie {
 public:
  explicit CidrTrie(bool map_ipv4 = false);
  void Insert(const IpPrefix& prefix, uint32_t indicator);

  // Calls fn(indicator) for each inserted block that contains `p` (block length <= p.length and
  // the leading bits agree), in both address families as the header describes.
  template <typename F>
  void ForEachContaining(const IpPrefix& p, F&& fn) const;

  // A cheap pre-check for a textual value: false only when no inserted block can contain the
  // address (or block) `text` would parse to, or when it is no address at all; true when it may
  // (then parse it and call ForEachContaining). Looks at the first two octets of an IPv4 text.
  bool MayContainV4Text(std::string_view text) const;
  // The same answer for an IPv4 text whose first two octets a.b a reader has already read:
  // `net16` = a << 8 | b, as MayContainV4Text would compute it (Property::v4_net16).
  bool MayContainV4Net16(uint32_t net16) const {
    if (map_ipv4_) return true;
    if (v4_16_.empty()) return false;
    return (v4_16_[(net16 & 0xffff) >> 6] >> (net16 & 63)) & 1;
  }

  // Builds the first-byte jump tables. REQUIRES: called after the last Insert and before
  // lookups (lookups without it are correct, only slower).
  void Finalize();

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  size_t MemoryBytes() const {
    return nodes_.capacity() * sizeof(Node) + entries_.capacity() * sizeof(Entry) +
           v4_16_.capacity() * sizeof(uint64_t);
  }

 private:
  struct Node {
    uint32_t child[2] = {0, 0};  // 0 = none (node 0 is never a child)
    uint32_t head = kNone;       // first entry of the blocks ending here
  };
  struct Entry {
    uint32_t indicator;
    uint32_t next;
  };
  static constexpr uint32_t kNone = 0xFFFFFFFFu;

  template <typename F>
  void Walk(uint32_t root, const IpPrefix& p, int skip_bits, int max_bits, F&& fn) const;

  bool map_ipv4_ = false;
  // Per family (0 = IPv4, 1 = IPv6): the node at depth 8 for each first byte, usable when no
  // block is 1..7 bits long (then nothing can be reported between the root and depth 8).
  bool jump_ok_[2] = {false, false};
  std::array<uint32_t, 256> jump_[2]{};
  // IPv4: one bit per /16 network, set when some block contains or lies inside it (8 KiB,
  // allocated by the first IPv4 Insert). A clear bit answers most lookups of an address (or a
  // block of /16 or longer) without walking; empty means no IPv4 block at all.
  std::vector<uint64_t> v4_16_;
  bool V4Possible(const IpPrefix& p) const {
    if (v4_16_.empty()) return false;
    if (p.length < 16) return true;
    size_t n = static_cast<size_t>(p.bytes[0]) << 8 | p.bytes[1];
    return (v4_16_[n >> 6] >> (n & 63)) & 1;
  }
  std::vector<Node> nodes_;  // [0] unused, [1] IPv4 root, [2] IPv6 root
  std::vector<Entry> entries_;
  size_t size_ = 0;
};

template <typename F>
void CidrTrie::Walk(uint32_t node, const IpPrefix& p, int start_bit, int max_bits, F&& fn) const {
  // Walks from `node` consuming p's bits [start_bit, max_bits), reporting blocks on the way.
  int family = node == 2 ? 1 : 0;
  if (start_bit == 0 && max_bits >= 8 && jump_ok_[family]) {
    for (uint32_t e = nodes_[node].head; e != kNone; e = entries_[e].next) fn(entries_[e].indicator);
    node = jump_[family][p.bytes[0]];
    if (node == 0) return;
    start_bit = 8;
  }
  for (int i = start_bit;; ++i) {
    for (uint32_t e = nodes_[node].head; e != kNone; e = entries_[e].next) fn(entries_[e].indicator);
    if (i >= max_bits) return;
    uint32_t next = nodes_[node].child[p.bit(i)];
    if (next == 0) return;
    node = next;
  }
}

template <typename F>
void CidrTrie::ForEachContaining(const IpPrefix& p, F&& fn) const {
  if (size_ == 0) return;
  if (!p.v6) {
    if (V4Possible(p)) Walk(1, p, 0, p.length, fn);
    if (!map_ipv4_) return;
    // The IPv4-mapped form in the IPv6 trie: ::ffff:a.b.c.d.
    IpPrefix mapped;
    mapped.v6 = true;
    mapped.bytes[10] = 0xFF;
    mapped.bytes[11] = 0xFF;
    for (int i = 0; i < 4; ++i) mapped.bytes[static_cast<size_t>(12 + i)] = p.bytes[static_cast<size_t>(i)];
    mapped.length = 96 + p.length;
    Walk(2, mapped, 0, mapped.length, fn);
    return;
  }
  Walk(2, p, 0, p.length, fn);
  bool is_mapped = map_ipv4_ && p.length >= 96;
  for (int i = 0; i < 10 && is_mapped; ++i) is_mapped = p.bytes[static_cast<size_t>(i)] == 0;
  if (is_mapped && p.bytes[10] == 0xFF && p.bytes[11] == 0xFF) {
    IpPrefix v4;
    for (int i = 0; i < 4; ++i) v4.bytes[static_cast<size_t>(i)] = p.bytes[static_cast<size_t>(12 + i)];
    v4.length = p.length - 96;
    Walk(1, v4, 0, v4.length, fn);
  }
}

}  // namespace detente::match
