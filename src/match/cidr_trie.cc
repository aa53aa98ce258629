// match/cidr_trie.cc: address parsing and CidrTrie insertion. Tested by cidr_trie_test.cc.
#include "match/cidr_trie.h"

namespace detente::match {
namespace {

bool ParseV4(std::string_view s, uint8_t out[4]) {
  // Four decimal octets 0..255 separated by dots, no leading zeros (octal ambiguity).
  const char* p = s.data();
  const char* const end = p + s.size();
  for (int part = 0; part < 4; ++part) {
    if (p == end) return false;
    unsigned v = static_cast<unsigned>(*p - '0');
    if (v > 9) return false;
    const char* start = p++;
    unsigned d;
    while (p != end && (d = static_cast<unsigned>(*p - '0')) <= 9) {
      v = v * 10 + d;
      if (v > 255) return false;
      ++p;
    }
    if (p - start > 1 && *start == '0') return false;
    out[part] = static_cast<uint8_t>(v);
    if (part < 3) {
      if (p == end || *p != '.') return false;
      ++p;
    }
  }
  return p == end;
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

bool CidrTrie::MayContainV4Text(std::string_view text) const {
  if (map_ipv4_) return true;  // an IPv4 address also walks the IPv6 trie
  // "a.b." then anything: read a and b (in registers), then only look for '/' (a block, maybe
  // shorter than /16) or ':' in the rest. Any other text the parser may accept is answered
  // "maybe"; a text that is no address gets either answer (the parser rejects it anyway).
  const char* p = text.data();
  const char* const end = p + text.size();
  unsigned octet[2];
  for (unsigned& o : octet) {
    if (p == end) return true;
    o = static_cast<unsigned>(*p - '0');
    if (o > 9) return true;
    for (++p; p != end && static_cast<unsigned>(*p - '0') <= 9; ++p) {
      o = o * 10 + static_cast<unsigned>(*p - '0');
      if (o > 255) return true;
    }
    if (p == end || *p != '.') return true;
    ++p;
  }
  for (; p != end; ++p) {
    if (*p == '/' || *p == ':') return true;
  }
  // If it parses at all, it is one IPv4 address whose /16 network is octet[0].octet[1].
  if (v4_16_.empty()) return false;
  const size_t n = static_cast<size_t>(octet[0]) << 8 | octet[1];
  return (v4_16_[n >> 6] >> (n & 63)) & 1;
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
  if (!prefix.v6) {
    if (v4_16_.empty()) v4_16_.assign(65536 / 64, 0);
    // The /16 networks the block touches: itself, or all those inside a shorter block.
    const int len = prefix.length < 16 ? prefix.length : 16;
    const size_t count = size_t{1} << (16 - len);
    const size_t first =
        (static_cast<size_t>(prefix.bytes[0]) << 8 | prefix.bytes[1]) & ~(count - 1);
    for (size_t n = first; n < first + count; ++n) v4_16_[n >> 6] |= uint64_t{1} << (n & 63);
  }
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
