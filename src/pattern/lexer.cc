// pattern/lexer.cc: the hand-written lexer for STIXPattern.g4. Tested by parser_test.cc.
#include "pattern/lexer.h"

#include <cstring>

#include "pattern/unicode.h"

namespace detente::pattern {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsBase64(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '+' || c == '/';
}

// The grammar's WS rule beyond ASCII.
bool IsUnicodeSpace(int32_t cp) {
  switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

struct Keyword {
  const char* text;
  Tok kind;
};
constexpr Keyword kKeywords[] = {
    {"AND", Tok::kAnd},
    {"OR", Tok::kOr},
    {"NOT", Tok::kNot},
    {"FOLLOWEDBY", Tok::kFollowedBy},
    {"LIKE", Tok::kLike},
    {"MATCHES", Tok::kMatches},
    {"ISSUPERSET", Tok::kIsSuperset},
    {"ISSUBSET", Tok::kIsSubset},
    {"EXISTS", Tok::kExists},
    {"LAST", Tok::kLast},
    {"IN", Tok::kIn},
    {"START", Tok::kStart},
    {"STOP", Tok::kStop},
    {"SECONDS", Tok::kSeconds},
    {"WITHIN", Tok::kWithin},
    {"REPEATS", Tok::kRepeats},
    {"TIMES", Tok::kTimes},
    {"true", Tok::kBool},
    {"false", Tok::kBool},
};

bool TwoDigitsIn(std::string_view s, size_t at, int lo, int hi) {
  if (!IsDigit(s[at]) || !IsDigit(s[at + 1])) return false;
  int v = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return v >= lo && v <= hi;
}

}  // namespace

bool IsTimestampLiteralText(std::string_view ts) {
  // 0123456789012345678
  // YYYY-MM-DDTHH:MM:SS
  if (ts.size() < 20) return false;
  for (int i = 0; i < 4; ++i) {
    if (!IsDigit(ts[i])) return false;
  }
  if (ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' || ts[13] != ':' || ts[16] != ':') return false;
  if (!TwoDigitsIn(ts, 5, 1, 12) || !TwoDigitsIn(ts, 8, 1, 31) || !TwoDigitsIn(ts, 11, 0, 23) ||
      !TwoDigitsIn(ts, 14, 0, 59) || !TwoDigitsIn(ts, 17, 0, 60)) {
    return false;
  }
  size_t i = 19;
  if (ts[i] == '.') {
    ++i;
    size_t digits = 0;
    while (i < ts.size() && IsDigit(ts[i])) ++i, ++digits;
    if (digits == 0) return false;
  }
  return i + 1 == ts.size() && ts[i] == 'Z';
}

std::string_view TokName(Tok kind) {
  switch (kind) {
    case Tok::kEnd:
      return "end of pattern";
    case Tok::kLBrack:
      return "'['";
    case Tok::kRBrack:
      return "']'";
    case Tok::kLParen:
      return "'('";
    case Tok::kRParen:
      return "')'";
    case Tok::kColon:
      return "':'";
    case Tok::kDot:
      return "'.'";
    case Tok::kComma:
      return "','";
    case Tok::kAsterisk:
      return "'*'";
    case Tok::kEq:
      return "'='";
    case Tok::kNeq:
      return "'!='";
    case Tok::kLt:
      return "'<'";
    case Tok::kLe:
      return "'<='";
    case Tok::kGt:
      return "'>'";
    case Tok::kGe:
      return "'>='";
    case Tok::kPlus:
      return "'+'";
    case Tok::kMinus:
      return "'-'";
    case Tok::kPower:
      return "'^'";
    case Tok::kDivide:
      return "'/'";
    case Tok::kIdent:
      return "an identifier";
    case Tok::kIdentHyphen:
      return "an identifier with '-'";
    case Tok::kString:
      return "a string literal";
    case Tok::kIntPos:
      return "an integer";
    case Tok::kIntNeg:
      return "a negative integer";
    case Tok::kFloatPos:
      return "a float";
    case Tok::kFloatNeg:
      return "a negative float";
    case Tok::kBool:
      return "a boolean";
    case Tok::kBinary:
      return "a binary literal";
    case Tok::kHex:
      return "a hex literal";
    case Tok::kTimestamp:
      return "a timestamp literal";
    case Tok::kAnd:
      return "AND";
    case Tok::kOr:
      return "OR";
    case Tok::kNot:
      return "NOT";
    case Tok::kFollowedBy:
      return "FOLLOWEDBY";
    case Tok::kLike:
      return "LIKE";
    case Tok::kMatches:
      return "MATCHES";
    case Tok::kIsSuperset:
      return "ISSUPERSET";
    case Tok::kIsSubset:
      return "ISSUBSET";
    case Tok::kExists:
      return "EXISTS";
    case Tok::kLast:
      return "LAST";
    case Tok::kIn:
      return "IN";
    case Tok::kStart:
      return "START";
    case Tok::kStop:
      return "STOP";
    case Tok::kSeconds:
      return "SECONDS";
    case Tok::kWithin:
      return "WITHIN";
    case Tok::kRepeats:
      return "REPEATS";
    case Tok::kTimes:
      return "TIMES";
  }
  return "?";
}

SourceLocation LocationOf(std::string_view text, uint32_t offset) {
  SourceLocation loc;
  loc.offset = offset;
  size_t end = offset < text.size() ? offset : text.size();
  for (size_t i = 0; i < end; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++loc.line;
      loc.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++loc.column;
    }
  }
  return loc;
}

base::Status ErrorAt(std::string_view text, uint32_t offset, std::string_view message) {
  SourceLocation loc = LocationOf(text, offset);
  std::string m = std::to_string(loc.line) + ":" + std::to_string(loc.column) + ": ";
  m.append(message);
  return base::InvalidArgumentError(std::move(m));
}

base::Status Lexer::SkipSpaceAndComments() {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
      ++pos_;
    } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
      size_t close = text_.find("*/", pos_ + 2);
      if (close == std::string_view::npos) return ErrorAt(text_, pos_, "unterminated comment");
      pos_ = static_cast<uint32_t>(close + 2);
    } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
      while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      size_t p = pos_;
      int32_t cp = DecodeUtf8(text_, &p);
      if (!IsUnicodeSpace(cp)) break;
      pos_ = static_cast<uint32_t>(p);
    } else {
      break;
    }
  }
  return base::OkStatus();
}

