// match/regex_index.h: LIKE and MATCHES terms, many per property path, scanned at once.
//
// Per path, all expressions go into one vectorscan block-mode database compiled with
// HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | HS_FLAG_UTF8 | HS_FLAG_DOTALL: vectorscan reports a
// superset of the true matches in one pass, and RE2 (linear time, the authority on the
// semantics) confirms each candidate. Expressions vectorscan cannot take (empty-matching ones,
// constructs it lacks) are checked by RE2 on every value of their path.
//
// Semantics (STIX 2.1 section 9, docs/match-fields.md): LIKE is SQL LIKE ('%' any run, '_' one
// character), anchored to the whole value, case-sensitive; MATCHES is an unanchored search.
// Unicode NFC normalisation is NOT applied (see docs/match-fields.md).
//
// Thread-safety: Add/Build single-threaded. Scan uses one shared scratch: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace re2 {
class RE2;
}
struct hs_database;
struct hs_scratch;

namespace detente::match {

// The vectorscan prefilter regex for a LIKE pattern (\A...\z, '%' -> (?s:.*), '_' -> (?s:.);
// leading/trailing '%' drop the anchor instead: "%foo%" -> "foo"); RE2 confirmation uses the
// pattern module's own LIKE compiler.
std::string LikeToRegex(std::string_view like);

class RegexIndex {
 public:
  RegexIndex();
  ~RegexIndex();
  RegexIndex(const RegexIndex&) = delete;
  RegexIndex& operator=(const RegexIndex&) = delete;

  // Adds a LIKE (like=true) or MATCHES expression on `path` for `indicator`.
  // Errors: kInvalidArgument when RE2 rejects the regex ("invalid regular expression ...").
  base::Status Add(uint32_t path, bool like, std::string_view expression, uint32_t indicator);

  // Compiles the vectorscan databases. Errors: kInternal if vectorscan fails outright.
  base::Status Build();

  // Appends to *out the indicators whose expression on `path` matches `value`. `valid_utf8`:
  // the caller knows `value` is valid UTF-8 (e.g. all ASCII), so it is not checked again.
  // REQUIRES: `value` is in NFC (the caller normalises non-ASCII values).
  void Scan(uint32_t path, std::string_view value, std::vector<uint32_t>* out,
            bool valid_utf8 = false);

  bool HasPath(uint32_t path) const { return paths_.count(path) != 0; }
  size_t expressions() const { return entries_.size(); }
  size_t prefilter_misses() const { return prefilter_misses_; }

 private:
  struct Entry {
    std::string regex;  // for vectorscan
    std::unique_ptr<re2::RE2> re;
    std::vector<uint32_t> indicators;
  };
  struct PathDb {
    std::vector<uint32_t> entries;  // all entries of this path
    std::vector<uint32_t> always;   // entries RE2 checks on every value
    hs_database* db = nullptr;
    std::vector<uint32_t> hs_ids;   // vectorscan id -> entry
  };

  std::vector<Entry> entries_;
  std::unordered_map<std::string, uint32_t> by_regex_;  // dedup: regex -> entry
  std::unordered_map<uint32_t, PathDb> paths_;
  hs_scratch* scratch_ = nullptr;
  std::vector<uint32_t> candidates_;
  size_t prefilter_misses_ = 0;
};

}  // namespace detente::match
