// base/json.cc: RFC 8785 JSON Canonicalization Scheme. Tested by json_test.cc (RFC 8785
// vectors, error table) and number_format_test.cc (100,000 numbers formatted by node).
// The format and our strictness choices are described in docs/formats/canonical-json.md.
//
// Two passes, neither recursive on the input's nesting depth:
//  1. Parse: a state machine with an explicit stack of open containers builds a flat node array
//     (16 bytes per value). Strings without escapes point into the input; decoded strings go
//     to a pool. When an object closes its member keys are sorted by UTF-16 code units and
//     adjacent equal keys are reported as duplicates.
//  2. Write: an explicit stack walks the nodes and emits the canonical text.
// Line and column are computed from the byte offset only when an error is reported.
#include "base/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "base/check.h"

namespace detente::base {
namespace {

// Offsets and lengths are 32-bit to keep a node at 16 bytes.
constexpr size_t kMaxJsonSize = std::numeric_limits<uint32_t>::max() / 2;  // 2 GiB
// Error messages quote at most this many bytes of a key or token.
constexpr size_t kMaxQuoted = 40;

enum class Kind : uint8_t {
  kNull,
  kFalse,
  kTrue,
  kNumber,       // bits = the double
  kInputString,  // [offset, offset+length) of the input: no escapes, already valid UTF-8
  kPoolString,   // [offset, offset+length) of the decoded-string pool
  kArray,        // children [first, first+count)
  kObject,       // children [first, first+count) are key nodes, sorted; value = key + 1
};

struct Span {
  uint32_t offset;
  uint32_t length;
};
struct Kids {
  uint32_t first;
  uint32_t count;
};

struct Node {
  Kind kind;
  uint32_t where;  // byte offset of the value in the input, for error messages
  union {
    Span str;
    Kids kids;
    double number;
  };
};
static_assert(sizeof(Node) == 16, "keep nodes small: memory is ~16 bytes per JSON value");

// ---- UTF-8 -------------------------------------------------------------------------------

// Decodes one UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
// Returns the sequence length (1-4) and sets *cp, or 0 when the bytes are not valid UTF-8.
inline int DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  auto cont = [&](size_t k) -> int {
    if (i + k >= s.size()) return -1;
    const auto b = static_cast<uint8_t>(s[i + k]);
    return (b & 0xC0) == 0x80 ? (b & 0x3F) : -1;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    int c1 = cont(1);
    if (c1 < 0) return 0;
    *cp = ((b0 & 0x1Fu) << 6) | static_cast<uint32_t>(c1);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    int c1 = cont(1), c2 = c1 < 0 ? -1 : cont(2);
    if (c1 < 0 || c2 < 0) return 0;
    uint32_t v =
        ((b0 & 0x0Fu) << 12) | (static_cast<uint32_t>(c1) << 6) | static_cast<uint32_t>(c2);
    if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF)) return 0;  // overlong or surrogate
    *cp = v;
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    int c1 = cont(1), c2 = c1 < 0 ? -1 : cont(2), c3 = c2 < 0 ? -1 : cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return 0;
    uint32_t v = ((b0 & 0x07u) << 18) | (static_cast<uint32_t>(c1) << 12) |
                 (static_cast<uint32_t>(c2) << 6) | static_cast<uint32_t>(c3);
    if (v < 0x10000 || v > 0x10FFFF) return 0;  // overlong or beyond Unicode
    *cp = v;
    return 4;
  }
  return 0;  // continuation byte, C0/C1 (always overlong), F5-FF
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The value of hex digit `c`, or -1.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ---- UTF-16 key order ----------------------------------------------------------------------

// RFC 8785 section 3.2.3 sorts keys by their UTF-16 code units. UTF-8 byte order equals code
// point order, which agrees with UTF-16 order except that U+E000..U+FFFF (lead bytes EE, EF)
// sort AFTER supplementary characters (lead bytes F0-F4, UTF-16 surrogates D800-DBFF).
bool Utf16LessImpl(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  if (i == n) return a.size() < b.size();
  // Back up to the first byte of the code point that differs (the prefix is shared).
  size_t s = i;
  while (s > 0 && (static_cast<uint8_t>(a[s]) & 0xC0) == 0x80) --s;
  const auto la = static_cast<uint8_t>(a[s]);
  const auto lb = static_cast<uint8_t>(b[s]);
  const bool a_high_bmp = la == 0xEE || la == 0xEF;
  const bool b_high_bmp = lb == 0xEE || lb == 0xEF;
  if (a_high_bmp && lb >= 0xF0) return false;  // U+E000..FFFF > supplementary
  if (b_high_bmp && la >= 0xF0) return true;
  return static_cast<uint8_t>(a[i]) < static_cast<uint8_t>(b[i]);
}

