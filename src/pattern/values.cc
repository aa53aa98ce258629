// pattern/values.cc: timestamps, IP networks and regex compilation for the evaluator and the
// validator. Tested by evaluator_test.cc.
#include "pattern/values.h"

#include <cstring>

#include "pattern/unicode.h"

namespace detente::pattern {
namespace {

bool Digits(std::string_view s, size_t at, size_t n, int* value) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *value = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

bool ParseV4(std::string_view s, uint8_t* out) {
  int part = 0;
  size_t i = 0;
  while (part < 4) {
    size_t start = i;
    int v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) v = v * 10 + (s[i++] - '0');
    if (i == start || v > 255) return false;
    // No leading zeros: "010" is octal to some parsers and decimal to others (the bulk
    // matcher's CIDR trie and Python's ipaddress reject it too).
    if (i - start > 1 && s[start] == '0') return false;
    out[part++] = static_cast<uint8_t>(v);
    if (part < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseV6(std::string_view s, uint8_t* out) {
  uint16_t groups[8] = {};
  int n = 0;
  int gap = -1;  // index in groups where "::" was
  size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    gap = 0;
    i = 2;
  } else if (!s.empty() && s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    if (n >= 8) return false;
    // An IPv4 tail?
    size_t next_colon = s.find(':', i);
    std::string_view rest =
        s.substr(i, next_colon == std::string_view::npos ? s.npos : next_colon - i);
    if (next_colon == std::string_view::npos && rest.find('.') != std::string_view::npos) {
      if (n > 6) return false;
      uint8_t v4[4];
      if (!ParseV4(rest, v4)) return false;
      groups[n++] = static_cast<uint16_t>(v4[0] << 8 | v4[1]);
      groups[n++] = static_cast<uint16_t>(v4[2] << 8 | v4[3]);
      i = s.size();
      break;
    }
    if (rest.empty() || rest.size() > 4) return false;
    int v = 0;
    for (char c : rest) {
      int h = HexVal(c);
      if (h < 0) return false;
      v = v * 16 + h;
    }
    groups[n++] = static_cast<uint16_t>(v);
    i += rest.size();
    if (i < s.size()) {
      // at ':'
      if (i + 1 < s.size() && s[i + 1] == ':') {
        if (gap >= 0) return false;
        gap = n;
        i += 2;
      } else {
        ++i;
        if (i == s.size()) return false;  // trailing single ':'
      }
    }
  }
  if (gap >= 0) {
    if (n == 8) return false;
    int move = n - gap;
    for (int k = 0; k < move; ++k) groups[7 - k] = groups[n - 1 - k];
    for (int k = gap; k < 8 - move; ++k) groups[k] = 0;
  } else if (n != 8) {
    return false;
  }
  for (int k = 0; k < 8; ++k) {
    out[2 * k] = static_cast<uint8_t>(groups[k] >> 8);
    out[2 * k + 1] = static_cast<uint8_t>(groups[k] & 0xFF);
  }
  return true;
}

}  // namespace

uint32_t TimeValue::nanos() const {
  uint32_t n = 0;
  for (size_t i = 0; i < 9; ++i) n = n * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  return n;
}

int TimeValue::Compare(const TimeValue& a, const TimeValue& b) {
  if (a.seconds != b.seconds) return a.seconds < b.seconds ? -1 : 1;
  int c = a.fraction.compare(b.fraction);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool ParseTimeValue(std::string_view s, TimeValue* out) {
  if (s.size() < 20) return false;
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s[4] != '-' || !Digits(s, 5, 2, &month) || s[7] != '-' ||
      !Digits(s, 8, 2, &day) || s[10] != 'T' || !Digits(s, 11, 2, &hour) || s[13] != ':' ||
      !Digits(s, 14, 2, &minute) || s[16] != ':' || !Digits(s, 17, 2, &second)) {
    return false;
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  size_t i = 19;
  out->fraction.clear();
  if (s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
    out->fraction.assign(s.substr(start, i - start));
    while (!out->fraction.empty() && out->fraction.back() == '0') out->fraction.pop_back();
  }
  if (i + 1 != s.size() || s[i] != 'Z') return false;
  out->seconds =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
      hour * 3600 + minute * 60 + second;
  return true;
}

Nanos128 SecondsToNanos(std::string_view number) {
  constexpr int64_t kCapSeconds = 10'000'000'000'000;
  size_t dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  std::string_view frac =
      dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
  while (!whole.empty() && whole[0] == '0') whole.remove_prefix(1);
  int64_t secs = 0;
  if (whole.size() > 13) {
    secs = kCapSeconds;
  } else {
    for (char c : whole) secs = secs * 10 + (c - '0');
    if (secs > kCapSeconds) secs = kCapSeconds;
  }
  int64_t nanos = 0;
  bool rest = false;
  for (size_t i = 0; i < frac.size(); ++i) {
    if (i < 9) {
      nanos = nanos * 10 + (frac[i] - '0');
    } else if (frac[i] != '0') {
      rest = true;
    }
  }
  for (size_t i = frac.size(); i < 9; ++i) nanos *= 10;
  Nanos128 total = static_cast<Nanos128>(secs) * 1'000'000'000 + nanos;
  if (rest) total += 1;
  return total;
}

bool ParseIpNetwork(std::string_view text, IpNetwork* out) {
  std::string_view addr = text;
  int prefix = -1;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3) return false;
    prefix = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return false;
      prefix = prefix * 10 + (c - '0');
    }
  }
  *out = IpNetwork();
  if (addr.find(':') != std::string_view::npos) {
    out->v6 = true;
    if (!ParseV6(addr, out->bytes)) return false;
    if (prefix > 128) return false;
    out->prefix = prefix < 0 ? 128 : prefix;
  } else {
    if (!ParseV4(addr, out->bytes)) return false;
    if (prefix > 32) return false;
    out->prefix = prefix < 0 ? 32 : prefix;
  }
  return true;
}

