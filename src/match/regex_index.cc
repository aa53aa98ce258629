// match/regex_index.cc: vectorscan prefilter + RE2 confirmation. Tested by regex_index_test.cc.
#include "match/regex_index.h"

#include <hs/hs.h>
#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>

// The pattern module's own regex/LIKE compilers and NFC, so that confirmation has exactly the
// reference evaluator's semantics (DOTALL, \Z as \z, NFC on both sides).
#include "pattern/pattern.h"

namespace detente::match {

std::string LikeToRegex(std::string_view like) {
  // Leading and trailing '%' need no regex: an unanchored search for the rest is the same
  // prefilter ("%foo%" -> "foo"), and it compiles and scans much faster than "\A.*foo.*\z".
  bool open_start = like.starts_with('%');
  bool open_end = like.ends_with('%');
  while (like.starts_with('%')) like.remove_prefix(1);
  while (like.ends_with('%')) like.remove_suffix(1);
  std::string out = open_start ? "" : "\\A";
  for (char c : like) {
    if (c == '%') {
      out += "(?s:.*)";
    } else if (c == '_') {
      out += "(?s:.)";
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               static_cast<unsigned char>(c) >= 0x80) {
      out.push_back(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  if (!open_end) out += "\\z";
  return out;
}

RegexIndex::RegexIndex() = default;

RegexIndex::~RegexIndex() {
  for (auto& [path, db] : paths_) {
    if (db.db != nullptr) hs_free_database(db.db);
  }
  if (scratch_ != nullptr) hs_free_scratch(scratch_);
}

base::Status RegexIndex::Add(uint32_t path, bool like, std::string_view expression,
                             uint32_t indicator) {
  std::string nfc = pattern::ToNfc(expression);
  std::string key = (like ? "L:" : "M:") + nfc;
  auto it = by_regex_.find(key);
  uint32_t e;
  if (it != by_regex_.end()) {
    e = it->second;
  } else {
    auto re = like ? pattern::CompileLike(nfc) : pattern::CompileRegex(nfc, /*latin1=*/false);
    if (!re.ok()) {
      return base::InvalidArgumentError("invalid regular expression '" + std::string(expression) +
                                        "': " + re.status().message());
    }
    e = static_cast<uint32_t>(entries_.size());
    entries_.push_back(Entry{like ? LikeToRegex(nfc) : nfc, std::move(re).value(), {}});
    by_regex_.emplace(std::move(key), e);
  }
  auto& inds = entries_[e].indicators;
  if (inds.empty() || inds.back() != indicator) inds.push_back(indicator);
  PathDb& db = paths_[path];
  if (std::find(db.entries.begin(), db.entries.end(), e) == db.entries.end()) {
    db.entries.push_back(e);
  }
  return base::OkStatus();
}

base::Status RegexIndex::Build() {
  for (auto& [path, db] : paths_) {
    std::vector<uint32_t> pending = db.entries;
    while (!pending.empty()) {
      std::vector<const char*> exprs;
      std::vector<unsigned> flags;
      std::vector<unsigned> ids;
      for (size_t i = 0; i < pending.size(); ++i) {
        exprs.push_back(entries_[pending[i]].regex.c_str());
        flags.push_back(HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | HS_FLAG_UTF8 | HS_FLAG_DOTALL);
        ids.push_back(static_cast<unsigned>(i));
      }
      hs_database_t* hdb = nullptr;
      hs_compile_error_t* err = nullptr;
      hs_error_t rc = hs_compile_multi(exprs.data(), flags.data(), ids.data(),
                                       static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                                       nullptr, &hdb, &err);
      if (rc == HS_SUCCESS) {
        db.db = hdb;
        db.hs_ids = pending;
        break;
      }
      int bad = err != nullptr ? err->expression : -1;
      if (err != nullptr) hs_free_compile_error(err);
      if (bad < 0 || static_cast<size_t>(bad) >= pending.size()) {
        // Not attributable to one expression (e.g. the database is too large): RE2 does all.
        db.always.insert(db.always.end(), pending.begin(), pending.end());
        break;
      }
      db.always.push_back(pending[static_cast<size_t>(bad)]);
      pending.erase(pending.begin() + bad);
    }
    if (db.db != nullptr && hs_alloc_scratch(db.db, &scratch_) != HS_SUCCESS) {
      return base::InternalError("vectorscan: cannot allocate scratch space");
    }
  }
  return base::OkStatus();
}

namespace {
int OnMatch(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
  static_cast<std::vector<uint32_t>*>(ctx)->push_back(id);
  return 0;
}
}  // namespace

void RegexIndex::Scan(uint32_t path, std::string_view value, std::vector<uint32_t>* out,
                      bool valid_utf8) {
  auto it = paths_.find(path);
  if (it == paths_.end()) return;
  PathDb& db = it->second;
  auto confirm = [&](uint32_t e) {
    const Entry& entry = entries_[e];
    if (re2::RE2::PartialMatch(re2::StringPiece(value.data(), value.size()), *entry.re)) {
      out->insert(out->end(), entry.indicators.begin(), entry.indicators.end());
    } else {
      ++prefilter_misses_;
    }
  };
  // vectorscan's UTF-8 mode requires valid UTF-8; JSON strings are, but check (cheaply) anyway.
  bool valid = valid_utf8 || simdjson::validate_utf8(value.data(), value.size());
  if (db.db != nullptr && valid) {
    candidates_.clear();
    hs_scan(db.db, value.data(), static_cast<unsigned>(value.size()), 0, scratch_, OnMatch,
            &candidates_);
    for (uint32_t c : candidates_) confirm(db.hs_ids[c]);
  } else if (db.db != nullptr) {
    for (uint32_t e : db.hs_ids) confirm(e);
  }
  for (uint32_t e : db.always) confirm(e);
}

}  // namespace detente::match