// ---- Output --------------------------------------------------------------------------------

constexpr char kHex[] = "0123456789abcdef";

// SWAR ("SIMD within a register") tests on 8 bytes at a time, for the string fast paths.
// Each returns non-zero iff some byte matches (false positives only in bytes after a true
// match, which callers never rely on: they re-examine a flagged block byte by byte).
constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;
inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline uint64_t HasZeroByte(uint64_t v) { return (v - kOnes) & ~v & kHighs; }
// Bytes < 0x20 (control), '"' or '\\': the bytes a JSON string writer must escape.
inline uint64_t HasEscapable(uint64_t v) {
  return ((v - kOnes * 0x20) & ~v & kHighs) | HasZeroByte(v ^ (kOnes * '"')) |
         HasZeroByte(v ^ (kOnes * '\\'));
}
// The same plus non-ASCII bytes: what the parser cannot skip without a closer look.
inline uint64_t HasStringSpecial(uint64_t v) { return HasEscapable(v) | (v & kHighs); }

// Bytes that need escaping: '"', '\\' and C0 controls (RFC 8785 section 3.2.2.2).
inline bool NeedsEscape(uint8_t c) { return c < 0x20 || c == '"' || c == '\\'; }

void AppendEscaped(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  for (size_t i = 0; i < s.size(); ++i) {
    while (i + 8 <= s.size() && HasEscapable(Load64(s.data() + i)) == 0) i += 8;
    if (i >= s.size()) break;
    const auto c = static_cast<uint8_t>(s[i]);
    if (!NeedsEscape(c)) continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

// ECMAScript Number::toString (ECMA-262 section 6.1.6.1.20) for finite, non-zero, positive x.
// std::to_chars without a precision gives the shortest digits that round-trip, choosing the
// closest when several exist: the same (s, k, n) the ECMAScript algorithm defines.
void AppendPositiveNumber(std::string* out, double x) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::scientific);
  DETENTE_DCHECK(r.ec == std::errc());
  // buf is "d[.ddd]e[+-]XX".
  const char* e = static_cast<const char*>(std::memchr(buf, 'e', static_cast<size_t>(r.ptr - buf)));
  DETENTE_DCHECK(e != nullptr);
  char digits[20];
  int k = 0;
  for (const char* p = buf; p < e; ++p) {
    if (*p != '.') digits[k++] = *p;
  }
  int exp10 = 0;
  std::from_chars(e + (e[1] == '+' ? 2 : 1), r.ptr, exp10);
  const int n = exp10 + 1;  // x = 0.digits * 10^n
  if (k <= n && n <= 21) {
    out->append(digits, static_cast<size_t>(k));
    out->append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out->append(digits, static_cast<size_t>(n));
    out->push_back('.');
    out->append(digits + n, static_cast<size_t>(k - n));
  } else if (-6 < n && n <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-n), '0');
    out->append(digits, static_cast<size_t>(k));
  } else {
    out->push_back(digits[0]);
    if (k > 1) {
      out->push_back('.');
      out->append(digits + 1, static_cast<size_t>(k - 1));
    }
    out->push_back('e');
    out->push_back(n - 1 < 0 ? '-' : '+');
    char eb[8];
    auto er = std::to_chars(eb, eb + sizeof(eb), n - 1 < 0 ? 1 - n : n - 1);
    out->append(eb, er.ptr);
  }
}

void AppendNumber(std::string* out, double x) {
  if (x == 0) {  // both zeros
    out->push_back('0');
    return;
  }
  if (!std::isfinite(x)) {  // not reachable from the parser; see the contract in json.h
    out->append("null");
    return;
  }
  if (x < 0) {
    out->push_back('-');
    x = -x;
  }
  AppendPositiveNumber(out, x);
}

// ---- Parser --------------------------------------------------------------------------------

class Canonicalizer {
 public:
  explicit Canonicalizer(std::string_view text) : text_(text) {}

  Result<std::string> Run() {
    if (text_.size() > kMaxJsonSize) {
      return InvalidArgumentError("json: input of " + std::to_string(text_.size()) +
                                  " bytes exceeds the limit of " + std::to_string(kMaxJsonSize));
    }
    nodes_.reserve(text_.size() / 8 + 4);
    RETURN_IF_ERROR(Parse());
    std::string out;
    out.reserve(text_.size());
    Write(&out);
    return out;
  }

