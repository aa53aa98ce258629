// taxii/envelope.cc: envelope splitting. Boost.JSON checks the syntax (with a depth limit);
// a small scanner over the now-known-valid text then finds each element's byte range.
#include "taxii/envelope.h"

#include <boost/json.hpp>

#include "base/status.h"

namespace detente::taxii {
namespace {

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void SkipWs() {
    while (pos_ < s_.size() && IsWs(s_[pos_])) ++pos_;
  }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void Advance() { ++pos_; }
  size_t pos() const { return pos_; }
  // REQUIRES: Peek() == '"'. Returns the raw text between the quotes.
  std::string_view String() {
    size_t start = ++pos_;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (s_[pos_] == '\\') ++pos_;
      ++pos_;
    }
    std::string_view out = s_.substr(start, pos_ - start);
    ++pos_;
    return out;
  }
  // Skips one JSON value (known valid) without recursion; returns its [start, end) text.
  std::string_view Value() {
    SkipWs();
    size_t start = pos_;
    size_t depth = 0;
    for (;;) {
      char c = Peek();
      if (c == '"') {
        String();
        if (depth == 0) break;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) break;  // end of the enclosing container
        --depth;
        if (depth == 0) {
          ++pos_;
          break;
        }
      } else if (depth == 0 && (c == ',' || IsWs(c) || c == '\0')) {
        break;
      }
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

base::Status NotEnvelope(std::string what) {
  return base::FailedPreconditionError("envelope: " + what);
}

}  // namespace

base::Result<std::vector<std::string_view>> SplitEnvelope(std::string_view body) {
  boost::json::parse_options opts;
  opts.max_depth = kMaxEnvelopeDepth;
  boost::system::error_code ec;
  boost::json::monotonic_resource mr;
  boost::json::value doc = boost::json::parse(body, ec, &mr, opts);
  if (ec) {
    return base::InvalidArgumentError("request body is not JSON: " + ec.message());
  }
  if (!doc.is_object()) return NotEnvelope("the body is not a JSON object");
  const boost::json::value* objects = doc.as_object().if_contains("objects");
  if (objects == nullptr) return NotEnvelope("no \"objects\" property");
  if (!objects->is_array()) return NotEnvelope("\"objects\" is not an array");
  const boost::json::array& arr = objects->as_array();
  if (arr.empty()) return NotEnvelope("\"objects\" is empty (TAXII forbids empty lists)");
  if (arr.size() > kMaxEnvelopeObjects) {
    return NotEnvelope("more than " + std::to_string(kMaxEnvelopeObjects) + " objects");
  }
  for (size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_object()) {
      return NotEnvelope("objects[" + std::to_string(i) + "] is not a JSON object");
    }
  }

  std::vector<std::string_view> out;
  Scanner sc(body);
  sc.SkipWs();
  sc.Advance();  // '{'
  int objects_keys = 0;
  for (;;) {
    sc.SkipWs();
    if (sc.Peek() == '}') break;
    if (sc.Peek() == ',') {
      sc.Advance();
      continue;
    }
    // The text is valid JSON, so anything unexpected here means a duplicated "objects" key
    // whose earlier value Boost.JSON discarded; refuse rather than loop or guess.
    if (sc.Peek() != '"') return NotEnvelope("\"objects\" given more than once");
    std::string_view key = sc.String();
    sc.SkipWs();
    sc.Advance();  // ':'
    sc.SkipWs();
    if (key == "objects") {
      ++objects_keys;
      if (sc.Peek() != '[') return NotEnvelope("\"objects\" given more than once");
      sc.Advance();
      for (;;) {
        sc.SkipWs();
        if (sc.Peek() == ']') {
          sc.Advance();
          break;
        }
        if (sc.Peek() == ',') {
          sc.Advance();
          continue;
        }
        std::string_view v = sc.Value();
        if (v.empty() || v.front() != '{') {
          return NotEnvelope("\"objects\" given more than once");
        }
        out.push_back(v);
      }
    } else if (sc.Value().empty()) {
      return NotEnvelope("\"objects\" given more than once");
    }
  }
  // A duplicated or escaped "objects" key would make the raw split and the parsed document
  // disagree: refuse rather than guess which one the client meant.
  if (objects_keys != 1 || out.size() != arr.size()) {
    return NotEnvelope("\"objects\" given more than once or with an escaped name");
  }
  return out;
}

}  // namespace detente::taxii
