// pattern/printer.cc: Print(), the canonical text of a pattern, built with an explicit work
// stack (no recursion on the tree). Tested by parser_test.cc (round trips).
#include <string>
#include <vector>

#include "base/encoding.h"
#include "pattern/lexer.h"
#include "pattern/pattern.h"
#include "pattern/printer.h"

namespace detente::pattern {
namespace {

bool IsBareKey(const std::string& key) {
  if (key.empty()) return false;
  char c0 = key[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_')) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  // Keywords lex as keywords, so such a key must be quoted.
  Lexer lexer(key);
  Token tok;
  if (!lexer.Next(&tok).ok()) return false;
  return tok.kind == Tok::kIdent;
}

void AppendQuoted(std::string* out, std::string_view s) {
  out->push_back('\'');
  for (char c : s) {
    if (c == '\'' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('\'');
}

void AppendKey(std::string* out, const std::string& key) {
  if (IsBareKey(key)) {
    out->append(key);
  } else {
    AppendQuoted(out, key);
  }
}

const char* OpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEqual:
      return "=";
    case CompareOp::kNotEqual:
      return "!=";
    case CompareOp::kLess:
      return "<";
    case CompareOp::kLessEqual:
      return "<=";
    case CompareOp::kGreater:
      return ">";
    case CompareOp::kGreaterEqual:
      return ">=";
    case CompareOp::kIn:
      return "IN";
    case CompareOp::kLike:
      return "LIKE";
    case CompareOp::kMatches:
      return "MATCHES";
    case CompareOp::kIsSubset:
      return "ISSUBSET";
    case CompareOp::kIsSuperset:
      return "ISSUPERSET";
    case CompareOp::kExists:
      return "EXISTS";
  }
  return "?";
}

}  // namespace

void AppendLiteral(std::string* out, const Literal& lit) {
  switch (lit.kind) {
    case LiteralKind::kInt:
    case LiteralKind::kFloat:
      out->append(lit.text);
      break;
    case LiteralKind::kBool:
      out->append(lit.int_value ? "true" : "false");
      break;
    case LiteralKind::kString:
      AppendQuoted(out, lit.text);
      break;
    case LiteralKind::kHex:
      out->append("h'");
      out->append(base::HexEncode(base::AsBytes(lit.text)));
      out->push_back('\'');
      break;
    case LiteralKind::kBinary:
      out->append("b'");
      out->append(base::Base64Encode(base::AsBytes(lit.text)));
      out->push_back('\'');
      break;
    case LiteralKind::kTimestamp:
      out->append("t'");
      out->append(lit.text);
      out->push_back('\'');
      break;
  }
}

void AppendObjectPath(std::string* out, const ObjectPath& path) {
  out->append(path.object_type);
  out->push_back(':');
  for (size_t i = 0; i < path.steps.size(); ++i) {
    const PathStep& step = path.steps[i];
    switch (step.kind) {
      case StepKind::kKey:
        if (i > 0) out->push_back('.');
        AppendKey(out, step.key);
        break;
      case StepKind::kIndex:
        out->push_back('[');
        out->append(std::to_string(step.index));
        out->push_back(']');
        break;
      case StepKind::kAnyIndex:
        out->append("[*]");
        break;
    }
  }
}

void AppendPropTest(std::string* out, const PropTest& test) {
  if (test.op == CompareOp::kExists) {
    if (test.negated) out->append("NOT ");
    out->append("EXISTS ");
    AppendObjectPath(out, test.path);
    return;
  }
  AppendObjectPath(out, test.path);
  out->push_back(' ');
  if (test.negated) out->append("NOT ");
  out->append(OpText(test.op));
  out->push_back(' ');
  if (test.op == CompareOp::kIn) {
    out->push_back('(');
    for (size_t i = 0; i < test.values.size(); ++i) {
      if (i > 0) out->append(", ");
      AppendLiteral(out, test.values[i]);
    }
    out->push_back(')');
  } else {
    AppendLiteral(out, test.values[0]);
  }
}

void AppendQualifiers(std::string* out, const std::vector<Qualifier>& qualifiers) {
  for (const Qualifier& q : qualifiers) {
    switch (q.kind) {
      case QualifierKind::kWithin:
        out->append(" WITHIN ");
        out->append(q.number);
        out->append(" SECONDS");
        break;
      case QualifierKind::kRepeats:
        out->append(" REPEATS ");
        out->append(q.number);
        out->append(" TIMES");
        break;
      case QualifierKind::kStartStop:
        out->append(" START ");
        AppendLiteral(out, q.start);
        out->append(" STOP ");
        AppendLiteral(out, q.stop);
        break;
    }
  }
}

std::string Print(const Pattern& pattern) {
  struct Item {
    enum Kind { kText, kObs, kCmp, kQualifiers } kind;
    uint32_t index;
    const char* text;
  };
  std::string out;
  std::vector<Item> stack;
  stack.push_back({Item::kObs, pattern.root(), nullptr});
  const auto& obs = pattern.observations();
  const auto& cmps = pattern.comparisons();
  while (!stack.empty()) {
    Item item = stack.back();
    stack.pop_back();
    switch (item.kind) {
      case Item::kText:
        out.append(item.text);
        break;
      case Item::kQualifiers:
        AppendQualifiers(&out, obs[item.index].qualifiers);
        break;
      case Item::kObs: {
        const ObservationNode& node = obs[item.index];
        switch (node.kind) {
          case ObservationKind::kObservation:
            out.push_back('[');
            stack.push_back({Item::kQualifiers, item.index, nullptr});
            stack.push_back({Item::kText, 0, "]"});
            stack.push_back({Item::kCmp, node.comparison, nullptr});
            break;
          case ObservationKind::kGroup:
            out.push_back('(');
            stack.push_back({Item::kQualifiers, item.index, nullptr});
            stack.push_back({Item::kText, 0, ")"});
            stack.push_back({Item::kObs, node.children[0], nullptr});
            break;
          default: {
            const char* sep = node.kind == ObservationKind::kAnd  ? " AND "
                              : node.kind == ObservationKind::kOr ? " OR "
                                                                  : " FOLLOWEDBY ";
            for (size_t i = node.children.size(); i-- > 0;) {
              stack.push_back({Item::kObs, node.children[i], nullptr});
              if (i > 0) stack.push_back({Item::kText, 0, sep});
            }
            break;
          }
        }
        break;
      }
      case Item::kCmp: {
        const ComparisonNode& node = cmps[item.index];
        switch (node.kind) {
          case ComparisonKind::kTest:
            AppendPropTest(&out, pattern.tests()[node.test]);
            break;
          case ComparisonKind::kGroup:
            out.push_back('(');
            stack.push_back({Item::kText, 0, ")"});
            stack.push_back({Item::kCmp, node.children[0], nullptr});
            break;
          default: {
            const char* sep = node.kind == ComparisonKind::kAnd ? " AND " : " OR ";
            for (size_t i = node.children.size(); i-- > 0;) {
              stack.push_back({Item::kCmp, node.children[i], nullptr});
              if (i > 0) stack.push_back({Item::kText, 0, sep});
            }
            break;
          }
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace detente::pattern
