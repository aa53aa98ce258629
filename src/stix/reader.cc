// stix/reader.cc: ObjectReader, the streaming splitter of STIX inputs. Tested by
// reader_test.cc (including a large generated bundle read in bounded memory).
//
// The reader does not parse JSON; it tracks only strings, escapes and brackets, which is
// enough to find where each top-level value, each member of a top-level object and each
// element of an array ends. The bytes of every object it hands out are then parsed strictly
// by the Validator (simdjson). A top-level object is read member by member: when it has an
// "objects" member that is an array (and its "type", if already seen, is "bundle"), the array
// elements are produced one by one as objects and the remaining members form the bundle
// envelope, produced after them. Any other top-level object is produced whole.
//
// After the first top-level value the input is taken to be NDJSON: a newline inside a value
// ends it with an error, and the reader resumes on the next line.
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "stix/stix.h"

namespace detente::stix {

base::Result<size_t> FdByteSource::Read(char* buf, size_t max) {
  while (true) {
    ssize_t n = ::read(fd_, buf, max);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    return base::UnavailableError(std::string("read failed: ") + std::strerror(errno));
  }
}

base::Result<size_t> StringByteSource::Read(char* buf, size_t max) {
  size_t n = std::min(max, data_.size() - pos_);
  std::memcpy(buf, data_.data() + pos_, n);
  pos_ += n;
  return n;
}

namespace {

enum class ScanStatus {
  kOk,
  kTooLarge,  // complete, but longer than the limit: not stored
  kMismatch,  // a closing bracket that does not match
  kEof,       // input ended inside the value
  kNewline,   // NDJSON: a line ended inside the value
  kTooDeep,
};

constexpr size_t kMaxScanDepth = 4096;

// The bytes ScanValue must look at outside strings.
constexpr auto kStructural = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {'"', '{', '}', '[', ']', '\n'}) t[c] = true;
  return t;
}();
constexpr size_t kMaxKeyBytes = 4096;

}  // namespace

struct ObjectReader::Impl {
  enum class State { kTop, kTopArray, kTopObject, kBundleArray };

  Impl(ByteSource* s, ReaderOptions o) : source(s), options(o), buf(o.chunk_bytes) {}

  // --- Byte access. ---

  // Makes buf[pos] valid; false at end of input (or on an I/O error, kept in io_status).
  bool Fill() {
    if (pos < len) return true;
    if (eof) return false;
    auto n = source->Read(buf.data(), buf.size());
    if (!n.ok()) {
      io_status = n.status();
      eof = true;
      return false;
    }
    pos = 0;
    len = *n;
    if (len == 0) eof = true;
    return len > 0;
  }
  int Peek() { return Fill() ? static_cast<unsigned char>(buf[pos]) : -1; }
  void Advance() {
    if (buf[pos] == '\n') ++line;
    ++pos;
  }

  // Skips whitespace. In NDJSON mode inside a value (`in_value`), a newline is an error:
  // returns false having consumed it.
  bool SkipWhitespace(bool in_value) {
    while (true) {
      int c = Peek();
      if (c == ' ' || c == '\t' || c == '\r') {
        ++pos;
      } else if (c == '\n') {
        ++pos;
        ++line;
        if (in_value && ndjson) return false;
      } else {
        return true;
      }
    }
  }

  // Skips to just after the next newline (resynchronisation after an error).
  void SkipLine() {
    while (Fill()) {
      const char* start = buf.data() + pos;
      const void* nl = std::memchr(start, '\n', len - pos);
      if (nl != nullptr) {
        pos += static_cast<size_t>(static_cast<const char*>(nl) - start) + 1;
        ++line;
        return;
      }
      pos = len;
    }
  }

