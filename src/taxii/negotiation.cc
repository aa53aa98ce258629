// taxii/negotiation.cc: media type and Accept header parsing. See negotiation.h.
#include "taxii/negotiation.h"

#include <cctype>

#include "base/status.h"

namespace detente::taxii {
namespace {

constexpr size_t kMaxAcceptBytes = 4096;
constexpr size_t kMaxRanges = 64;

// RFC 7230 tchar.
bool IsTchar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void SkipOws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void Advance() { ++pos_; }
  size_t pos() const { return pos_; }
  std::string_view Token() {
    size_t start = pos_;
    while (pos_ < s_.size() && IsTchar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // A quoted-string (the opening quote at pos_). Returns false when unterminated.
  bool Quoted(std::string* out) {
    ++pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (pos_ >= s_.size()) return false;
        c = s_[pos_++];
      }
      out->push_back(c);
    }
    return false;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

base::Status Error(std::string_view what, size_t offset) {
  return base::InvalidArgumentError("media type: " + std::string(what) + " at offset " +
                                    std::to_string(offset));
}

// Parses "q" values: 0(.ddd)? or 1(.000)?.
bool ParseQ(std::string_view v, double* q) {
  if (v.empty() || v.size() > 5) return false;
  if (v[0] != '0' && v[0] != '1') return false;
  double value = v[0] - '0';
  if (v.size() > 1) {
    if (v[1] != '.') return false;
    double scale = 0.1;
    for (size_t i = 2; i < v.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
      value += (v[i] - '0') * scale;
      scale /= 10;
    }
  }
  if (value > 1.0) return false;
  *q = value;
  return true;
}

// Parses one range starting at the scanner's position, up to ',' or the end.
base::Result<MediaRange> ParseOne(Scanner& sc, bool allow_q) {
  MediaRange r;
  sc.SkipOws();
  std::string_view type = sc.Token();
  if (type.empty()) return Error("expected a type", sc.pos());
  if (sc.Peek() != '/') return Error("expected '/'", sc.pos());
  sc.Advance();
  std::string_view subtype = sc.Token();
  if (subtype.empty()) return Error("expected a subtype", sc.pos());
  r.type = Lower(type);
  r.subtype = Lower(subtype);
  if (r.type == "*" && r.subtype != "*") return Error("'*/' needs subtype '*'", sc.pos());
  for (;;) {
    sc.SkipOws();
    if (sc.AtEnd() || sc.Peek() == ',') break;
    if (sc.Peek() != ';') return Error("expected ';' or ','", sc.pos());
    sc.Advance();
    sc.SkipOws();
    std::string_view name = sc.Token();
    if (name.empty()) return Error("expected a parameter name", sc.pos());
    sc.SkipOws();
    if (sc.Peek() != '=') return Error("expected '=' after parameter name", sc.pos());
    sc.Advance();
    sc.SkipOws();
    std::string value;
    if (sc.Peek() == '"') {
      if (!sc.Quoted(&value)) return Error("unterminated quoted string", sc.pos());
    } else {
      std::string_view tok = sc.Token();
      if (tok.empty()) return Error("expected a parameter value", sc.pos());
      value = std::string(tok);
    }
    std::string lname = Lower(name);
    if (allow_q && lname == "q") {
      if (!ParseQ(value, &r.q)) return Error("bad q-value \"" + value + "\"", sc.pos());
      // Accept extensions after q are ignored (RFC 7231 accept-ext).
      continue;
    }
    r.params.emplace_back(std::move(lname), std::move(value));
  }
  return r;
}

const std::string* Param(const MediaRange& r, std::string_view name) {
  for (const auto& [n, v] : r.params) {
    if (n == name) return &v;
  }
  return nullptr;
}

bool IsTaxiiType(const MediaRange& r) {
  if (r.type != "application" || r.subtype != "taxii+json") return false;
  const std::string* version = Param(r, "version");
  return version == nullptr || *version == "2.1";
}

}  // namespace

base::Result<MediaRange> ParseMediaType(std::string_view text) {
  if (text.size() > kMaxAcceptBytes) return Error("longer than 4096 bytes", 0);
  Scanner sc(text);
  ASSIGN_OR_RETURN(MediaRange r, ParseOne(sc, /*allow_q=*/false));
  sc.SkipOws();
  if (!sc.AtEnd()) return Error("unexpected character", sc.pos());
  return r;
}

base::Result<std::vector<MediaRange>> ParseAccept(std::string_view text) {
  if (text.size() > kMaxAcceptBytes) return Error("longer than 4096 bytes", 0);
  std::vector<MediaRange> out;
  Scanner sc(text);
  for (;;) {
    sc.SkipOws();
    if (sc.AtEnd()) break;
    if (sc.Peek() == ',') {  // empty list elements are allowed (RFC 7230 section 7)
      sc.Advance();
      continue;
    }
    if (out.size() >= kMaxRanges) return Error("more than 64 media ranges", sc.pos());
    ASSIGN_OR_RETURN(MediaRange r, ParseOne(sc, /*allow_q=*/true));
    out.push_back(std::move(r));
    sc.SkipOws();
    if (!sc.AtEnd()) {
      if (sc.Peek() != ',') return Error("expected ','", sc.pos());
      sc.Advance();
    }
  }
  return out;
}

bool AcceptsTaxii(std::string_view accept) {
  auto ranges = ParseAccept(accept);
  if (!ranges.ok()) return false;
  if (ranges->empty()) return true;
  // The most specific matching range decides (RFC 7231 section 5.3.2).
  int best_specificity = -1;
  double best_q = 0;
  for (const MediaRange& r : *ranges) {
    int specificity = -1;
    if (r.type == "*" && r.subtype == "*") {
      specificity = 0;
    } else if (r.type == "application" && r.subtype == "*") {
      specificity = 1;
    } else if (r.type == "application" && r.subtype == "taxii+json") {
      if (!IsTaxiiType(r)) continue;
      specificity = Param(r, "version") != nullptr ? 3 : 2;
    }
    if (specificity < 0) continue;
    if (specificity > best_specificity) {
      best_specificity = specificity;
      best_q = r.q;
    } else if (specificity == best_specificity && r.q > best_q) {
      best_q = r.q;
    }
  }
  return best_specificity >= 0 && best_q > 0;
}

bool IsTaxiiContentType(std::string_view content_type) {
  auto r = ParseMediaType(content_type);
  return r.ok() && IsTaxiiType(*r);
}

}  // namespace detente::taxii
