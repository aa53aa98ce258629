// stix/scalars.cc: see scalars.h. Tested by scalars_test.cc.
#include "stix/scalars.h"

#include <array>

namespace detente::stix::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsLower(c) || (c >= 'A' && c <= 'Z'); }

int Digits(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; ++i) v = v * 10 + (s[pos + i] - '0');
  return v;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

const char* ParseStixTimestamp(std::string_view s, StixTime* out) {
  // YYYY-MM-DDTHH:mm:ss = 19 characters, then optional .s+ and the final Z.
  if (s.size() < 20) return "timestamp too short: expected YYYY-MM-DDTHH:mm:ss[.s+]Z";
  static constexpr char kShape[] = "dddd-dd-ddTdd:dd:dd";
  for (size_t i = 0; i < 19; ++i) {
    char want = kShape[i];
    if (want == 'd') {
      if (!IsDigit(s[i])) return "timestamp must have the form YYYY-MM-DDTHH:mm:ss[.s+]Z";
    } else if (s[i] != want) {
      if (i == 10) return "timestamp must use an upper-case 'T' between date and time";
      return "timestamp must have the form YYYY-MM-DDTHH:mm:ss[.s+]Z";
    }
  }
  if (s.back() != 'Z') {
    if (s.back() == 'z') return "timestamp must end with an upper-case 'Z'";
    return "timestamp must be in UTC and end with 'Z'";
  }
  int year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
  int hour = Digits(s, 11, 2), minute = Digits(s, 14, 2), second = Digits(s, 17, 2);
  if (month < 1 || month > 12) return "timestamp month out of range";
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int mdays = kDays[month - 1] + (month == 2 && IsLeap(year) ? 1 : 0);
  if (day < 1 || day > mdays) return "timestamp day out of range";
  if (hour > 23) return "timestamp hour out of range";
  if (minute > 59) return "timestamp minute out of range";
  if (second > 60) return "timestamp second out of range";  // RFC 3339 allows a leap second
  int32_t nanos = 0, digits = 0;
  size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && IsDigit(s[pos])) {
      if (digits < 9) nanos = nanos * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (pos == start) return "timestamp has a '.' without fractional digits";
    for (int32_t d = digits; d < 9; ++d) nanos *= 10;
  }
  if (pos != s.size() - 1) return "timestamp must have the form YYYY-MM-DDTHH:mm:ss[.s+]Z";
  if (out != nullptr) {
    int sec = second == 60 ? 59 : second;
    out->seconds =
        DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
        hour * 3600 + minute * 60 + sec;
    out->nanos = second == 60 ? 999'999'999 : nanos;
    out->digits = digits;
  }
  return nullptr;
}

const char* CheckUuid(std::string_view s, int* version) {
  // Hot path (several UUIDs per object): a table lookup per character, one branch per UUID.
  static constexpr auto kHexTable = [] {
    std::array<uint8_t, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = 1;
    for (int c = 'a'; c <= 'f'; ++c) t[c] = 1;
    for (int c = 'A'; c <= 'F'; ++c) t[c] = 1;
    return t;
  }();
  static constexpr uint8_t kHexPositions[32] = {0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11,
                                                12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25,
                                                26, 27, 28, 29, 30, 31, 32, 33, 34, 35};
  if (s.size() != 36) return "UUID must have 36 characters (8-4-4-4-12 hex digits)";
  if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') {
    return "UUID must have the form 8-4-4-4-12 hex digits";
  }
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  unsigned ok = 1;
  for (uint8_t pos : kHexPositions) ok &= kHexTable[p[pos]];
  if (ok == 0) return "UUID has a character that is not a hex digit";
  char v = s[14];
  char var = s[19];
  bool rfc_variant =
      var == '8' || var == '9' || var == 'a' || var == 'b' || var == 'A' || var == 'B';
  if (!rfc_variant) return "UUID is not an RFC 4122 UUID (variant bits must be 10)";
  if (v < '1' || v > '5') return "UUID is not an RFC 4122 UUID (version must be 1 to 5)";
  if (version != nullptr) *version = v - '0';
  return nullptr;
}

