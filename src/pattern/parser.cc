// pattern/parser.cc: Parse(): an operator-precedence (shunting-yard) parser with explicit
// operand/operator/marker stacks, so that input nesting never turns into C++ recursion.
// Tested by parser_test.cc.
//
// Grammar (STIXPattern.g4), loosest to tightest:
//   pattern      := obs_expr EOF
//   obs_expr     := obs_expr FOLLOWEDBY obs_expr | obs_expr OR obs_expr | obs_expr AND obs_expr
//                 | '[' cmp_expr ']' qualifier* | '(' obs_expr ')' qualifier*
//   cmp_expr     := cmp_expr OR cmp_expr | cmp_expr AND cmp_expr | '(' cmp_expr ')' | prop_test
//   prop_test    := path NOT? op literal | NOT? EXISTS path
// All binary operators are left-associative.
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <utility>

#include "base/encoding.h"
#include "pattern/lexer.h"
#include "pattern/pattern.h"
#include "pattern/unicode.h"

namespace detente::pattern {

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options)
      : text_(text), options_(options), lexer_(text) {
    pattern_.version_ = options.version;
  }

  base::Result<Pattern> Run();

 private:
  enum class MarkerKind { kObsParen, kBracket, kCmpParen };
  struct Marker {
    MarkerKind kind;
    size_t operand_base;
    size_t op_base;
    uint32_t offset;
    SourceLocation location;
  };
  struct PendingOp {
    int precedence;
    uint32_t offset;
  };

  base::Status Advance() { return lexer_.Next(&tok_); }
  base::Status Error(std::string_view message) const { return ErrorAt(text_, tok_.begin, message); }
  base::Status Expected(std::string_view what) const;
  // The location of byte `offset`, computed incrementally. REQUIRES: offsets never decrease
  // between calls (the parser asks in source order).
  SourceLocation Loc(uint32_t offset);
  std::string_view TokText() const { return text_.substr(tok_.begin, tok_.end - tok_.begin); }

  base::Status ParseQualifiers(ObservationNode* node);
  base::Status ParsePropTest(uint32_t* test_index);
  base::Status ParsePath(ObjectPath* path);
  base::Status ParseLiteral(bool allow_bool, Literal* out);
  base::Status ParseStartStopLiteral(Literal* out);

  void ReduceObs(size_t op_base, int min_precedence);
  base::Status CheckTreeDepth() const;
  void ReduceCmp(size_t op_base, int min_precedence);

  std::string_view text_;
  ParseOptions options_;
  Lexer lexer_;
  Token tok_;
  Pattern pattern_;

  SourceLocation loc_;  // of byte loc_.offset
  std::vector<Marker> markers_;
  std::vector<uint32_t> obs_operands_;
  std::vector<PendingOp> obs_ops_;  // precedence: 1 FOLLOWEDBY, 2 OR, 3 AND
  std::vector<uint32_t> cmp_operands_;
  std::vector<PendingOp> cmp_ops_;  // precedence: 1 OR, 2 AND
};

namespace {

ObservationKind ObsKindFor(int precedence) {
  return precedence == 1   ? ObservationKind::kFollowedBy
         : precedence == 2 ? ObservationKind::kOr
                           : ObservationKind::kAnd;
}

int ObsPrecedence(Tok t) {
  switch (t) {
    case Tok::kFollowedBy:
      return 1;
    case Tok::kOr:
      return 2;
    case Tok::kAnd:
      return 3;
    default:
      return 0;
  }
}

}  // namespace

SourceLocation Parser::Loc(uint32_t offset) {
  for (uint32_t i = loc_.offset; i < offset && i < text_.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text_[i]);
    if (c == '\n') {
      ++loc_.line;
      loc_.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++loc_.column;
    }
  }
  if (offset > loc_.offset) loc_.offset = offset;
  return loc_;
}

base::Status Parser::Expected(std::string_view what) const {
  std::string m = "expected ";
  m.append(what);
  m.append(", found ");
  if (tok_.kind == Tok::kEnd) {
    m.append("end of pattern");
  } else {
    m.append("'");
    std::string_view t = TokText();
    if (t.size() > 40) t = t.substr(0, 40);
    m.append(t);
    m.append("'");
  }
  return Error(m);
}

