// match/match.cc: Matcher (indicator loading), sightings, and StreamMatcher (framing of event
// streams into lines or JSON documents). Tested by match_test.cc and the CLI tests.
#include "match/match.h"

#include <simdjson.h>
#include <xxhash.h>

#include <malloc.h>

#include <chrono>
#include <cstring>
#include <random>
#include <unordered_map>

#include "match/engine.h"

namespace detente::match {

using base::InvalidArgumentError;
using base::Status;

// ---- Matcher ----------------------------------------------------------------------------------

namespace {

struct Candidate {
  std::string id;
  std::string modified;
  std::string pattern;
};

// Reads one indicator-ish object into the candidate list (or counts why it is skipped).
void TakeObject(simdjson::dom::object o, LoadStats* stats, std::vector<IndicatorError>* errors,
                std::vector<Candidate>* out, std::unordered_map<std::string, size_t>* by_id) {
  ++stats->objects;
  std::string_view type;
  if (o["type"].get(type) != simdjson::SUCCESS || type != "indicator") {
    ++stats->skipped_not_indicator;
    return;
  }
  ++stats->indicators;
  std::string_view id, pattern, pattern_type, modified;
  bool has_id = o["id"].get(id) == simdjson::SUCCESS;
  if (o["pattern_type"].get(pattern_type) == simdjson::SUCCESS && pattern_type != "stix") {
    ++stats->skipped_pattern_type;
    return;
  }
  bool revoked = false;
  if (o["revoked"].get(revoked) == simdjson::SUCCESS && revoked) {
    ++stats->skipped_revoked;
    return;
  }
  if (!has_id || id.empty()) {
    ++stats->invalid;
    errors->push_back({"", "indicator without a string 'id'"});
    return;
  }
  if (o["pattern"].get(pattern) != simdjson::SUCCESS) {
    ++stats->invalid;
    errors->push_back({std::string(id), "indicator without a string 'pattern'"});
    return;
  }
  if (o["modified"].get(modified) != simdjson::SUCCESS) modified = {};
  auto it = by_id->find(std::string(id));
  if (it != by_id->end()) {
    ++stats->superseded;
    Candidate& c = (*out)[it->second];
    if (std::string_view(c.modified) < modified) {
      c.modified = std::string(modified);
      c.pattern = std::string(pattern);
    }
    return;
  }
  by_id->emplace(std::string(id), out->size());
  out->push_back({std::string(id), std::string(modified), std::string(pattern)});
}

Status TakeElement(simdjson::dom::element el, LoadStats* stats,
                   std::vector<IndicatorError>* errors, std::vector<Candidate>* out,
                   std::unordered_map<std::string, size_t>* by_id, bool allow_array) {
  simdjson::dom::object o;
  simdjson::dom::array a;
  if (el.get(o) == simdjson::SUCCESS) {
    std::string_view type;
    simdjson::dom::array objects;
    if (o["type"].get(type) == simdjson::SUCCESS && type == "bundle") {
      if (o["objects"].get(objects) != simdjson::SUCCESS) return Status();
      for (auto item : objects) {
        simdjson::dom::object io;
        if (item.get(io) == simdjson::SUCCESS) {
          TakeObject(io, stats, errors, out, by_id);
        } else {
          ++stats->objects;
          ++stats->skipped_not_indicator;
        }
      }
      return Status();
    }
    TakeObject(o, stats, errors, out, by_id);
    return Status();
  }
  if (allow_array && el.get(a) == simdjson::SUCCESS) {
    for (auto item : a) {
      RETURN_IF_ERROR(TakeElement(item, stats, errors, out, by_id, false));
    }
    return Status();
  }
  return InvalidArgumentError("expected a JSON object, array or STIX bundle");
}

// Consumes `candidates` (their text is released before the heap is trimmed).
base::Result<std::unique_ptr<Engine>> Compile(std::vector<Candidate> candidates,
                                              LoadStats* stats,
                                              std::vector<IndicatorError>* errors) {
  EngineBuilder builder;
  for (const Candidate& c : candidates) {
    Status s = builder.Add(c.id, c.pattern);
    if (s.ok()) {
      ++stats->loaded;
    } else {
      ++stats->invalid;
      errors->push_back({c.id, s.message()});
    }
  }
  candidates.clear();
  candidates.shrink_to_fit();
  auto engine = builder.Build();
  // Parsing a million patterns leaves many small freed blocks in the heap; give them back so
  // that a long-running matcher's footprint is its indexes (glibc).
  ::malloc_trim(0);
  return engine;
}

}  // namespace

Matcher::Matcher(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}
Matcher::~Matcher() = default;

base::Result<std::unique_ptr<Matcher>> Matcher::Load(std::string_view text, LoadStats* stats,
                                                     std::vector<IndicatorError>* errors) {
  std::vector<Candidate> candidates;
  std::unordered_map<std::string, size_t> by_id;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto e = parser.parse(text.data(), text.size(), true).get(root);
  if (e == simdjson::SUCCESS) {
    RETURN_IF_ERROR(TakeElement(root, stats, errors, &candidates, &by_id, true));
  } else {
    // NDJSON: one object (or bundle) per line.
    size_t pos = 0;
    uint64_t line_no = 0;
    bool any = false;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view line = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      size_t first = line.find_first_not_of(" \t\r");
      if (first == std::string_view::npos) continue;
      simdjson::dom::element el;
      if (auto le = parser.parse(line.data(), line.size(), true).get(el)) {
        return InvalidArgumentError("indicators line " + std::to_string(line_no) +
                                    ": invalid JSON: " + simdjson::error_message(le));
      }
      Status s = TakeElement(el, stats, errors, &candidates, &by_id, true);
      if (!s.ok()) return s.WithContext("indicators line " + std::to_string(line_no));
      any = true;
    }
    if (!any) {
      return InvalidArgumentError(std::string("indicators: invalid JSON: ") +
                                  simdjson::error_message(e));
    }
  }
  ASSIGN_OR_RETURN(auto engine, Compile(std::move(candidates), stats, errors));
  return std::unique_ptr<Matcher>(new Matcher(std::move(engine)));
}