 private:
  struct Frame {
    uint32_t node;
    bool is_object;
  };
  struct Key {
    std::string_view text;  // decoded key
    uint32_t node;
  };

  // --- errors ---

  Status ErrorAt(size_t offset, const std::string& what) const {
    size_t line = 1, line_start = 0;
    const size_t end = std::min(offset, text_.size());
    for (size_t i = 0; i < end; ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    return InvalidArgumentError("json: line " + std::to_string(line) + ", column " +
                                std::to_string(offset - line_start + 1) + ": " + what);
  }

  // A short printable rendering of the byte at `offset` (or "end of input").
  std::string Found(size_t offset) const {
    if (offset >= text_.size()) return "end of input";
    const auto c = static_cast<uint8_t>(text_[offset]);
    if (c >= 0x21 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
    std::string s = "byte 0x";
    s += kHex[c >> 4];
    s += kHex[c & 0xF];
    return s;
  }

  // A key rendered for an error message, escaped and truncated.
  static std::string Quote(std::string_view key) {
    std::string out;
    const bool cut = key.size() > kMaxQuoted;
    if (cut) {
      size_t n = kMaxQuoted;
      while (n > 0 && (static_cast<uint8_t>(key[n]) & 0xC0) == 0x80) --n;  // keep UTF-8 whole
      key = key.substr(0, n);
    }
    AppendEscaped(&out, key);
    if (cut) out.insert(out.size() - 1, "...");
    return out;
  }

  // --- lexing helpers ---

  void SkipWhitespace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
      ++pos_;
    }
  }

  uint32_t AddNode(Kind kind, size_t where) {
    Node n;
    n.kind = kind;
    n.where = static_cast<uint32_t>(where);
    n.kids = {0, 0};
    nodes_.push_back(n);
    return static_cast<uint32_t>(nodes_.size() - 1);
  }

  std::string_view StringOf(const Node& n) const {
    const std::string_view base = n.kind == Kind::kInputString ? text_ : std::string_view(pool_);
    return base.substr(n.str.offset, n.str.length);
  }

  // Reads 4 hex digits at pos_ (after "\u").
  Result<uint32_t> Hex4() {
    if (text_.size() - pos_ < 4) return ErrorAt(pos_, "truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int d = HexDigitValue(text_[pos_]);
      if (d < 0) return ErrorAt(pos_, "bad hex digit " + Found(pos_) + " in \\u escape");
      v = (v << 4) | static_cast<uint32_t>(d);
      ++pos_;
    }
    return v;
  }