  // Scans one JSON value that starts at the current byte (not whitespace), appending its
  // bytes to *out (when out is not null and the total stays within `limit`).
  ScanStatus ScanValue(std::string* out, size_t limit) {
    bool store = out != nullptr;
    size_t stored = 0;
    auto flush = [&](size_t from, size_t to) {
      if (!store) return;
      if (stored + (to - from) > limit) {
        store = false;
        return;
      }
      out->append(buf.data() + from, to - from);
      stored += to - from;
    };
    if (!Fill()) return ScanStatus::kEof;
    char first = buf[pos];
    if (first != '{' && first != '[' && first != '"') {
      // A bare scalar: up to the next delimiter.
      size_t seg = pos;
      while (true) {
        if (pos == len) {
          flush(seg, pos);
          if (!Fill()) return ScanStatus::kOk;
          seg = pos;
        }
        char c = buf[pos];
        if (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
          flush(seg, pos);
          return store ? ScanStatus::kOk : ScanStatus::kTooLarge;
        }
        ++pos;
      }
    }
    stack.clear();
    bool in_string = false, escape = false;
    size_t seg = pos;
    while (true) {
      if (pos == len) {
        flush(seg, pos);
        if (!Fill()) return ScanStatus::kEof;
        seg = pos;
      }
      const char* p = buf.data() + pos;
      const char* end = buf.data() + len;
      if (in_string) {
        // Fast path: run to the next quote, backslash or newline.
        while (p < end) {
          char c = *p;
          if (escape) {
            escape = false;
          } else if (c == '\\') {
            escape = true;
          } else if (c == '"') {
            break;
          } else if (c == '\n') {
            break;
          }
          ++p;
        }
        pos = static_cast<size_t>(p - buf.data());
        if (p == end) continue;
        if (*p == '\n') {
          // A raw newline inside a string is invalid JSON anyway.
          ++line;
          ++pos;
          if (ndjson) return ScanStatus::kNewline;
          continue;
        }
        in_string = false;  // *p == '"'
        ++pos;
        if (stack.empty()) {
          flush(seg, pos);
          return store ? ScanStatus::kOk : ScanStatus::kTooLarge;
        }
        continue;
      }
      while (p < end && !kStructural[static_cast<unsigned char>(*p)]) ++p;
      pos = static_cast<size_t>(p - buf.data());
      if (p == end) continue;
      char c = *p;
      ++pos;
      switch (c) {
        case '"':
          in_string = true;
          break;
        case '{':
        case '[':
          if (stack.size() >= kMaxScanDepth) return ScanStatus::kTooDeep;
          stack.push_back(c);
          break;
        case '}':
        case ']':
          if (stack.empty() || stack.back() != (c == '}' ? '{' : '[')) {
            return ScanStatus::kMismatch;
          }
          stack.pop_back();
          if (stack.empty()) {
            flush(seg, pos);
            return store ? ScanStatus::kOk : ScanStatus::kTooLarge;
          }
          break;
        case '\n':
          ++line;
          if (ndjson) return ScanStatus::kNewline;
          break;
        default:
          break;
      }
    }
  }

  // --- Items. ---

  void MakeError(RawItem* item, uint64_t at_line, std::string message) {
    item->kind = RawItem::Kind::kError;
    item->json = {};
    item->error = "line " + std::to_string(at_line) + ": " + std::move(message);
    item->index = index++;
    item->line = at_line;
    item->bundle_objects = -1;
  }

  // Reports a scan failure and resynchronises at the next line.
  void ScanError(RawItem* item, uint64_t at_line, ScanStatus status, std::string_view what) {
    std::string msg;
    switch (status) {
      case ScanStatus::kMismatch:
        msg = std::string(what) + ": mismatched bracket at line " + std::to_string(line);
        break;
      case ScanStatus::kEof:
        msg = std::string(what) + ": input ends inside the value";
        break;
      case ScanStatus::kNewline:
        msg = std::string(what) +
              ": line ends inside the value (NDJSON lines must hold one "
              "complete JSON value)";
        break;
      case ScanStatus::kTooDeep:
        msg = std::string(what) + ": nesting deeper than " + std::to_string(kMaxScanDepth);
        break;
      case ScanStatus::kTooLarge:
        msg = std::string(what) + ": larger than the limit of " +
              std::to_string(options.max_object_bytes) + " bytes";
        break;
      case ScanStatus::kOk:
        msg = std::string(what);
        break;
    }
    MakeError(item, at_line, std::move(msg));
    if (status != ScanStatus::kNewline && status != ScanStatus::kEof &&
        status != ScanStatus::kTooLarge) {
      SkipLine();
    }
    state = State::kTop;
  }