void Parser::ReduceObs(size_t op_base, int min_precedence) {
  while (obs_ops_.size() > op_base && obs_ops_.back().precedence >= min_precedence) {
    PendingOp op = obs_ops_.back();
    obs_ops_.pop_back();
    uint32_t rhs = obs_operands_.back();
    obs_operands_.pop_back();
    uint32_t lhs = obs_operands_.back();
    ObservationKind kind = ObsKindFor(op.precedence);
    auto& nodes = pattern_.observations_;
    if (nodes[lhs].kind == kind) {
      nodes[lhs].children.push_back(rhs);
    } else {
      ObservationNode node;
      node.kind = kind;
      node.children = {lhs, rhs};
      node.location = nodes[lhs].location;
      nodes.push_back(std::move(node));
      obs_operands_.back() = static_cast<uint32_t>(nodes.size() - 1);
    }
  }
}

void Parser::ReduceCmp(size_t op_base, int min_precedence) {
  while (cmp_ops_.size() > op_base && cmp_ops_.back().precedence >= min_precedence) {
    PendingOp op = cmp_ops_.back();
    cmp_ops_.pop_back();
    uint32_t rhs = cmp_operands_.back();
    cmp_operands_.pop_back();
    uint32_t lhs = cmp_operands_.back();
    ComparisonKind kind = op.precedence == 1 ? ComparisonKind::kOr : ComparisonKind::kAnd;
    auto& nodes = pattern_.comparisons_;
    if (nodes[lhs].kind == kind) {
      nodes[lhs].children.push_back(rhs);
    } else {
      ComparisonNode node;
      node.kind = kind;
      node.children = {lhs, rhs};
      nodes.push_back(std::move(node));
      cmp_operands_.back() = static_cast<uint32_t>(nodes.size() - 1);
    }
  }
}

// The evaluator recurses on the tree, so its depth is bounded too: an observation node costs
// one level plus one per qualifier (each qualifier wraps the node's generator), a comparison
// node one level. Explicit parentheses alone give at most about 4 levels each.
base::Status Parser::CheckTreeDepth() const {
  const size_t limit = 4 * static_cast<size_t>(options_.max_depth) + 64;
  struct Item {
    uint32_t node;
    size_t depth;
    bool comparison;
  };
  std::vector<Item> stack = {{pattern_.root_, 0, false}};
  while (!stack.empty()) {
    Item item = stack.back();
    stack.pop_back();
    size_t depth = item.depth + 1;
    const std::vector<uint32_t>* children;
    if (item.comparison) {
      children = &pattern_.comparisons_[item.node].children;
    } else {
      const ObservationNode& node = pattern_.observations_[item.node];
      depth += node.qualifiers.size();
      if (node.kind == ObservationKind::kObservation) {
        stack.push_back({node.comparison, 0, true});
      }
      children = &node.children;
    }
    if (depth > limit) {
      SourceLocation loc =
          item.comparison ? SourceLocation{} : pattern_.observations_[item.node].location;
      return base::InvalidArgumentError(
          std::to_string(loc.line) + ":" + std::to_string(loc.column) +
          ": pattern is nested too deeply (more than " + std::to_string(limit) +
          " levels of operators and qualifiers)");
    }
    for (uint32_t c : *children) stack.push_back({c, depth, item.comparison});
  }
  return base::OkStatus();
}