  // Parses the string literal at pos_ (which is '"') into a new node.
  Result<uint32_t> ParseString() {
    const size_t start = pos_;
    ++pos_;
    const size_t content = pos_;
    // Fast scan: plain bytes up to the closing quote or the first escape.
    while (true) {
      while (pos_ + 8 <= text_.size() && HasStringSpecial(Load64(text_.data() + pos_)) == 0) {
        pos_ += 8;
      }
      if (pos_ >= text_.size()) break;
      const auto c = static_cast<uint8_t>(text_[pos_]);
      if (c == '"' || c == '\\' || c < 0x20) break;
      if (c < 0x80) {
        ++pos_;
        continue;
      }
      uint32_t cp;
      const int len = DecodeUtf8(text_, pos_, &cp);
      if (len == 0) return ErrorAt(pos_, "invalid UTF-8 in string");
      pos_ += static_cast<size_t>(len);
    }
    if (pos_ >= text_.size()) return ErrorAt(start, "unterminated string");
    if (text_[pos_] == '"') {
      const uint32_t id = AddNode(Kind::kInputString, start);
      nodes_[id].str = {static_cast<uint32_t>(content), static_cast<uint32_t>(pos_ - content)};
      ++pos_;
      return id;
    }
    // Slow path: decode into the pool.
    const size_t pool_start = pool_.size();
    pool_.append(text_.data() + content, pos_ - content);
    while (true) {
      if (pos_ >= text_.size()) return ErrorAt(start, "unterminated string");
      const auto c = static_cast<uint8_t>(text_[pos_]);
      if (c == '"') break;
      if (c < 0x20) {
        return ErrorAt(pos_, "unescaped control character " + Found(pos_) + " in string");
      }
      if (c == '\\') {
        const size_t esc = pos_;
        ++pos_;
        if (pos_ >= text_.size()) return ErrorAt(start, "unterminated string");
        const char e = text_[pos_++];
        switch (e) {
          case '"':
            pool_ += '"';
            break;
          case '\\':
            pool_ += '\\';
            break;
          case '/':
            pool_ += '/';
            break;
          case 'b':
            pool_ += '\b';
            break;
          case 'f':
            pool_ += '\f';
            break;
          case 'n':
            pool_ += '\n';
            break;
          case 'r':
            pool_ += '\r';
            break;
          case 't':
            pool_ += '\t';
            break;
          case 'u': {
            ASSIGN_OR_RETURN(uint32_t u, Hex4());
            if (u >= 0xDC00 && u <= 0xDFFF) {
              return ErrorAt(esc, "lone low surrogate \\u" + std::string(text_.substr(esc + 2, 4)));
            }
            if (u >= 0xD800 && u <= 0xDBFF) {
              if (text_.size() - pos_ < 2 || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
                return ErrorAt(esc, "lone high surrogate \\u" +
                                        std::string(text_.substr(esc + 2, 4)) +
                                        " (not followed by a \\u low surrogate)");
              }
              pos_ += 2;
              ASSIGN_OR_RETURN(uint32_t lo, Hex4());
              if (lo < 0xDC00 || lo > 0xDFFF) {
                return ErrorAt(
                    esc, "lone high surrogate \\u" + std::string(text_.substr(esc + 2, 4)) +
                             " (followed by \\u" + std::string(text_.substr(pos_ - 4, 4)) + ")");
              }
              u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
            AppendUtf8(&pool_, u);
            break;
          }
          default:
            return ErrorAt(esc,
                           "invalid escape '\\" +
                               (static_cast<uint8_t>(e) >= 0x21 && static_cast<uint8_t>(e) < 0x7F
                                    ? std::string(1, e)
                                    : Found(pos_ - 1)) +
                               "' in string");
        }
        continue;
      }
      if (c < 0x80) {
        pool_ += static_cast<char>(c);
        ++pos_;
        continue;
      }
      uint32_t cp;
      const int len = DecodeUtf8(text_, pos_, &cp);
      if (len == 0) return ErrorAt(pos_, "invalid UTF-8 in string");
      pool_.append(text_.data() + pos_, static_cast<size_t>(len));
      pos_ += static_cast<size_t>(len);
    }
    ++pos_;  // closing quote
    if (pool_.size() > std::numeric_limits<uint32_t>::max()) {
      return ErrorAt(start, "decoded strings exceed 4 GiB");
    }
    const uint32_t id = AddNode(Kind::kPoolString, start);
    nodes_[id].str = {static_cast<uint32_t>(pool_start),
                      static_cast<uint32_t>(pool_.size() - pool_start)};
    return id;
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  // Parses the number at pos_ (RFC 8259 section 6 grammar) into a new node.
  Result<uint32_t> ParseNumber() {
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    if (pos_ >= text_.size() || !IsDigit(text_[pos_])) {
      return ErrorAt(pos_, "expected a digit in number, found " + Found(pos_));
    }
    if (text_[pos_] == '0') {
      ++pos_;
      if (pos_ < text_.size() && IsDigit(text_[pos_])) {
        return ErrorAt(start, "leading zero in number");
      }
    } else {
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) {
        return ErrorAt(pos_, "expected a digit after '.' in number, found " + Found(pos_));
      }
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) {
        return ErrorAt(pos_, "expected a digit in exponent, found " + Found(pos_));
      }
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    double value = 0;
    const auto r = std::from_chars(text_.data() + start, text_.data() + pos_, value);
    if (r.ec == std::errc::result_out_of_range) {
      std::string lit(text_.substr(start, std::min(pos_ - start, kMaxQuoted)));
      if (pos_ - start > kMaxQuoted) lit += "...";
      return ErrorAt(start, "number " + lit +
                                " is outside the range of a double (overflow, or underflow to 0)");
    }
    // The grammar was checked above, so from_chars should consume the whole literal; if the
    // library ever disagrees, refuse the input rather than trust a partial conversion.
    if (r.ec != std::errc() || r.ptr != text_.data() + pos_) {
      return ErrorAt(start, "number could not be converted to a double");
    }
    const uint32_t id = AddNode(Kind::kNumber, start);
    nodes_[id].number = value;
    return id;
  }

  Result<uint32_t> ParseLiteral(std::string_view word, Kind kind) {
    if (text_.substr(pos_, word.size()) != word) {
      // Name the whole bad token (up to a delimiter) to make the message useful.
      size_t end = pos_;
      while (end < text_.size() && end - pos_ < kMaxQuoted &&
             std::strchr(" \t\r\n,:[]{}\"", text_[end]) == nullptr) {
        ++end;
      }
      return ErrorAt(pos_, "invalid literal '" + std::string(text_.substr(pos_, end - pos_)) +
                               "' (expected " + std::string(word) + ")");
    }
    const uint32_t id = AddNode(kind, pos_);
    pos_ += word.size();
    return id;
  }

  // Parses "key" ':' at pos_ (after '{' or ',') and records the key in the open object.
  Status ParseMemberKey() {
    SkipWhitespace();
    if (pos_ >= text_.size() || text_[pos_] != '"') {
      return ErrorAt(pos_, "expected a string key, found " + Found(pos_));
    }
    ASSIGN_OR_RETURN(uint32_t key, ParseString());
    children_[stack_.size() - 1].push_back(key);
    SkipWhitespace();
    if (pos_ >= text_.size() || text_[pos_] != ':') {
      return ErrorAt(pos_, "expected ':' after object key, found " + Found(pos_));
    }
    ++pos_;
    return OkStatus();
  }

  // Closes the innermost container: sorts object keys, rejects duplicates, and moves its
  // children to the shared array.
  Status CloseContainer() {
    const Frame f = stack_.back();
    std::vector<uint32_t>& kids = children_[stack_.size() - 1];
    if (f.is_object && kids.size() > 1) {
      keys_.clear();
      for (uint32_t k : kids) keys_.push_back(Key{StringOf(nodes_[k]), k});
      auto less = [](const Key& a, const Key& b) { return Utf16LessImpl(a.text, b.text); };
      // Canonical input (the verify path) is already sorted: skip the sort then.
      if (!std::is_sorted(keys_.begin(), keys_.end(), less)) {
        std::sort(keys_.begin(), keys_.end(), less);
      }
      for (size_t i = 0; i < keys_.size(); ++i) {
        kids[i] = keys_[i].node;
        if (i > 0 && keys_[i - 1].text == keys_[i].text) {
          // Report the later occurrence: node indices follow input order.
          const uint32_t later = std::max(keys_[i - 1].node, keys_[i].node);
          return ErrorAt(nodes_[later].where, "duplicate object key " + Quote(keys_[i].text));
        }
      }
    }
    Node& n = nodes_[f.node];
    n.kids = {static_cast<uint32_t>(all_children_.size()), static_cast<uint32_t>(kids.size())};
    all_children_.insert(all_children_.end(), kids.begin(), kids.end());
    kids.clear();
    stack_.pop_back();
    return OkStatus();
  }

  Status OpenContainer(bool is_object) {
    if (stack_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
      return ErrorAt(pos_, "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    const uint32_t id = AddNode(is_object ? Kind::kObject : Kind::kArray, pos_);
    stack_.push_back(Frame{id, is_object});
    if (children_.size() < stack_.size()) children_.emplace_back();
    ++pos_;
    return OkStatus();
  }

  Status Parse() {
    SkipWhitespace();
    if (pos_ >= text_.size()) {
      return ErrorAt(pos_, text_.empty() ? "empty input" : "no value (only whitespace)");
    }
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") {
      return ErrorAt(0, "byte order mark (U+FEFF) before the value");
    }
    // Each turn of the loop parses one value, then consumes what follows it: ',' (and, in an
    // object, the next key and ':'), or closing brackets.
    while (true) {
      SkipWhitespace();
      if (pos_ >= text_.size()) return ErrorAt(pos_, "expected a value, found end of input");
      uint32_t value = 0;
      bool opened = false;
      switch (text_[pos_]) {
        case '{':
          RETURN_IF_ERROR(OpenContainer(true));
          SkipWhitespace();
          if (pos_ < text_.size() && text_[pos_] == '}') {
            ++pos_;
            value = stack_.back().node;
            RETURN_IF_ERROR(CloseContainer());
          } else {
            RETURN_IF_ERROR(ParseMemberKey());
            opened = true;
          }
          break;
        case '[':
          RETURN_IF_ERROR(OpenContainer(false));
          SkipWhitespace();
          if (pos_ < text_.size() && text_[pos_] == ']') {
            ++pos_;
            value = stack_.back().node;
            RETURN_IF_ERROR(CloseContainer());
          } else {
            opened = true;
          }
          break;
        case '"': {
          ASSIGN_OR_RETURN(value, ParseString());
          break;
        }
        case 't': {
          ASSIGN_OR_RETURN(value, ParseLiteral("true", Kind::kTrue));
          break;
        }
        case 'f': {
          ASSIGN_OR_RETURN(value, ParseLiteral("false", Kind::kFalse));
          break;
        }
        case 'n': {
          ASSIGN_OR_RETURN(value, ParseLiteral("null", Kind::kNull));
          break;
        }
        default:
          if (text_[pos_] == '-' || IsDigit(text_[pos_])) {
            ASSIGN_OR_RETURN(value, ParseNumber());
          } else {
            return ErrorAt(pos_, "expected a value, found " + Found(pos_));
          }
      }
      if (opened) continue;  // parse the container's first element next

      // `value` is complete: attach it and consume separators and closing brackets.
      while (true) {
        if (stack_.empty()) {
          SkipWhitespace();
          if (pos_ != text_.size()) {
            return ErrorAt(pos_, "unexpected " + Found(pos_) + " after the JSON value");
          }
          return OkStatus();
        }
        const Frame top = stack_.back();
        if (!top.is_object) children_[stack_.size() - 1].push_back(value);
        SkipWhitespace();
        const char close = top.is_object ? '}' : ']';
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          if (top.is_object) RETURN_IF_ERROR(ParseMemberKey());
          break;  // next value
        }
        if (pos_ < text_.size() && text_[pos_] == close) {
          ++pos_;
          value = top.node;
          RETURN_IF_ERROR(CloseContainer());
          continue;  // the closed container is a value of its parent
        }
        return ErrorAt(pos_, std::string("expected ',' or '") + close + "', found " + Found(pos_));
      }
    }
  }

  // --- writer ---

  void WriteScalar(std::string* out, const Node& n) const {
    switch (n.kind) {
      case Kind::kNull:
        out->append("null");
        break;
      case Kind::kFalse:
        out->append("false");
        break;
      case Kind::kTrue:
        out->append("true");
        break;
      case Kind::kNumber:
        AppendNumber(out, n.number);
        break;
      case Kind::kInputString:
      case Kind::kPoolString:
        AppendEscaped(out, StringOf(n));
        break;
      case Kind::kArray:
      case Kind::kObject:
        DETENTE_CHECK(false && "containers are written by Write()");
    }
  }

  void Write(std::string* out) const {
    struct WriteFrame {
      uint32_t node;
      uint32_t next;  // index of the next child to write
    };
    std::vector<WriteFrame> stack;
    // Writes node `id`: scalars at once, containers open a frame.
    auto begin = [&](uint32_t id) {
      const Node& n = nodes_[id];
      if (n.kind == Kind::kArray || n.kind == Kind::kObject) {
        out->push_back(n.kind == Kind::kArray ? '[' : '{');
        stack.push_back(WriteFrame{id, 0});
      } else {
        WriteScalar(out, n);
      }
    };
    begin(0);
    while (!stack.empty()) {
      WriteFrame& f = stack.back();
      const Node& n = nodes_[f.node];
      if (f.next == n.kids.count) {
        out->push_back(n.kind == Kind::kArray ? ']' : '}');
        stack.pop_back();
        continue;
      }
      if (f.next > 0) out->push_back(',');
      const uint32_t child = all_children_[n.kids.first + f.next];
      ++f.next;  // before begin(): it may grow `stack` and invalidate `f`
      if (n.kind == Kind::kObject) {
        AppendEscaped(out, StringOf(nodes_[child]));
        out->push_back(':');
        begin(child + 1);
      } else {
        begin(child);
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::vector<Node> nodes_;
  std::string pool_;
  std::vector<uint32_t> all_children_;
  std::vector<Frame> stack_;
  // children_[d]: the children collected so far by the open container at depth d (reused).
  std::vector<std::vector<uint32_t>> children_;
  std::vector<Key> keys_;  // scratch for sorting one object's keys
};

}  // namespace

Result<std::string> CanonicalizeJson(std::string_view json) { return Canonicalizer(json).Run(); }

std::string FormatEcmaScriptNumber(double x) {
  std::string out;
  AppendNumber(&out, x);
  return out;
}

void AppendJsonString(std::string* out, std::string_view utf8) { AppendEscaped(out, utf8); }

bool JsonKeyLess(std::string_view a, std::string_view b) { return Utf16LessImpl(a, b); }

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    uint32_t cp;
    const int len = DecodeUtf8(s, i, &cp);
    if (len == 0) return false;
    i += static_cast<size_t>(len);
  }
  return true;
}

}  // namespace detente::base