bool NetworkContains(const IpNetwork& outer, const IpNetwork& inner) {
  if (outer.v6 != inner.v6 || outer.prefix > inner.prefix) return false;
  int bits = outer.prefix;
  int full = bits / 8;
  if (std::memcmp(outer.bytes, inner.bytes, static_cast<size_t>(full)) != 0) return false;
  int rem = bits % 8;
  if (rem == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rem));
  return (outer.bytes[full] & mask) == (inner.bytes[full] & mask);
}

bool Utf8ToLatin1(std::string_view text, std::string* out) {
  out->clear();
  size_t pos = 0;
  while (pos < text.size()) {
    int32_t cp = DecodeUtf8(text, &pos);
    if (cp < 0 || cp > 0xFF) return false;
    out->push_back(static_cast<char>(cp));
  }
  return true;
}

base::Result<std::unique_ptr<RE2>> CompileRegex(std::string_view regex, bool latin1) {
  std::string translated;
  translated.reserve(regex.size());
  for (size_t i = 0; i < regex.size(); ++i) {
    if (regex[i] == '\\' && i + 1 < regex.size()) {
      translated.push_back('\\');
      translated.push_back(regex[i + 1] == 'Z' ? 'z' : regex[i + 1]);
      ++i;
    } else {
      translated.push_back(regex[i]);
    }
  }
  RE2::Options options;
  options.set_dot_nl(true);
  options.set_log_errors(false);
  options.set_max_mem(int64_t{16} << 20);
  if (latin1) {
    std::string bytes;
    if (!Utf8ToLatin1(translated, &bytes)) {
      return base::InvalidArgumentError("regex has code points >= 256; cannot match binary");
    }
    translated = std::move(bytes);
    options.set_encoding(RE2::Options::EncodingLatin1);
  }
  auto re = std::make_unique<RE2>(translated, options);
  if (!re->ok()) {
    return base::InvalidArgumentError("regex '" + std::string(regex) +
                                      "' is not supported: " + re->error());
  }
  return re;
}

base::Result<std::unique_ptr<RE2>> CompileLike(std::string_view like) {
  std::string regex = "\\A";
  size_t pos = 0;
  while (pos < like.size()) {
    size_t start = pos;
    int32_t cp = DecodeUtf8(like, &pos);
    if (cp == '%') {
      regex.append(".*");
    } else if (cp == '_') {
      regex.append(".");
    } else {
      regex.append(RE2::QuoteMeta(like.substr(start, pos - start)));
    }
  }
  regex.append("\\z");
  RE2::Options options;
  options.set_dot_nl(true);
  options.set_log_errors(false);
  options.set_max_mem(int64_t{16} << 20);
  auto re = std::make_unique<RE2>(regex, options);
  if (!re->ok()) return base::InvalidArgumentError("LIKE pattern: " + re->error());
  return re;
}

}  // namespace detente::pattern