base::Status Parser::ParseLiteral(bool allow_bool, Literal* out) {
  std::string_view t = TokText();
  switch (tok_.kind) {
    case Tok::kIntPos:
    case Tok::kIntNeg: {
      out->kind = LiteralKind::kInt;
      if (!t.empty() && t[0] == '+') t.remove_prefix(1);
      out->text.assign(t);
      auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out->int_value);
      if (ec != std::errc() || ptr != t.data() + t.size()) {
        out->int_overflow = true;
        out->float_value = std::strtod(out->text.c_str(), nullptr);
      } else {
        out->float_value = static_cast<double>(out->int_value);
      }
      break;
    }
    case Tok::kFloatPos:
    case Tok::kFloatNeg:
      out->kind = LiteralKind::kFloat;
      if (!t.empty() && t[0] == '+') t.remove_prefix(1);
      out->text.assign(t);
      out->float_value = std::strtod(out->text.c_str(), nullptr);
      break;
    case Tok::kString:
      out->kind = LiteralKind::kString;
      out->text = UnescapeString(t);
      break;
    case Tok::kBool:
      if (!allow_bool) return Expected("an orderable literal (booleans cannot be ordered)");
      out->kind = LiteralKind::kBool;
      out->int_value = t == "true" ? 1 : 0;
      out->text.assign(t);
      break;
    case Tok::kHex: {
      out->kind = LiteralKind::kHex;
      auto bytes = base::HexDecode(t.substr(2, t.size() - 3));
      if (!bytes.ok()) return Error("invalid hex literal: " + bytes.status().message());
      out->text.assign(reinterpret_cast<const char*>(bytes->data()), bytes->size());
      break;
    }
    case Tok::kBinary: {
      out->kind = LiteralKind::kBinary;
      auto bytes = base::Base64Decode(t.substr(2, t.size() - 3), base::Base64Alphabet::kStandard,
                                      base::Base64Padding::kOptional);
      if (!bytes.ok()) return Error("invalid binary literal: " + bytes.status().message());
      out->text.assign(reinterpret_cast<const char*>(bytes->data()), bytes->size());
      break;
    }
    case Tok::kTimestamp:
      out->kind = LiteralKind::kTimestamp;
      out->text.assign(t.substr(2, t.size() - 3));
      break;
    default:
      return Expected(allow_bool ? "a literal" : "an orderable literal");
  }
  return Advance();
}

base::Status Parser::ParsePath(ObjectPath* path) {
  if (tok_.kind != Tok::kIdent && tok_.kind != Tok::kIdentHyphen) {
    return Expected("an object type (e.g. file:name)");
  }
  path->object_type.assign(TokText());
  RETURN_IF_ERROR(Advance());
  if (tok_.kind != Tok::kColon) return Expected("':' after the object type");
  RETURN_IF_ERROR(Advance());
  PathStep first;
  if (tok_.kind == Tok::kIdent) {
    first.key.assign(TokText());
  } else if (tok_.kind == Tok::kString) {
    first.key = UnescapeString(TokText());
  } else if (tok_.kind == Tok::kIdentHyphen) {
    return Error("a property name with '-' must be quoted, e.g. 'ntfs-ext'");
  } else {
    return Expected("a property name");
  }
  path->steps.push_back(std::move(first));
  RETURN_IF_ERROR(Advance());
  while (true) {
    if (tok_.kind == Tok::kDot) {
      RETURN_IF_ERROR(Advance());
      PathStep step;
      if (tok_.kind == Tok::kIdent) {
        step.key.assign(TokText());
      } else if (tok_.kind == Tok::kString) {
        step.key = UnescapeString(TokText());
      } else if (tok_.kind == Tok::kIdentHyphen) {
        return Error("a property name with '-' must be quoted, e.g. 'ntfs-ext'");
      } else {
        return Expected("a property name after '.'");
      }
      path->steps.push_back(std::move(step));
      RETURN_IF_ERROR(Advance());
    } else if (tok_.kind == Tok::kLBrack) {
      RETURN_IF_ERROR(Advance());
      PathStep step;
      if (tok_.kind == Tok::kAsterisk) {
        step.kind = StepKind::kAnyIndex;
      } else if (tok_.kind == Tok::kIntPos || tok_.kind == Tok::kIntNeg) {
        step.kind = StepKind::kIndex;
        std::string_view t = TokText();
        if (t[0] == '+') t.remove_prefix(1);
        auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), step.index);
        if (ec != std::errc()) {
          step.index = t[0] == '-' ? std::numeric_limits<int64_t>::min()
                                   : std::numeric_limits<int64_t>::max();
        }
      } else {
        return Expected("a list index or '*'");
      }
      RETURN_IF_ERROR(Advance());
      if (tok_.kind != Tok::kRBrack) return Expected("']' after the list index");
      path->steps.push_back(std::move(step));
      RETURN_IF_ERROR(Advance());
    } else {
      return base::OkStatus();
    }
  }
}

