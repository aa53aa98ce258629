// pattern/unicode.cc: UTF-8 and NFC. NFC is the textbook algorithm of UAX #15: full canonical
// decomposition (tables + algorithmic Hangul), canonical ordering of combining marks by their
// combining class (stable), then canonical composition of primary composites.
#include "pattern/unicode.h"

#include <algorithm>
#include <vector>

#include "pattern/pattern.h"

namespace detente::pattern {
namespace {

using namespace unicode_internal;

// Hangul constants, Unicode 3.12 "Conjoining Jamo Behavior".
constexpr uint32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr uint32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr uint32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

uint8_t Ccc(uint32_t cp) {
  if (cp < 0x300) return 0;
  size_t lo = 0, hi = kCccRangeCount;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (kCccRanges[mid].hi < cp) {
      lo = mid + 1;
    } else if (kCccRanges[mid].lo > cp) {
      hi = mid;
    } else {
      return kCccRanges[mid].ccc;
    }
  }
  return 0;
}

void Decompose(uint32_t cp, std::vector<uint32_t>* out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    uint32_t s = cp - kSBase;
    out->push_back(kLBase + s / kNCount);
    out->push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out->push_back(kTBase + s % kTCount);
    return;
  }
  const Decomposition* end = kDecompositions + kDecompositionCount;
  const Decomposition* it = std::lower_bound(
      kDecompositions, end, cp, [](const Decomposition& d, uint32_t c) { return d.cp < c; });
  if (it != end && it->cp == cp) {
    out->insert(out->end(), kDecompPool + it->offset, kDecompPool + it->offset + it->length);
  } else {
    out->push_back(cp);
  }
}

// The primary composite of (a, b), or 0.
uint32_t Compose(uint32_t a, uint32_t b) {
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount) {
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  }
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
      b < kTBase + kTCount) {
    return a + (b - kTBase);
  }
  const Composition* end = kCompositions + kCompositionCount;
  const Composition* it =
      std::lower_bound(kCompositions, end, std::make_pair(a, b),
                       [](const Composition& c, std::pair<uint32_t, uint32_t> k) {
                         return c.first < k.first || (c.first == k.first && c.second < k.second);
                       });
  if (it != end && it->first == a && it->second == b) return it->composite;
  return 0;
}

}  // namespace

int32_t DecodeUtf8(std::string_view s, size_t* pos) {
  size_t i = *pos;
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *pos = i + 1;
    return c;
  }
  int len;
  uint32_t cp;
  uint32_t min;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    *pos = i + 1;
    return -1;
  }
  if (i + len > s.size()) {
    *pos = i + 1;
    return -1;
  }
  for (int k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) {
      *pos = i + 1;
      return -1;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *pos = i + 1;
    return -1;
  }
  *pos = i + len;
  return static_cast<int32_t>(cp);
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsValidUtf8String(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    if (static_cast<unsigned char>(s[pos]) < 0x80) {
      ++pos;
      continue;
    }
    if (DecodeUtf8(s, &pos) < 0) return false;
  }
  return true;
}

std::string ToNfc(std::string_view utf8) {
  // Quick check: text below U+0300 is always in NFC (no combining marks, nothing composes).
  bool simple = true;
  for (char ch : utf8) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0xCC) {  // lead bytes of U+0300 and above
      simple = false;
      break;
    }
  }
  if (simple) return std::string(utf8);

  std::vector<uint32_t> cps;
  cps.reserve(utf8.size());
  size_t pos = 0;
  while (pos < utf8.size()) {
    int32_t cp = DecodeUtf8(utf8, &pos);
    Decompose(cp < 0 ? 0xFFFD : static_cast<uint32_t>(cp), &cps);
  }
  // Canonical ordering: stable insertion sort of each run of non-starters by class.
  for (size_t i = 1; i < cps.size(); ++i) {
    uint8_t c = Ccc(cps[i]);
    if (c == 0) continue;
    size_t j = i;
    while (j > 0) {
      uint8_t prev = Ccc(cps[j - 1]);
      if (prev == 0 || prev <= c) break;
      std::swap(cps[j - 1], cps[j]);
      --j;
    }
  }
  // Canonical composition.
  std::vector<uint32_t> out;
  out.reserve(cps.size());
  size_t starter = SIZE_MAX;  // index in `out` of the last starter
  int last_ccc = -1;
  for (uint32_t cp : cps) {
    int c = Ccc(cp);
    if (starter != SIZE_MAX) {
      bool blocked = !out.empty() && out.size() - 1 != starter && last_ccc >= c;
      bool adjacent_starters = out.size() - 1 == starter;
      if (!blocked && (c != 0 || adjacent_starters)) {
        uint32_t composite = Compose(out[starter], cp);
        if (composite != 0) {
          out[starter] = composite;
          continue;
        }
      }
    }
    if (c == 0) {
      starter = out.size();
      last_ccc = -1;
    } else {
      last_ccc = c;
    }
    out.push_back(cp);
  }
  std::string result;
  result.reserve(utf8.size());
  for (uint32_t cp : out) AppendUtf8(&result, cp);
  return result;
}

const char* UnicodeDataVersion() { return kUnicodeVersion; }

}  // namespace detente::pattern
