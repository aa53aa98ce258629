// match/cidr_trie.cc: address parsing and CidrTrie insertion. Tested by cidr_trie_test.cc.
#include "match/cidr_trie.h"

namespace detente::match {
namespace {

bool ParseV4(std::string_view s, uint8_t out[4]) {
  int part = 0;
  size_t i = 0;
  while (part < 4) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    size_t start = i;
    int v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + (s[i] - '0');
      if (v > 255) return false;
      ++i;
    }
    if (i - start > 1 && s[start] == '0') return false;  // no leading zeros (octal ambiguity)
    out[part++] = static_cast<uint8_t>(v);
    if (part < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseV6(std::string_view s, uint8_t out[16]) {
  uint16_t groups[8] = {};
  int n = 0;          // groups written
  int gap = -1;       // index where "::" was
  size_t i = 0;
  if (s.starts_with("::")) {
    gap = 0;
    i = 2;
    if (i == s.size()) {
      for (int k = 0; k < 16; ++k) out[k] = 0;
      return true;
    }
  } else if (s.starts_with(":")) {
    return false;
  }
  while (i < s.size()) {
    // An embedded IPv4 tail.
    size_t rest_end = s.find(':', i);
    std::string_view piece = s.substr(i, rest_end == std::string_view::npos ? s.npos : rest_end - i);
    if (rest_end == std::string_view::npos && piece.find('.') != std::string_view::npos) {
      uint8_t v4[4];
      if (n > 6 || !ParseV4(piece, v4)) return false;
      groups[n++] = static_cast<uint16_t>(v4[0] << 8 | v4[1]);
      groups[n++] = static_cast<uint16_t>(v4[2] << 8 | v4[3]);
      i = s.size();
      break;
    }
    if (piece.empty() || piece.size() > 4 || n >= 8) return false;
    uint16_t g = 0;
    for (char c : piece) {
      int h = HexVal(c);
      if (h < 0) return false;
      g = static_cast<uint16_t>(g << 4 | h);
    }
    groups[n++] = g;
    i += piece.size();
    if (i == s.size()) break;
    // s[i] == ':'
    if (i + 1 < s.size() && s[i + 1] == ':') {
      if (gap >= 0) return false;
      gap = n;
      i += 2;
      if (i == s.size()) break;
    } else {
      ++i;
      if (i == s.size()) return false;  // trailing single ':'
    }
  }
  uint16_t full[8] = {};
  if (gap >= 0) {
    if (n > 7) return false;
    int tail = n - gap;
    for (int k = 0; k < gap; ++k) full[k] = groups[k];
    for (int k = 0; k < tail; ++k) full[8 - tail + k] = groups[gap + k];
  } else {
    if (n != 8) return false;
    for (int k = 0; k < 8; ++k) full[k] = groups[k];
  }
  for (int k = 0; k < 8; ++k) {
    out[2 * k] = static_cast<uint8_t>(full[k] >> 8);
    out[2 * k + 1] = static_cast<uint8_t>(full[k] & 0xFF);
  }
  return true;
}

}  // namespace

bool ParseIpPrefix(std::string_view text, IpPrefix* out) {
  IpPrefix p;
  std::string_view addr = text;
  int length = -1;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    std::string_view len = text.substr(slash + 1);
    if (len.empty() || len.size() > 3) return false;
    length = 0;
    for (char c : len) {
      if (c < '0' || c > '9') return false;
      length = length * 10 + (c - '0');
    }
  }
  if (addr.find(':') != std::string_view::npos) {
    p.v6 = true;
    if (!ParseV6(addr, p.bytes.data())) return false;
  } else {
    if (!ParseV4(addr, p.bytes.data())) return false;
  }
  if (length < 0) length = p.max_length();
  if (length > p.max_length()) return false;
  p.length = length;
  // Clear host bits.
  for (int i = length; i < p.max_length(); ++i) {
    p.bytes[static_cast<size_t>(i / 8)] &= static_cast<uint8_t>(~(1u << (7 - i % 8)));
  }
  *out = p;
  return true;
}

CidrTrie::CidrTrie(bool map_ipv4) : map_ipv4_(map_ipv4), nodes_(3) {}

void CidrTrie::Finalize() {
  for (int family = 0; family < 2; ++family) {
    uint32_t root = family == 0 ? 1 : 2;
    bool short_block = false;
    // Depths 1..7: any entry there forbids the jump.
    std::vector<std::pair<uint32_t, int>> stack{{root, 0}};
    while (!stack.empty()) {
      auto [n, depth] = stack.back();
      stack.pop_back();
      if (depth > 0 && nodes_[n].head != kNone) short_block = true;
      if (depth == 7) continue;
      for (uint32_t c : nodes_[n].child) {
        if (c != 0) stack.push_back({c, depth + 1});
      }
    }
    jump_ok_[family] = !short_block;
    for (int b = 0; b < 256; ++b) {
      uint32_t n = root;
      for (int i = 0; i < 8 && n != 0; ++i) n = nodes_[n].child[(b >> (7 - i)) & 1];
      jump_[family][static_cast<size_t>(b)] = n;
    }
  }
}

void CidrTrie::Insert(const IpPrefix& prefix, uint32_t indicator) {
  jump_ok_[0] = jump_ok_[1] = false;  // stale until Finalize()
  uint32_t node = prefix.v6 ? 2 : 1;
  for (int i = 0; i < prefix.length; ++i) {
    int b = prefix.bit(i);
    if (nodes_[node].child[b] == 0) {
      nodes_[node].child[b] = static_cast<uint32_t>(nodes_.size());
      nodes_.emplace_back();
    }
    node = nodes_[node].child[b];
  }
  for (uint32_t e = nodes_[node].head; e != kNone; e = entries_[e].next) {
    if (entries_[e].indicator == indicator) return;
  }
  entries_.push_back(Entry{indicator, nodes_[node].head});
  nodes_[node].head = static_cast<uint32_t>(entries_.size() - 1);
  ++size_;
}

}  // namespace detente::match