base::Status Lexer::LexQuoted(uint32_t start, Tok kind, Token* tok) {
  // pos_ is at the opening quote.
  uint32_t body = pos_ + 1;
  uint32_t i = body;
  while (true) {
    if (i >= text_.size()) return ErrorAt(text_, start, "unterminated string literal");
    char c = text_[i];
    if (c == '\'') break;
    if (c == '\\') {
      if (i + 1 < text_.size() && (text_[i + 1] == '\'' || text_[i + 1] == '\\')) {
        i += 2;
        continue;
      }
      return ErrorAt(text_, i, "invalid escape in string literal (only \\' and \\\\ are allowed)");
    }
    ++i;
  }
  std::string_view content = text_.substr(body, i - body);
  tok->kind = kind;
  tok->begin = start;
  tok->end = i + 1;
  pos_ = i + 1;
  switch (kind) {
    case Tok::kHex:
      if (content.size() % 2 != 0) {
        return ErrorAt(text_, start, "hex literal needs an even number of hex digits");
      }
      for (char c : content) {
        if (!IsHex(c)) return ErrorAt(text_, start, "hex literal may contain only hex digits");
      }
      break;
    case Tok::kBinary: {
      // (4 chars)* then 4 chars | 3 chars '=' | 2 chars '==': at least one group.
      size_t n = content.size();
      bool ok = n >= 4 && n % 4 == 0;
      for (size_t k = 0; ok && k < n; ++k) {
        char c = content[k];
        if (IsBase64(c)) continue;
        // '=' only as the last one or two characters, after at least two base64 characters.
        ok = c == '=' && (k == n - 1 || (k == n - 2 && content[n - 1] == '='));
      }
      if (!ok) return ErrorAt(text_, start, "binary literal must be padded base64");
      break;
    }
    case Tok::kTimestamp:
      if (!IsTimestampLiteralText(content)) {
        return ErrorAt(text_, start,
                       "invalid timestamp literal (expected t'YYYY-MM-DDTHH:MM:SS[.s+]Z')");
      }
      break;
    default:
      break;
  }
  return base::OkStatus();
}