base::Result<std::unique_ptr<Matcher>> Matcher::FromPatterns(
    const std::vector<std::pair<std::string, std::string>>& indicators, LoadStats* stats,
    std::vector<IndicatorError>* errors) {
  std::vector<Candidate> candidates;
  candidates.reserve(indicators.size());
  for (const auto& [id, pattern] : indicators) {
    ++stats->objects;
    ++stats->indicators;
    candidates.push_back({id, "", pattern});
  }
  ASSIGN_OR_RETURN(auto engine, Compile(std::move(candidates), stats, errors));
  return std::unique_ptr<Matcher>(new Matcher(std::move(engine)));
}

size_t Matcher::size() const { return engine_->size(); }
size_t Matcher::MemoryBytes() const { return engine_->MemoryBytes(); }
const PathRegistry& Matcher::paths() const { return engine_->paths(); }
bool Matcher::NeedsAllProperties() const { return engine_->NeedsAllProperties(); }
std::string Matcher::IndicatorId(uint32_t indicator) const {
  return engine_->IndicatorId(indicator);
}
void Matcher::Match(const Observation& obs, std::vector<uint32_t>* out) {
  engine_->Match(obs, out);
}
void Matcher::Prefetch(const Observation& obs) { engine_->Prefetch(obs); }
uint64_t Matcher::candidates_evaluated() const {
  return engine_->counters().candidates_evaluated;
}
uint64_t Matcher::evaluator_errors() const { return engine_->counters().evaluator_errors; }

std::string Matcher::DescribeJson() const {
  const EngineStats& s = engine_->stats();
  std::string out = "{";
  out += "\"indicators\":" + std::to_string(engine_->size());
  out += ",\"exact\":" + std::to_string(s.exact);
  out += ",\"candidate\":" + std::to_string(s.candidate);
  out += ",\"by_object_type\":" + std::to_string(s.by_type);
  out += ",\"never\":" + std::to_string(s.never);
  out += ",\"equality_keys\":" + std::to_string(s.equality_keys);
  out += ",\"cidr_blocks\":" + std::to_string(s.cidr_blocks);
  out += ",\"regexes\":" + std::to_string(s.regexes);
  out += ",\"index_bytes\":" + std::to_string(engine_->MemoryBytes());
  out += "}";
  return out;
}

// ---- Sightings --------------------------------------------------------------------------------

void AppendSighting(std::string* out, std::string_view sighting_id, std::string_view now,
                    std::string_view indicator_id, const EventTime& first, const EventTime& last,
                    std::string_view observed_data_id) {
  out->append("{\"type\":\"sighting\",\"spec_version\":\"2.1\",\"id\":");
  AppendJsonString(out, sighting_id);
  out->append(",\"created\":\"");
  out->append(now);
  out->append("\",\"modified\":\"");
  out->append(now);
  out->push_back('"');
  if (first.valid) {
    EventTime l = last.valid && last.seconds >= first.seconds ? last : first;
    out->append(",\"first_seen\":\"");
    out->append(FormatStixTime(first));
    out->append("\",\"last_seen\":\"");
    out->append(FormatStixTime(l));
    out->push_back('"');
  }
  out->append(",\"count\":1,\"sighting_of_ref\":");
  AppendJsonString(out, indicator_id);
  if (!observed_data_id.empty()) {
    out->append(",\"observed_data_refs\":[");
    AppendJsonString(out, observed_data_id);
    out->push_back(']');
  }
  out->append("}\n");
}