  // One element of an array (top-level or a bundle's "objects"). Returns true when *item was
  // produced; sets *done when the array ended.
  bool ArrayElement(RawItem* item, bool* done) {
    *done = false;
    uint64_t at = line;
    if (!SkipWhitespace(true)) {
      ScanError(item, at, ScanStatus::kNewline, "array");
      return true;
    }
    int c = Peek();
    if (c < 0) {
      ScanError(item, line, ScanStatus::kEof, "array");
      return true;
    }
    if (c == ']' && array_first) {
      Advance();
      *done = true;
      return false;
    }
    if (!array_first) {
      if (c == ']') {
        Advance();
        *done = true;
        return false;
      }
      if (c != ',') {
        ScanError(item, line, ScanStatus::kOk, "array: expected ',' or ']' between elements");
        return true;
      }
      Advance();
      if (!SkipWhitespace(true)) {
        ScanError(item, line, ScanStatus::kNewline, "array");
        return true;
      }
      c = Peek();
    }
    array_first = false;
    uint64_t start_line = line;
    uint64_t element = array_count++;
    object_buf.clear();
    bool is_object = c == '{';
    ScanStatus status = ScanValue(is_object ? &object_buf : nullptr, options.max_object_bytes);
    std::string what = "array element " + std::to_string(element);
    if (status == ScanStatus::kTooLarge && is_object) {
      MakeError(item, start_line,
                what + ": object larger than the limit of " +
                    std::to_string(options.max_object_bytes) + " bytes");
      return true;
    }
    if (status != ScanStatus::kOk && status != ScanStatus::kTooLarge) {
      ScanError(item, start_line, status, what);
      return true;
    }
    if (!is_object) {
      MakeError(item, start_line, what + " is not a JSON object");
      return true;
    }
    item->kind = RawItem::Kind::kObject;
    item->json = object_buf;
    item->error.clear();
    item->index = index++;
    item->line = start_line;
    item->bundle_objects = -1;
    return true;
  }

  // Continues reading the members of a top-level object. Returns true when *item was produced.
  bool ObjectMembers(RawItem* item) {
    while (true) {
      if (!SkipWhitespace(true)) {
        ScanError(item, value_line, ScanStatus::kNewline, "object");
        return true;
      }
      int c = Peek();
      if (c < 0) {
        ScanError(item, value_line, ScanStatus::kEof, "object");
        return true;
      }
      if (c == '}') {
        Advance();
        header.push_back('}');
        state = State::kTop;
        if (header_too_large) {
          MakeError(item, value_line,
                    "object larger than the limit of " + std::to_string(options.max_object_bytes) +
                        " bytes");
          return true;
        }
        // A bundle without an "objects" array (it is optional) is still a bundle envelope,
        // not an object that claims the type "bundle".
        item->kind = saw_objects || type_state == TypeState::kBundle
                         ? RawItem::Kind::kBundleEnvelope
                         : RawItem::Kind::kObject;
        item->json = header;
        item->error.clear();
        item->index = index++;
        item->line = value_line;
        item->bundle_objects = saw_objects ? static_cast<int64_t>(array_count) : -1;
        return true;
      }
      if (members > 0) {
        if (c != ',') {
          ScanError(item, line, ScanStatus::kOk, "object: expected ',' or '}' between members");
          return true;
        }
        Advance();
        if (!SkipWhitespace(true)) {
          ScanError(item, value_line, ScanStatus::kNewline, "object");
          return true;
        }
        c = Peek();
      }
      if (c != '"') {
        ScanError(item, line, ScanStatus::kOk, "object: expected a member name");
        return true;
      }
      key.clear();
      ScanStatus status = ScanValue(&key, kMaxKeyBytes);
      if (status != ScanStatus::kOk && status != ScanStatus::kTooLarge) {
        ScanError(item, value_line, status, "object member name");
        return true;
      }
      if (!SkipWhitespace(true) || Peek() != ':') {
        ScanError(item, line, ScanStatus::kOk, "object: expected ':' after a member name");
        return true;
      }
      Advance();
      if (!SkipWhitespace(true)) {
        ScanError(item, value_line, ScanStatus::kNewline, "object");
        return true;
      }
      c = Peek();
      ++members;
      if (key == "\"objects\"" && c == '[' && type_state != TypeState::kOther && !saw_objects) {
        Advance();
        saw_objects = true;
        state = State::kBundleArray;
        array_first = true;
        array_count = 0;
        return false;
      }
      size_t before = header.size();
      if (header.size() > 1) header.push_back(',');
      header.append(key);
      header.push_back(':');
      size_t room =
          header.size() < options.max_object_bytes ? options.max_object_bytes - header.size() : 0;
      size_t value_start = header.size();
      status = ScanValue(header_too_large ? nullptr : &header, room);
      if (status == ScanStatus::kTooLarge) {
        header_too_large = true;
        header.resize(before);
      } else if (status != ScanStatus::kOk) {
        ScanError(item, value_line, status, "object");
        return true;
      } else if (key == "\"type\"") {
        std::string_view v(header.data() + value_start, header.size() - value_start);
        type_state = v == "\"bundle\"" ? TypeState::kBundle : TypeState::kOther;
      }
    }
  }