const char* CheckIdentifier(std::string_view s, std::string_view* type, int* version) {
  size_t sep = s.find("--");
  if (sep == std::string_view::npos || s.size() < sep + 2 + 36) {
    return "identifier must have the form <object-type>--<UUID>";
  }
  // The type part may itself not contain "--" (type names cannot), so the UUID is the rest.
  std::string_view t = s.substr(0, s.size() - 38);
  if (s.substr(s.size() - 38, 2) != "--") {
    return "identifier must have the form <object-type>--<UUID>";
  }
  if (const char* e = CheckTypeName(t)) {
    (void)e;
    return "identifier's object-type part is not a valid type name";
  }
  if (const char* e = CheckUuid(s.substr(s.size() - 36), version)) return e;
  if (type != nullptr) *type = t;
  return nullptr;
}

const char* CheckBase64(std::string_view s) {
  if (s.size() % 4 != 0) return "binary value is not base64: length is not a multiple of 4";
  size_t pad = 0;
  if (!s.empty() && s.back() == '=') pad = (s.size() >= 2 && s[s.size() - 2] == '=') ? 2 : 1;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  size_t n = s.size() - pad;
  for (size_t i = 0; i < n; ++i) {
    if (value(s[i]) < 0) return "binary value is not base64: character outside the alphabet";
  }
  if (pad > 0) {
    int last = value(s[n - 1]);
    if (pad == 1 && (last & 0x3) != 0) return "binary value is not canonical base64";
    if (pad == 2 && (last & 0xF) != 0) return "binary value is not canonical base64";
  }
  return nullptr;
}

const char* CheckHex(std::string_view s) {
  if (s.size() % 2 != 0) return "hex value must have an even number of characters";
  for (char c : s) {
    if (!(IsDigit(c) || (c >= 'a' && c <= 'f'))) {
      return "hex value may contain only 0-9 and lower-case a-f";
    }
  }
  return nullptr;
}

const char* CheckLanguageTag(std::string_view s) {
  // Primary language subtag, then subtags of 1-8 alphanumerics separated by '-'.
  size_t i = 0;
  while (i < s.size() && IsAlpha(s[i])) ++i;
  if (i < 2 || i > 8) return "not an RFC 5646 language tag";
  while (i < s.size()) {
    if (s[i] != '-') return "not an RFC 5646 language tag";
    size_t start = ++i;
    while (i < s.size() && (IsAlpha(s[i]) || IsDigit(s[i]))) ++i;
    if (i - start < 1 || i - start > 8) return "not an RFC 5646 language tag";
  }
  return nullptr;
}

const char* CheckPropertyName(std::string_view s) {
  if (s.size() < 3) return "property name must have at least 3 characters";
  if (s.size() > 250) return "property name must have at most 250 characters";
  for (char c : s) {
    if (!(IsLower(c) || IsDigit(c) || c == '_')) {
      return "property name may contain only a-z, 0-9 and '_'";
    }
  }
  return nullptr;
}

const char* CheckTypeName(std::string_view s) {
  if (s.size() < 3) return "type name must have at least 3 characters";
  if (s.size() > 250) return "type name must have at most 250 characters";
  if (!IsLower(s[0])) return "type name must begin with a letter a-z";
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!(IsLower(c) || IsDigit(c) || c == '-')) {
      return "type name may contain only a-z, 0-9 and '-'";
    }
    if (c == '-' && i > 0 && s[i - 1] == '-') return "type name must not contain \"--\"";
  }
  return nullptr;
}

const char* CheckDictionaryKey(std::string_view s, bool hashes) {
  if (hashes && s.size() < 3) return "hash algorithm name must have at least 3 characters";
  if (s.empty()) return "dictionary key must not be empty";
  if (s.size() > 250) return "dictionary key must have at most 250 characters";
  for (char c : s) {
    if (!(IsAlpha(c) || IsDigit(c) || c == '-' || c == '_')) {
      return "dictionary key may contain only a-z, A-Z, 0-9, '-' and '_'";
    }
  }
  return nullptr;
}

}  // namespace detente::stix::internal