namespace {

std::string SystemNow() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  EventTime t;
  t.valid = true;
  t.seconds = ms / 1000;
  t.nanos = static_cast<int32_t>(ms % 1000) * 1000000;
  t.digits = 3;
  return FormatStixTime(t);
}

std::string SightingId(uint64_t seed, uint32_t indicator, uint64_t observation) {
  unsigned char in[12];
  std::memcpy(in, &indicator, 4);
  std::memcpy(in + 4, &observation, 8);
  XXH128_hash_t h = XXH3_128bits_withSeed(in, sizeof(in), seed);
  uint8_t b[16];
  std::memcpy(b, &h.high64, 8);
  std::memcpy(b + 8, &h.low64, 8);
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 9562 variant
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sighting--";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;
constexpr size_t kFlushBytes = 1 << 20;

}  // namespace

// ---- StreamMatcher ----------------------------------------------------------------------------

StreamMatcher::StreamMatcher(Matcher* matcher, EventFormat format, SightingOptions options,
                             Sink out, ErrorSink errors)
    : matcher_(matcher),
      format_(format),
      options_(std::move(options)),
      out_(std::move(out)),
      errors_(std::move(errors)),
      reader_(std::make_unique<EventReader>(matcher->paths(),
                                            /*indexed_paths_only=*/!matcher->NeedsAllProperties())) {
  if (!options_.now) options_.now = SystemNow;
  if (options_.seed.has_value()) {
    seed_ = *options_.seed;
  } else {
    std::random_device rd;
    seed_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }
  data_.assign(1 << 16, 0);
}

StreamMatcher::~StreamMatcher() = default;

const ReaderStats& StreamMatcher::reader_stats() const { return reader_->stats(); }

void StreamMatcher::Emit(const Observation& obs) {
  ++stats_.observations;
  matched_.clear();
  matcher_->Match(obs, &matched_);
  if (matched_.empty()) return;
  std::string now = options_.now();
  for (uint32_t ind : matched_) {
    AppendSighting(&out_buf_, SightingId(seed_, ind, stats_.observations), now,
                   matcher_->IndicatorId(ind), obs.first_observed, obs.last_observed,
                   obs.observed_data_id);
    ++stats_.sightings;
  }
  if (out_buf_.size() >= kFlushBytes) {
    out_(out_buf_);
    out_buf_.clear();
  }
}

void StreamMatcher::ProcessLine(std::string_view line, uint64_t line_no) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  size_t first = 0;
  while (first < line.size() && (line[first] == ' ' || line[first] == '\t')) ++first;
  if (first == line.size() || line[first] == '#') return;  // blank, or a Zeek TSV header
  ++stats_.events;
  Observation& obs = obs_[turn_];
  Status s = reader_->ReadFlat(line, format_, &obs);
  if (!s.ok()) {
    ++stats_.event_errors;
    errors_("line " + std::to_string(line_no) + ": " + s.message());
    return;
  }
  matcher_->Prefetch(obs);
  FlushPending();  // the previous event, while this one's index lines are on their way
  pending_ = true;
  turn_ ^= 1;
}

void StreamMatcher::FlushPending() {
  if (!pending_) return;
  pending_ = false;
  Emit(obs_[turn_ ^ 1]);
}

void StreamMatcher::ProcessStixDocument(std::string_view doc, uint64_t line_no) {
  FlushPending();
  ++stats_.events;
  Status s = reader_->ReadStix(doc, [&](Observation& o) {
    Emit(o);
    return base::OkStatus();
  });
  if (!s.ok()) {
    ++stats_.event_errors;
    errors_("line " + std::to_string(line_no) + ": " + s.message());
  }
}