  bool Next(RawItem* item) {
    while (true) {
      switch (state) {
        case State::kTop: {
          SkipWhitespace(false);
          int c = Peek();
          if (c < 0) return false;
          if (top_values == 0 && c == 0xEF) {  // UTF-8 byte order mark
            for (int i = 0; i < 3 && Peek() >= 0; ++i) ++pos;
            continue;
          }
          if (top_values > 0) ndjson = true;
          ++top_values;
          value_line = line;
          if (c == '[') {
            Advance();
            state = State::kTopArray;
            array_first = true;
            array_count = 0;
            continue;
          }
          if (c == '{') {
            Advance();
            state = State::kTopObject;
            header.clear();
            header.push_back('{');
            header_too_large = false;
            members = 0;
            saw_objects = false;
            type_state = TypeState::kUnknown;
            array_count = 0;
            continue;
          }
          uint64_t at = line;
          ScanStatus status = ScanValue(nullptr, 0);
          ScanError(item, at, status == ScanStatus::kNewline ? status : ScanStatus::kOk,
                    "expected a JSON object, an array of objects, or a bundle");
          return true;
        }
        case State::kTopArray: {
          bool done = false;
          if (ArrayElement(item, &done)) return true;
          if (done) state = State::kTop;
          continue;
        }
        case State::kBundleArray: {
          bool done = false;
          if (ArrayElement(item, &done)) return true;
          if (done) state = State::kTopObject;
          continue;
        }
        case State::kTopObject:
          if (ObjectMembers(item)) return true;
          continue;
      }
    }
  }

  enum class TypeState { kUnknown, kBundle, kOther };

  ByteSource* source;
  ReaderOptions options;
  std::vector<char> buf;
  size_t pos = 0, len = 0;
  bool eof = false;
  base::Status io_status;

  State state = State::kTop;
  bool ndjson = false;
  uint64_t top_values = 0;
  uint64_t line = 1;
  uint64_t index = 0;
  uint64_t value_line = 1;

  // Array state.
  bool array_first = true;
  uint64_t array_count = 0;

  // Top-level object state.
  std::string header;
  bool header_too_large = false;
  size_t members = 0;
  bool saw_objects = false;
  TypeState type_state = TypeState::kUnknown;

  std::string key;
  std::string object_buf;
  std::vector<char> stack;
};

ObjectReader::ObjectReader(ByteSource* source, ReaderOptions options)
    : impl_(std::make_unique<Impl>(source, options)) {}
ObjectReader::~ObjectReader() = default;

base::Result<bool> ObjectReader::Next(RawItem* item) {
  bool produced = impl_->Next(item);
  if (!impl_->io_status.ok()) return impl_->io_status;
  return produced;
}

}  // namespace detente::stix