base::Status Parser::ParsePropTest(uint32_t* test_index) {
  PropTest test;
  test.location = Loc(tok_.begin);
  if (tok_.kind == Tok::kNot || tok_.kind == Tok::kExists) {
    if (tok_.kind == Tok::kNot) {
      test.negated = true;
      RETURN_IF_ERROR(Advance());
      if (tok_.kind != Tok::kExists) return Expected("EXISTS after a leading NOT");
    }
    if (options_.version == StixVersion::k20) {
      return Error("EXISTS is not part of STIX 2.0 patterning");
    }
    RETURN_IF_ERROR(Advance());
    test.op = CompareOp::kExists;
    RETURN_IF_ERROR(ParsePath(&test.path));
  } else {
    RETURN_IF_ERROR(ParsePath(&test.path));
    if (tok_.kind == Tok::kNot) {
      test.negated = true;
      RETURN_IF_ERROR(Advance());
    }
    Tok op = tok_.kind;
    switch (op) {
      case Tok::kEq:
      case Tok::kNeq: {
        test.op = op == Tok::kEq ? CompareOp::kEqual : CompareOp::kNotEqual;
        RETURN_IF_ERROR(Advance());
        test.values.emplace_back();
        RETURN_IF_ERROR(ParseLiteral(true, &test.values.back()));
        break;
      }
      case Tok::kLt:
      case Tok::kLe:
      case Tok::kGt:
      case Tok::kGe: {
        test.op = op == Tok::kLt   ? CompareOp::kLess
                  : op == Tok::kLe ? CompareOp::kLessEqual
                  : op == Tok::kGt ? CompareOp::kGreater
                                   : CompareOp::kGreaterEqual;
        RETURN_IF_ERROR(Advance());
        test.values.emplace_back();
        RETURN_IF_ERROR(ParseLiteral(false, &test.values.back()));
        break;
      }
      case Tok::kIn: {
        test.op = CompareOp::kIn;
        RETURN_IF_ERROR(Advance());
        if (tok_.kind != Tok::kLParen) return Expected("'(' to start the IN set");
        RETURN_IF_ERROR(Advance());
        if (tok_.kind != Tok::kRParen) {
          while (true) {
            test.values.emplace_back();
            RETURN_IF_ERROR(ParseLiteral(true, &test.values.back()));
            if (tok_.kind == Tok::kRParen) break;
            if (tok_.kind != Tok::kComma) return Expected("',' or ')' in the IN set");
            RETURN_IF_ERROR(Advance());
          }
        }
        RETURN_IF_ERROR(Advance());
        break;
      }
      case Tok::kLike:
      case Tok::kMatches:
      case Tok::kIsSubset:
      case Tok::kIsSuperset: {
        test.op = op == Tok::kLike       ? CompareOp::kLike
                  : op == Tok::kMatches  ? CompareOp::kMatches
                  : op == Tok::kIsSubset ? CompareOp::kIsSubset
                                         : CompareOp::kIsSuperset;
        std::string after = "a string literal after ";
        after.append(TokName(op));
        RETURN_IF_ERROR(Advance());
        if (tok_.kind != Tok::kString) return Expected(after);
        test.values.emplace_back();
        RETURN_IF_ERROR(ParseLiteral(false, &test.values.back()));
        break;
      }
      default:
        return Expected(
            "a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, "
            "ISSUPERSET)");
    }
  }
  pattern_.tests_.push_back(std::move(test));
  *test_index = static_cast<uint32_t>(pattern_.tests_.size() - 1);
  return base::OkStatus();
}

base::Status Parser::ParseStartStopLiteral(Literal* out) {
  if (tok_.kind == Tok::kTimestamp ||
      (tok_.kind == Tok::kString && options_.version == StixVersion::k20)) {
    return ParseLiteral(false, out);
  }
  return Expected(options_.version == StixVersion::k20 ? "a timestamp string"
                                                       : "a timestamp literal t'...'");
}