void StreamMatcher::ProcessBuffer(bool at_end) {
  char* data = data_.data();
  if (format_ == EventFormat::kAuto) {
    size_t i = 0;
    while (i < size_ && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) {
      ++i;
    }
    if (i == size_) return;
    std::string_view rest(data + i, size_ - i);
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos && !at_end && rest.size() < (1u << 20)) return;  // wait
    std::string_view first = rest.substr(0, nl);
    while (!first.empty() && (first.back() == '\r' || first.back() == ' ' || first.back() == '\t')) {
      first.remove_suffix(1);
    }
    if (first.front() != '{') {
      format_ = EventFormat::kZeek;  // not JSON objects: each line will be reported
    } else if (first.back() != '}') {
      format_ = EventFormat::kStix;  // a pretty-printed document spanning lines
    } else {
      format_ = SniffFormat(first);
    }
  }
  if (format_ == EventFormat::kStix) {
    // Scan for complete top-level JSON documents (any layout), resumably.
    size_t doc_start = 0;
    size_t pos = scan_pos_;
    uint64_t& doc_line = doc_line_;
    for (; pos < size_; ++pos) {
      char c = data[pos];
      if (!started_) {
        if (c == '\n') {
          ++line_no_;
          continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') continue;
        if (c != '{') {
          // Not a document start: report and skip the rest of this line.
          ++stats_.event_errors;
          errors_("line " + std::to_string(line_no_ + 1) + ": expected a JSON object");
          size_t nl = std::string_view(data + pos, size_ - pos).find('\n');
          if (nl == std::string_view::npos) {
            pos = size_;
            break;
          }
          pos += nl - 1;
          continue;
        }
        started_ = true;
        depth_ = 0;
        in_string_ = false;
        escape_ = false;
        doc_start = pos;
        doc_line = line_no_ + 1;
      }
      if (c == '\n') ++line_no_;
      if (in_string_) {
        if (escape_) {
          escape_ = false;
        } else if (c == '\\') {
          escape_ = true;
        } else if (c == '"') {
          in_string_ = false;
        }
        continue;
      }
      if (c == '"') {
        in_string_ = true;
      } else if (c == '{' || c == '[') {
        ++depth_;
      } else if (c == '}' || c == ']') {
        if (--depth_ == 0) {
          started_ = false;
          ProcessStixDocument(std::string_view(data + doc_start, pos + 1 - doc_start), doc_line);
          doc_start = pos + 1;
        }
      }
      if (started_ && pos - doc_start > kMaxDocumentBytes) {
        ++stats_.event_errors;
        errors_("line " + std::to_string(doc_line) + ": STIX document larger than " +
                std::to_string(kMaxDocumentBytes) + " bytes");
        started_ = false;
        doc_start = pos + 1;
      }
    }
    if (!started_) doc_start = pos;
    if (at_end && started_) {
      ++stats_.event_errors;
      errors_("line " + std::to_string(doc_line) + ": incomplete JSON document at end of input");
      started_ = false;
      doc_start = size_;
    }
    // Keep only the unfinished document.
    size_t keep = size_ - doc_start;
    std::memmove(data, data + doc_start, keep);
    size_ = keep;
    // Resume after what was scanned; an unfinished document now starts at 0 (line_no_ already
    // counts the newlines scanned inside it).
    scan_pos_ = started_ ? size_ : 0;
    std::memset(data + size_, 0, kPadding);
    return;
  }
  // NDJSON (Zeek, Suricata).
  size_t pos = 0;
  while (pos < size_) {
    const void* nlp = std::memchr(data + pos, '\n', size_ - pos);
    if (nlp == nullptr) break;
    size_t nl = static_cast<size_t>(static_cast<const char*>(nlp) - data);
    ++line_no_;
    if (discarding_) {
      discarding_ = false;
    } else {
      ProcessLine(std::string_view(data + pos, nl - pos), line_no_);
    }
    pos = nl + 1;
  }
  if (at_end && pos < size_) {
    ++line_no_;
    if (!discarding_) ProcessLine(std::string_view(data + pos, size_ - pos), line_no_);
    pos = size_;
  }
  FlushPending();  // its source_text views data_, which moves below
  size_t keep = size_ - pos;
  if (keep > kMaxDocumentBytes) {
    ++stats_.event_errors;
    errors_("line " + std::to_string(line_no_ + 1) + ": event larger than " +
            std::to_string(kMaxDocumentBytes) + " bytes");
    keep = 0;
    pos = size_;
    discarding_ = true;
  }
  std::memmove(data, data + pos, keep);
  size_ = keep;
  std::memset(data + size_, 0, kPadding);
}