void Lexer::LexNumber(Token* tok) {
  // At '+', '-', a digit, or '.' followed by a digit (the caller checked a number follows).
  uint32_t start = pos_;
  bool negative = false;
  if (text_[pos_] == '+' || text_[pos_] == '-') {
    negative = text_[pos_] == '-';
    ++pos_;
  }
  uint32_t digits_start = pos_;
  while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
  if (pos_ + 1 < text_.size() && text_[pos_] == '.' && IsDigit(text_[pos_ + 1])) {
    ++pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    tok->kind = negative ? Tok::kFloatNeg : Tok::kFloatPos;
  } else {
    // '0' | [1-9][0-9]*: a leading zero ends the integer.
    if (text_[digits_start] == '0') pos_ = digits_start + 1;
    tok->kind = negative ? Tok::kIntNeg : Tok::kIntPos;
  }
  tok->begin = start;
  tok->end = pos_;
}

base::Status Lexer::Next(Token* tok) {
  RETURN_IF_ERROR(SkipSpaceAndComments());
  tok->begin = pos_;
  if (pos_ >= text_.size()) {
    tok->kind = Tok::kEnd;
    tok->end = pos_;
    return base::OkStatus();
  }
  uint32_t start = pos_;
  char c = text_[pos_];
  auto next = [&](size_t i) { return pos_ + i < text_.size() ? text_[pos_ + i] : '\0'; };
  auto single = [&](Tok kind, uint32_t len) {
    tok->kind = kind;
    tok->begin = start;
    pos_ += len;
    tok->end = pos_;
    return base::OkStatus();
  };
  if (IsAlpha(c)) {
    if ((c == 'h' || c == 'b' || c == 't') && next(1) == '\'') {
      ++pos_;
      return LexQuoted(start,
                       c == 'h'   ? Tok::kHex
                       : c == 'b' ? Tok::kBinary
                                  : Tok::kTimestamp,
                       tok);
    }
    uint32_t i = pos_ + 1;
    while (i < text_.size() && (IsAlpha(text_[i]) || IsDigit(text_[i]))) ++i;
    bool hyphen = false;
    while (i < text_.size() && (IsAlpha(text_[i]) || IsDigit(text_[i]) || text_[i] == '-')) {
      hyphen |= text_[i] == '-';
      ++i;
    }
    tok->begin = start;
    tok->end = i;
    pos_ = i;
    tok->kind = hyphen ? Tok::kIdentHyphen : Tok::kIdent;
    if (!hyphen) {
      std::string_view word = text_.substr(start, i - start);
      for (const Keyword& k : kKeywords) {
        if (word == k.text) {
          tok->kind = k.kind;
          break;
        }
      }
    }
    return base::OkStatus();
  }
  if (IsDigit(c) ||
      ((c == '+' || c == '-') && (IsDigit(next(1)) || (next(1) == '.' && IsDigit(next(2))))) ||
      (c == '.' && IsDigit(next(1)))) {
    LexNumber(tok);
    return base::OkStatus();
  }
  switch (c) {
    case '\'':
      return LexQuoted(start, Tok::kString, tok);
    case '[':
      return single(Tok::kLBrack, 1);
    case ']':
      return single(Tok::kRBrack, 1);
    case '(':
      return single(Tok::kLParen, 1);
    case ')':
      return single(Tok::kRParen, 1);
    case ':':
      return single(Tok::kColon, 1);
    case '.':
      return single(Tok::kDot, 1);
    case ',':
      return single(Tok::kComma, 1);
    case '*':
      return single(Tok::kAsterisk, 1);
    case '+':
      return single(Tok::kPlus, 1);
    case '-':
      return single(Tok::kMinus, 1);
    case '^':
      return single(Tok::kPower, 1);
    case '/':
      return single(Tok::kDivide, 1);
    case '=':
      return next(1) == '=' ? single(Tok::kEq, 2) : single(Tok::kEq, 1);
    case '!':
      if (next(1) == '=') return single(Tok::kNeq, 2);
      break;
    case '<':
      if (next(1) == '>') return single(Tok::kNeq, 2);
      if (next(1) == '=') return single(Tok::kLe, 2);
      return single(Tok::kLt, 1);
    case '>':
      if (next(1) == '=') return single(Tok::kGe, 2);
      return single(Tok::kGt, 1);
    default:
      break;
  }
  size_t p = pos_;
  int32_t cp = DecodeUtf8(text_, &p);
  if (cp < 0) return ErrorAt(text_, start, "invalid UTF-8");
  std::string what = "unexpected character '";
  what.append(text_.substr(start, p - start));
  what.append("'");
  return ErrorAt(text_, start, what);
}

std::string UnescapeString(std::string_view quoted) {
  std::string out;
  std::string_view body = quoted.substr(1, quoted.size() - 2);
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\' && i + 1 < body.size()) ++i;
    out.push_back(body[i]);
  }
  return out;
}

}  // namespace detente::pattern
