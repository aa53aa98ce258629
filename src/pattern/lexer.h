// pattern/lexer.h: the tokens of the STIX patterning grammar (STIXPattern.g4), internal.
//
// The lexer works on byte offsets into the pattern text and never copies: a token is a kind
// plus a [begin, end) range. Skips whitespace (ASCII and the Unicode spaces the grammar
// lists), /* */ and // comments. Keywords are upper-case only; true/false lower-case only.
//
// Thread-safety: a Lexer is used by one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "pattern/ast.h"

namespace detente::pattern {

enum class Tok : uint8_t {
  kEnd,
  kLBrack,
  kRBrack,
  kLParen,
  kRParen,
  kColon,
  kDot,
  kComma,
  kAsterisk,
  kEq,
  kNeq,
  kLt,
  kLe,
  kGt,
  kGe,
  kPlus,
  kMinus,
  kPower,
  kDivide,
  kIdent,        // [a-zA-Z_][a-zA-Z0-9_]*
  kIdentHyphen,  // with at least one '-'
  kString,
  kIntPos,
  kIntNeg,
  kFloatPos,
  kFloatNeg,
  kBool,
  kBinary,
  kHex,
  kTimestamp,
  kAnd,
  kOr,
  kNot,
  kFollowedBy,
  kLike,
  kMatches,
  kIsSuperset,
  kIsSubset,
  kExists,
  kLast,
  kIn,
  kStart,
  kStop,
  kSeconds,
  kWithin,
  kRepeats,
  kTimes,
};

struct Token {
  Tok kind = Tok::kEnd;
  uint32_t begin = 0;
  uint32_t end = 0;
};

// A short description of a token kind for error messages, e.g. "']'" or "a string literal".
std::string_view TokName(Tok kind);

// The 1-based line and column (in code points) of byte `offset` of `text`.
SourceLocation LocationOf(std::string_view text, uint32_t offset);

// "L:C: message" for byte `offset` of `text`.
base::Status ErrorAt(std::string_view text, uint32_t offset, std::string_view message);

class Lexer {
 public:
  // `text` must outlive the Lexer. REQUIRES: text.size() < 2^32.
  explicit Lexer(std::string_view text) : text_(text) {}

  // Reads the next token into *tok. Errors: kInvalidArgument "L:C: ..." for characters the
  // grammar does not allow, unterminated strings or comments, bad escapes, malformed
  // h'', b'' or t'' literals.
  base::Status Next(Token* tok);

  std::string_view text() const { return text_; }

 private:
  base::Status SkipSpaceAndComments();
  base::Status LexQuoted(uint32_t start, Tok kind, Token* tok);
  void LexNumber(Token* tok);

  std::string_view text_;
  uint32_t pos_ = 0;
};

// Unescapes the body of a string literal token (including its quotes): \' -> ', \\ -> \.
std::string UnescapeString(std::string_view quoted);

// True when `ts` (the text between t'...' quotes) has the grammar's timestamp shape:
// YYYY-MM-DDTHH:MM:SS[.frac]Z with month 01-12, day 01-31, hour 00-23, minute 00-59,
// second 00-60 (the calendar is not checked).
bool IsTimestampLiteralText(std::string_view ts);

}  // namespace detente::pattern