// NDJSON lines are parsed where they lie in the caller's bytes when they can be: simdjson needs
// kPadding readable bytes after a line, and every line that ends at least kPadding bytes before
// the end of `bytes` has them (the bytes there are the following lines; the reader does not
// interpret them). Only a partial line and the last kPadding bytes go through data_.
size_t StreamMatcher::ProcessInPlace(std::string_view bytes) {
  if (size_ != 0 || discarding_ ||
      (format_ != EventFormat::kZeek && format_ != EventFormat::kSuricata)) {
    return 0;
  }
  const char* data = bytes.data();
  size_t pos = 0;
  while (pos < bytes.size()) {
    const void* nlp = std::memchr(data + pos, '\n', bytes.size() - pos);
    if (nlp == nullptr) break;
    size_t nl = static_cast<size_t>(static_cast<const char*>(nlp) - data);
    if (nl + kPadding > bytes.size()) break;
    ++line_no_;
    ProcessLine(std::string_view(data + pos, nl - pos), line_no_);
    pos = nl + 1;
  }
  FlushPending();  // its source_text views the caller's bytes
  return pos;
}

Status StreamMatcher::Feed(std::string_view bytes) {
  stats_.bytes += bytes.size();
  size_t offset = 0;
  if (size_ != 0 && !discarding_ &&
      (format_ == EventFormat::kZeek || format_ == EventFormat::kSuricata)) {
    // Finish the pending partial line through the buffer, then go on in place.
    const void* nlp = std::memchr(bytes.data(), '\n', bytes.size());
    size_t n = nlp == nullptr ? 0
                              : static_cast<size_t>(static_cast<const char*>(nlp) - bytes.data()) + 1;
    if (n > 0 && n <= (size_t{1} << 20)) {
      if (size_ + n + kPadding > data_.size()) data_.resize(size_ + n + kPadding);
      std::memcpy(data_.data() + size_, bytes.data(), n);
      size_ += n;
      std::memset(data_.data() + size_, 0, kPadding);
      ProcessBuffer(false);
      offset = n;
    }
  }
  offset += ProcessInPlace(bytes.substr(offset));
  // Bounded chunks keep the buffer small even when the caller hands us a whole file.
  constexpr size_t kChunk = 1 << 20;
  while (offset < bytes.size()) {
    size_t n = std::min(kChunk, bytes.size() - offset);
    if (size_ + n + kPadding > data_.size()) data_.resize(size_ + n + kPadding);
    std::memcpy(data_.data() + size_, bytes.data() + offset, n);
    size_ += n;
    std::memset(data_.data() + size_, 0, kPadding);
    offset += n;
    ProcessBuffer(false);
  }
  if (!out_buf_.empty()) {
    out_(out_buf_);
    out_buf_.clear();
  }
  return base::OkStatus();
}

Status StreamMatcher::Finish() {
  ProcessBuffer(true);
  if (!out_buf_.empty()) {
    out_(out_buf_);
    out_buf_.clear();
  }
  return base::OkStatus();
}

std::string StreamMatcher::StatsJson(const LoadStats& load) const {
  const ReaderStats& r = reader_->stats();
  std::string out = "{";
  out += "\"format\":\"" + std::string(EventFormatName(format_)) + "\"";
  out += ",\"bytes\":" + std::to_string(stats_.bytes);
  out += ",\"events\":" + std::to_string(stats_.events);
  out += ",\"event_errors\":" + std::to_string(stats_.event_errors);
  out += ",\"observations\":" + std::to_string(stats_.observations);
  out += ",\"sightings\":" + std::to_string(stats_.sightings);
  out += ",\"zeek_events\":" + std::to_string(r.zeek_events);
  out += ",\"suricata_events\":" + std::to_string(r.suricata_events);
  out += ",\"stix_observations\":" + std::to_string(r.stix_observations);
  out += ",\"unrecognised_events\":" + std::to_string(r.unrecognised_events);
  out += ",\"candidates_evaluated\":" + std::to_string(matcher_->candidates_evaluated());
  out += ",\"evaluator_errors\":" + std::to_string(matcher_->evaluator_errors());
  out += ",\"indicators\":{";
  out += "\"objects\":" + std::to_string(load.objects);
  out += ",\"indicators\":" + std::to_string(load.indicators);
  out += ",\"loaded\":" + std::to_string(load.loaded);
  out += ",\"skipped_not_indicator\":" + std::to_string(load.skipped_not_indicator);
  out += ",\"skipped_pattern_type\":" + std::to_string(load.skipped_pattern_type);
  out += ",\"skipped_revoked\":" + std::to_string(load.skipped_revoked);
  out += ",\"superseded\":" + std::to_string(load.superseded);
  out += ",\"invalid\":" + std::to_string(load.invalid);
  out += "}";
  out += ",\"matcher\":" + matcher_->DescribeJson();
  out += "}";
  return out;
}

}  // namespace detente::match