base::Status Parser::ParseQualifiers(ObservationNode* node) {
  while (true) {
    Qualifier q;
    q.location = Loc(tok_.begin);
    if (tok_.kind == Tok::kWithin) {
      q.kind = QualifierKind::kWithin;
      RETURN_IF_ERROR(Advance());
      if (tok_.kind != Tok::kIntPos && tok_.kind != Tok::kFloatPos) {
        return Expected("a positive number of seconds after WITHIN");
      }
      std::string_view t = TokText();
      if (t[0] == '+') t.remove_prefix(1);
      q.number.assign(t);
      q.seconds = std::strtod(q.number.c_str(), nullptr);
      RETURN_IF_ERROR(Advance());
      if (tok_.kind != Tok::kSeconds) return Expected("SECONDS");
      RETURN_IF_ERROR(Advance());
    } else if (tok_.kind == Tok::kRepeats) {
      q.kind = QualifierKind::kRepeats;
      RETURN_IF_ERROR(Advance());
      if (tok_.kind != Tok::kIntPos) return Expected("a positive integer after REPEATS");
      std::string_view t = TokText();
      if (t[0] == '+') t.remove_prefix(1);
      q.number.assign(t);
      auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), q.count);
      if (ec != std::errc()) q.count = std::numeric_limits<int64_t>::max();
      RETURN_IF_ERROR(Advance());
      if (tok_.kind != Tok::kTimes) return Expected("TIMES");
      RETURN_IF_ERROR(Advance());
    } else if (tok_.kind == Tok::kStart) {
      q.kind = QualifierKind::kStartStop;
      RETURN_IF_ERROR(Advance());
      RETURN_IF_ERROR(ParseStartStopLiteral(&q.start));
      if (tok_.kind != Tok::kStop) return Expected("STOP");
      RETURN_IF_ERROR(Advance());
      RETURN_IF_ERROR(ParseStartStopLiteral(&q.stop));
    } else {
      return base::OkStatus();
    }
    node->qualifiers.push_back(std::move(q));
  }
}

base::Result<Pattern> Parser::Run() {
  if (text_.size() > options_.max_bytes || text_.size() >= (size_t{1} << 31)) {
    return base::InvalidArgumentError("pattern is " + std::to_string(text_.size()) +
                                      " bytes; the limit is " + std::to_string(options_.max_bytes));
  }
  if (!IsValidUtf8String(text_)) return base::InvalidArgumentError("pattern is not valid UTF-8");
  RETURN_IF_ERROR(Advance());
  bool in_comparison = false;
  bool expect_operand = true;
  while (true) {
    if (!in_comparison) {
      if (expect_operand) {
        if (tok_.kind == Tok::kLParen || tok_.kind == Tok::kLBrack) {
          if (markers_.size() >= static_cast<size_t>(options_.max_depth)) {
            return Error("nesting deeper than " + std::to_string(options_.max_depth));
          }
          bool bracket = tok_.kind == Tok::kLBrack;
          markers_.push_back({bracket ? MarkerKind::kBracket : MarkerKind::kObsParen,
                              bracket ? cmp_operands_.size() : obs_operands_.size(),
                              bracket ? cmp_ops_.size() : obs_ops_.size(), tok_.begin,
                              Loc(tok_.begin)});
          in_comparison = bracket;
          RETURN_IF_ERROR(Advance());
          continue;
        }
        if (markers_.empty() && obs_operands_.empty() &&
            (tok_.kind == Tok::kIdent || tok_.kind == Tok::kIdentHyphen)) {
          return Error("input is missing square brackets: a pattern is '[' comparison ']'");
        }
        return Expected("'[' or '(' to start an observation expression");
      }
      int precedence = ObsPrecedence(tok_.kind);
      size_t base = markers_.empty() ? 0 : markers_.back().op_base;
      if (precedence > 0) {
        ReduceObs(base, precedence);
        obs_ops_.push_back({precedence, tok_.begin});
        expect_operand = true;
        RETURN_IF_ERROR(Advance());
        continue;
      }
      if (tok_.kind == Tok::kRParen) {
        if (markers_.empty() || markers_.back().kind != MarkerKind::kObsParen) {
          return Error("unbalanced ')'");
        }
        Marker m = markers_.back();
        markers_.pop_back();
        ReduceObs(m.op_base, 0);
        ObservationNode group;
        group.kind = ObservationKind::kGroup;
        group.children = {obs_operands_.back()};
        group.location = m.location;
        RETURN_IF_ERROR(Advance());
        RETURN_IF_ERROR(ParseQualifiers(&group));
        pattern_.observations_.push_back(std::move(group));
        obs_operands_.back() = static_cast<uint32_t>(pattern_.observations_.size() - 1);
        continue;
      }
      if (tok_.kind == Tok::kEnd) {
        if (!markers_.empty()) {
          return ErrorAt(text_, markers_.back().offset, "unclosed '('");
        }
        ReduceObs(0, 0);
        pattern_.root_ = obs_operands_.back();
        RETURN_IF_ERROR(CheckTreeDepth());
        return std::move(pattern_);
      }
      return Expected("AND, OR, FOLLOWEDBY, WITHIN, REPEATS, START or end of pattern");
    }

    // Inside [...].
    if (expect_operand) {
      if (tok_.kind == Tok::kLParen) {
        if (markers_.size() >= static_cast<size_t>(options_.max_depth)) {
          return Error("nesting deeper than " + std::to_string(options_.max_depth));
        }
        markers_.push_back({MarkerKind::kCmpParen, cmp_operands_.size(), cmp_ops_.size(),
                            tok_.begin, Loc(tok_.begin)});
        RETURN_IF_ERROR(Advance());
        continue;
      }
      uint32_t test_index;
      RETURN_IF_ERROR(ParsePropTest(&test_index));
      ComparisonNode node;
      node.kind = ComparisonKind::kTest;
      node.test = test_index;
      pattern_.comparisons_.push_back(std::move(node));
      cmp_operands_.push_back(static_cast<uint32_t>(pattern_.comparisons_.size() - 1));
      expect_operand = false;
      continue;
    }
    if (tok_.kind == Tok::kAnd || tok_.kind == Tok::kOr) {
      int precedence = tok_.kind == Tok::kOr ? 1 : 2;
      ReduceCmp(markers_.back().op_base, precedence);
      cmp_ops_.push_back({precedence, tok_.begin});
      expect_operand = true;
      RETURN_IF_ERROR(Advance());
      continue;
    }
    if (tok_.kind == Tok::kRParen) {
      if (markers_.back().kind != MarkerKind::kCmpParen) return Expected("']'");
      Marker m = markers_.back();
      markers_.pop_back();
      ReduceCmp(m.op_base, 0);
      ComparisonNode group;
      group.kind = ComparisonKind::kGroup;
      group.children = {cmp_operands_.back()};
      pattern_.comparisons_.push_back(std::move(group));
      cmp_operands_.back() = static_cast<uint32_t>(pattern_.comparisons_.size() - 1);
      RETURN_IF_ERROR(Advance());
      continue;
    }
    if (tok_.kind == Tok::kRBrack) {
      if (markers_.back().kind != MarkerKind::kBracket) return Expected("')'");
      Marker m = markers_.back();
      markers_.pop_back();
      ReduceCmp(m.op_base, 0);
      ObservationNode node;
      node.kind = ObservationKind::kObservation;
      node.comparison = cmp_operands_.back();
      cmp_operands_.pop_back();
      node.location = m.location;
      RETURN_IF_ERROR(Advance());
      RETURN_IF_ERROR(ParseQualifiers(&node));
      pattern_.observations_.push_back(std::move(node));
      obs_operands_.push_back(static_cast<uint32_t>(pattern_.observations_.size() - 1));
      in_comparison = false;
      continue;
    }
    return Expected("AND, OR, ']' or ')'");
  }
}

base::Result<Pattern> Parse(std::string_view text, const ParseOptions& options) {
  Parser parser(text, options);
  return parser.Run();
}

base::Result<Pattern> ParseAndValidate(std::string_view text, const ParseOptions& options) {
  ASSIGN_OR_RETURN(Pattern pattern, Parse(text, options));
  RETURN_IF_ERROR(Validate(pattern));
  return pattern;
}

}  // namespace detente::pattern
